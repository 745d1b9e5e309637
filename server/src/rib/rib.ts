/**
 * The speaker's Routing Information Base: every path received from every peer, per prefix.
 *
 * Memory layout (no object per route or path):
 * - one {@link PrefixTable} per family; a prefix's value is the index of its first path, so
 *   a route costs no record of its own beyond its table entry (9 bytes for IPv4, 21 for IPv6);
 * - paths in typed-array columns (peer uint16, attribute set id uint32 with the path's live and
 *   stale flags in its top two bits, receivedAt uint32 seconds, next int32: 14 bytes; an ADD-PATH
 *   path id uint32 too once any path has a non-zero one: 18 bytes), one singly linked list per
 *   prefix kept sorted by (peer, path id), freed slots reused through a free list;
 * - attribute sets interned once in an {@link AttributeStore}, a path holds a reference.
 *
 * Per-peer operations (markStale, sweepStale, removePeer) make one pass over the path or node
 * slots instead of keeping a per-peer index (which would cost 4-8 bytes per path).
 */
import type { Ipv4Prefix, Ipv6Prefix, Prefix } from '../bgp';
import { AttributeStore, type AttributeSetId } from './attribute-store';
import { grown } from './grow';
import { PrefixTable, type Family } from './prefix-table';

/** A small integer the speaker assigns to each peer (0..65535). */
export type PeerId = number;

export interface PathView {
  readonly peer: PeerId;
  /** ADD-PATH path identifier (RFC 7911); 0 when ADD-PATH is not in use. */
  readonly pathId: number;
  readonly attributeSetId: AttributeSetId;
  /** Kept through a graceful restart and not yet refreshed. */
  readonly stale: boolean;
  /** When the path got its current attributes, whole seconds (uint32). */
  readonly receivedAt: number;
}

export interface RouteView {
  readonly prefix: Prefix;
  /** Sorted by peer, then path id. */
  readonly paths: PathView[];
}

export type AnnounceResult = 'added' | 'replaced' | 'unchanged';

export interface RibOptions {
  /** Share an attribute store (default: a new one, available as `attributeSets`). */
  readonly attributeSets?: AttributeStore;
}

const NONE = -1;
/** Flags in the attribute column's top bits: the slot holds a path; the path is stale. */
const LIVE = 0x40000000;
const STALE = 0x80000000;
const ID_MASK = 0x3fffffff;
const INITIAL_PATHS = 256;
const MAX_PEER = 0xffff;

export class Rib {
  readonly attributeSets: AttributeStore;
  private readonly v4 = new PrefixTable(4);
  private readonly v6 = new PrefixTable(6);

  private peers = new Uint16Array(INITIAL_PATHS);
  /**
   * ADD-PATH path ids, made on the first non-zero one: without ADD-PATH (most sessions) every id
   * is 0 and the column would cost 4 bytes a path for nothing.
   */
  private pathIds: Uint32Array | undefined;
  /** Attribute set id | LIVE | STALE; 0 for a free slot. */
  private attributes = new Uint32Array(INITIAL_PATHS);
  private receivedAts = new Uint32Array(INITIAL_PATHS);
  /** Next path of the same prefix, or of the free list. */
  private next = new Int32Array(INITIAL_PATHS);
  private pathHigh = 0;
  private freePath = NONE;
  private livePaths = 0;

  /** Paths per peer, per family. */
  private readonly perPeer: [Map<PeerId, number>, Map<PeerId, number>] = [new Map(), new Map()];

  constructor(options: RibOptions = {}) {
    this.attributeSets = options.attributeSets ?? new AttributeStore();
  }

  /**
   * Adds or replaces the path of (peer, pathId) for the prefix and clears its stale flag.
   * 'unchanged' when the path already had this attribute set (its receivedAt is kept);
   * 'replaced' when it had another one (receivedAt is updated). The path takes its own
   * reference on the attribute set.
   */
  announce(
    peer: PeerId,
    prefix: Prefix,
    pathId: number,
    attributeSetId: AttributeSetId,
    receivedAtSeconds: number,
  ): AnnounceResult {
    checkPeer(peer);
    checkPathId(pathId);
    if (attributeSetId > ID_MASK || !this.attributeSets.has(attributeSetId))
      throw new RangeError(`unknown attribute set id ${attributeSetId}`);
    const receivedAt = toSeconds(receivedAtSeconds);
    const table = this.table(prefix.family);
    const node = table.insertNode(prefix);
    const head = table.nodeValue(node);

    // Find the insertion point in the list sorted by (peer, pathId).
    let prev = NONE;
    let p = head;
    while (p !== NONE) {
      const pp = this.peers[p]!;
      if (pp > peer || (pp === peer && this.pathIdAt(p) >= pathId)) break;
      prev = p;
      p = this.next[p]!;
    }
    if (p !== NONE && this.peers[p] === peer && this.pathIdAt(p) === pathId) {
      const old = this.attributes[p]! & ID_MASK;
      this.attributes[p] = attributeSetId | LIVE;
      if (old === attributeSetId) return 'unchanged';
      this.attributeSets.retain(attributeSetId);
      this.attributeSets.release(old);
      this.receivedAts[p] = receivedAt;
      return 'replaced';
    }
    this.attributeSets.retain(attributeSetId);
    const path = this.allocatePath();
    this.peers[path] = peer;
    if (pathId !== 0) (this.pathIds ??= new Uint32Array(this.attributes.length))[path] = pathId;
    else if (this.pathIds !== undefined) this.pathIds[path] = 0;
    this.attributes[path] = attributeSetId | LIVE;
    this.receivedAts[path] = receivedAt;
    this.next[path] = p;
    if (prev === NONE) table.setNodeValue(node, path);
    else this.next[prev] = path;
    this.count(prefix.family, peer, 1);
    return 'added';
  }

  /** Removes the path of (peer, pathId) for the prefix; the prefix goes when its last path does. */
  withdraw(peer: PeerId, prefix: Prefix, pathId: number): boolean {
    const table = this.table(prefix.family);
    const node = table.findNode(prefix);
    if (node === NONE) return false;
    let prev = NONE;
    let p = table.nodeValue(node);
    while (p !== NONE && !(this.peers[p] === peer && this.pathIdAt(p) === pathId)) {
      prev = p;
      p = this.next[p]!;
    }
    if (p === NONE) return false;
    this.unlink(table, node, prev, p);
    this.count(prefix.family, peer, -1);
    return true;
  }

  /**
   * Marks the peer's paths stale, of one family or of both (a graceful restart began, or an
   * enhanced route refresh's BoRR). Returns how many were marked.
   */
  markStale(peer: PeerId, family?: Family): number {
    if (this.peerPaths(peer) === 0) return 0;
    if (family !== undefined) return this.markStaleIn(peer, family);
    let marked = 0;
    const peers = this.peers;
    const attributes = this.attributes;
    for (let p = 0; p < this.pathHigh; p++) {
      if (attributes[p] !== 0 && peers[p] === peer) {
        attributes[p] = attributes[p]! | STALE;
        marked++;
      }
    }
    return marked;
  }

  /**
   * Removes the peer's paths still marked stale, of one family or of both; paths re-announced
   * since the marking are not stale and stay. Returns how many were removed. Callers: the end of
   * a graceful restart (End-of-RIB, restart timer, a family lost) and an enhanced route refresh's EoRR.
   */
  sweepStale(peer: PeerId, family?: Family): number {
    return this.removeWhere(peer, true, family);
  }

  /** Session down without graceful restart: removes every path of the peer. Returns how many. */
  removePeer(peer: PeerId): number {
    return this.removeWhere(peer, false);
  }

  exact(prefix: Prefix): RouteView | undefined {
    const table = this.table(prefix.family);
    const node = table.findNode(prefix);
    return node === NONE ? undefined : this.view(table, node);
  }

  /** The most specific route containing the address (uint32 number for IPv4, bigint for IPv6). */
  longestMatch(family: 4, address: number): RouteView | undefined;
  longestMatch(family: 6, address: bigint): RouteView | undefined;
  longestMatch(family: Family, address: number | bigint): RouteView | undefined;
  longestMatch(family: Family, address: number | bigint): RouteView | undefined {
    const table = this.table(family);
    const node = table.longestMatchNode(address);
    return node === NONE ? undefined : this.view(table, node);
  }

  /** Routes whose prefix contains `prefix` (itself included), least specific first. */
  covering(prefix: Prefix): RouteView[] {
    const table = this.table(prefix.family);
    const nodes: number[] = [];
    table.coveringNodes(prefix, nodes);
    return nodes.map((n) => this.view(table, n));
  }

  /**
   * The route of `prefix` and every more specific route, in address order (then length), at most
   * `limit`; with `after` (of the same family), only routes ordered after it: a page's cursor.
   */
  covered(prefix: Prefix, limit = Infinity, after?: Prefix): RouteView[] {
    const table = this.table(prefix.family);
    const out: RouteView[] = [];
    if (limit <= 0 || (after !== undefined && after.family !== prefix.family)) return out;
    table.forEachCoveredNode(
      prefix,
      (n) => {
        out.push(this.view(table, n));
        return out.length < limit;
      },
      after,
    );
    return out;
  }

  // ---- reads without a view object (for writers of whole tables: JSON answers, MRT snapshots) ----
  // A route is named by its table node and family, a path by its slot; both stay valid only until
  // the RIB next changes, so a writer reads a bounded step synchronously and resumes by prefix.

  /**
   * Calls `visit` with the node of each route `covered` would return, in the same order, without
   * building views; stops when `visit` returns false. The RIB must not change during the walk.
   */
  forEachCoveredRoute(prefix: Prefix, visit: (route: number) => boolean, after?: Prefix): void {
    if (after !== undefined && after.family !== prefix.family) return;
    this.table(prefix.family).forEachCoveredNode(prefix, visit, after);
  }

  /** The prefix of a route node of the family. */
  routePrefix(family: Family, route: number): Prefix {
    return this.table(family).nodePrefix(route) as Ipv4Prefix | Ipv6Prefix;
  }

  /** The prefix length of a route node. */
  routeLength(family: Family, route: number): number {
    return this.table(family).nodeLength(route);
  }

  /** Word i (uint32, most significant first) of a route node's address: the whole address for IPv4. */
  routeWord(family: Family, route: number, i: number): number {
    return this.table(family).nodeWord(route, i);
  }

  /** The first path slot of a route node (paths are sorted by peer, then path id). */
  firstPath(family: Family, route: number): number {
    return this.table(family).nodeValue(route);
  }

  /** The path slot after p in its route, or -1. */
  nextPath(p: number): number {
    return this.next[p]!;
  }

  pathPeer(p: number): PeerId {
    return this.peers[p]!;
  }

  pathIdAt(p: number): number {
    return this.pathIds === undefined ? 0 : this.pathIds[p]!;
  }

  pathAttributeSet(p: number): AttributeSetId {
    return this.attributes[p]! & ID_MASK;
  }

  pathStale(p: number): boolean {
    return (this.attributes[p]! & STALE) !== 0;
  }

  pathReceivedAt(p: number): number {
    return this.receivedAts[p]!;
  }

  /** Number of prefixes (with at least one path) of the family. */
  prefixCount(family: Family): number {
    return this.table(family).size;
  }

  /** Number of paths the peer has in the family (with ADD-PATH, each path of a prefix counts). */
  pathCount(peer: PeerId, family: Family): number {
    return this.perPeer[family === 4 ? 0 : 1].get(peer) ?? 0;
  }

  /** Number of paths, all peers and families. */
  get totalPaths(): number {
    return this.livePaths;
  }

  /** Bytes of the RIB's typed arrays (prefix tables, path columns, including free room) plus the attribute store. */
  memoryEstimate(): number {
    return (
      this.v4.memoryBytes() +
      this.v6.memoryBytes() +
      this.peers.byteLength +
      (this.pathIds?.byteLength ?? 0) +
      this.attributes.byteLength +
      this.receivedAts.byteLength +
      this.next.byteLength +
      this.attributeSets.approximateBytes()
    );
  }

  // ---- internals ----

  private table(family: Family): PrefixTable<Family> {
    if (family === 4) return this.v4 as PrefixTable<Family>;
    if (family === 6) return this.v6 as PrefixTable<Family>;
    throw new RangeError(`unknown address family ${String(family)}`);
  }

  private view(table: PrefixTable<Family>, node: number): RouteView {
    const paths: PathView[] = [];
    for (let p = table.nodeValue(node); p !== NONE; p = this.next[p]!) {
      paths.push({
        peer: this.peers[p]!,
        pathId: this.pathIdAt(p),
        attributeSetId: this.attributes[p]! & ID_MASK,
        stale: (this.attributes[p]! & STALE) !== 0,
        receivedAt: this.receivedAts[p]!,
      });
    }
    return { prefix: table.nodePrefix(node) as Ipv4Prefix | Ipv6Prefix, paths };
  }

  /** Unlinks path p (after prev, or the head) from the node's list, frees it, and drops the prefix if it was the last. */
  private unlink(table: PrefixTable<Family>, node: number, prev: number, p: number): void {
    const after = this.next[p]!;
    if (prev !== NONE) this.next[prev] = after;
    else if (after !== NONE) table.setNodeValue(node, after);
    else table.deleteNode(node);
    this.attributeSets.release(this.attributes[p]! & ID_MASK);
    this.freePathSlot(p);
  }

  /** One family's paths of a peer become stale (RFC 7313 BoRR, per-family graceful restart). */
  private markStaleIn(peer: PeerId, family: Family): number {
    if (this.pathCount(peer, family) === 0) return 0;
    const table = this.table(family);
    let marked = 0;
    table.forEachNodeBySlot((node) => {
      for (let p = table.nodeValue(node); p !== NONE; p = this.next[p]!) {
        const pp = this.peers[p]!;
        if (pp > peer) break; // sorted by peer
        if (pp === peer) {
          this.attributes[p] = this.attributes[p]! | STALE;
          marked++;
        }
      }
    });
    return marked;
  }

  private removeWhere(peer: PeerId, staleOnly: boolean, only?: Family): number {
    if (this.peerPaths(peer) === 0) return 0;
    let removed = 0;
    for (const family of only === undefined ? ([4, 6] as const) : [only]) {
      if (this.pathCount(peer, family) === 0) continue;
      const table = this.table(family);
      let removedHere = 0;
      table.forEachNodeBySlot((node) => {
        let prev = NONE;
        let p = table.nodeValue(node);
        while (p !== NONE) {
          const after = this.next[p]!;
          const pp = this.peers[p]!;
          if (pp > peer) break; // sorted by peer
          if (pp === peer && (!staleOnly || (this.attributes[p]! & STALE) !== 0)) {
            this.unlink(table, node, prev, p); // may delete the node; then `after` is NONE
            removedHere++;
          } else prev = p;
          p = after;
        }
      });
      this.count(family, peer, -removedHere);
      removed += removedHere;
    }
    return removed;
  }

  private peerPaths(peer: PeerId): number {
    return (this.perPeer[0].get(peer) ?? 0) + (this.perPeer[1].get(peer) ?? 0);
  }

  private count(family: Family, peer: PeerId, delta: number): void {
    if (delta === 0) return;
    const map = this.perPeer[family === 4 ? 0 : 1];
    const n = (map.get(peer) ?? 0) + delta;
    if (n === 0) map.delete(peer);
    else map.set(peer, n);
  }

  private allocatePath(): number {
    this.livePaths++;
    if (this.freePath !== NONE) {
      const p = this.freePath;
      this.freePath = this.next[p]!;
      return p;
    }
    if (this.pathHigh === this.attributes.length) this.growPaths();
    return this.pathHigh++;
  }

  private freePathSlot(p: number): void {
    this.attributes[p] = 0;
    this.next[p] = this.freePath;
    this.freePath = p;
    this.livePaths--;
  }

  /**
   * Room for `paths` more paths before the path columns grow: for a bulk load that can estimate
   * its size (`loadMrtFile`). The columns come zero-filled from calloc, so the pages no path is
   * written to cost no memory. Growing by doubling instead copies every column at each step,
   * and each copy touches all its pages again.
   */
  reserve(paths: number): void {
    const needed = this.pathHigh + Math.max(0, Math.floor(paths));
    if (needed > this.attributes.length) this.resizePaths(needed);
  }

  private growPaths(): void {
    this.resizePaths(2 * this.attributes.length);
  }

  private resizePaths(capacity: number): void {
    this.peers = grown(this.peers, capacity);
    if (this.pathIds !== undefined) this.pathIds = grown(this.pathIds, capacity);
    this.attributes = grown(this.attributes, capacity);
    this.receivedAts = grown(this.receivedAts, capacity);
    this.next = grown(this.next, capacity);
  }
}

function checkPeer(peer: PeerId): void {
  if (!Number.isInteger(peer) || peer < 0 || peer > MAX_PEER)
    throw new RangeError(`peer ids are 0..${MAX_PEER}, got ${peer}`);
}

function checkPathId(pathId: number): void {
  if (!Number.isInteger(pathId) || pathId < 0 || pathId > 0xffffffff)
    throw new RangeError(`path ids are uint32, got ${pathId}`);
}

function toSeconds(seconds: number): number {
  if (!(seconds >= 0 && seconds <= 0xffffffff))
    throw new RangeError(`receivedAt must be 0..2^32-1 seconds, got ${seconds}`);
  return Math.floor(seconds);
}
