import { existsSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ManifestFile } from '@kube-routes/server/engine';
import { type CacheEntry, decodeCacheFile, encodeCacheFile } from './cache-file';
import { type FileStamp, sameStamp } from './file-stamp';

/**
 * Files whose mtime is within this window of the cache's write are checked by hash
 * even when their stamp matches: an edit in the same timestamp tick as the read that filled
 * the entry would otherwise go unseen ("racily clean", as git calls it). 2 s covers FAT's
 * granularity; such files are few, and hashing one is cheap.
 */
const racyWindowMs = 2000;

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
 * mutate them. Paths are whatever the caller keys by (absolute paths, URIs), used as given.
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
  /**
   * The entry of path when stamp matches the stored stamp (and the file is not racily recent),
   * or, when hash is given, when the content hash matches (the stored stamp is then updated).
   * A hit marks the entry as seen (see save).
   */
  get(path: string, stamp: FileStamp, hash?: string): ManifestFile | undefined;
  /** Stores what was extracted from path as it was when stamped and hashed. */
  set(path: string, stamp: FileStamp, hash: string, file: ManifestFile): void;
  delete(path: string): void;
  /** Paths of the entries held (the loaded ones first), e.g. to restore an index without a walk. */
  paths(): IterableIterator<string>;
  /**
   * Writes the cache when something changed: atomically (a temporary file beside it, renamed
   * over it), creating its folder. Entries neither read nor set since open whose file no longer
   * exists (checked with existsSync on paths that are file paths) are dropped first. Returns one
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
  const payload = decoded && 'payload' in decoded ? decoded.payload : undefined;
  const replace = notice !== undefined || (decoded !== undefined && payload === undefined);
  return new FileManifestCache(location, key, notice, payload?.entries, payload?.savedAt ?? 0, replace);
}

function ignoring(location: string, why: string): string {
  return `warning: ignoring the cache ${location}: ${why}; it will be rewritten`;
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

class FileManifestCache implements ManifestCache {
  private readonly entries: Map<string, CacheEntry>;
  private readonly seen = new Set<string>();
  private dirty: boolean;

  constructor(
    readonly location: string,
    private readonly key: string,
    readonly notice: string | undefined,
    loaded: ReadonlyMap<string, CacheEntry> | undefined,
    private readonly savedAt: number,
    /** A file of another key or a damaged one is replaced on save even if nothing is set. */
    replace: boolean,
  ) {
    this.entries = new Map(loaded);
    this.dirty = replace;
  }

  get size(): number {
    return this.entries.size;
  }

  get(path: string, stamp: FileStamp, hash?: string): ManifestFile | undefined {
    const entry = this.entries.get(path);
    if (!entry) return undefined;
    if (hash === undefined) {
      if (!sameStamp(entry.stamp, stamp) || this.racy(entry.stamp)) return undefined;
    } else {
      if (entry.hash !== hash) return undefined;
      if (!sameStamp(entry.stamp, stamp)) {
        this.entries.set(path, { ...entry, stamp });
        this.dirty = true;
      }
    }
    this.seen.add(path);
    return entry.file;
  }

  set(path: string, stamp: FileStamp, hash: string, file: ManifestFile): void {
    const entry = this.entries.get(path);
    this.seen.add(path);
    if (entry && entry.file === file && entry.hash === hash && sameStamp(entry.stamp, stamp)) return;
    this.entries.set(path, { stamp, hash, file });
    this.dirty = true;
  }

  delete(path: string): void {
    if (this.entries.delete(path)) this.dirty = true;
    this.seen.delete(path);
  }

  paths(): IterableIterator<string> {
    return this.entries.keys();
  }

  save(): string | undefined {
    for (const path of this.entries.keys()) {
      if (this.seen.has(path) || existsSync(path)) continue;
      this.entries.delete(path);
      this.dirty = true;
    }
    if (!this.dirty) return undefined;
    const temporary = join(
      dirname(this.location),
      `.${basename(this.location)}.${process.pid}.${Date.now().toString(36)}.tmp`,
    );
    try {
      mkdirSync(dirname(this.location), { recursive: true });
      const bytes = encodeCacheFile(this.key, { savedAt: Date.now(), entries: this.entries });
      // No fsync: a cache lost to a crash is rebuilt, and a damaged one fails its checksum. The
      // rename keeps concurrent readers from ever seeing half a file.
      writeFileSync(temporary, bytes, { flag: 'wx', mode: 0o644 });
      renameSync(temporary, this.location);
      this.dirty = false;
      return undefined;
    } catch (e) {
      try {
        unlinkSync(temporary);
      } catch {
        // Never created.
      }
      return `warning: could not write the cache ${this.location}: ${describe(e)}`;
    }
  }

  /** Stamps close to the last write: the file may have changed within the same tick. */
  private racy(stamp: FileStamp): boolean {
    return stamp.mtimeMs > this.savedAt - racyWindowMs;
  }
}
