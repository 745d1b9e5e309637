import { type Dirent, readdirSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { configFileNames } from '@kube-routes/server/node';
import type { GlobSet } from './globs';

// Which files of the workspace folders are indexed: *.yaml, *.yml and *.json (JSON is YAML, as
// `kubectl routes check` reads it), not kube-routes.yaml (the
// config sits beside manifests but is not one), not under node_modules, .git or any hidden
// folder, and not matched by the exclude globs. The walk and the file events use the same test.

const yamlFile = /\.(ya?ml|json)$/i;
const skippedDirs = new Set(['node_modules', '.git']);

function skippedDir(name: string): boolean {
  return name.startsWith('.') || skippedDirs.has(name);
}

/** The path relative to the folder that contains it, with "/" separators; undefined when outside every folder. */
export function folderRelative(folders: readonly string[], path: string): string | undefined {
  for (const folder of folders) {
    const rel = relative(folder, path);
    if (rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)) return rel.split(sep).join('/');
  }
  return undefined;
}

export function isIndexable(folders: readonly string[], excludes: GlobSet, path: string): boolean {
  const rel = folderRelative(folders, path);
  if (rel === undefined) return false;
  const parts = rel.split('/');
  const name = parts[parts.length - 1] ?? '';
  if (!yamlFile.test(name) || configFileNames.includes(name)) return false;
  if (parts.slice(0, -1).some(skippedDir)) return false;
  return !excludes.excludes(rel);
}

/** Every indexable file under a folder (in name order, so the index is built the same way each time). */
export function walkFolder(root: string, folders: readonly string[], excludes: GlobSet): string[] {
  return [...walkFolderSteps(root, folders, excludes)].flat();
}

/** How many folders are read at once (libuv runs 4 file system calls in parallel by default). */
const listingConcurrency = 8;

/**
 * Every indexable file under the folders, listed without holding the event loop: readdir runs on
 * libuv's threads, several folders at once, and each answer costs the loop only its filtering.
 * Sorted by path (the order answers come in varies). Undefined when cancelled meanwhile.
 */
export function listFolders(
  folders: readonly string[],
  excludes: GlobSet,
  cancelled: () => boolean,
  listed?: (dir: string, configNames: readonly string[]) => void,
): Promise<string[] | undefined> {
  const files: string[] = [];
  const queue = [...folders];
  let active = 0;
  return new Promise((resolve) => {
    const pump = (): void => {
      if (cancelled()) queue.length = 0;
      while (active < listingConcurrency && queue.length > 0) {
        const dir = queue.pop() as string;
        active++;
        readdir(dir, { withFileTypes: true })
          .then(
            (entries) => {
              const configNames: string[] = [];
              for (const entry of entries) {
                if (configFileNames.includes(entry.name)) configNames.push(entry.name);
                const path = join(dir, entry.name);
                if (entry.isDirectory()) {
                  const rel = folderRelative(folders, path);
                  if (!skippedDir(entry.name) && (rel === undefined || !excludes.excludes(rel))) queue.push(path);
                } else if ((entry.isFile() || entry.isSymbolicLink()) && isIndexable(folders, excludes, path))
                  files.push(path);
              }
              listed?.(dir, configNames);
            },
            () => undefined, // unreadable folder (permissions, removed meanwhile): nothing to index there
          )
          .finally(() => {
            active--;
            pump();
          });
      }
      if (active === 0) resolve(cancelled() ? undefined : files.sort());
    };
    pump();
  });
}

/** The walk of walkFolder one folder at a time, so a large tree can be listed in slices. */
export function* walkFolderSteps(root: string, folders: readonly string[], excludes: GlobSet): Generator<string[]> {
  const stack = [root];
  for (let dir = stack.pop(); dir !== undefined; dir = stack.pop()) {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue; // unreadable folder (permissions, removed meanwhile): nothing to index there
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const files: string[] = [];
    const subfolders: string[] = [];
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        const rel = folderRelative(folders, path);
        if (!skippedDir(entry.name) && (rel === undefined || !excludes.excludes(rel))) subfolders.push(path);
      } else if ((entry.isFile() || entry.isSymbolicLink()) && isIndexable(folders, excludes, path)) files.push(path);
    }
    // Depth first in name order, as a recursive walk would go: the last pushed is visited first.
    for (let i = subfolders.length - 1; i >= 0; i--) stack.push(subfolders[i] as string);
    yield files;
  }
}
