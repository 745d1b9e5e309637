/**
 * IP prefixes mapped to non-negative int32 values, sorted by (address, length) in blocks of typed
 * arrays: no object per prefix.
 *
 * Each block holds up to {@link BLOCK} entries in one ArrayBuffer: the keys (`words` uint32s each,
 * most significant first, host bits cleared), the values (int32) and the lengths (uint8). An IPv4
 * entry costs 9 bytes, an IPv6 one 21, plus the free room of partly filled blocks: a full block
 * hands an entry to a neighbour with room before it splits, and an append past the last entry
 * opens a new block instead of splitting, so a table filled in address order is packed full.
 * (This replaced a Patricia trie that took two 17-byte nodes per route on a table of /24s.)
 *
 * The order is the API's: address, then length, so a prefix comes before its more specifics and a
 * `within` answer is one run of consecutive entries. Longest match needs no tree: the last entry at
 * or before (address, width) either contains the address, and is then the longest match, or its
 * common bits with the address bound how long a match can be, and the search repeats at that
 * length (each round at least one bit shorter; one or two rounds on real tables).
 *
 * Entries are named by node ids (block slot * BLOCK + index), valid until the table next changes.
 * Addresses are numbers (uint32) for IPv4 and bigints for IPv6 at the API.
 */
import type { Ipv4Prefix, Ipv6Prefix } from '../bgp';

export type Family = 4 | 6;
export type PrefixOf<F extends Family> = F extends 4 ? Ipv4Prefix : Ipv6Prefix;
export type AddressOf<F extends Family> = F extends 4 ? number : bigint;

/** A prefix with its value, as returned by the table's queries. */
export interface PrefixEntry<F extends Family> {
  readonly prefix: PrefixOf<F>;
  readonly value: number;
}

const NONE = -1;
const BLOCK_SHIFT = 9;
/** Entries per block: a power of two (node ids are slot * BLOCK + index). */
export const BLOCK = 1 << BLOCK_SHIFT;
const INDEX_MASK = BLOCK - 1;
/** A block below this many entries joins a neighbour that has room for it. */
const MERGE_BELOW = BLOCK >> 2;
const MAX_128 = (1n << 128n) - 1n;

interface Block {
  /** Stable while the block lives: node ids are slot * BLOCK + index. */
  readonly slot: number;
  readonly keys: Uint32Array;
  readonly values: Int32Array;
  readonly lens: Uint8Array;
  count: number;
}

export class PrefixTable<F extends Family> {
  readonly family: F;
  /** Address width in bits: 32 or 128. */
  readonly bits: number;
  /** Key words per entry: 1 or 4. */
  private readonly words: number;
  /** Blocks in address order, none empty. */
  private readonly order: Block[] = [];
  /** Blocks by slot; freed slots are reused. */
  private readonly slots: (Block | undefined)[] = [];
  private readonly freeSlots: number[] = [];
  /** Entries with a value (>= 0). */
  private count = 0;
  /** Walks in progress that allow deletes (forEachNodeBySlot): blocks merge after, not during. */
  private walking = 0;

  /** The query key (scratch), masked to the query's length. */
  private readonly q: Uint32Array;
  /** The full address of a longest-match or covering search (scratch). */
  private readonly a: Uint32Array;
  /** Position found by the last search: block order index and entry index. */
  private atBlock = 0;
  private atIndex = 0;

  constructor(family: F) {
    if (family !== 4 && family !== 6) throw new RangeError(`unknown address family ${String(family)}`);
    this.family = family;
    this.bits = family === 4 ? 32 : 128;
    this.words = family === 4 ? 1 : 4;
    this.q = new Uint32Array(this.words);
    this.a = new Uint32Array(this.words);
  }

  /** Number of prefixes stored. */
  get size(): number {
    return this.count;
  }

  /** Number of blocks in use. */
  get blockCount(): number {
    return this.order.length;
  }

  /** Bytes of the blocks' buffers (free room included). */
  memoryBytes(): number {
    return this.order.length * BLOCK * (4 * this.words + 5);
  }

  /** Stores `value` (an int32 >= 0) for the prefix, replacing any previous value. */
  set(prefix: PrefixOf<F>, value: number): void {
    if (!Number.isInteger(value) || value < 0 || value > 0x7fffffff)
      throw new RangeError(`values are int32 >= 0, got ${value}`);
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
  longestMatch(address: AddressOf<F>): PrefixEntry<F> | undefined {
    const n = this.longestMatchNode(address);
    return n === NONE ? undefined : this.entry(n);
  }

  /** Every stored prefix containing `prefix` (itself included), least specific first. */
  covering(prefix: PrefixOf<F>): PrefixEntry<F>[] {
    const nodes: number[] = [];
    this.coveringNodes(prefix, nodes);
    return nodes.map((n) => this.entry(n));
  }

  /**
   * `prefix` (if stored) and every more specific stored prefix, in address order (then length), at
   * most `limit`; with `after`, only those ordered after it (the cursor of a paged read).
   */
  covered(prefix: PrefixOf<F>, limit = Infinity, after?: PrefixOf<F>): PrefixEntry<F>[] {
    const out: PrefixEntry<F>[] = [];
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

  // ---- node-level API (used by the Rib; a node id stays valid until the table next changes) ----

  /** @internal The node holding exactly this prefix, or -1. */
  findNode(prefix: PrefixOf<F>): number {
    const len = this.loadPrefix(prefix);
    this.lowerBound(len);
    const block = this.order[this.atBlock];
    if (block === undefined || this.atIndex >= block.count || this.compareAt(block, this.atIndex, len) !== 0)
      return NONE;
    return block.values[this.atIndex]! >= 0 ? block.slot * BLOCK + this.atIndex : NONE;
  }

  /**
   * @internal The node for this prefix, created if missing. A created node has value -1 and the
   * caller must give it a value (setNodeValue) before any other change.
   */
  insertNode(prefix: PrefixOf<F>): number {
    const len = this.loadPrefix(prefix);
    this.lowerBound(len);
    const bi = this.atBlock;
    const i = this.atIndex;
    const block = this.order[bi];
    if (block === undefined) return this.insertAt(this.newBlock(0), 0, len);
    if (i < block.count && this.compareAt(block, i, len) === 0) return block.slot * BLOCK + i;
    if (block.count < BLOCK) return this.insertAt(block, i, len);
    // Full. Past its last entry: the next block's front, or a block of its own (appends in order pack full).
    const next = this.order[bi + 1];
    if (i === BLOCK) {
      if (next !== undefined && next.count < BLOCK) return this.insertAt(next, 0, len);
      return this.insertAt(this.newBlock(bi + 1), 0, len);
    }
    const prev = bi > 0 ? this.order[bi - 1]! : undefined;
    if (prev !== undefined && prev.count < BLOCK && i > 0) {
      // The first entry goes to prev's end; only the entries before i move down to make room.
      this.moveRange(block, 0, prev, prev.count, 1);
      this.shiftDown(block, 1, i);
      return this.writeAt(block, i - 1, len);
    }
    if (next !== undefined && next.count < BLOCK) {
      this.openRange(next, 0, 1);
      this.moveRange(block, BLOCK - 1, next, 0, 1);
      block.count--;
      return this.insertAt(block, i, len);
    }
    const half = BLOCK >> 1;
    const upper = this.newBlock(bi + 1);
    this.moveRange(block, half, upper, 0, BLOCK - half);
    block.count = half;
    return i <= half ? this.insertAt(block, i, len) : this.insertAt(upper, i - half, len);
  }

  /** @internal The value of node n (-1 for a node just inserted). */
  nodeValue(n: number): number {
    return this.blockOf(n).values[n & INDEX_MASK]!;
  }

  /** @internal Sets the value (>= 0) of node n. */
  setNodeValue(n: number, value: number): void {
    const values = this.blockOf(n).values;
    const i = n & INDEX_MASK;
    if (values[i]! < 0) this.count++;
    values[i] = value;
  }

  /** @internal Removes the prefix held by node n. */
  deleteNode(n: number): void {
    const block = this.blockOf(n);
    const i = n & INDEX_MASK;
    if (block.values[i]! >= 0) this.count--;
    const bi = this.orderIndex(block);
    this.removeRange(block, i, 1);
    if (block.count === 0) {
      this.order.splice(bi, 1);
      this.freeBlock(block);
    } else if (block.count < MERGE_BELOW && this.walking === 0) this.merge(bi);
  }

  /** @internal The prefix stored at node n. */
  nodePrefix(n: number): PrefixOf<F> {
    const block = this.blockOf(n);
    const i = n & INDEX_MASK;
    const len = block.lens[i]!;
    const k = block.keys;
    if (this.family === 4) return { family: 4, address: k[i]!, length: len } as PrefixOf<F>;
    const b = 4 * i;
    const address =
      (BigInt(k[b]!) << 96n) | (BigInt(k[b + 1]!) << 64n) | (BigInt(k[b + 2]!) << 32n) | BigInt(k[b + 3]!);
    return { family: 6, address, length: len } as PrefixOf<F>;
  }

  /** @internal The prefix length of node n. */
  nodeLength(n: number): number {
    return this.blockOf(n).lens[n & INDEX_MASK]!;
  }

  /** @internal Word i (0 = most significant 32 bits) of node n's key, as uint32. */
  nodeWord(n: number, i: number): number {
    return this.blockOf(n).keys[(n & INDEX_MASK) * this.words + i]!;
  }

  /** @internal The most specific prefix node containing the address, or -1. */
  longestMatchNode(address: AddressOf<F>): number {
    this.loadAddress(address);
    this.a.set(this.q);
    return this.containing(this.bits, undefined);
  }

  /** @internal Appends the prefix nodes containing `prefix`, least specific first. */
  coveringNodes(prefix: PrefixOf<F>, out: number[]): void {
    const len = this.loadPrefix(prefix);
    this.a.set(this.q);
    const found: number[] = [];
    this.containing(len, found);
    for (let i = found.length - 1; i >= 0; i--) out.push(found[i]!);
  }

  /**
   * @internal Calls `visit` for the prefix nodes equal to or more specific than `prefix`, in
   * address order (a prefix before its more specifics); stops when `visit` returns false.
   * The table must not change during the walk.
   */
  forEachCoveredNode(prefix: PrefixOf<F>, visit: (n: number) => boolean | undefined, after?: PrefixOf<F>): void {
    let bi = 0;
    let i = 0;
    if (after !== undefined) {
      const afterLen = this.loadPrefix(after);
      this.lowerBound(afterLen);
      bi = this.atBlock;
      i = this.atIndex;
      const block = this.order[bi];
      if (block !== undefined && i < block.count && this.compareAt(block, i, afterLen) === 0) i++;
    }
    const len = this.loadPrefix(prefix);
    this.lowerBound(len);
    if (this.atBlock > bi || (this.atBlock === bi && this.atIndex > i)) {
      bi = this.atBlock;
      i = this.atIndex;
    }
    // q now holds the prefix: walk while entries keep its first `len` bits.
    const words = this.words;
    const q = this.q;
    const order = this.order;
    for (; bi < order.length; bi++, i = 0) {
      const block = order[bi]!;
      const keys = block.keys;
      for (; i < block.count; i++) {
        for (let w = 0; w < words; w++) {
          const keep = len - 32 * w;
          if (keep <= 0) break;
          const x = (keys[i * words + w]! ^ q[w]!) >>> 0;
          if (keep >= 32 ? x !== 0 : x >>> (32 - keep) !== 0) return;
        }
        if (block.values[i]! >= 0 && visit(block.slot * BLOCK + i) === false) return;
      }
    }
  }

  /**
   * @internal Calls `visit` for every prefix node, in no particular order. `visit` may delete the
   * node it is given (deleteNode); it must not insert.
   */
  forEachNodeBySlot(visit: (n: number) => void): void {
    // Backwards, so a delete shifts only entries already visited and drops only a block already passed.
    this.walking++;
    try {
      for (let bi = this.order.length - 1; bi >= 0; bi--) {
        const block = this.order[bi]!;
        for (let i = block.count - 1; i >= 0; i--) if (block.values[i]! >= 0) visit(block.slot * BLOCK + i);
      }
    } finally {
      this.walking--;
    }
    // The merges the walk's deletes put off.
    if (this.walking === 0 && this.count < this.order.length * MERGE_BELOW * 2)
      for (let bi = this.order.length - 1; bi >= 0; bi--) if (this.order[bi]!.count < MERGE_BELOW) this.merge(bi);
  }

  // ---- internals ----

  private entry(n: number): PrefixEntry<F> {
    return { prefix: this.nodePrefix(n), value: this.nodeValue(n) };
  }

  private blockOf(n: number): Block {
    const block = this.slots[n >>> BLOCK_SHIFT];
    if (block === undefined || (n & INDEX_MASK) >= block.count) throw new RangeError(`no prefix node ${n}`);
    return block;
  }

  /**
   * The prefix nodes containing the address in `a`, up to length `len`: the longest one's id, and
   * with `all`, every one, most specific first.
   */
  private containing(len: number, all: number[] | undefined): number {
    const words = this.words;
    const a = this.a;
    const q = this.q;
    let d = len;
    while (d >= 0) {
      // The last entry at or before (a masked to d, d).
      for (let w = 0; w < words; w++) {
        const keep = d - 32 * w;
        q[w] = keep >= 32 ? a[w]! : keep <= 0 ? 0 : (a[w]! & (-1 << (32 - keep))) >>> 0;
      }
      this.lowerBound(d);
      let block = this.order[this.atBlock];
      let i = this.atIndex;
      if (block === undefined) return NONE;
      if (i >= block.count || this.compareAt(block, i, d) !== 0) {
        if (i === 0) {
          if (this.atBlock === 0) return NONE;
          block = this.order[this.atBlock - 1]!;
          i = block.count;
        }
        i--;
      }
      // Bits the entry's key shares with the address.
      let common = 0;
      for (let w = 0; w < words; w++) {
        const x = (block.keys[i * words + w]! ^ a[w]!) >>> 0;
        if (x !== 0) {
          common += Math.clz32(x);
          break;
        }
        common += 32;
      }
      const el = block.lens[i]!;
      if (el <= common && el <= d) {
        const n = block.slot * BLOCK + i;
        if (block.values[i]! >= 0) {
          if (all === undefined) return n;
          all.push(n);
        }
        d = el - 1;
      } else d = common < d ? common : d - 1;
    }
    return NONE;
  }

  /** Finds the first entry at or after (q, len): sets atBlock (order index; order.length if none) and atIndex. */
  private lowerBound(len: number): void {
    if (this.words === 1) {
      this.lowerBound32(this.q[0]!, len);
      return;
    }
    const order = this.order;
    // The last block whose first entry is at or before the query.
    let lo = 0;
    let hi = order.length - 1;
    let bi = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compareAt(order[mid]!, 0, len) <= 0) {
        bi = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const block = order[bi];
    this.atBlock = bi;
    if (block === undefined) {
      this.atIndex = 0;
      return;
    }
    let l = 0;
    let h = block.count;
    while (l < h) {
      const mid = (l + h) >>> 1;
      if (this.compareAt(block, mid, len) < 0) l = mid + 1;
      else h = mid;
    }
    this.atIndex = l;
  }

  /**
   * lowerBound for IPv4, on plain numbers: the speaker's hot path (1.3-1.4x the lookups of the
   * generic search, `bench/rib-memory.mjs`, four alternating runs).
   */
  private lowerBound32(key: number, len: number): void {
    const order = this.order;
    let lo = 0;
    let hi = order.length - 1;
    let bi = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const first = order[mid]!;
      const k = first.keys[0]!;
      if (k < key || (k === key && first.lens[0]! <= len)) {
        bi = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const block = order[bi];
    this.atBlock = bi;
    if (block === undefined) {
      this.atIndex = 0;
      return;
    }
    const keys = block.keys;
    const lens = block.lens;
    let l = 0;
    let h = block.count;
    while (l < h) {
      const mid = (l + h) >>> 1;
      const k = keys[mid]!;
      if (k < key || (k === key && lens[mid]! < len)) l = mid + 1;
      else h = mid;
    }
    this.atIndex = l;
  }

  /** Entry i of the block against the query (q, len), in table order: <0, 0, >0. */
  private compareAt(block: Block, i: number, len: number): number {
    const words = this.words;
    const keys = block.keys;
    const q = this.q;
    for (let w = 0; w < words; w++) {
      const x = keys[i * words + w]!;
      const y = q[w]!;
      if (x !== y) return x < y ? -1 : 1;
    }
    return block.lens[i]! - len;
  }

  /** Writes the query (q, len) as entry i of the block, value -1, shifting later entries up. */
  private insertAt(block: Block, i: number, len: number): number {
    this.openRange(block, i, 1);
    return this.writeAt(block, i, len);
  }

  /** Writes the query (q, len) over entry i of the block, value -1. */
  private writeAt(block: Block, i: number, len: number): number {
    const words = this.words;
    for (let w = 0; w < words; w++) block.keys[i * words + w] = this.q[w]!;
    block.values[i] = NONE;
    block.lens[i] = len;
    return block.slot * BLOCK + i;
  }

  /** Makes room for `n` entries at index i (count grows by n). */
  private openRange(block: Block, i: number, n: number): void {
    const w = this.words;
    const count = block.count;
    if (i < count) {
      block.keys.copyWithin((i + n) * w, i * w, count * w);
      block.values.copyWithin(i + n, i, count);
      block.lens.copyWithin(i + n, i, count);
    }
    block.count = count + n;
  }

  /** Moves entries [from, to) of the block one index down (the entry at from - 1 is overwritten; count unchanged). */
  private shiftDown(block: Block, from: number, to: number): void {
    if (from >= to) return;
    const w = this.words;
    block.keys.copyWithin((from - 1) * w, from * w, to * w);
    block.values.copyWithin(from - 1, from, to);
    block.lens.copyWithin(from - 1, from, to);
  }

  /** Removes `n` entries at index i (count shrinks by n). */
  private removeRange(block: Block, i: number, n: number): void {
    const w = this.words;
    const count = block.count;
    if (i + n < count) {
      block.keys.copyWithin(i * w, (i + n) * w, count * w);
      block.values.copyWithin(i, i + n, count);
      block.lens.copyWithin(i, i + n, count);
    }
    block.count = count - n;
  }

  /** Copies `n` entries from `from` at i over `to` at j; grows `to`'s count to cover them. */
  private moveRange(from: Block, i: number, to: Block, j: number, n: number): void {
    const w = this.words;
    if (n === 1) {
      for (let x = 0; x < w; x++) to.keys[j * w + x] = from.keys[i * w + x]!;
      to.values[j] = from.values[i]!;
      to.lens[j] = from.lens[i]!;
    } else {
      to.keys.set(from.keys.subarray(i * w, (i + n) * w), j * w);
      to.values.set(from.values.subarray(i, i + n), j);
      to.lens.set(from.lens.subarray(i, i + n), j);
    }
    if (j + n > to.count) to.count = j + n;
  }

  /** Joins the small block at order index bi into a neighbour with room for it. */
  private merge(bi: number): void {
    const block = this.order[bi]!;
    const prev = bi > 0 ? this.order[bi - 1]! : undefined;
    const next = this.order[bi + 1];
    if (prev !== undefined && prev.count + block.count <= BLOCK) {
      this.moveRange(block, 0, prev, prev.count, block.count);
    } else if (next !== undefined && next.count + block.count <= BLOCK) {
      this.openRange(next, 0, block.count);
      this.moveRange(block, 0, next, 0, block.count);
    } else return;
    this.order.splice(bi, 1);
    this.freeBlock(block);
  }

  /** The order index of a non-empty block, found by its first entry. */
  private orderIndex(block: Block): number {
    const words = this.words;
    for (let w = 0; w < words; w++) this.q[w] = block.keys[w]!;
    this.lowerBound(block.lens[0]!);
    return this.atBlock;
  }

  /** A new empty block at order index bi. */
  private newBlock(bi: number): Block {
    const words = this.words;
    const buffer = new ArrayBuffer(BLOCK * (4 * words + 5));
    const slot = this.freeSlots.pop() ?? this.slots.length;
    const block: Block = {
      slot,
      keys: new Uint32Array(buffer, 0, BLOCK * words),
      values: new Int32Array(buffer, BLOCK * words * 4, BLOCK),
      lens: new Uint8Array(buffer, BLOCK * (words * 4 + 4), BLOCK),
      count: 0,
    };
    this.slots[slot] = block;
    this.order.splice(bi, 0, block);
    return block;
  }

  private freeBlock(block: Block): void {
    this.slots[block.slot] = undefined;
    this.freeSlots.push(block.slot);
  }

  /** Loads the prefix into the query key (host bits cleared) and returns its length. */
  private loadPrefix(prefix: PrefixOf<F>): number {
    const len = prefix.length;
    if (prefix.family !== this.family || !Number.isInteger(len) || len < 0 || len > this.bits) {
      throw new RangeError(`not an IPv${this.family} prefix: family ${String(prefix.family)}, length ${len}`);
    }
    this.loadAddress(prefix.address as AddressOf<F>);
    const q = this.q;
    for (let w = 0; w < this.words; w++) {
      const keep = len - 32 * w;
      if (keep >= 32) continue;
      q[w] = keep <= 0 ? 0 : (q[w]! & (-1 << (32 - keep))) >>> 0;
    }
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
}
