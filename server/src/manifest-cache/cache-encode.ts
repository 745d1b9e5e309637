import {
  type CacheIndex,
  type ChangedRow,
  encodeGroup,
  field,
  groupFiles,
  groupSourceBytes,
  type LoadedCache,
  rowFields,
  type StoredChanges,
} from './cache-file';
import type { ManifestFile } from '@kube-routes/server/engine';
import type { FileStamp } from './file-stamp';
import { collectGarbage } from '@kube-routes/server/node';

/** Groups serialized between two young-generation collections (see collectGarbage). */
const groupsPerCollection = 16;

// What a save writes: the changes since the loaded index, or the whole index and blobs.

/** An entry looked at or set since open; the others stay rows of the loaded index. */
export interface Entry {
  stamp: FileStamp;
  hash: string;
  seenAt: number;
  meta: unknown;
  /** The loaded row whose blob still holds its ManifestFile; undefined once set anew. */
  row: number | undefined;
  /** Its ManifestFile encoded as a group of one, as a changes section held it (decoded on demand). */
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
    const blob = entry.row !== undefined ? undefined : (entry.blob ?? encodeGroup([entry.file]));
    entry.blob = blob;
    const { size, mtimeMs, ctimeMs, ino } = entry.stamp;
    rows.set(path, { size, mtimeMs, ctimeMs, ino, seenAt: entry.seenAt, hash: entry.hash, meta: entry.meta, blob });
  }
  return held.annexChanged ? { rows, annex: { value: held.annex } } : { rows };
}

/**
 * A whole rewrite: each blob goes to place (which returns its offset in the blob section) as
 * soon as it exists, and the index naming them is returned. Groups still as loaded are copied
 * from the bytes read (once, however many of their rows remain); new entries are serialized in
 * groups (at most groupFiles files, closed past groupSourceBytes of source), in path order.
 */
export function wholeIndex(
  held: Held,
  loaded: LoadedCache | undefined,
  place: (piece: Uint8Array) => number,
): CacheIndex {
  const paths = held.paths();
  const numbers = new Float64Array(paths.length * rowFields);
  const hashes: string[] = [];
  const metas: unknown[] = [];
  const setBlob = (i: number, at: number, length: number, slot: number) => {
    numbers[i * rowFields + field.blobOffset] = at;
    numbers[i * rowFields + field.blobLength] = length;
    numbers[i * rowFields + field.blobSlot] = slot;
  };
  /** Loaded group offset -> its offset in the file written. */
  const copied = new Map<number, number>();
  let serialized = 0;
  let pending: { rows: number[]; files: unknown[]; bytes: number } = { rows: [], files: [], bytes: 0 };
  const flushGroup = () => {
    if (pending.files.length === 0) return;
    const group = encodeGroup(pending.files);
    const at = place(group);
    pending.rows.forEach((i, slot) => setBlob(i, at, group.length, slot));
    pending = { rows: [], files: [], bytes: 0 };
    if (++serialized % groupsPerCollection === 0) collectGarbage('minor');
  };
  paths.forEach((path, i) => {
    const at = i * rowFields;
    const entry = held.entries.get(path);
    const row = entry ? entry.row : held.rows.get(path);
    if (row !== undefined && loaded) {
      const from = row * rowFields;
      numbers.set(loaded.index.numbers.subarray(from, from + rowFields), at);
      const start = loaded.index.numbers[from + field.blobOffset] ?? 0;
      const length = loaded.index.numbers[from + field.blobLength] ?? 0;
      let placed = copied.get(start);
      if (placed === undefined) {
        placed = place(loaded.blobs.subarray(start, start + length));
        copied.set(start, placed);
      }
      numbers[at + field.blobOffset] = placed;
    } else if (entry?.blob) {
      setBlob(i, place(entry.blob), entry.blob.length, 0);
    } else {
      pending.rows.push(i);
      pending.files.push(entry?.file);
      pending.bytes += entry?.stamp.size ?? 0;
      if (pending.files.length >= groupFiles || pending.bytes >= groupSourceBytes) flushGroup();
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
  flushGroup();
  return { paths, numbers, hashes, metas, annex: held.annex };
}
