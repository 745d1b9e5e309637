/**
 * Filling a {@link Rib} from MRT records: TABLE_DUMP_V2 snapshots (every entry becomes a path of
 * its peer, with the entry's Path Identifier and originated time), TABLE_DUMP snapshots (one path
 * per record, 2-octet AS numbers merged with AS4_PATH) and BGP4MP (or deprecated BGP) update streams
 * (UPDATEs applied in order: withdrawals, then announcements; a NOTIFICATION, or a state change
 * out of Established, ends the session and removes the peer's paths: graceful restart is not
 * modelled). UPDATEs of _LOCAL subtypes (sent by the recording speaker) are not loaded.
 * Attribute sets are interned in the RIB's canonical form; RIB entries with identical attribute
 * bytes are canonicalised once.
 */
import { type Nlri, formatIpv4, formatIpv6, formatPrefix } from '../bgp';
import { AttributeStore, type AttributeSetId, type Rib } from '../rib';
import {
  TABLE_DUMP_CONTEXT,
  TABLE_DUMP_V1_CONTEXT,
  copiedUpdateCanonicalView,
  mrtAttributesToCanonical,
} from './attributes';
import { canonicalAttributes, encodeCanonicalView } from '../rib';
import { Bgp4mpState, MrtType, TableDumpV2Subtype } from './constants';
import { type MrtPeer, MrtPeerTable } from './peers';
import type {
  Bgp4mpMessageRecord,
  Bgp4mpStateChangeRecord,
  MrtAddress,
  MrtReadResult,
  PeerIndexTableRecord,
  RibRecord,
  TableDumpRecord,
} from './types';

export interface MrtLoadIssue {
  /** Byte offset of the record (in the decompressed stream). */
  readonly offset: number;
  readonly reason: string;
}

export interface MrtLoadStats {
  /** Records read without error (skipped kinds included). */
  readonly records: number;
  /** Prefixes announced: RIB records with at least one entry loaded, plus NLRI announced by UPDATEs. */
  readonly routes: number;
  /** Paths announced: RIB entries loaded, plus NLRI (with their Path Identifiers) announced by UPDATEs. */
  readonly paths: number;
  /** Paths removed: withdrawn by UPDATEs, or dropped when a session left Established. */
  readonly withdrawn: number;
  /** Every peer seen, with the RIB peer id it was given. */
  readonly peers: readonly MrtPeer[];
  /** Attribute sets this load added to the RIB's store (sets the RIB already held are not counted). */
  readonly attributeSets: number;
  /** Records or entries not loaded, with offsets (the first `maxIssues`; `errorCount` has them all). */
  readonly errors: readonly MrtLoadIssue[];
  readonly errorCount: number;
  /**
   * Where the data ended early, when it did (a truncated record at the end, or a decompression
   * failure: the last such error): nothing after it was read. Also among `errors`.
   */
  readonly cutShort?: MrtLoadIssue;
  /** What was deliberately left out: uninterpreted record types, multicast, _LOCAL messages, discarded attributes. */
  readonly notes: readonly MrtLoadIssue[];
  readonly noteCount: number;
}

export interface MrtLoadOptions {
  /** How many errors and notes to keep in the stats (default 1000 each); the counts are always complete. */
  readonly maxIssues?: number;
}

/** Attribute forms cached apart: IPv4 and IPv6 TABLE_DUMP_V2 entries, IPv4 and IPv6 TABLE_DUMP records. */
const FORMS = [0, 1, 2, 3] as const;
const FAILED = -1;
const NOT_COMPUTED = -2;

function addressText(address: MrtAddress): string {
  return address.family === 4 ? formatIpv4(address.address) : formatIpv6(address.address);
}

/**
 * Applies MRT records to a RIB one at a time (a push interface for callers that drive their own
 * loop); {@link loadMrtIntoRib} wraps it for an iterable of records.
 */
export class MrtRibLoader {
  readonly peers: MrtPeerTable;
  private readonly maxIssues: number;
  private records = 0;
  private cutShort: MrtLoadIssue | undefined;
  private routes = 0;
  private paths = 0;
  private withdrawn = 0;
  private readonly errors: MrtLoadIssue[] = [];
  private errorCount = 0;
  private readonly notes: MrtLoadIssue[] = [];
  private noteCount = 0;
  private setCount = 0;
  /** The RIB peer ids of the current PEER_INDEX_TABLE's entries. */
  private indexPeers: number[] | undefined;
  /**
   * Raw RIB-entry attribute bytes interned per form (index: AFI - 1, plus 2 for TABLE_DUMP's
   * 2-octet AS numbers) -> canonical set id in the RIB.
   */
  private raw: AttributeStore[] = FORMS.map(() => new AttributeStore());
  private canonicalOf: Int32Array[] = FORMS.map(() => new Int32Array(256).fill(NOT_COMPUTED));
  private readonly failures = new Map<string, string>();
  /** Peers named by TABLE_DUMP and BGP4MP records, by IPv4 address and AS (address * 65536 + AS). */
  private readonly peersByNumber = new Map<number, MrtPeer>();
  private finished = false;

  constructor(
    readonly rib: Rib,
    peers: MrtPeerTable | readonly MrtPeer[] = new MrtPeerTable(),
    options: MrtLoadOptions = {},
  ) {
    this.peers = peers instanceof MrtPeerTable ? peers : new MrtPeerTable({ peers });
    this.maxIssues = options.maxIssues ?? 1000;
  }

  /** Apply one record (or account for one read error). */
  apply(result: MrtReadResult): void {
    if (this.finished) throw new Error('MrtRibLoader.apply after finish()');
    if (!result.ok) {
      this.error(result.error.offset, result.error.reason);
      if (result.error.fatal) this.cutShort = { offset: result.error.offset, reason: result.error.reason };
      // RIB records after a PEER_INDEX_TABLE that could not be read must not use an older table.
      if (result.error.type === MrtType.TableDumpV2 && result.error.subtype === TableDumpV2Subtype.PeerIndexTable)
        this.indexPeers = undefined;
      return;
    }
    const record = result.record;
    // A batched TABLE_DUMP record (RIS 2000) comes one entry at a time: counted once.
    if (record.kind !== 'table-dump' || !record.entry) this.records++;
    switch (record.kind) {
      case 'peer-index-table':
        this.applyPeerIndexTable(record);
        return;
      case 'rib':
        this.applyRib(record);
        return;
      case 'table-dump':
        this.applyTableDump(record);
        return;
      case 'bgp4mp-message':
        this.applyMessage(record);
        return;
      case 'bgp4mp-state-change':
        this.applyStateChange(record);
        return;
      case 'skipped':
        this.note(record.header.offset, record.reason);
        return;
    }
  }

  /** The statistics so far. */
  stats(): MrtLoadStats {
    return {
      records: this.records,
      routes: this.routes,
      paths: this.paths,
      withdrawn: this.withdrawn,
      peers: this.peers.peers,
      attributeSets: this.setCount,
      errors: this.errors.slice(),
      errorCount: this.errorCount,
      ...(this.cutShort ? { cutShort: this.cutShort } : {}),
      notes: this.notes.slice(),
      noteCount: this.noteCount,
    };
  }

  /** Release the loader's own references on attribute sets and return the final statistics. */
  finish(): MrtLoadStats {
    if (!this.finished) {
      this.finished = true;
      const store = this.rib.attributeSets;
      for (const table of this.canonicalOf) for (const id of table) if (id >= 0) store.release(id);
      this.canonicalOf = FORMS.map(() => new Int32Array(0));
      this.raw = FORMS.map(() => new AttributeStore());
      this.failures.clear();
    }
    return this.stats();
  }

  /** Count sets this load added to the store (interned for the first time, or again after being freed). */
  private interned(id: AttributeSetId): AttributeSetId {
    if (this.rib.attributeSets.refCount(id) === 1) this.setCount++;
    return id;
  }

  private error(offset: number, reason: string): void {
    this.errorCount++;
    if (this.errors.length < this.maxIssues) this.errors.push({ offset, reason });
  }

  private note(offset: number, reason: string): void {
    this.noteCount++;
    if (this.notes.length < this.maxIssues) this.notes.push({ offset, reason });
  }

  private applyPeerIndexTable(record: PeerIndexTableRecord): void {
    const ids: number[] = [];
    for (let k = 0; k < record.peers.length; k++) {
      const p = record.peers[k]!;
      try {
        ids.push(this.peers.resolve(addressText(p.address), p.asn, formatIpv4(p.bgpId)).id);
      } catch (e) {
        this.error(record.header.offset, `PEER_INDEX_TABLE peer ${k}: ${(e as Error).message}`);
        ids.push(-1);
      }
    }
    this.indexPeers = ids;
  }

  private applyRib(record: RibRecord): void {
    const offset = record.header.offset;
    if (record.safi !== 1) {
      this.note(offset, `${formatPrefix(record.prefix)}: multicast RIB records are not loaded`);
      return;
    }
    const peers = this.indexPeers;
    if (peers === undefined) {
      this.error(offset, `${formatPrefix(record.prefix)}: no valid PEER_INDEX_TABLE before this RIB record`);
      return;
    }
    let loaded = 0;
    const entries = record.entries;
    for (let k = 0; k < entries.length; k++) {
      const entry = entries[k]!;
      const peer = entry.peerIndex < peers.length ? peers[entry.peerIndex]! : -1;
      if (peer < 0) {
        this.error(
          offset,
          `${formatPrefix(record.prefix)} entry ${k}: peer index ${entry.peerIndex} is not in the PEER_INDEX_TABLE (${peers.length} peers)`,
        );
        continue;
      }
      const set = this.attributeSetFor(entry.attributes, record.afi, false, offset);
      if (typeof set === 'string') {
        this.error(offset, `${formatPrefix(record.prefix)} entry ${k}: ${set}`);
        continue;
      }
      this.rib.announce(peer, record.prefix, entry.pathId, set, entry.originatedTime);
      loaded++;
    }
    if (loaded > 0) {
      this.routes++;
      this.paths += loaded;
    }
  }

  private applyTableDump(record: TableDumpRecord): void {
    const offset = record.header.offset;
    const peer = this.peerByAddress(record.peerAddress, record.peerAsn);
    if (typeof peer === 'string') {
      this.error(offset, `${formatPrefix(record.prefix)}: ${peer}`);
      return;
    }
    const set = this.attributeSetFor(record.attributes, record.afi, true, offset);
    if (typeof set === 'string') {
      this.error(offset, `${formatPrefix(record.prefix)}: ${set}`);
      return;
    }
    this.rib.announce(peer.id, record.prefix, 0, set, record.originatedTime);
    this.routes++;
    this.paths++;
  }

  /** The canonical set id for raw RIB-entry attributes (cached by their bytes), or why there is none. */
  private attributeSetFor(bytes: Uint8Array, afi: 1 | 2, twoOctetAs: boolean, offset: number): AttributeSetId | string {
    const family = afi - 1 + (twoOctetAs ? 2 : 0);
    const rawId = this.raw[family].intern(bytes);
    let table = this.canonicalOf[family];
    if (rawId >= table.length) {
      const grown = new Int32Array(Math.max(2 * table.length, rawId + 1)).fill(NOT_COMPUTED);
      grown.set(table);
      this.canonicalOf[family] = table = grown;
    }
    const cached = table[rawId]!;
    if (cached >= 0) return cached;
    if (cached === FAILED) return this.failures.get(`${family}:${rawId}`) ?? 'attributes cannot be loaded';
    const result = mrtAttributesToCanonical(bytes, afi, 1, twoOctetAs ? TABLE_DUMP_V1_CONTEXT : TABLE_DUMP_CONTEXT);
    if (!result.ok) {
      table[rawId] = FAILED;
      this.failures.set(`${family}:${rawId}`, result.reason);
      return result.reason;
    }
    for (const reason of result.discarded) this.note(offset, `attribute discarded: ${reason}`);
    const id = this.interned(this.rib.attributeSets.intern(result.canonical)); // the cache's reference, released by finish()
    table[rawId] = id;
    return id;
  }

  private peerOf(record: Bgp4mpMessageRecord | Bgp4mpStateChangeRecord): MrtPeer | undefined {
    const peer = this.peerByAddress(record.peerAddress, record.peerAsn);
    if (typeof peer === 'string') {
      this.error(record.header.offset, peer);
      return undefined;
    }
    return peer;
  }

  /** The peer with this address and AS, or why there is none. IPv4 peers are looked up by number (every record names its peer). */
  private peerByAddress(address: MrtAddress, asn: number): MrtPeer | string {
    const key = address.family === 4 ? address.address * 65536 + asn : -1;
    let peer = key >= 0 ? this.peersByNumber.get(key) : undefined;
    if (peer !== undefined) return peer;
    try {
      peer = this.peers.resolve(addressText(address), asn);
    } catch (e) {
      return (e as Error).message;
    }
    if (key >= 0) this.peersByNumber.set(key, peer);
    return peer;
  }

  private applyStateChange(record: Bgp4mpStateChangeRecord): void {
    if (record.oldState !== Bgp4mpState.Established || record.newState === Bgp4mpState.Established) return;
    const peer = this.peerOf(record);
    if (peer !== undefined) this.withdrawn += this.rib.removePeer(peer.id);
  }

  private applyMessage(record: Bgp4mpMessageRecord): void {
    const offset = record.header.offset;
    const message = record.message;
    if (message.type === 'NOTIFICATION') {
      // Either side sending a NOTIFICATION closes the session (RFC 4271 6).
      const peer = this.peerOf(record);
      if (peer !== undefined) this.withdrawn += this.rib.removePeer(peer.id);
      return;
    }
    if (record.local) {
      if (message.type === 'UPDATE')
        this.note(offset, 'UPDATE sent by the local speaker (_LOCAL subtype) is not loaded');
      return;
    }
    if (message.type === 'OPEN') {
      const peer = this.peerOf(record);
      if (peer !== undefined) this.peers.setBgpId(peer.id, formatIpv4(message.bgpId));
      return;
    }
    if (message.type !== 'UPDATE') return;
    const peer = this.peerOf(record);
    if (peer === undefined) return;
    for (const e of record.errors) this.error(offset, `UPDATE: ${e.reason} (${e.action})`);
    const rib = this.rib;
    const id = peer.id;
    for (const n of message.withdrawn) if (rib.withdraw(id, n, n.pathId ?? 0)) this.withdrawn++;
    const groups: (readonly Nlri[])[] = [];
    if (message.nlri.length > 0) groups.push(message.nlri);
    let multiprotocol = false;
    for (const a of message.attributes) {
      if (a.type === 'mp-unreach-nlri' || a.type === 'mp-reach-nlri') multiprotocol = true;
      if (a.type === 'mp-unreach-nlri') {
        if (a.safi !== 1) this.note(offset, 'multicast withdrawals are not loaded');
        else for (const n of a.withdrawn) if (rib.withdraw(id, n, n.pathId ?? 0)) this.withdrawn++;
      } else if (a.type === 'mp-reach-nlri' && a.nlri.length > 0) {
        if (a.safi !== 1) this.note(offset, 'multicast announcements are not loaded');
        else groups.push(a.nlri);
      }
    }
    if (groups.length === 0) return;
    const copied =
      record.updateBytes !== undefined && record.context.fourOctetAs && record.errors.length === 0 && !multiprotocol
        ? copiedUpdateCanonicalView(record.updateBytes)
        : undefined;
    const key = copied ?? encodeCanonicalView(canonicalAttributes(message.attributes, record.context));
    if (key === undefined) {
      this.error(offset, 'UPDATE: path attributes cannot be stored canonically');
      return;
    }
    const set = this.interned(rib.attributeSets.intern(key));
    const receivedAt = record.header.timestamp;
    for (const group of groups) {
      for (const n of group) {
        rib.announce(id, n, n.pathId ?? 0, set, receivedAt);
        this.routes++;
        this.paths++;
      }
    }
    rib.attributeSets.release(set);
  }
}

/**
 * Load MRT records (from `readMrt`, `mrtRecords` or the Node adapter's `readMrtFile`) into a RIB.
 * `peers` assigns RIB peer ids; pass the same table to load several files (a table dump, then its
 * update files) with consistent ids. Never throws for malformed input: see the returned stats.
 */
export async function loadMrtIntoRib(
  records: AsyncIterable<MrtReadResult> | Iterable<MrtReadResult>,
  rib: Rib,
  peers: MrtPeerTable | readonly MrtPeer[] = new MrtPeerTable(),
  options: MrtLoadOptions = {},
): Promise<MrtLoadStats> {
  const loader = new MrtRibLoader(rib, peers, options);
  try {
    for await (const result of records) loader.apply(result);
  } finally {
    loader.finish();
  }
  return loader.stats();
}

/** {@link loadMrtIntoRib} for a synchronous iterable (e.g. `readMrt(bytes)`). */
export function loadMrtIntoRibSync(
  records: Iterable<MrtReadResult>,
  rib: Rib,
  peers: MrtPeerTable | readonly MrtPeer[] = new MrtPeerTable(),
  options: MrtLoadOptions = {},
): MrtLoadStats {
  const loader = new MrtRibLoader(rib, peers, options);
  try {
    for (const result of records) loader.apply(result);
  } finally {
    loader.finish();
  }
  return loader.stats();
}
