import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ManifestFile } from '@kube-routes/server/engine';
import {
  type CacheEntry,
  type DecodedSections,
  type Section,
  decodeCacheFile,
  encodeCacheFile,
  encodeSection,
} from './cache-file';
import { type FileStamp, sameStamp } from './file-stamp';

/**
 * Files whose mtime is within this window of the moment they were stamped are checked by hash
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
 * mutate them. Paths are file system paths (absolute: save() drops entries not looked at whose
 * path no longer exists), used as given. Everything is synchronous: one read at open, one write
 * at save (a few changes cost a small section, not a rewrite of every entry).
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
  const sections = decoded && 'sections' in decoded ? decoded.sections : undefined;
  // A file of another key, or a damaged one, is replaced on save even if nothing is set.
  const replace = notice !== undefined || (decoded !== undefined && sections === undefined);
  return new FileManifestCache(location, key, notice, sections, replace);
}

function ignoring(location: string, why: string): string {
  return `warning: ignoring the cache ${location}: ${why}; it will be rewritten`;
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function racyAt(stamp: FileStamp, seenAt: number): boolean {
  return stamp.mtimeMs > seenAt - racyWindowMs;
}

class FileManifestCache implements ManifestCache {
  private readonly entries: Map<string, CacheEntry>;
  /** Changes since the base section (null: gone), written as a small section of their own. */
  private readonly changes: Map<string, CacheEntry | null>;
  private baseBytes: Section | undefined;
  private baseSize: number;
  private readonly seen = new Set<string>();
  /** Racy entries whose content the hash confirmed, now old enough to trust: refreshed on the next write. */
  private readonly settled = new Map<string, CacheEntry>();
  private dirty: boolean;

  constructor(
    readonly location: string,
    private readonly key: string,
    readonly notice: string | undefined,
    loaded: DecodedSections | undefined,
    replace: boolean,
  ) {
    this.entries = new Map(loaded?.base);
    this.changes = new Map(loaded?.changes);
    for (const [path, entry] of this.changes) {
      if (entry) this.entries.set(path, entry);
      else this.entries.delete(path);
    }
    this.baseBytes = loaded?.baseBytes;
    this.baseSize = loaded?.base.size ?? 0;
    this.dirty = replace;
  }

  get size(): number {
    return this.entries.size;
  }

  get(path: string, stamp: FileStamp, hash?: string): ManifestFile | undefined {
    const entry = this.entries.get(path);
    if (!entry) return undefined;
    if (hash === undefined) {
      if (!sameStamp(entry.stamp, stamp) || racyAt(entry.stamp, entry.seenAt)) return undefined;
    } else {
      if (entry.hash !== hash) return undefined;
      const now = Date.now();
      if (!sameStamp(entry.stamp, stamp)) this.put(path, { ...entry, stamp, seenAt: now });
      else if (racyAt(stamp, entry.seenAt) && !racyAt(stamp, now)) this.settled.set(path, { ...entry, seenAt: now });
    }
    this.seen.add(path);
    return entry.file;
  }

  set(path: string, stamp: FileStamp, hash: string, file: ManifestFile): void {
    const entry = this.entries.get(path);
    this.seen.add(path);
    if (entry && entry.file === file && entry.hash === hash && sameStamp(entry.stamp, stamp)) return;
    this.put(path, { stamp, hash, seenAt: Date.now(), file });
  }

  delete(path: string): void {
    this.seen.delete(path);
    if (!this.entries.delete(path)) return;
    this.changes.set(path, null);
    this.dirty = true;
  }

  paths(): IterableIterator<string> {
    return this.entries.keys();
  }

  save(): string | undefined {
    for (const path of this.entries.keys()) if (!this.seen.has(path) && !existsSync(path)) this.delete(path);
    if (!this.dirty) return undefined;
    for (const [path, entry] of this.settled) if (this.entries.get(path)?.file === entry.file) this.put(path, entry);
    this.settled.clear();
    // A few changes ride along as their own section; many, or none to ride on, rewrite the base.
    const small = this.baseBytes !== undefined && this.changes.size <= Math.max(64, this.baseSize >> 3);
    const base = small && this.baseBytes ? this.baseBytes : encodeSection(this.entries);
    const sections = small ? [base, encodeSection(this.changes)] : [base];
    const temporary = join(
      dirname(this.location),
      `.${basename(this.location)}.${process.pid}.${Date.now().toString(36)}.tmp`,
    );
    try {
      mkdirSync(dirname(this.location), { recursive: true });
      // No fsync: a cache lost to a crash is rebuilt, and a damaged one fails its checksum. The
      // rename keeps concurrent readers from ever seeing half a file.
      writePieces(temporary, encodeCacheFile(this.key, sections));
      renameSync(temporary, this.location);
    } catch (e) {
      try {
        unlinkSync(temporary);
      } catch {
        // Never created.
      }
      return `warning: could not write the cache ${this.location}: ${describe(e)}`;
    }
    if (!small) {
      this.baseBytes = base;
      this.baseSize = this.entries.size;
      this.changes.clear();
    }
    this.dirty = false;
    return undefined;
  }

  private put(path: string, entry: CacheEntry): void {
    this.entries.set(path, entry);
    this.changes.set(path, entry);
    this.dirty = true;
  }
}

/** Writes the pieces in order to a new file (it must not exist), without joining them first. */
function writePieces(path: string, pieces: readonly Buffer[]): void {
  const fd = openSync(path, 'wx', 0o644);
  try {
    for (const piece of pieces) for (let at = 0; at < piece.length; ) at += writeSync(fd, piece, at);
  } finally {
    closeSync(fd);
  }
}
