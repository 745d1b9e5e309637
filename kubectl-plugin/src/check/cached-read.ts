import { readManifestFile, type ManifestFile } from '@kube-routes/server/engine';
import {
  type CacheHit,
  contentHash,
  type FileStamp,
  type ManifestCache,
  stampOf,
  statStamp,
} from '@kube-routes/server/manifest-cache';
import { decodeSource, readBoundedFile, readSourceFile } from '@kube-routes/server/node';

export type ManifestRead = { readonly file: ManifestFile } | { readonly problem: string };

/**
 * One file as the cache finds it: unchanged (the entry, its ManifestFile not decoded yet), or
 * read now. `before` is the meta the file's entry held when it changed (kubectl's record of the
 * last check), for the files that shared its old keys.
 */
export type ManifestProbe =
  | { readonly hit: CacheHit }
  | (ManifestRead & { readonly before: unknown; readonly cached: boolean });

/**
 * One manifest file through the cache (--cache): an unchanged stamp answers without reading the
 * file; otherwise the bytes are read and hashed, and only new content is extracted. Files that
 * cannot be read are not cached: their problem is found again each run, as without the cache.
 */
export function probeManifest(
  cache: ManifestCache,
  path: string,
  display: string,
  maxBytes: number,
  helmChart: string | undefined,
): ManifestProbe {
  // A chart template's result depends on the chart around it, not its text: never cached.
  if (helmChart !== undefined)
    return { ...readUncached(path, display, maxBytes, helmChart), before: cache.meta(path), cached: false };
  // A path the cache holds nothing for (every file of a cold run) is read at once, stamped from
  // the opened file: one stat per file fewer.
  let stamp: FileStamp | undefined;
  if (cache.has(path)) {
    stamp = statStamp(path);
    if (stamp === undefined) return uncachable(cache, path, display, maxBytes, cache.meta(path));
    const known = cache.lookup(path, stamp);
    if (known) return { hit: known };
  }
  const before = cache.meta(path);
  const read = readBoundedFile(path, maxBytes);
  // The uncached read words the problem (too large, not a file) as the check always has.
  if (!('bytes' in read)) return uncachable(cache, path, display, maxBytes, before);
  stamp ??= stampOf(read.stats);
  const hash = contentHash(read.bytes);
  const same = cache.lookup(path, stamp, hash);
  if (same) return { hit: same };
  const decoded = decodeSource(read.bytes, display, maxBytes);
  if ('problem' in decoded) {
    cache.delete(path);
    return { ...decoded, before, cached: false };
  }
  const file = readManifestFile(decoded.source);
  cache.set(path, stamp, hash, file);
  return { file, before, cached: true };
}

/** A file the cache cannot hold (not a regular file, too large): its entry, if any, goes. */
function uncachable(
  cache: ManifestCache,
  path: string,
  display: string,
  maxBytes: number,
  before: unknown,
): ManifestProbe {
  cache.delete(path);
  return { ...readUncached(path, display, maxBytes, undefined), before, cached: false };
}

/** The ManifestFile of a file through the cache, or without it; a cached one is decoded now. */
export function readManifestCached(
  cache: ManifestCache | undefined,
  path: string,
  display: string,
  maxBytes: number,
  helmChart: string | undefined,
): ManifestRead {
  if (cache === undefined) return readUncached(path, display, maxBytes, helmChart);
  const probe = probeManifest(cache, path, display, maxBytes, helmChart);
  if (!('hit' in probe)) return probe;
  const file = probe.hit.file();
  // Its stored bytes could not be decoded (the entry is gone): read it as new.
  return file ? { file } : readManifestCached(cache, path, display, maxBytes, helmChart);
}

function readUncached(path: string, display: string, maxBytes: number, helmChart: string | undefined): ManifestRead {
  const read = readSourceFile(path, display, maxBytes);
  if ('problem' in read) return read;
  return { file: readManifestFile(read.source, helmChart) };
}
