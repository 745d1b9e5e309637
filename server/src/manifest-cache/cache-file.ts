import { createHash } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';
import { type CacheIndex, decodeIndex, encodeIndex, field, rowFields } from './cache-index';

export { type CacheIndex, field, rowFields } from './cache-index';

/**
 * The cache file: a header, a blob section holding the entries' ManifestFiles serialized in
 * small groups (a row names its group and its slot in it), a group decoded only when one of its
 * files is asked for, and an index section decoded on open. Groups are in V8's serialization
 * format (node:v8), which round-trips a ManifestFile exactly (Maps, Sets, bigints, properties
 * set to undefined) with no codec of ours to keep in step with the engine.
 *
 *   "kube-routes-cache\n"   magic (18 bytes)
 *   u32 format              cacheFormat
 *   u32 n, n bytes          the key (UTF-8): another key means another version or config
 *   blob section            u32 length, 20 bytes SHA-1, the groups one after another
 *   index section           u32 length, 20 bytes SHA-1, the CacheIndex (cache-index.ts)
 *   changes (optional)      u32 length, 20 bytes SHA-1, serialize(StoredChanges)
 *
 * A run that changed a few entries (a file, the records of its neighbours) writes the index and
 * blob sections back as it read them, checksums included, followed by a small changes section:
 * neither re-encoded nor hashed again. Many changes rewrite the whole file.
 * The index is columns, not an object per entry: a warm run over 12,000 files decodes it in a
 * few milliseconds, where a Map of 12,000 entry objects took ~60 ms and every ManifestFile ~0.5 s
 * with the garbage collection it caused. A rewrite copies the groups of unchanged entries as
 * they were read. Groups rather than one blob per file: each serialize() call holds native
 * memory until its serializer is collected, and 12,000 of them in a cold run cost ~75 MB of peak
 * RSS and ~0.4 s; a group (up to 32 files, 32 KiB of source) costs a warm run a few ms more.
 * The key sits before the sections so a cache of another config is dismissed unread; the
 * checksums tell a truncated or damaged file apart. The blobs come first so a whole rewrite
 * streams each group to the file as it is serialized (its section head filled in after), and
 * holds neither all the groups nor their serializers' memory at once: the index, which names
 * where each group landed, is known only then.
 */
export const cacheFormat = 6;
const magic = Buffer.from('kube-routes-cache\n', 'latin1');
const sumBytes = 20;

/** ManifestFiles per group at most (see above). */
export const groupFiles = 32;
/** A group is closed once its files' sources reach this size: a warm run decodes little beside the file it needs. */
export const groupSourceBytes = 32 * 1024;

/** An entry changed since the index: its blob (a group of one) is undefined when the index's blob of the path still holds. */
export interface ChangedRow {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly ino: number;
  readonly seenAt: number;
  readonly hash: string;
  readonly meta: unknown;
  readonly blob: Uint8Array | undefined;
}

/** What changed since the index: rows by path (null: gone), and the annex when it changed. */
export interface StoredChanges {
  readonly rows: ReadonlyMap<string, ChangedRow | null>;
  readonly annex?: { readonly value: unknown };
}

export interface LoadedCache {
  readonly index: CacheIndex;
  readonly blobs: Buffer;
  /** The index and blob sections as read, checksums included: written back as they are. */
  readonly base: Buffer;
  readonly changes: StoredChanges | undefined;
}

export type DecodedCache =
  | LoadedCache
  /** Another format or key: not a problem, just not ours to read. */
  | { readonly stale: true }
  /** One line on what is wrong with the file. */
  | { readonly corrupt: string };

function header(key: string): Buffer {
  const keyBytes = Buffer.from(key, 'utf8');
  const numbers = Buffer.alloc(8);
  numbers.writeUInt32BE(cacheFormat, 0);
  numbers.writeUInt32BE(keyBytes.length, 4);
  return Buffer.concat([magic, numbers, keyBytes]);
}

/** Where a save writes: bytes appended in order, and bytes written before filled in at a position. */
export interface CacheSink {
  append(piece: Uint8Array): void;
  patch(position: number, piece: Uint8Array): void;
  /** Bytes appended so far. */
  readonly size: number;
}

const sectionHead = 4 + sumBytes;

/**
 * A section written as its body arrives: the head (length, checksum) is reserved first and
 * filled in by end(). add() returns where the piece starts within the body.
 */
class SectionWriter {
  private readonly head: number;
  private readonly hash = createHash('sha1');
  private length = 0;

  constructor(private readonly sink: CacheSink) {
    this.head = sink.size;
    sink.append(Buffer.alloc(sectionHead));
  }

  add(piece: Uint8Array): number {
    const at = this.length;
    this.hash.update(piece);
    this.sink.append(piece);
    this.length += piece.length;
    return at;
  }

  end(): void {
    const head = Buffer.alloc(sectionHead);
    head.writeUInt32BE(this.length, 0);
    this.hash.digest().copy(head, 4);
    this.sink.patch(this.head, head);
  }
}

/**
 * Writes the whole file: writeBlobs adds each group as soon as it is serialized (add returns
 * its offset in the blob section) and returns the index naming them.
 */
export function writeCacheFile(
  sink: CacheSink,
  key: string,
  writeBlobs: (add: (piece: Uint8Array) => number) => CacheIndex,
): void {
  sink.append(header(key));
  const blobs = new SectionWriter(sink);
  const index = writeBlobs((piece) => blobs.add(piece));
  blobs.end();
  const section = new SectionWriter(sink);
  encodeIndex(index, (piece) => section.add(piece));
  section.end();
}

/** Writes the file as the blob and index sections read before, then the changes since. */
export function writeChanges(sink: CacheSink, key: string, base: Uint8Array, changes: StoredChanges): void {
  sink.append(header(key));
  sink.append(base);
  const section = new SectionWriter(sink);
  section.add(serialize(changes));
  section.end();
}

export function decodeCacheFile(bytes: Buffer, key: string): DecodedCache {
  if (bytes.length < magic.length + 8 || !bytes.subarray(0, magic.length).equals(magic))
    return { corrupt: 'not a kube-routes cache file' };
  let at = magic.length;
  if (bytes.readUInt32BE(at) !== cacheFormat) return { stale: true };
  const keyLength = bytes.readUInt32BE(at + 4);
  at += 8;
  if (at + keyLength > bytes.length) return { corrupt: 'truncated' };
  if (bytes.toString('utf8', at, at + keyLength) !== key) return { stale: true };
  at += keyLength;
  const bodies: Buffer[] = [];
  const baseStart = at;
  let baseEnd = at;
  for (let i = 0; i < 3 && (i < 2 || at < bytes.length); i++) {
    if (at + 4 + sumBytes > bytes.length) return { corrupt: 'truncated' };
    const end = at + 4 + sumBytes + bytes.readUInt32BE(at);
    if (end > bytes.length) return { corrupt: 'truncated' };
    const body = bytes.subarray(at + 4 + sumBytes, end);
    const sum = createHash('sha1').update(body).digest();
    if (!sum.equals(bytes.subarray(at + 4, at + 4 + sumBytes))) return { corrupt: 'damaged (checksum)' };
    bodies.push(body);
    at = end;
    if (i === 1) baseEnd = at;
  }
  const [blobs, indexBytes, changesBytes] = bodies;
  if (at !== bytes.length || !indexBytes || !blobs) return { corrupt: 'unexpected content' };
  let index: CacheIndex | string;
  let changes: unknown;
  try {
    index = decodeIndex(indexBytes);
    changes = changesBytes && deserialize(changesBytes);
  } catch (e) {
    return { corrupt: `unreadable (${e instanceof Error ? e.message : String(e)})` };
  }
  if (typeof index === 'string') return { corrupt: index };
  if (changes !== undefined && !isChanges(changes)) return { corrupt: 'unexpected content' };
  if (!isIndex(index, blobs.length)) return { corrupt: 'unexpected content' };
  return { index, blobs, base: bytes.subarray(baseStart, baseEnd), changes };
}

function isChanges(value: unknown): value is StoredChanges {
  if (typeof value !== 'object' || value === null) return false;
  const { rows } = value as Record<string, unknown>;
  if (!(rows instanceof Map)) return false;
  for (const [path, row] of rows) {
    if (typeof path !== 'string') return false;
    if (row === null) continue;
    if (typeof row !== 'object' || typeof row.hash !== 'string' || typeof row.seenAt !== 'number') return false;
    if (row.blob !== undefined && !(row.blob instanceof Uint8Array)) return false;
  }
  return true;
}

function isIndex(value: unknown, blobBytes: number): value is CacheIndex {
  if (typeof value !== 'object' || value === null) return false;
  const { paths, numbers, hashes, metas } = value as Record<string, unknown>;
  if (!Array.isArray(paths) || !(numbers instanceof Float64Array) || !Array.isArray(hashes)) return false;
  const n = paths.length;
  if (numbers.length !== n * rowFields || hashes.length !== n) return false;
  if (!Array.isArray(metas) || metas.length !== n) return false;
  for (let i = 0; i < n; i++) {
    if (typeof paths[i] !== 'string' || typeof hashes[i] !== 'string') return false;
    const offset = numbers[i * rowFields + field.blobOffset] ?? -1;
    const length = numbers[i * rowFields + field.blobLength] ?? -1;
    const slot = numbers[i * rowFields + field.blobSlot] ?? -1;
    if (!(offset >= 0 && length > 0 && offset + length <= blobBytes)) return false;
    if (!(Number.isInteger(slot) && slot >= 0 && slot < groupFiles)) return false;
  }
  return true;
}

/** A group's blob: what the engine extracted from a few files, serialized together. */
export function encodeGroup(files: readonly unknown[]): Buffer {
  return serialize(files);
}

/** A group's files; throws when the bytes are not a group. */
export function decodeGroup(blob: Uint8Array): readonly unknown[] {
  const files: unknown = deserialize(blob);
  if (!Array.isArray(files)) throw new Error('not a group');
  return files;
}
