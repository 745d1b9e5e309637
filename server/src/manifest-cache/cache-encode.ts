import {
  type CacheIndex,
  type ChangedRow,
  encodeBlob,
  field,
  type LoadedCache,
  rowFields,
  type StoredChanges,
} from './cache-file';
import type { ManifestFile } from '@kube-routes/server/engine';
import type { FileStamp } from './file-stamp';

// What a save writes: the changes since the loaded index, or the whole index and blobs.

/** An entry looked at or set since open; the others stay rows of the loaded index. */
export interface Entry {
  stamp: FileStamp;
  hash: string;
  seenAt: number;
  meta: unknown;
  /** The loaded row whose blob still holds its ManifestFile; undefined once set anew. */
  row: number | undefined;
  /** Its ManifestFile encoded, as a changes section held it (decoded on demand). */
  blob: Uint8Array | undefined;
  file: ManifestFile | undefined;
  /** Differs from the loaded index's row: written in the changes section. */
  changed: boolean;
}

/** The cache's state as a save sees it. */
export interface Held {
  /** Every path held, in the order entries are written. */
  paths(): string[];
  readonly entries: ReadonlyMap<string, Entry>;
  /** Rows of the loaded index still held. */
  readonly rows: ReadonlyMap<string, number>;
  /** Paths of the loaded index gone since. */
  readonly deleted: ReadonlySet<string>;
  readonly annex: unknown;
  readonly annexChanged: boolean;
}

/** The changes since the loaded index, when they are few enough to ride after it; else undefined. */
export function changesSince(held: Held, loaded: LoadedCache): StoredChanges | undefined {
  const rows = new Map<string, ChangedRow | null>();
  const limit = Math.max(64, loaded.index.paths.length >> 3);
  for (const path of held.deleted) if (!held.entries.has(path)) rows.set(path, null);
  for (const [path, entry] of held.entries) {
    if (!entry.changed) continue;
    if (rows.size >= limit) return undefined;
    const blob = entry.row !== undefined ? undefined : (entry.blob ?? encodeBlob(entry.file));
    entry.blob = blob;
    const { size, mtimeMs, ctimeMs, ino } = entry.stamp;
    rows.set(path, { size, mtimeMs, ctimeMs, ino, seenAt: entry.seenAt, hash: entry.hash, meta: entry.meta, blob });
  }
  return held.annexChanged ? { rows, annex: { value: held.annex } } : { rows };
}

/**
 * The index and the blobs, for a whole rewrite. Blobs still as loaded are copied from the bytes
 * read, runs of adjacent ones as one piece.
 */
export function wholeIndex(held: Held, loaded: LoadedCache | undefined): [CacheIndex, Buffer[]] {
  const paths = held.paths();
  const numbers = new Float64Array(paths.length * rowFields);
  const hashes: string[] = [];
  const metas: unknown[] = [];
  const blobs: Buffer[] = [];
  let run: { start: number; end: number } | undefined;
  const flush = () => {
    if (run && loaded) blobs.push(loaded.blobs.subarray(run.start, run.end));
    run = undefined;
  };
  let offset = 0;
  paths.forEach((path, i) => {
    const at = i * rowFields;
    const entry = held.entries.get(path);
    const row = entry ? entry.row : held.rows.get(path);
    if (row !== undefined && loaded) {
      const from = row * rowFields;
      numbers.set(loaded.index.numbers.subarray(from, from + rowFields), at);
      const start = loaded.index.numbers[from + field.blobOffset] ?? 0;
      const length = loaded.index.numbers[from + field.blobLength] ?? 0;
      if (run && run.end === start) run.end += length;
      else {
        flush();
        run = { start, end: start + length };
      }
      numbers[at + field.blobOffset] = offset;
      offset += length;
    } else {
      flush();
      const encoded = entry?.blob ?? encodeBlob(entry?.file);
      const blob = Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength);
      numbers[at + field.blobOffset] = offset;
      numbers[at + field.blobLength] = blob.length;
      blobs.push(blob);
      offset += blob.length;
    }
    if (entry) {
      numbers[at + field.size] = entry.stamp.size;
      numbers[at + field.mtimeMs] = entry.stamp.mtimeMs;
      numbers[at + field.ctimeMs] = entry.stamp.ctimeMs;
      numbers[at + field.ino] = entry.stamp.ino;
      numbers[at + field.seenAt] = entry.seenAt;
      hashes.push(entry.hash);
      metas.push(entry.meta);
    } else {
      hashes.push(loaded?.index.hashes[row ?? -1] ?? '');
      metas.push(loaded?.index.metas[row ?? -1]);
    }
  });
  flush();
  return [{ paths, numbers, hashes, metas, annex: held.annex }, blobs];
}
