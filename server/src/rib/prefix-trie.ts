/**
 * A path-compressed binary (Patricia) trie from IP prefixes to non-negative int32 values, held
 * entirely in typed arrays with integer node indexes as references: no object per node.
 *
 * Nodes are either prefix nodes (value >= 0) or glue nodes (value -1) that exist only to join two
 * subtrees and always have exactly two children. A node's children have longer prefixes that
 * extend its own; child b of node n is the one whose key has bit b at position len(n). With N
 * prefixes there are at most 2N - 1 nodes.
 *
 * Layout: the fields a lookup reads at each level sit together in one Int32Array record of
 * `words + 3` int32s (key words, child 0, child 1, value): 16 bytes for IPv4, so a record never
 * straddles a cache line and a descent costs about one miss per level (separate columns per field
 * measured 2-3x slower on a full table). Prefix lengths are a separate Uint8Array (1 byte per
 * node, small enough to stay cached). An IPv4 node costs 17 bytes, an IPv6 node 29. Freed nodes go
 * on a free list for reuse.
 *
 * Addresses are numbers (uint32) for IPv4 and bigints for IPv6 at the API; inside, a key is
 * `words` 32-bit words, most significant first, and queries are loaded into a scratch key first.
 */
import type { Ipv4Prefix, Ipv6Prefix } from '../bgp';
import { grown } from './grow';

export type Family = 4 | 6;
export type PrefixOf<F extends Family> = F extends 4 ? Ipv4Prefix : Ipv6Prefix;
export type AddressOf<F extends Family> = F extends 4 ? number : bigint;

/** A prefix with its value, as returned by the trie's queries. */
export interface TrieEntry<F extends Family> {
  readonly prefix: PrefixOf<F>;
  readonly value: number;
}

const NONE = -1;
/** Length marker of a node slot on the free list. */
const FREE = 255;
const INITIAL_NODES = 256;
const MAX_128 = (1n << 128n) - 1n;

export class PrefixTrie<F extends Family> {
  readonly family: F;
  /** Address width in bits: 32 or 128. */
  readonly bits: number;
  /** Key words per node: 1 or 4. */
  private readonly words: number;
  /** Int32s per node record: key words, child 0, child 1, value. */
  private readonly stride: number;
  /** Offset of child 0 within a record (child 1 follows, then the value). */
  private readonly childAt: number;
  private readonly valueAt: number;

  private nodes: Int32Array;
  private lens: Uint8Array;
  private root = NONE;
  /** Node slots ever used: 0..high-1. */
  private high = 0;
  private freeHead = NONE;
  private liveNodes = 0;
  private count = 0;

  /** The query key (scratch). */
  private readonly q: Int32Array;
  /** The `after` key of a paged walk (scratch). */
  private readonly a: Int32Array;

  constructor(family: F) {
    if (family !== 4 && family !== 6) throw new RangeError(`unknown address family ${String(family)}`);
    this.family = family;
    this.bits = family === 4 ? 32 : 128;
    this.words = family === 4 ? 1 : 4;
    this.stride = this.words + 3;
    this.childAt = this.words;
    this.valueAt = this.words + 2;
    this.q = new Int32Array(this.words);
    this.a = new Int32Array(this.words);
    this.nodes = new Int32Array(INITIAL_NODES * this.stride);
    this.lens = new Uint8Array(INITIAL_NODES);
  }

  /** Number of prefixes stored. */
  get size(): number {
    return this.count;
  }

  /** Number of nodes (prefix and glue) in use. */
  get nodeCount(): number {
    return this.liveNodes;
  }

  /** Bytes of the typed arrays (including growth slack). */
  memoryBytes(): number {
    return this.nodes.byteLength + this.lens.byteLength + this.q.byteLength;
  }

  /** Stores `value` (an int32 >= 0) for the prefix, replacing any previous value. */
  set(prefix: PrefixOf<F>, value: number): void {
    if (!Number.isInteger(value) || value < 0 || value > 0x7fffffff)
      throw new RangeError(`trie values are int32 >= 0, got ${value}`);
    this.setNodeValue(this.insertNode(prefix), value);
  }

  get(prefix: PrefixOf<F>): number | undefined {
    const n = this.findNode(prefix);
    return n === NONE ? undefined : this.nodeValue(n);
  }

  has(prefix: PrefixOf<F>): boolean {
    return this.findNode(prefix) !== NONE;
  }

  delete(prefix: PrefixOf<F>): boolean {
    const n = this.findNode(prefix);
    if (n === NONE) return false;
    this.deleteNode(n);
    return true;
  }

  /** The most specific prefix containing the address. */
  longestMatch(address: AddressOf<F>): TrieEntry<F> | undefined {
    const n = this.longestMatchNode(address);
    return n === NONE ? undefined : this.entry(n);
  }

  /** Every stored prefix containing `prefix` (itself included), least specific first. */
  covering(prefix: PrefixOf<F>): TrieEntry<F>[] {
    const nodes: number[] = [];
    this.coveringNodes(prefix, nodes);
    return nodes.map((n) => this.entry(n));
  }

  /**
   * `prefix` (if stored) and every more specific stored prefix, in address order (then length), at
   * most `limit`; with `after`, only those ordered after it (the cursor of a paged read).
   */
  covered(prefix: PrefixOf<F>, limit = Infinity, after?: PrefixOf<F>): TrieEntry<F>[] {
    const out: TrieEntry<F>[] = [];
    if (limit <= 0) return out;
    this.forEachCoveredNode(
      prefix,
      (n) => {
        out.push(this.entry(n));
        return out.length < limit;
      },
      after,
    );
    return out;
  }

  // ---- node-level API (used by the Rib; node indexes stay valid until that node is deleted) ----

  /** @internal The node holding exactly this prefix, or -1. */
  findNode(prefix: PrefixOf<F>): number {
    const len = this.loadPrefix(prefix);
    const n = this.findLoaded(len);
    return n !== NONE && this.nodeValue(n) >= 0 ? n : NONE;
  }

  /**
   * @internal The node for this prefix, created if missing. A created node has value -1 and the
   * caller must give it a value (setNodeValue) before any other change.
   */
  insertNode(prefix: PrefixOf<F>): number {
    return this.insertLoaded(this.loadPrefix(prefix));
  }

  /** @internal The value of node n (-1 for a glue node). */
  nodeValue(n: number): number {
    return this.nodes[n * this.stride + this.valueAt]!;
  }

  /** @internal Sets the value (>= 0) of a prefix node. */
  setNodeValue(n: number, value: number): void {
    const at = n * this.stride + this.valueAt;
    if (this.nodes[at]! < 0) this.count++;
    this.nodes[at] = value;
  }

  /** @internal Removes the prefix held by node n (which must hold one). */
  deleteNode(n: number): void {
    // Load n's key as the query and walk down to it, remembering parent and grandparent.
    const w = this.words;
    const base = n * this.stride;
    for (let i = 0; i < w; i++) this.q[i] = this.nodes[base + i]!;
    let g = NONE;
    let p = NONE;
    let m = this.root;
    while (m !== n) {
      if (m === NONE) throw new Error('trie node not reachable from the root');
      g = p;
      p = m;
      m = this.child(m, this.queryBit(this.lens[m]!));
    }
    this.removeAt(n, p, g);
  }

  /** @internal The prefix stored at node n. */
  nodePrefix(n: number): PrefixOf<F> {
    const len = this.lens[n]!;
    const k = this.nodes;
    const b = n * this.stride;
    if (this.family === 4) return { family: 4, address: k[b]! >>> 0, length: len } as PrefixOf<F>;
    const address =
      (BigInt(k[b]! >>> 0) << 96n) |
      (BigInt(k[b + 1]! >>> 0) << 64n) |
      (BigInt(k[b + 2]! >>> 0) << 32n) |
      BigInt(k[b + 3]! >>> 0);
    return { family: 6, address, length: len } as PrefixOf<F>;
  }

  /** @internal The prefix length of node n. */
  nodeLength(n: number): number {
    return this.lens[n]!;
  }

  /** @internal Word i (0 = most significant 32 bits) of node n's key, as uint32. */
  nodeWord(n: number, i: number): number {
    return this.nodes[n * this.stride + i]! >>> 0;
  }

  /** @internal The most specific prefix node containing the address, or -1. */
  longestMatchNode(address: AddressOf<F>): number {
    this.loadAddress(address);
    return this.words === 1 ? this.longestMatch32(this.q[0]!) : this.longestMatchWords();
  }

  /** @internal Appends the prefix nodes containing `prefix`, least specific first. */
  coveringNodes(prefix: PrefixOf<F>, out: number[]): void {
    const len = this.loadPrefix(prefix);
    const lens = this.lens;
    let n = this.root;
    while (n !== NONE) {
      const nl = lens[n]!;
      if (nl > len || this.matchLength(n, nl) < nl) break;
      if (this.nodeValue(n) >= 0) out.push(n);
      if (nl === len) break;
      n = this.child(n, this.queryBit(nl));
    }
  }

  /**
   * @internal Calls `visit` for the prefix nodes equal to or more specific than `prefix`, in
   * address order (a prefix before its more specifics); stops when `visit` returns false.
   * The trie must not change during the walk.
   */
  forEachCoveredNode(prefix: PrefixOf<F>, visit: (n: number) => boolean | undefined, after?: PrefixOf<F>): void {
    // `after` resumes a paged walk: only nodes ordered after it, found in O(depth) by skipping
    // every subtree whose addresses all sort before it.
    const afterLen = after === undefined ? -1 : this.loadPrefix(after);
    if (after !== undefined) this.a.set(this.q);
    const len = this.loadPrefix(prefix);
    const lens = this.lens;
    // Descend to the first node at least as long as the prefix; its subtree is the answer if its key extends the prefix.
    let n = this.root;
    while (n !== NONE) {
      const nl = lens[n]!;
      if (nl >= len) break;
      if (this.matchLength(n, nl) < nl) return;
      n = this.child(n, this.queryBit(nl));
    }
    if (n === NONE || this.matchLength(n, len) < len) return;
    // Pre-order, 0-branch before 1-branch: addresses ascending, shorter before longer at equal address.
    const stack = new Int32Array(this.bits + 2);
    let top = 0;
    stack[top++] = n;
    while (top > 0) {
      const m = stack[--top]!;
      if (afterLen >= 0) {
        if (this.compareUpperToAfter(m) < 0) continue;
        if (this.compareToAfter(m, afterLen) <= 0) {
          const r = this.child(m, 1);
          const l = this.child(m, 0);
          if (r !== NONE) stack[top++] = r;
          if (l !== NONE) stack[top++] = l;
          continue;
        }
      }
      if (this.nodeValue(m) >= 0 && visit(m) === false) return;
      const right = this.child(m, 1);
      const left = this.child(m, 0);
      if (right !== NONE) stack[top++] = right;
      if (left !== NONE) stack[top++] = left;
    }
  }

  /**
   * @internal Calls `visit` for every prefix node, in slot order (not address order). `visit` may
   * delete the node it is given (deleteNode); it must not insert.
   */
  forEachNodeBySlot(visit: (n: number) => void): void {
    const high = this.high;
    for (let n = 0; n < high; n++) if (this.lens[n] !== FREE && this.nodeValue(n) >= 0) visit(n);
  }

  // ---- internals ----

  /** Node n's (key, length) against the `after` key and its length, in walk order: <0, 0, >0. */
  private compareToAfter(n: number, afterLen: number): number {
    const base = n * this.stride;
    for (let i = 0; i < this.words; i++) {
      const x = this.nodes[base + i]! >>> 0;
      const y = this.a[i]! >>> 0;
      if (x !== y) return x < y ? -1 : 1;
    }
    return this.lens[n]! - afterLen;
  }

  /** The highest address under node n (its key with every host bit set) against the `after` key. */
  private compareUpperToAfter(n: number): number {
    const base = n * this.stride;
    const len = this.lens[n]!;
    for (let i = 0; i < this.words; i++) {
      const keep = len - 32 * i;
      const host = keep >= 32 ? 0 : keep <= 0 ? 0xffffffff : 0xffffffff >>> keep;
      const x = (this.nodes[base + i]! | host) >>> 0;
      const y = this.a[i]! >>> 0;
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  }

  private entry(n: number): TrieEntry<F> {
    return { prefix: this.nodePrefix(n), value: this.nodeValue(n) };
  }

  private child(n: number, bit: number): number {
    return this.nodes[n * this.stride + this.childAt + bit]!;
  }

  private setChild(n: number, bit: number, child: number): void {
    this.nodes[n * this.stride + this.childAt + bit] = child;
  }

  private longestMatch32(a: number): number {
    const nodes = this.nodes;
    const lens = this.lens;
    let best = NONE;
    let n = this.root;
    while (n !== NONE) {
      const nl = lens[n]!;
      const b = 4 * n;
      // Does n's prefix (nl bits) contain the address? (clz32 is at most 32, so a /32 must be equal.)
      if (Math.clz32(nodes[b]! ^ a) < nl) break;
      if (nodes[b + 3]! >= 0) best = n;
      if (nl === 32) break;
      n = nodes[b + 1 + ((a >>> (31 - nl)) & 1)]!;
    }
    return best;
  }

  private longestMatchWords(): number {
    const bits = this.bits;
    const lens = this.lens;
    let best = NONE;
    let n = this.root;
    while (n !== NONE) {
      const nl = lens[n]!;
      if (this.matchLength(n, nl) < nl) break;
      if (this.nodeValue(n) >= 0) best = n;
      if (nl === bits) break;
      n = this.child(n, this.queryBit(nl));
    }
    return best;
  }

  /** Loads the prefix into the query key (host bits cleared) and returns its length. */
  private loadPrefix(prefix: PrefixOf<F>): number {
    const len = prefix.length;
    if (prefix.family !== this.family || !Number.isInteger(len) || len < 0 || len > this.bits) {
      throw new RangeError(`not an IPv${this.family} prefix: family ${String(prefix.family)}, length ${len}`);
    }
    this.loadAddress(prefix.address as AddressOf<F>);
    this.maskQuery(len);
    return len;
  }

  private loadAddress(address: AddressOf<F>): void {
    const q = this.q;
    if (this.words === 1) {
      const a = address as number;
      if (typeof a !== 'number' || !(a >= 0 && a <= 0xffffffff) || !Number.isInteger(a))
        throw new RangeError(`not an IPv4 address: ${String(a)}`);
      q[0] = a;
    } else {
      const a = address as bigint;
      if (typeof a !== 'bigint' || a < 0n || a > MAX_128) throw new RangeError(`not an IPv6 address: ${String(a)}`);
      q[0] = Number(a >> 96n);
      q[1] = Number((a >> 64n) & 0xffffffffn);
      q[2] = Number((a >> 32n) & 0xffffffffn);
      q[3] = Number(a & 0xffffffffn);
    }
  }

  private maskQuery(len: number): void {
    const q = this.q;
    for (let i = 0; i < this.words; i++) {
      const keep = len - 32 * i;
      if (keep >= 32) continue;
      q[i] = keep <= 0 ? 0 : q[i]! & (-1 << (32 - keep));
    }
  }

  /** Bit i (0 = most significant) of the query key. */
  private queryBit(i: number): number {
    return (this.q[i >>> 5]! >>> (31 - (i & 31))) & 1;
  }

  /** Bit i of node n's key. */
  private keyBit(n: number, i: number): number {
    return (this.nodes[n * this.stride + (i >>> 5)]! >>> (31 - (i & 31))) & 1;
  }

  /** Number of leading bits node n's key shares with the query key, capped at `limit`. */
  private matchLength(n: number, limit: number): number {
    const w = this.words;
    const nodes = this.nodes;
    const q = this.q;
    const base = n * this.stride;
    for (let i = 0; i < w; i++) {
      if (32 * i >= limit) return limit;
      const x = nodes[base + i]! ^ q[i]!;
      if (x !== 0) {
        const c = 32 * i + Math.clz32(x);
        // biome-ignore lint/complexity/useMathMinMax: the trie's innermost loop; a compare costs less than a call
        return c < limit ? c : limit;
      }
    }
    return limit;
  }

  /** The node (prefix or glue) whose key equals the query key of length len, or -1. */
  private findLoaded(len: number): number {
    const lens = this.lens;
    let n = this.root;
    while (n !== NONE) {
      const nl = lens[n]!;
      if (nl > len || this.matchLength(n, nl) < nl) return NONE;
      if (nl === len) return n;
      n = this.child(n, this.queryBit(nl));
    }
    return NONE;
  }

  private insertLoaded(len: number): number {
    const lens = this.lens;
    let parent = NONE;
    let side = 0;
    let n = this.root;
    let common = 0;
    while (n !== NONE) {
      const nl = lens[n]!;
      // biome-ignore lint/complexity/useMathMinMax: the trie's innermost loop; a compare costs less than a call
      common = this.matchLength(n, nl < len ? nl : len);
      if (common < nl) break; // n's prefix does not contain the query
      if (nl === len) return n;
      parent = n;
      side = this.queryBit(nl);
      n = this.child(n, side);
    }
    if (n === NONE) {
      const leaf = this.allocate(len);
      this.link(parent, side, leaf);
      return leaf;
    }
    // n diverges from the query at bit `common` (common < len(n), common <= len).
    const nBit = this.keyBit(n, common);
    const node = this.allocate(len);
    if (common === len) {
      // The query is a prefix of n's key: the new node goes between parent and n.
      this.setChild(node, nBit, n);
      this.link(parent, side, node);
      return node;
    }
    // A glue node at the divergence point. allocate() masks the query key to `common` bits, so
    // it comes after the new prefix node has copied the full query key.
    const glue = this.allocate(common);
    this.setChild(glue, nBit, n);
    this.setChild(glue, 1 - nBit, node);
    this.link(parent, side, glue);
    return node;
  }

  private link(parent: number, side: number, child: number): void {
    if (parent === NONE) this.root = child;
    else this.setChild(parent, side, child);
  }

  private replaceChild(parent: number, old: number, replacement: number): void {
    if (parent === NONE) this.root = replacement;
    else this.setChild(parent, this.child(parent, 0) === old ? 0 : 1, replacement);
  }

  /** Removes the value of node n (parent p, grandparent g) and restores the invariants. */
  private removeAt(n: number, p: number, g: number): void {
    this.nodes[n * this.stride + this.valueAt] = NONE;
    this.count--;
    const left = this.child(n, 0);
    const right = this.child(n, 1);
    if (left !== NONE && right !== NONE) return; // stays as a glue node
    const only = left !== NONE ? left : right;
    this.replaceChild(p, n, only);
    this.release(n);
    if (only === NONE && p !== NONE && this.nodeValue(p) < 0) {
      // p was glue and has one child left: splice it out.
      const other = this.child(p, 0) !== NONE ? this.child(p, 0) : this.child(p, 1);
      this.replaceChild(g, p, other);
      this.release(p);
    }
  }

  /** A new node with the query key masked to `len` bits, no value and no children. */
  private allocate(len: number): number {
    let n: number;
    if (this.freeHead !== NONE) {
      n = this.freeHead;
      this.freeHead = this.child(n, 0);
    } else {
      if (this.high === this.lens.length) this.grow();
      n = this.high++;
    }
    this.maskQuery(len);
    const base = n * this.stride;
    for (let i = 0; i < this.words; i++) this.nodes[base + i] = this.q[i]!;
    this.nodes[base + this.childAt] = NONE;
    this.nodes[base + this.childAt + 1] = NONE;
    this.nodes[base + this.valueAt] = NONE;
    this.lens[n] = len;
    this.liveNodes++;
    return n;
  }

  private release(n: number): void {
    const base = n * this.stride;
    this.nodes[base + this.childAt] = this.freeHead;
    this.nodes[base + this.childAt + 1] = NONE;
    this.nodes[base + this.valueAt] = NONE;
    this.lens[n] = FREE;
    this.freeHead = n;
    this.liveNodes--;
  }

  private grow(): void {
    const capacity = 2 * this.lens.length;
    this.nodes = grown(this.nodes, capacity * this.stride);
    this.lens = grown(this.lens, capacity);
  }
}
