/**
 * Writing a RIB as a TABLE_DUMP_V2 snapshot (RFC 6396 4.3, RFC 8050): one PEER_INDEX_TABLE, then
 * one RIB_IPV4_UNICAST record per IPv4 prefix and one RIB_IPV6_UNICAST record per IPv6 prefix,
 * in address order, with consecutive sequence numbers. A prefix with any non-zero Path
 * Identifier is written with the _ADDPATH subtype. Attributes are the stored canonical ones in
 * the RFC 6396 4.3.4 form (4-octet AS_PATH, MP_REACH_NLRI holding only the next hop).
 */
import { EncodeError, type Prefix, formatPrefix, parseIpv4, parseIpv6 } from '../bgp';
import type { Family, Rib, RouteView } from '../rib';
import { canonicalToMrtAttributes } from './attributes';
import { MrtType } from './constants';
import { RecordBuffer, ribSubtype, writePeerIndexTable } from './encode';
import type { MrtPeer } from './peers';
import type { MrtAddress, MrtPeerEntry } from './types';

export interface TableDumpOptions {
  /** Records are gathered into chunks of about this many octets (default 64 KiB). */
  readonly chunkSize?: number;
}

/** Routes asked from the RIB at a time while walking it (bounds the views held at once). */
const BATCH = 2048;

function parseAddress(text: string): MrtAddress | undefined {
  if (text.includes(':')) {
    const address = parseIpv6(text);
    return address === undefined ? undefined : { family: 6, address };
  }
  const address = parseIpv4(text);
  return address === undefined ? undefined : { family: 4, address };
}

/**
 * Every route of one family in address order (then length), without asking the RIB for all of
 * them at once: a subtree with too many routes is split in halves.
 */
export function* ribRoutes(rib: Rib, family: Family): Generator<RouteView> {
  const max = family === 4 ? 32 : 128;
  const stack: Prefix[] = [family === 4 ? { family: 4, address: 0, length: 0 } : { family: 6, address: 0n, length: 0 }];
  while (stack.length > 0) {
    const p = stack.pop()!;
    const views = rib.covered(p, BATCH);
    if (views.length < BATCH) {
      yield* views;
      continue;
    }
    if (views[0]!.prefix.length === p.length) yield views[0]!;
    if (p.length >= max) continue;
    const length = p.length + 1;
    if (p.family === 4) {
      stack.push({ family: 4, address: (p.address | (1 << (32 - length))) >>> 0, length });
      stack.push({ family: 4, address: p.address, length });
    } else {
      stack.push({ family: 6, address: p.address | (1n << BigInt(128 - length)), length });
      stack.push({ family: 6, address: p.address, length });
    }
  }
}

export interface TableDumpChunkOptions extends TableDumpOptions {
  /**
   * Paths of peers not in the list: 'throw' (the default, an EncodeError) or 'skip' (a live RIB
   * read a chunk at a time, where a peer may come up after the PEER_INDEX_TABLE was written).
   */
  readonly unlistedPeers?: 'throw' | 'skip';
}

/**
 * The RIB as TABLE_DUMP_V2 bytes, in chunks. `peers` must list every peer that has paths in the
 * RIB (their order is the PEER_INDEX_TABLE order); the RIB must not change while the generator
 * runs. Throws `EncodeError` for an unknown peer, bad addresses, or attribute bytes that are not
 * canonical, before yielding the chunk that would hold them.
 */
export function* writeTableDump(
  rib: Rib,
  peers: readonly MrtPeer[],
  collectorBgpId: string,
  viewName: string,
  timestampSeconds: number,
  options: TableDumpOptions = {},
): Generator<Uint8Array> {
  yield* new TableDumpChunks(rib, peers, collectorBgpId, viewName, timestampSeconds, options);
}

/** Attribute sets whose MRT form is kept, direct-mapped by id, each in a slot of one arena. */
const cachedSets = 4096;
const slotBytes = 128;

/**
 * The RIB as TABLE_DUMP_V2 bytes, a chunk at a time, for a live RIB: each chunk is written
 * synchronously from the cursor (the last prefix written, found again in O(depth)), so the RIB
 * may change between chunks; chunks given back with {@link release} are reused, so a whole-table
 * snapshot runs in a few buffers. No object per route or path.
 */
export class TableDumpChunks {
  private readonly chunkSize: number;
  private readonly out: RecordBuffer;
  /** Peer id -> PEER_INDEX_TABLE index, -1 when not listed. */
  private readonly peerIndex = new Int32Array(0x10000).fill(-1);
  private readonly skipUnlisted: boolean;
  private readonly pool: Uint8Array[] = [];
  private family: Family = 4;
  private cursor: Prefix | undefined;
  private sequence = 0;
  private state: 'routes' | 'end' = 'routes';
  private readonly slotSets = new Int32Array(cachedSets).fill(-1);
  private readonly slotSerials = new Uint32Array(cachedSets);
  private readonly slotLengths = new Uint32Array(cachedSets);
  private readonly arena = new Uint8Array(cachedSets * slotBytes);
  private large: { set: number; serial: number; bytes: Uint8Array } | undefined;

  constructor(
    private readonly rib: Rib,
    peers: readonly MrtPeer[],
    collectorBgpId: string,
    viewName: string,
    private readonly timestamp: number,
    options: TableDumpChunkOptions = {},
  ) {
    this.chunkSize = Math.max(1, options.chunkSize ?? 1 << 16);
    this.skipUnlisted = options.unlistedPeers === 'skip';
    const collector = parseIpv4(collectorBgpId);
    if (collector === undefined)
      throw new EncodeError(`collector BGP ID ${JSON.stringify(collectorBgpId)} is not an IPv4 address`);
    const entries: MrtPeerEntry[] = peers.map((peer, k) => {
      const address = parseAddress(peer.address);
      const bgpId = parseIpv4(peer.bgpId);
      if (address === undefined)
        throw new EncodeError(`peer ${peer.id}: address ${JSON.stringify(peer.address)} is not an IP address`);
      if (bgpId === undefined)
        throw new EncodeError(`peer ${peer.id}: BGP ID ${JSON.stringify(peer.bgpId)} is not an IPv4 address`);
      if (this.peerIndex[peer.id] !== -1) throw new EncodeError(`peer id ${peer.id} is listed twice`);
      this.peerIndex[peer.id] = k;
      return { bgpId, address, asn: peer.asn, as4: true };
    });
    this.out = new RecordBuffer(this.chunkSize + 4096);
    writePeerIndexTable(this.out, timestamp, collector, viewName, entries);
  }

  /** The next chunk (at least chunkSize bytes but the last), undefined at the end. */
  next(): Uint8Array | undefined {
    const out = this.out;
    while (this.state === 'routes' && out.length < this.chunkSize) {
      const rib = this.rib;
      const family = this.family;
      let last = -1;
      rib.forEachCoveredRoute(
        family === 4 ? { family: 4, address: 0, length: 0 } : { family: 6, address: 0n, length: 0 },
        (route) => {
          this.record(route);
          last = route;
          return out.length < this.chunkSize;
        },
        this.cursor,
      );
      if (out.length < this.chunkSize) {
        // The family is done.
        this.cursor = undefined;
        if (family === 4) this.family = 6;
        else this.state = 'end';
      } else if (last >= 0) this.cursor = rib.routePrefix(family, last);
    }
    if (out.length === 0) return undefined;
    const free = this.pool.pop() ?? new Uint8Array(this.chunkSize + 4096);
    return out.swap(free);
  }

  /** The chunks, none released: each is a buffer of its own that the caller may keep. */
  *[Symbol.iterator](): Generator<Uint8Array> {
    for (let chunk = this.next(); chunk !== undefined; chunk = this.next()) yield chunk;
  }

  /** A chunk this writer gave has been written: its buffer may be reused. */
  release(chunk: Uint8Array): void {
    if (chunk.buffer.byteLength === this.chunkSize + 4096 && this.pool.length < 8)
      this.pool.push(new Uint8Array(chunk.buffer));
  }

  close(): void {
    this.state = 'end';
    this.out.truncate(0);
    this.pool.length = 0;
  }

  /** One RIB_IPV4/IPV6_UNICAST record (the _ADDPATH subtype when any path id is non-zero). */
  private record(route: number): void {
    const rib = this.rib;
    const family = this.family;
    const out = this.out;
    let addPath = false;
    let count = 0;
    for (let p = rib.firstPath(family, route); p >= 0; p = rib.nextPath(p)) {
      const index = this.peerIndex[rib.pathPeer(p)]!;
      if (index < 0) {
        if (this.skipUnlisted) continue;
        throw new EncodeError(
          `${formatPrefix(rib.routePrefix(family, route))}: peer id ${rib.pathPeer(p)} is not in the peers list`,
        );
      }
      if (rib.pathIdAt(p) !== 0) addPath = true;
      count++;
    }
    if (count === 0) return;
    if (count > 0xffff)
      throw new EncodeError(`${formatPrefix(rib.routePrefix(family, route))}: ${count} paths, at most 65535`);
    const start = out.beginRecord(this.timestamp, MrtType.TableDumpV2, ribSubtype(family === 4 ? 1 : 2, 1, addPath));
    try {
      out.u32(this.sequence);
      const length = rib.routeLength(family, route);
      out.u8(length);
      for (let k = 0; k < (length + 7) >>> 3; k++) {
        const word = rib.routeWord(family, route, k >>> 2);
        out.u8((word >>> (24 - 8 * (k & 3))) & 0xff);
      }
      out.u16(count);
      for (let p = rib.firstPath(family, route); p >= 0; p = rib.nextPath(p)) {
        const index = this.peerIndex[rib.pathPeer(p)]!;
        if (index < 0) continue;
        out.u16(index);
        out.u32(rib.pathReceivedAt(p));
        if (addPath) out.u32(rib.pathIdAt(p));
        const attributes = this.attributes(rib.pathAttributeSet(p), route);
        out.u16(attributes.length, 'attribute length');
        out.bytes(attributes);
      }
    } catch (error) {
      out.truncate(start);
      throw error;
    }
    out.endRecord(start);
    this.sequence = (this.sequence + 1) >>> 0;
  }

  /** The RFC 6396 4.3.4 form of an attribute set, converted once per set while it stays cached. */
  private attributes(set: number, route: number): Uint8Array {
    const slot = set & (cachedSets - 1);
    const serial = this.rib.attributeSets.serial(set);
    if (this.slotSets[slot] === set && this.slotSerials[slot] === serial) {
      const start = slot * slotBytes;
      return this.arena.subarray(start, start + this.slotLengths[slot]!);
    }
    const large = this.large;
    if (large && large.set === set && large.serial === serial) return large.bytes;
    const converted = canonicalToMrtAttributes(this.rib.attributeSets.bytes(set));
    if (typeof converted === 'string')
      throw new EncodeError(
        `${formatPrefix(this.rib.routePrefix(this.family, route))}: attribute set ${set}: ${converted}`,
      );
    if (converted.length > slotBytes) {
      this.large = { set, serial, bytes: converted };
      return converted;
    }
    this.arena.set(converted, slot * slotBytes);
    this.slotSets[slot] = set;
    this.slotSerials[slot] = serial;
    this.slotLengths[slot] = converted.length;
    return converted;
  }
}
