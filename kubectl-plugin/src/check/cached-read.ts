import { readManifestFile, type ManifestFile } from '@kube-routes/server/engine';
import { contentHash, type ManifestCache, statStamp } from '@kube-routes/server/manifest-cache';
import { decodeSource, readBoundedFile, readSourceFile } from '@kube-routes/server/node';

export type ManifestRead = { readonly file: ManifestFile } | { readonly problem: string };

/**
 * One manifest file through the cache (--cache): an unchanged stamp answers without reading the
 * file; otherwise the bytes are read and hashed, and only new content is extracted. Files that
 * cannot be read are not cached: their problem is found again each run, as without the cache.
 */
export function readManifestCached(
  cache: ManifestCache | undefined,
  path: string,
  display: string,
  maxBytes: number,
  helmChart: string | undefined,
): ManifestRead {
  // A chart template's result depends on the chart around it, not its text: never cached.
  if (cache === undefined || helmChart !== undefined) return readUncached(path, display, maxBytes, helmChart);
  const stamp = statStamp(path);
  if (stamp === undefined) return readUncached(path, display, maxBytes, undefined);
  const known = cache.get(path, stamp);
  if (known) return { file: known };
  const read = readBoundedFile(path, maxBytes);
  // The uncached read words the problem (too large, not a file) as the check always has.
  if (!('bytes' in read)) return readUncached(path, display, maxBytes, undefined);
  const hash = contentHash(read.bytes);
  const same = cache.get(path, stamp, hash);
  if (same) return { file: same };
  const decoded = decodeSource(read.bytes, display, maxBytes);
  if ('problem' in decoded) return decoded;
  const file = readManifestFile(decoded.source);
  cache.set(path, stamp, hash, file);
  return { file };
}

function readUncached(path: string, display: string, maxBytes: number, helmChart: string | undefined): ManifestRead {
  const read = readSourceFile(path, display, maxBytes);
  if ('problem' in read) return read;
  return { file: readManifestFile(read.source, helmChart) };
}
