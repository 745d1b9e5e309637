/**
 * Peers met in MRT files, each with the RIB peer id it was given. The same peer in several
 * PEER_INDEX_TABLEs (BIRD writes one per table dump) or in BGP4MP headers gets one id.
 */
import type { PeerId } from '../rib';

/** A peer as loaded from (or written to) MRT: the caller can name it from these fields. */
export interface MrtPeer {
  /** RIB peer id (0..65535). */
  readonly id: PeerId;
  /** "192.0.2.1" or "2001:db8::1" (RFC 5952). */
  readonly address: string;
  readonly asn: number;
  /** BGP Identifier, dotted quad; "0.0.0.0" when unknown (a BGP4MP peer whose OPEN was not recorded). */
  readonly bgpId: string;
}

export const UNKNOWN_BGP_ID = '0.0.0.0';
const MAX_PEER_ID = 0xffff;

export interface MrtPeerTableOptions {
  /** The first id to hand out (default 0), e.g. to stay clear of the ids of live sessions. */
  readonly firstId?: number;
  /** Peers known already (e.g. from an earlier file): they keep their ids. */
  readonly peers?: readonly MrtPeer[];
}

/**
 * Assigns RIB peer ids. A peer is identified by address and AS number, and by BGP Identifier
 * when two peers share address and AS; an unknown BGP Identifier is filled in when learnt.
 */
export class MrtPeerTable {
  private readonly all: MrtPeer[] = [];
  private readonly byKey = new Map<string, number[]>();
  private readonly ids = new Map<PeerId, number>();
  private nextId: number;

  constructor(options: MrtPeerTableOptions = {}) {
    this.nextId = options.firstId ?? 0;
    for (const peer of options.peers ?? []) this.add(peer);
  }

  /** Every peer, in the order they were added. */
  get peers(): readonly MrtPeer[] {
    return this.all.slice();
  }

  get size(): number {
    return this.all.length;
  }

  byId(id: PeerId): MrtPeer | undefined {
    const index = this.ids.get(id);
    return index === undefined ? undefined : this.all[index];
  }

  /** Register a peer with a given id. Throws RangeError if the id is taken or out of range. */
  add(peer: MrtPeer): MrtPeer {
    if (!Number.isInteger(peer.id) || peer.id < 0 || peer.id > MAX_PEER_ID)
      throw new RangeError(`peer ids are 0..${MAX_PEER_ID}, got ${peer.id}`);
    if (this.ids.has(peer.id)) throw new RangeError(`peer id ${peer.id} is already taken`);
    const copy: MrtPeer = { id: peer.id, address: peer.address, asn: peer.asn, bgpId: peer.bgpId };
    const index = this.all.push(copy) - 1;
    this.ids.set(copy.id, index);
    const key = `${copy.address} ${copy.asn}`;
    const list = this.byKey.get(key);
    if (list) list.push(index);
    else this.byKey.set(key, [index]);
    if (copy.id >= this.nextId) this.nextId = copy.id + 1;
    return copy;
  }

  /**
   * The peer with this address and AS (and BGP Identifier, when given and known), added with the
   * next free id if new. Throws RangeError when no id is left.
   */
  resolve(address: string, asn: number, bgpId?: string): MrtPeer {
    const list = this.byKey.get(`${address} ${asn}`);
    if (list !== undefined) {
      if (bgpId === undefined || bgpId === UNKNOWN_BGP_ID) return this.all[list[0]!]!;
      for (const index of list) if (this.all[index]!.bgpId === bgpId) return this.all[index]!;
      for (const index of list) {
        if (this.all[index]!.bgpId === UNKNOWN_BGP_ID) return this.learnBgpId(index, bgpId);
      }
    }
    while (this.ids.has(this.nextId)) this.nextId++;
    if (this.nextId > MAX_PEER_ID)
      throw new RangeError(`no peer id left for ${address} AS${asn} (ids are 0..${MAX_PEER_ID})`);
    return this.add({ id: this.nextId, address, asn, bgpId: bgpId ?? UNKNOWN_BGP_ID });
  }

  /** Record the BGP Identifier of a peer whose identifier is unknown (no effect otherwise). */
  setBgpId(id: PeerId, bgpId: string): void {
    const index = this.ids.get(id);
    if (index !== undefined && this.all[index]!.bgpId === UNKNOWN_BGP_ID) this.learnBgpId(index, bgpId);
  }

  private learnBgpId(index: number, bgpId: string): MrtPeer {
    const updated = { ...this.all[index]!, bgpId };
    this.all[index] = updated;
    return updated;
  }
}
