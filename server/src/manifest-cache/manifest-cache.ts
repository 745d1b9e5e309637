import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ManifestFile } from '@kube-routes/server/engine';
import { changesSince, type Entry, wholeIndex } from './cache-encode';
import {
  decodeCacheFile,
  decodeGroup,
  type CacheSink,
  field,
  type LoadedCache,
  rowFields,
  writeCacheFile,
  writeChanges,
} from './cache-file';
import { type FileStamp, sameStamp } from './file-stamp';

/**
 * Files whose mtime is within this window of the moment they were stamped are checked by hash
 * even when their stamp matches: an edit in the same timestamp tick as the read that filled
 * the entry would otherwise go unseen ("racily clean", as git calls it). 2 s covers FAT's
 * granularity; such files are few, and hashing one is cheap.
 */
const racyWindowMs = 2000;

/** A cache entry found: its ManifestFile is decoded only when asked for. */
export interface CacheHit {
  /** What the caller kept beside the entry (setMeta), undefined if nothing. */
  readonly meta: unknown;
  /** What was extracted; undefined only if its bytes cannot be decoded (then read the file again). */
  file(): ManifestFile | undefined;
}

/**
 * What the engine extracted from each file (readManifestFile's ManifestFile), kept on disk between
 * runs and keyed by path, with the file's stamp and content hash. Shared by `kubectl routes check
 * --cache` and the language server's persisted index.
 *
 *   const cache = openManifestCache(location, manifestCacheKey([version, ...config]));
 *   if (cache.notice) stderr(cache.notice);
 *   const stamp = statStamp(path);                       // undefined: not a regular file
 *   let file = cache.get(path, stamp);                   // stamp matches: no read at all
 *   if (!file) {
 *     const bytes = read(path); const hash = contentHash(bytes);
 *     file = cache.get(path, stamp, hash)                // touched, same content
 *       ?? extract(bytes);
 *     cache.set(path, stamp, hash, file);
 *   }
 *   const problem = cache.save();                        // writes only if something changed
 *
 * Entries are plain data and come back equal (deepStrictEqual) to what was set; callers must not
 * mutate them. An entry's ManifestFile is decoded on first use (`lookup` finds an entry without
 * decoding it). Each entry may carry a meta value of the caller's (kubectl keeps the last check's
 * findings of the file there): set() drops it, since it described the old content. Paths are
 * file system paths (absolute: save() drops entries not looked at whose path no longer exists),
 * used as given. Everything is synchronous: one read at open, one write at save.
 */
export interface ManifestCache {
  /** The cache file. */
  readonly location: string;
  /**
   * One line for stderr or a log when the file existed but could not be used (damaged,
   * truncated, unreadable); it is ignored and rewritten on save. A missing file, or one written
   * under another key (version, config), starts an empty cache silently.
   */
  readonly notice: string | undefined;
  /** Entries held now. */
  readonly size: number;
  /** Whether something changed since open or the last save (save would write). */
  readonly pending: boolean;
  /**
   * The entry of path when stamp matches the stored stamp (and the file is not racily recent),
   * or, when hash is given, when the content hash matches (the stored stamp is then updated).
   * A hit marks the entry as seen (see save).
   */
  lookup(path: string, stamp: FileStamp, hash?: string): CacheHit | undefined;
  /** lookup(...)?.file(). */
  get(path: string, stamp: FileStamp, hash?: string): ManifestFile | undefined;
  /** Stores what was extracted from path as it was when stamped and hashed, with meta. */
  set(path: string, stamp: FileStamp, hash: string, file: ManifestFile, meta?: unknown): void;
  /** Whether an entry of path is held (a path with none is read without a stat first). */
  has(path: string): boolean;
  /** The meta of path's entry, when there is one; undefined otherwise. */
  meta(path: string): unknown;
  /** Replaces the meta of path's entry (nothing if there is none). */
  setMeta(path: string, meta: unknown): void;
  /** Drops the meta of every entry whose path is not in keep. */
  retainMeta(keep: ReadonlySet<string>): void;
  /** What the caller keeps beside the entries as a whole (undefined at first). */
  readonly annex: unknown;
  setAnnex(annex: unknown): void;
  delete(path: string): void;
  /** Drops every entry (the annex stays). */
  clear(): void;
  /** Paths of the entries held (the loaded ones first), e.g. to restore an index without a walk. */
  paths(): IterableIterator<string>;
  /**
   * Writes the cache when something changed: atomically (a temporary file beside it, renamed
   * over it), creating its folder. Entries neither read nor set since open whose file no longer
   * exists (existsSync) are dropped first. Returns one
   * line when the file could not be written (the run is not affected), else undefined.
   */
  save(): string | undefined;
}

/** Opens the cache file at location for key (manifestCacheKey). Never throws. */
export function openManifestCache(location: string, key: string): ManifestCache {
  let bytes: Buffer | undefined;
  let notice: string | undefined;
  try {
    bytes = readFileSync(location);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') notice = ignoring(location, code === 'EISDIR' ? 'it is a directory' : describe(e));
  }
  const decoded = bytes ? decodeCacheFile(bytes, key) : undefined;
  if (decoded && 'corrupt' in decoded) notice = ignoring(location, decoded.corrupt);
  const loaded = decoded && 'index' in decoded ? decoded : undefined;
  // A file of another key, or a damaged one, is replaced on save even if nothing is set.
  const replace = notice !== undefined || (decoded !== undefined && loaded === undefined);
  return new FileManifestCache(location, key, notice, loaded, replace);
}

function ignoring(location: string, why: string): string {
  return `warning: ignoring the cache ${location}: ${why}; it will be rewritten`;
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function racyAt(mtimeMs: number, seenAt: number): boolean {
  return mtimeMs > seenAt - racyWindowMs;
}

class FileManifestCache implements ManifestCache {
  /** Rows of the loaded index still held, in file order (the order entries are written back in). */
  private readonly rows: Map<string, number>;
  private readonly entries = new Map<string, Entry>();
  private readonly seen = new Set<string>();
  /** Paths of the loaded index gone since. */
  private readonly deleted = new Set<string>();
  /** Racy entries whose content the hash confirmed, now old enough to trust: refreshed on the next write. */
  private readonly settled = new Set<string>();
  private annexValue: unknown;
  private annexChanged = false;
  /** The loaded group decoded last (its offset in the blob section, its files). */
  private lastGroup: { readonly offset: number; readonly files: readonly unknown[] } | undefined;
  /** The loaded index no longer describes the file (cleared, or rewritten whole): every save rewrites it. */
  private rewrite: boolean;
  private dirty: boolean;

  constructor(
    readonly location: string,
    private readonly key: string,
    readonly notice: string | undefined,
    private readonly loaded: LoadedCache | undefined,
    replace: boolean,
  ) {
    this.rows = new Map(loaded?.index.paths.map((path, row) => [path, row]));
    this.annexValue = loaded?.index.annex;
    this.dirty = replace;
    this.rewrite = replace || !loaded;
    for (const [path, row] of loaded?.changes?.rows ?? []) {
      const base = this.rows.get(path);
      if (row === null) {
        if (base !== undefined) this.deleted.add(path);
        this.rows.delete(path);
        continue;
      }
      if (row.blob === undefined && base === undefined) continue;
      const stamp = { size: row.size, mtimeMs: row.mtimeMs, ctimeMs: row.ctimeMs, ino: row.ino };
      const { hash, seenAt, meta, blob } = row;
      this.entries.set(path, {
        stamp,
        hash,
        seenAt,
        meta,
        row: blob ? undefined : base,
        blob,
        file: undefined,
        changed: true,
      });
    }
    if (loaded?.changes?.annex) {
      this.annexValue = loaded.changes.annex.value;
      this.annexChanged = true;
    }
  }

  get size(): number {
    let added = 0;
    for (const path of this.entries.keys()) if (!this.rows.has(path)) added++;
    return this.rows.size + added;
  }

  get annex(): unknown {
    return this.annexValue;
  }

  get pending(): boolean {
    return this.dirty;
  }

  setAnnex(annex: unknown): void {
    if (annex === this.annexValue) return;
    this.annexValue = annex;
    this.annexChanged = true;
    this.dirty = true;
  }

  lookup(path: string, stamp: FileStamp, hash?: string): CacheHit | undefined {
    const row = hash === undefined && !this.entries.has(path) ? this.rows.get(path) : undefined;
    if (row !== undefined && this.loaded) {
      // The common case of a warm run, answered from the columns without an entry object.
      const numbers = this.loaded.index.numbers;
      const at = row * rowFields;
      if (
        numbers[at + field.size] !== stamp.size ||
        numbers[at + field.mtimeMs] !== stamp.mtimeMs ||
        numbers[at + field.ctimeMs] !== stamp.ctimeMs ||
        numbers[at + field.ino] !== stamp.ino ||
        racyAt(stamp.mtimeMs, numbers[at + field.seenAt] ?? 0)
      )
        return undefined;
      this.seen.add(path);
      return new Hit(this, path);
    }
    const entry = this.entry(path);
    if (!entry) return undefined;
    if (hash === undefined) {
      if (!sameStamp(entry.stamp, stamp) || racyAt(entry.stamp.mtimeMs, entry.seenAt)) return undefined;
    } else {
      if (entry.hash !== hash) return undefined;
      const now = Date.now();
      if (!sameStamp(entry.stamp, stamp)) {
        entry.stamp = stamp;
        entry.seenAt = now;
        this.touch(entry);
      } else if (racyAt(stamp.mtimeMs, entry.seenAt) && !racyAt(stamp.mtimeMs, now)) this.settled.add(path);
    }
    this.seen.add(path);
    return new Hit(this, path);
  }

  get(path: string, stamp: FileStamp, hash?: string): ManifestFile | undefined {
    return this.lookup(path, stamp, hash)?.file();
  }

  set(path: string, stamp: FileStamp, hash: string, file: ManifestFile, meta?: unknown): void {
    const entry = this.entry(path);
    this.seen.add(path);
    if (entry && entry.file === file && entry.hash === hash && sameStamp(entry.stamp, stamp)) {
      this.setMeta(path, meta);
      return;
    }
    this.entries.set(path, {
      stamp,
      hash,
      seenAt: Date.now(),
      meta,
      row: undefined,
      blob: undefined,
      file,
      changed: true,
    });
    this.dirty = true;
  }

  has(path: string): boolean {
    return this.entries.has(path) || this.rows.has(path);
  }

  meta(path: string): unknown {
    const entry = this.entries.get(path);
    if (entry) return entry.meta;
    const row = this.rows.get(path);
    return row === undefined ? undefined : this.loaded?.index.metas[row];
  }

  setMeta(path: string, meta: unknown): void {
    if (!this.entries.has(path) && this.meta(path) === meta) return;
    const entry = this.entry(path);
    if (!entry || entry.meta === meta) return;
    entry.meta = meta;
    this.touch(entry);
  }

  retainMeta(keep: ReadonlySet<string>): void {
    const metas = this.loaded?.index.metas;
    for (const [path, row] of this.rows)
      if (!keep.has(path) && !this.entries.has(path) && metas?.[row] !== undefined) this.setMeta(path, undefined);
    for (const [path, entry] of this.entries)
      if (!keep.has(path) && entry.meta !== undefined) this.setMeta(path, undefined);
  }

  delete(path: string): void {
    this.seen.delete(path);
    const inBase = this.rows.delete(path);
    if (inBase) this.deleted.add(path);
    if (this.entries.delete(path) || inBase) this.dirty = true;
  }

  clear(): void {
    if (this.size === 0) return;
    this.rows.clear();
    this.entries.clear();
    this.seen.clear();
    this.rewrite = true;
    this.dirty = true;
  }

  *paths(): IterableIterator<string> {
    yield* this.rows.keys();
    for (const path of this.entries.keys()) if (!this.rows.has(path)) yield path;
  }

  save(): string | undefined {
    for (const path of [...this.paths()]) if (!this.seen.has(path) && !existsSync(path)) this.delete(path);
    if (!this.dirty) return undefined;
    // Confirmed racy entries are refreshed only along with another change: never a write of their own.
    const now = Date.now();
    for (const path of this.settled) {
      const entry = this.entries.get(path);
      if (entry) {
        entry.seenAt = now;
        entry.changed = true;
      }
    }
    this.settled.clear();
    const temporary = join(
      dirname(this.location),
      `.${basename(this.location)}.${process.pid}.${Date.now().toString(36)}.tmp`,
    );
    const held = {
      paths: () => [...this.paths()],
      entries: this.entries,
      rows: this.rows,
      deleted: this.deleted,
      annex: this.annexValue,
      annexChanged: this.annexChanged,
    };
    const changes = this.rewrite || !this.loaded ? undefined : changesSince(held, this.loaded);
    const whole = changes === undefined;
    try {
      mkdirSync(dirname(this.location), { recursive: true });
      // No fsync: a cache lost to a crash is rebuilt, and a damaged one fails its checksum. The
      // rename keeps concurrent readers from ever seeing half a file.
      writeFile(temporary, (sink) => {
        const loaded = this.loaded;
        if (changes && loaded) writeChanges(sink, this.key, loaded.base, changes);
        else writeCacheFile(sink, this.key, (place) => wholeIndex(held, loaded, place));
      });
      renameSync(temporary, this.location);
    } catch (e) {
      try {
        unlinkSync(temporary);
      } catch {
        // Never created.
      }
      return `warning: could not write the cache ${this.location}: ${describe(e)}`;
    }
    // The file no longer matches the loaded index: later saves (the editor's) rewrite it whole.
    if (whole) this.rewrite = true;
    this.dirty = false;
    return undefined;
  }

  private touch(entry: Entry): void {
    entry.changed = true;
    this.dirty = true;
  }

  /** The entry of path; a loaded row becomes an entry (its blob still encoded) when first looked at. */
  private entry(path: string): Entry | undefined {
    const known = this.entries.get(path);
    if (known) return known;
    const row = this.rows.get(path);
    const loaded = this.loaded;
    if (row === undefined || !loaded) return undefined;
    const { numbers, hashes, metas } = loaded.index;
    const at = row * rowFields;
    const n = (f: number) => numbers[at + f] ?? Number.NaN;
    const entry: Entry = {
      stamp: { size: n(field.size), mtimeMs: n(field.mtimeMs), ctimeMs: n(field.ctimeMs), ino: n(field.ino) },
      hash: hashes[row] ?? '',
      seenAt: n(field.seenAt),
      meta: metas[row],
      row,
      blob: undefined,
      file: undefined,
      changed: false,
    };
    this.entries.set(path, entry);
    return entry;
  }

  /** The ManifestFile of path's entry, decoded on first use. */
  fileOf(path: string): ManifestFile | undefined {
    const entry = this.entry(path);
    if (!entry) return undefined;
    if (entry.file) return entry.file;
    const loaded = this.loaded;
    try {
      let file: unknown;
      if (entry.blob) file = decodeGroup(entry.blob)[0];
      else if (entry.row !== undefined && loaded) {
        const at = entry.row * rowFields;
        const offset = loaded.index.numbers[at + field.blobOffset] ?? 0;
        const length = loaded.index.numbers[at + field.blobLength] ?? 0;
        const slot = loaded.index.numbers[at + field.blobSlot] ?? 0;
        // Files are asked for mostly in row order: the group decoded last is kept for the next.
        if (this.lastGroup?.offset !== offset)
          this.lastGroup = { offset, files: decodeGroup(loaded.blobs.subarray(offset, offset + length)) };
        file = this.lastGroup.files[slot];
      } else return undefined;
      if (!isManifestFile(file)) throw new Error('not a file');
      entry.file = file;
      return file;
    } catch {
      // Checksummed, so not expected: the caller reads the file again and sets it.
      this.delete(path);
      return undefined;
    }
  }
}

function isManifestFile(value: unknown): value is ManifestFile {
  return typeof value === 'object' && value !== null && Array.isArray((value as Partial<ManifestFile>).services);
}

/** A lookup's answer: the entry's meta now, its ManifestFile when asked for. */
class Hit implements CacheHit {
  constructor(
    private readonly cache: FileManifestCache,
    private readonly path: string,
  ) {}

  get meta(): unknown {
    return this.cache.meta(this.path);
  }

  file(): ManifestFile | undefined {
    return this.cache.fileOf(this.path);
  }
}

/** Writes a new file (it must not exist) as write produces it: nothing is joined or held first. */
function writeFile(path: string, write: (sink: CacheSink) => void): void {
  const fd = openSync(path, 'wx', 0o644);
  try {
    let size = 0;
    write({
      append(piece) {
        for (let at = 0; at < piece.length; ) at += writeSync(fd, piece, at);
        size += piece.length;
      },
      patch(position, piece) {
        for (let at = 0; at < piece.length; ) at += writeSync(fd, piece, at, piece.length - at, position + at);
      },
      get size() {
        return size;
      },
    });
  } finally {
    closeSync(fd);
  }
}
