import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
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
   * The config files (kube-routes.yaml, .yml; regular files) in every folder the walk listed, so
   * finding each file's config needs no lookups there; a folder with a config name that is not
   * a regular file is left out (ask the file system).
   */
  readonly configsIn: ReadonlyMap<string, readonly string[]>;
}

/** Expands files and directories (recursively, *.yaml, *.yml and *.json but not kube-routes.yaml, skipping hidden folders). */
export function collectManifestPaths(paths: readonly string[]): CollectedPaths {
  const files: string[] = [];
  const errors: string[] = [];
  const configsIn = new Map<string, string[]>();
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
    const found = walk(path, configsIn);
    if (found.length === 0) errors.push(`${path}: no *.yaml, *.yml or *.json files in this directory`);
    files.push(...found);
  }
  return { files: [...new Set(files)], errors, configsIn };
}

function walk(dir: string, configsIn: Map<string, string[]>): string[] {
  const out: string[] = [];
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  const configs: string[] = [];
  let odd = false;
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (configFileNames.includes(entry.name.toLowerCase())) {
      // Another case (a case-insensitive file system would find it) or not a regular file.
      if (entry.isFile() && configFileNames.includes(entry.name)) configs.push(path);
      else odd = true;
    }
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('.') && !skippedDirs.has(entry.name)) out.push(...walk(path, configsIn));
    } else if (
      yamlFile.test(entry.name) &&
      !configFileNames.includes(entry.name) &&
      (entry.isFile() || entry.isSymbolicLink())
    ) {
      // The region config sits beside manifests but is not one.
      out.push(path);
    }
  }
  if (!odd) configsIn.set(dir, configs);
  return out;
}

export type SourceRead = { readonly source: SourceFile } | { readonly problem: string };

/** Reads a manifest as text, refusing what cannot be YAML text: too large, binary, not UTF-8. */
export function readSourceFile(path: string, displayPath: string, maxBytes = defaultMaxFileBytes): SourceRead {
  const read = readBoundedFile(path, maxBytes);
  if ('bytes' in read) return decodeSource(read.bytes, displayPath, maxBytes);
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
  for (let dir = dirname(path), depth = 0; depth < 16 && dirname(dir) !== dir; dir = dirname(dir), depth++) {
    if (basename(dir) === 'templates' && existsSync(join(dirname(dir), 'Chart.yaml'))) return dirname(dir);
  }
  return undefined;
}
