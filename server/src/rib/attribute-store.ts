/**
 * Interned, reference-counted path attribute sets.
 *
 * A full table shares few attribute sets among many prefixes (one UPDATE carries one set for
 * all its NLRI), so the RIB stores a small integer per path and keeps each distinct set once.
 * Everything lives in typed arrays: the bytes in one arena, per-id offset/length/hash/refcount
 * columns, and an open-addressing hash table (linear probing, backward-shift deletion) of ids.
 * Per set this costs its bytes plus about 24 bytes, against ~150 for a Map keyed by a string.
 */
import { grown } from './grow';

/** Identifies an interned attribute set; small non-negative integer, reused after the set is freed. */
export type AttributeSetId = number;

const INITIAL_IDS = 64;
const INITIAL_ARENA = 4096;
/** Hash table slots `reserve` makes at most (2^20: 4 MiB). */
const MAX_RESERVED_TABLE = 1 << 20;
const EMPTY = 0; // table slots hold id + 1

function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i]!;
    h = Math.imul(h, 0x01000193);
  }
  // Final avalanche (from murmur3's fmix32) so linear probing on the low bits spreads well.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class AttributeStore {
  private arena = new Uint8Array(INITIAL_ARENA);
  /** Bytes of the arena in use, live or garbage (freed sets not yet compacted away). */
  private arenaUsed = 0;
  private arenaGarbage = 0;

  /** Per id: arena offset (for a free id: the next free id, or -1). */
  private offsets = new Int32Array(INITIAL_IDS);
  private lengths = new Uint32Array(INITIAL_IDS);
  private hashes = new Uint32Array(INITIAL_IDS);
  /** Per id: reference count; 0 means the id is free. */
  private refs = new Uint32Array(INITIAL_IDS);
  /** Per id: the serial of the set that holds it (ids are reused; serials tell the sets apart). */
  private serials = new Uint32Array(INITIAL_IDS);
  private lastSerial = 0;
  /** Ids ever handed out: 0..idHigh-1. */
  private idHigh = 0;
  private freeHead = -1;
  private count = 0;

  private table = new Int32Array(2 * INITIAL_IDS);
  private tableMask = 2 * INITIAL_IDS - 1;

  /** Number of live attribute sets. */
  get size(): number {
    return this.count;
  }

  /**
   * The id of the set with exactly these bytes, adding it if new. The caller receives one
   * reference (the count goes up by one) and must {@link release} it when done, typically after
   * announcing every NLRI of the UPDATE (the RIB retains its own reference per path).
   */
  intern(bytes: Uint8Array): AttributeSetId {
    const h = fnv1a(bytes);
    const mask = this.tableMask;
    let slot = h & mask;
    for (;;) {
      const entry = this.table[slot]!;
      if (entry === EMPTY) break;
      const id = entry - 1;
      if (this.hashes[id] === h && this.equalBytes(id, bytes)) {
        this.refs[id]!++;
        return id;
      }
      slot = (slot + 1) & mask;
    }
    const id = this.allocateId();
    const offset = this.appendBytes(bytes);
    this.offsets[id] = offset;
    this.lengths[id] = bytes.length;
    this.hashes[id] = h;
    this.refs[id] = 1;
    this.lastSerial = (this.lastSerial + 1) >>> 0;
    this.serials[id] = this.lastSerial;
    this.count++;
    if (2 * this.count > this.table.length) this.rehash(2 * this.table.length);
    else this.table[slot] = id + 1;
    return id;
  }

  /** Adds a reference to a live set. */
  retain(id: AttributeSetId): void {
    this.check(id);
    this.refs[id]!++;
  }

  /** Drops a reference; the set is freed (and its id may be reused) when none remain. */
  release(id: AttributeSetId): void {
    this.check(id);
    if (--this.refs[id]! > 0) return;
    this.removeFromTable(id);
    this.arenaGarbage += this.lengths[id]!;
    this.offsets[id] = this.freeHead;
    this.lengths[id] = 0;
    this.freeHead = id;
    this.count--;
  }

  /** Whether the id names a live set. */
  has(id: AttributeSetId): boolean {
    return Number.isInteger(id) && id >= 0 && id < this.idHigh && this.refs[id]! > 0;
  }

  /** Current reference count (0 for a free or unknown id). */
  refCount(id: AttributeSetId): number {
    return this.has(id) ? this.refs[id]! : 0;
  }

  /**
   * A number that tells this live set from any other set that held (or will hold) the same id:
   * what a cache keyed by id checks, since a freed id is reused for other bytes.
   */
  serial(id: AttributeSetId): number {
    return this.serials[id]!;
  }

  /** A copy of the set's bytes. */
  bytes(id: AttributeSetId): Uint8Array {
    this.check(id);
    const offset = this.offsets[id]!;
    return this.arena.slice(offset, offset + this.lengths[id]!);
  }

  /** Bytes held by the store's typed arrays (arena including slack, id columns, hash table). */
  approximateBytes(): number {
    return (
      this.arena.byteLength +
      this.offsets.byteLength +
      this.lengths.byteLength +
      this.hashes.byteLength +
      this.refs.byteLength +
      this.serials.byteLength +
      this.table.byteLength
    );
  }

  private check(id: AttributeSetId): void {
    if (!this.has(id)) throw new RangeError(`unknown attribute set id ${id}`);
  }

  private equalBytes(id: AttributeSetId, bytes: Uint8Array): boolean {
    const length = this.lengths[id]!;
    if (length !== bytes.length) return false;
    const arena = this.arena;
    const offset = this.offsets[id]!;
    for (let i = 0; i < length; i++) if (arena[offset + i] !== bytes[i]) return false;
    return true;
  }

  /**
   * Room for `sets` more sets of `bytes` octets in all before the id columns and the arena grow
   * (see `Rib.reserve`: the pages not written to cost no memory). The hash table is written all
   * over, so a table too large costs its whole size: it is made ready for at most 2^19 sets
   * (4 MiB), and grows as sets come beyond that.
   */
  reserve(sets: number, bytes: number): void {
    const more = Math.max(0, Math.floor(sets));
    if (this.idHigh + more > this.refs.length) this.resizeIds(this.idHigh + more);
    const arena = this.arenaUsed + Math.max(0, Math.floor(bytes));
    if (arena > this.arena.length) this.arena = grown(this.arena, arena);
    let table = this.table.length;
    while (table < MAX_RESERVED_TABLE && table < 2 * (this.count + more)) table *= 2;
    if (table > this.table.length) this.rehash(table);
  }

  private allocateId(): AttributeSetId {
    if (this.freeHead >= 0) {
      const id = this.freeHead;
      this.freeHead = this.offsets[id]!;
      return id;
    }
    if (this.idHigh === this.refs.length) this.resizeIds(2 * this.refs.length);
    return this.idHigh++;
  }

  private resizeIds(capacity: number): void {
    this.offsets = grown(this.offsets, capacity);
    this.lengths = grown(this.lengths, capacity);
    this.hashes = grown(this.hashes, capacity);
    this.refs = grown(this.refs, capacity);
    this.serials = grown(this.serials, capacity);
  }

  private appendBytes(bytes: Uint8Array): number {
    if (this.arenaUsed + bytes.length > this.arena.length) {
      const live = this.arenaUsed - this.arenaGarbage;
      // Compact when at least half the arena is garbage, otherwise double it.
      if (this.arenaGarbage >= live) this.compact(Math.max(INITIAL_ARENA, 2 * (live + bytes.length)));
      else {
        let capacity = 2 * this.arena.length;
        while (capacity < this.arenaUsed + bytes.length) capacity *= 2;
        this.arena = grown(this.arena, capacity);
      }
    }
    const offset = this.arenaUsed;
    this.arena.set(bytes, offset);
    this.arenaUsed += bytes.length;
    return offset;
  }

  private compact(capacity: number): void {
    const old = this.arena;
    const arena = new Uint8Array(capacity);
    let used = 0;
    for (let id = 0; id < this.idHigh; id++) {
      if (this.refs[id] === 0) continue;
      const offset = this.offsets[id]!;
      const length = this.lengths[id]!;
      arena.set(old.subarray(offset, offset + length), used);
      this.offsets[id] = used;
      used += length;
    }
    this.arena = arena;
    this.arenaUsed = used;
    this.arenaGarbage = 0;
  }

  private rehash(capacity: number): void {
    this.table = new Int32Array(capacity);
    this.tableMask = capacity - 1;
    for (let id = 0; id < this.idHigh; id++) {
      if (this.refs[id] === 0) continue;
      let slot = this.hashes[id]! & this.tableMask;
      while (this.table[slot] !== EMPTY) slot = (slot + 1) & this.tableMask;
      this.table[slot] = id + 1;
    }
  }

  private removeFromTable(id: AttributeSetId): void {
    const table = this.table;
    const mask = this.tableMask;
    let hole = this.hashes[id]! & mask;
    while (table[hole] !== id + 1) hole = (hole + 1) & mask;
    // Backward-shift deletion: move later members of the probe run into the hole when their
    // home slot does not lie cyclically in (hole, j].
    let j = hole;
    for (;;) {
      j = (j + 1) & mask;
      const entry = table[j]!;
      if (entry === EMPTY) break;
      const home = this.hashes[entry - 1]! & mask;
      const stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (stays) continue;
      table[hole] = entry;
      hole = j;
    }
    table[hole] = EMPTY;
  }
}
