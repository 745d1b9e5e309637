import { join } from 'node:path';
import {
  contentHash,
  manifestCacheKey,
  openManifestCache,
  stampOf,
  statStamp,
  type ManifestCache,
} from '@kube-routes/server/manifest-cache';
import { helmChartOf, readSourceFile } from '@kube-routes/server/node';
import { fromManifest, indexDiskFile, indexText, type IndexedFile } from './indexed-file';

/**
 * The cache file's name: beside kubectl's `.kube-routes-cache` in a workspace folder (one
 * `.gitignore` line, `.kube-routes-cache*`, covers both), or in the client's storage folder.
 * A file of its own: the editor keys files by absolute path, the check by display path.
 */
export const indexCacheName = '.kube-routes-cache-editor';

/** Where the index is persisted: the client's storage folder when it names one, else the first workspace folder. */
export function indexCacheLocation(storagePath: string | undefined, folders: readonly string[]): string | undefined {
  const folder = storagePath ?? folders[0];
  return folder === undefined ? undefined : join(folder, indexCacheName);
}

/**
 * The workspace index persisted between sessions, through the manifest cache that `kubectl routes
 * check --cache` uses: a closed file whose stamp (size, times, inode) is as recorded is not read
 * again, one whose content hash is as recorded is not parsed again. Only what the engine
 * extracted (ManifestFile) is kept; link keys depend on the config and are derived each time.
 */
export class IndexCache {
  /** Files answered from the cache (not parsed) since the last takeHits. */
  private hits = 0;
  /**
   * Whether the current walk reads each file before stamping it: the cache held nothing when the
   * walk began (a first session, another version), so no file can be answered without reading
   * it, and the read's own fstat gives the stamp (no stat first).
   */
  private readFirst: boolean;

  private constructor(
    private readonly cache: ManifestCache,
    private readonly log: (message: string) => void,
  ) {
    this.readFirst = cache.size === 0;
  }

  /** A walk of the whole workspace begins (a second walk in one session finds this session's entries). */
  beginWalk(): void {
    this.readFirst = this.cache.size === 0;
  }

  /** Opens the cache for this server version; a damaged file is one log line and starts empty. */
  static open(location: string, version: string, log: (message: string) => void): IndexCache {
    const cache = openManifestCache(location, manifestCacheKey([`kube-routes-language-server ${version}`]));
    if (cache.notice) log(`kube-routes: ${cache.notice}`);
    return new IndexCache(cache, log);
  }

  get location(): string {
    return this.cache.location;
  }

  /** A file on disk, from the cache when it did not change. */
  read(path: string, configPath: string | undefined): IndexedFile {
    // A chart template's result depends on the chart around it, not on its text: never cached.
    if (helmChartOf(path) !== undefined) return indexDiskFile(path, configPath);
    if (!this.readFirst) {
      const stamp = statStamp(path);
      if (stamp === undefined) return indexDiskFile(path, configPath); // the read says why
      const known = this.cache.get(path, stamp);
      if (known) {
        this.hits++;
        return fromManifest(path, 'disk', configPath, known);
      }
    }
    const read = readSourceFile(path, path);
    if ('problem' in read) return indexDiskFile(path, configPath);
    // The stamp of what was read (fstat of the open file), not of an earlier stat.
    const stamp = stampOf(read.stats);
    const hash = contentHash(read.bytes);
    const same = this.cache.get(path, stamp, hash);
    if (same) {
      this.hits++;
      return fromManifest(path, 'disk', configPath, same);
    }
    const file = indexText(path, read.source.text, 'disk', configPath);
    if (file.manifest) this.cache.set(path, stamp, hash, file.manifest);
    return file;
  }

  /** How many files were answered from the cache since the last call. */
  takeHits(): number {
    const hits = this.hits;
    this.hits = 0;
    return hits;
  }

  /** Writes the cache if it changed; a failure is one log line (the index is not affected). */
  save(): void {
    const problem = this.cache.save();
    if (problem) this.log(`kube-routes: ${problem}`);
  }
}
