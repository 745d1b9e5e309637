import { deserialize, serialize } from 'node:v8';

/** Numbers per row of CacheIndex.numbers. */
export const rowFields = 8;
/** Where each number sits in a row. seenAt: Date.now() when the stamp was taken (a file changed within the same tick could look unchanged). */
export const field = {
  size: 0,
  mtimeMs: 1,
  ctimeMs: 2,
  ino: 3,
  seenAt: 4,
  blobOffset: 5,
  blobLength: 6,
  blobSlot: 7,
} as const;

/**
 * The index: row i is paths[i], numbers[i * rowFields ...], hashes[i] (the content hash), metas[i].
 */
export interface CacheIndex {
  readonly paths: readonly string[];
  readonly numbers: Float64Array;
  readonly hashes: readonly string[];
  /** What the caller keeps beside each entry (undefined: nothing). */
  readonly metas: readonly unknown[];
  /** What the caller keeps beside the entries as a whole. */
  readonly annex: unknown;
}

// The index section's body:
//   u32 rows, u32 path bytes, u32 hash bytes, u32 rest bytes
//   rows * rowFields float64 (little-endian)   the numbers
//   paths joined by NUL (UTF-8)                 neither paths nor hashes hold a NUL
//   hashes joined by NUL (UTF-8)
//   serialize({ metas, annex })
// Written as pieces of at most chunkChars characters: a save holds no joined string and no
// serialized copy of the whole index (~3.5 MiB of peak RSS for 12,000 files at the end of the
// language server's first index). Decoding splits one long string per column, which V8 does in
// a fraction of the time it takes to decode 12,000 short ones.

const headBytes = 16;
const chunkChars = 32 * 1024;

/** The body of the index section, as pieces handed to add in order. */
export function encodeIndex(index: CacheIndex, add: (piece: Uint8Array) => void): void {
  const rest = serialize({ metas: index.metas, annex: index.annex });
  const head = Buffer.alloc(headBytes);
  head.writeUInt32BE(index.paths.length, 0);
  head.writeUInt32BE(joinedBytes(index.paths), 4);
  head.writeUInt32BE(joinedBytes(index.hashes), 8);
  head.writeUInt32BE(rest.length, 12);
  add(head);
  add(littleEndian(index.numbers));
  addJoined(index.paths, add);
  addJoined(index.hashes, add);
  add(rest);
}

/** The index from the section's body; a string says what is wrong with it. */
export function decodeIndex(body: Buffer): CacheIndex | string {
  if (body.length < headBytes) return 'truncated index';
  const rows = body.readUInt32BE(0);
  const pathBytes = body.readUInt32BE(4);
  const hashBytes = body.readUInt32BE(8);
  const restBytes = body.readUInt32BE(12);
  const numberBytes = rows * rowFields * 8;
  let at = headBytes;
  if (at + numberBytes + pathBytes + hashBytes + restBytes !== body.length) return 'unexpected content';
  const numbers = new Float64Array(rows * rowFields);
  for (let i = 0; i < numbers.length; i++) numbers[i] = body.readDoubleLE(at + i * 8);
  at += numberBytes;
  const split = (bytes: number) => {
    const text = body.toString('utf8', at, at + bytes);
    at += bytes;
    // No rows: the joined string is empty, not one empty item.
    return rows === 0 ? [] : text.split('\0');
  };
  const paths = split(pathBytes);
  const hashes = split(hashBytes);
  const rest: unknown = deserialize(body.subarray(at, at + restBytes));
  if (typeof rest !== 'object' || rest === null) return 'unexpected content';
  const { metas, annex } = rest as Record<string, unknown>;
  if (!Array.isArray(metas)) return 'unexpected content';
  return { paths, numbers, hashes, metas, annex };
}

function joinedBytes(items: readonly string[]): number {
  let bytes = Math.max(0, items.length - 1);
  for (const item of items) bytes += Buffer.byteLength(item, 'utf8');
  return bytes;
}

function addJoined(items: readonly string[], add: (piece: Uint8Array) => void): void {
  let chunk = '';
  items.forEach((item, i) => {
    chunk += i === 0 ? item : `\0${item}`;
    if (chunk.length >= chunkChars) {
      add(Buffer.from(chunk, 'utf8'));
      chunk = '';
    }
  });
  if (chunk.length > 0) add(Buffer.from(chunk, 'utf8'));
}

/** The numbers' bytes in little-endian order: a view on a little-endian machine, a copy elsewhere. */
function littleEndian(numbers: Float64Array): Uint8Array {
  const view = new Uint8Array(numbers.buffer, numbers.byteOffset, numbers.byteLength);
  if (new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f) return view;
  const copy = Buffer.alloc(numbers.byteLength);
  numbers.forEach((n, i) => copy.writeDoubleLE(n, i * 8));
  return copy;
}
