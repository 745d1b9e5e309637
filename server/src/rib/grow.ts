/**
 * Growth of the RIB's typed-array columns. The old column's memory is released at once by
 * detaching its buffer (`transfer(0)`): left to the GC, the path columns' last doublings (and
 * those of the trie the RIB had then) kept ~30 MiB of garbage at the peak of a 1M-route load.
 * The new column comes from `new` (calloc), whose pages past the copied part stay untouched until written; `transfer(n)`
 * itself would zero (and so touch) every new page.
 */
export type Column = Uint8Array | Uint16Array | Int32Array | Uint32Array;

/** `column`'s contents in a new column of `capacity` elements; `column` is detached (empty). */
export function grown<T extends Column>(column: T, capacity: number): T {
  const Type = column.constructor as new (length: number) => T;
  const next = new Type(capacity);
  next.set(column);
  (column.buffer as ArrayBuffer).transfer(0);
  return next;
}
