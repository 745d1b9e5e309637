import { type Stats, existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';
import type { SourceFile } from '@kube-routes/server/engine';
import { readBoundedFile, formatBytes } from './bounded-read';
import { configFileNames, describeFsError } from './config-files';

export { formatBytes } from './bounded-read';

/** Kubernetes objects are capped near 1.5 MiB by etcd; a manifest file far above that is not one. */
export const defaultMaxFileBytes = 16 * 1024 * 1024;

// JSON is YAML too: kubectl get -o json output and generated manifests are read the same way.
const yamlFile = /\.(ya?ml|json)$/i;
const skippedDirs = new Set(['node_modules', '.git']);

export interface CollectedPaths {
  readonly files: readonly string[];
  /** One line each: a path that does not exist, or a directory without YAML files. */
  readonly errors: readonly string[];
  /**
   * Every folder the walk listed, with the kube-routes.yaml it holds (undefined: none), so config
   * discovery needs no further look at these folders.
   */
  readonly folders: ReadonlyMap<string, string | undefined>;
}

/**
 * What the walk keeps of one folder: its entries in name order, subfolders to descend with a
 * trailing "/", then manifest files; and the kube-routes.yaml it holds.
 */
export interface FolderListing {
  readonly entries: readonly string[];
  readonly config: string | undefined;
}

/** How a folder looked: its mtime and ctime change when an entry is added, removed or renamed. */
export interface FolderStamp {
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly ino: number;
}

/**
 * Listings kept between runs (check --cache): a folder whose stamp is as recorded has the same
 * entries, so a stat replaces the listing (readdir of 4,000 folders is most of a warm walk).
 */
export interface ListingMemo {
  get(dir: string, stamp: FolderStamp): FolderListing | undefined;
  set(dir: string, stamp: FolderStamp, listing: FolderListing): void;
}

/** Expands files and directories (recursively, *.yaml, *.yml and *.json but not kube-routes.yaml, skipping hidden folders). */
export function collectManifestPaths(paths: readonly string[], memo?: ListingMemo): CollectedPaths {
  const files: string[] = [];
  const errors: string[] = [];
  const folders = new Map<string, string | undefined>();
  for (const path of paths) {
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch (e) {
      errors.push(`${path}: ${describeFsError(e)}`);
      continue;
    }
    if (!isDir) {
      files.push(path);
      continue;
    }
    const found: string[] = [];
    walk(path, found, folders, memo);
    if (found.length === 0) errors.push(`${path}: no *.yaml, *.yml or *.json files in this directory`);
    files.push(...found);
  }
  return { files: [...new Set(files)], errors, folders };
}

function walk(dir: string, out: string[], folders: Map<string, string | undefined>, memo?: ListingMemo): void {
  let listing: FolderListing | undefined;
  if (memo) {
    const stats = statSync(dir);
    const stamp = { mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs, ino: stats.ino };
    listing = memo.get(dir, stamp);
    if (!listing) {
      listing = listFolder(dir);
      memo.set(dir, stamp, listing);
    }
  } else listing = listFolder(dir);
  // Plain concatenation: dir is already normal, and path.join per entry shows in profiles.
  const prefix = dir.endsWith(sep) ? dir : dir + sep;
  for (const name of listing.entries) {
    if (name.endsWith('/')) walk(prefix + name.slice(0, -1), out, folders, memo);
    else out.push(prefix + name);
  }
  folders.set(dir, listing.config === undefined ? undefined : prefix + listing.config);
}

function listFolder(dir: string): FolderListing {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  const kept: string[] = [];
  let config: string | undefined;
  for (const entry of entries) {
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('.') && !skippedDirs.has(entry.name)) kept.push(`${entry.name}/`);
    } else if (!yamlFile.test(entry.name) || !(entry.isFile() || entry.isSymbolicLink())) {
    } else if (configFileNames.includes(entry.name)) {
      // The region config sits beside manifests but is not one; the first name wins, as in findConfigFile.
      if (config === undefined || entry.name === configFileNames[0]) config = entry.name;
    } else kept.push(entry.name);
  }
  return { entries: kept, config };
}

export type SourceRead = { readonly source: SourceFile } | { readonly problem: string };

/**
 * A file read from disk: its text, and the bytes and fstat of that read (a cache's stamp and
 * hash, without a second stat). The bytes may be a shared view, valid until the next read.
 */
export type DiskSourceRead =
  | { readonly source: SourceFile; readonly bytes: Uint8Array; readonly stats: Stats }
  | { readonly problem: string };

/** Reads a manifest as text, refusing what cannot be YAML text: too large, binary, not UTF-8. */
export function readSourceFile(path: string, displayPath: string, maxBytes = defaultMaxFileBytes): DiskSourceRead {
  const read = readBoundedFile(path, maxBytes, 'file', true);
  if ('bytes' in read) {
    const decoded = decodeSource(read.bytes, displayPath, maxBytes);
    return 'problem' in decoded ? decoded : { source: decoded.source, bytes: read.bytes, stats: read.stats };
  }
  if (read.tooLarge === undefined) return { problem: read.problem };
  return {
    problem: `${read.problem} for a manifest; exclude it, or raise --max-file-size`,
  };
}

/** Decoding a whole buffer keeps no state between calls: one decoder serves every file. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeSource(bytes: Uint8Array, displayPath: string, maxBytes = defaultMaxFileBytes): SourceRead {
  if (bytes.length > maxBytes) {
    return { problem: `input is ${formatBytes(bytes.length)}, over the ${formatBytes(maxBytes)} limit for a manifest` };
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) return { problem: `file is binary (NUL byte at offset ${nul}), not a YAML manifest` };
  try {
    return { source: { path: displayPath, text: utf8.decode(bytes) } };
  } catch {
    return { problem: 'file is not valid UTF-8 text; YAML manifests must be UTF-8' };
  }
}

/**
 * The Helm chart folder a file is a template of: the file is under a "templates" folder whose
 * parent holds Chart.yaml. Such files are Go templates, not manifests, even without "{{".
 */
export function helmChartOf(path: string): string | undefined {
  // Most files are under no templates folder: one substring test instead of a walk up.
  if (!path.includes(`${sep}templates${sep}`)) return undefined;
  for (let dir = dirname(path), depth = 0; depth < 16 && dirname(dir) !== dir; dir = dirname(dir), depth++) {
    if (basename(dir) === 'templates' && existsSync(join(dirname(dir), 'Chart.yaml'))) return dirname(dir);
  }
  return undefined;
}
