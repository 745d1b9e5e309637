import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { manifestCacheKey, openManifestCache, type ManifestCache } from '@kube-routes/server/manifest-cache';
import type { CliIO } from '../cli/io';
import type { FolderListings, StoredListings } from './folder-listings';

/** The cache file's name, in the working directory unless --cache-location says otherwise (as ESLint's .eslintcache). */
export const defaultCacheName = '.kube-routes-cache';

/**
 * Where --cache keeps its file: --cache-location as given, or, when it names a folder (one that
 * exists, or a path ending in a slash), .kube-routes-cache inside it; by default in the working
 * directory, the repository root for pre-commit and CI.
 */
export function cacheLocation(flag: string | undefined, cwd: string): string {
  if (flag === undefined || flag === '') return join(cwd, defaultCacheName);
  const path = resolve(cwd, flag);
  if (/[/\\]$/.test(flag) || statSync(path, { throwIfNoEntry: false })?.isDirectory())
    return join(path, defaultCacheName);
  return path;
}

export interface CheckCacheOptions {
  readonly config: string | undefined;
  readonly maxFileBytes: number;
  readonly exclude?: readonly string[];
  readonly kustomize?: readonly string[];
}

/**
 * Opens the check's cache under a key covering the version and the flags that decide what is
 * read and how: the working directory (display paths in the entries are relative to it), --config,
 * --exclude, -k and --max-file-size. Any change starts a fresh cache, as ESLint does when its
 * config changes. It is opened before the walk, whose folder listings it keeps; the governing
 * kube-routes.yaml files are known after it (useConfigs). A damaged file costs one line on stderr.
 */
export function openCheckCache(
  cache: { readonly location: string; readonly version: string },
  options: CheckCacheOptions,
  io: CliIO,
): ManifestCache {
  const key = manifestCacheKey([
    'kubectl routes check',
    cache.version,
    io.cwd,
    JSON.stringify({
      config: options.config ?? null,
      maxFileBytes: options.maxFileBytes,
      exclude: options.exclude ?? [],
      kustomize: options.kustomize ?? [],
    }),
  ]);
  const opened = openManifestCache(cache.location, key);
  if (opened.notice) io.stderr(`${opened.notice}\n`);
  return opened;
}

/** What the check keeps beside the entries. */
interface CheckAnnex {
  /** Digest of every governing kube-routes.yaml's path and text: the entries were read under them. */
  readonly configs: string;
  readonly folders: StoredListings;
}

/**
 * The governing configs' digest; the entries are dropped when they were read under other configs
 * (another kube-routes.yaml, or one changed), since rules, regions and exclusions follow them.
 */
export function useConfigs(cache: ManifestCache, configPaths: Iterable<string | undefined>): string {
  const configs = [...configPaths]
    .filter((p): p is string => p !== undefined)
    .sort()
    .map((p) => `${p}\n${configText(p)}`);
  const digest = manifestCacheKey(configs);
  if ((cache.annex as Partial<CheckAnnex> | undefined)?.configs !== digest) cache.clear();
  return digest;
}

/** Writes the cache with its annex (configs digest, folder listings); one line when it could not. */
export function saveCheckCache(cache: ManifestCache, configs: string, listings: FolderListings): string | undefined {
  const before = cache.annex as Partial<CheckAnnex> | undefined;
  const folders = listings.toStored(cache.pending);
  if (before?.configs !== configs || before.folders !== folders) cache.setAnnex({ configs, folders });
  return cache.save();
}

/** The config's text for the digest; one that cannot be read is reported by the check itself. */
function configText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
