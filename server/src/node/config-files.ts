import { dirname, join, resolve } from 'node:path';
// The config parser and its module only, not the engine's barrel (rules, manifests): the speaker
// loads this at start and the whole engine cost it ~3 MiB of RSS.
import { parseConfig, type ConfigParse } from '@kube-routes/server/engine/config';
import { emptyRange } from '@kube-routes/server/engine/source';

import { readBoundedFile } from './bounded-read';

/** A kube-routes.yaml is a few KiB; a megabyte is not one. */
export const maxConfigBytes = 1024 * 1024;

export const configFileNames: readonly string[] = ['kube-routes.yaml', 'kube-routes.yml'];

/** The nearest kube-routes.yaml in dir or any parent folder. */
export function findConfigFile(dir: string, exists: (path: string) => boolean): string | undefined {
  let current = resolve(dir);
  for (;;) {
    for (const name of configFileNames) {
      const candidate = join(current, name);
      if (exists(candidate)) return candidate;
    }
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/** Reads and validates a config file; a file that cannot be read is one located error. */
export function loadConfigFile(path: string, displayPath = path): ConfigParse {
  const read = readBoundedFile(path, maxConfigBytes, 'config');
  if (!('bytes' in read))
    return { config: undefined, errors: [{ file: displayPath, range: emptyRange, message: read.problem }] };
  return parseConfig(read.bytes.toString('utf8'), displayPath);
}

export function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'a parent is not a directory';
    default:
      return e instanceof Error ? e.message : String(e);
  }
}
