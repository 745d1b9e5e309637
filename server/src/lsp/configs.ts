import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import {
  emptyConfig,
  emptyRange,
  parseConfig,
  type ConfigError,
  type KubeRoutesConfig,
} from '@kube-routes/server/engine';
import { configFileNames, maxConfigBytes, readBoundedFile } from '@kube-routes/server/node';

/** One kube-routes.yaml as the server sees it: the config in force and the file's own errors. */
export interface ConfigEntry {
  readonly path: string;
  /** The config in force: the file's, or while it is broken its last valid version (else none). */
  readonly config: KubeRoutesConfig;
  readonly errors: readonly ConfigError[];
  /** The text it was parsed from; a reload with the same text changes nothing. */
  readonly text: string | undefined;
}

export function isConfigFile(path: string): boolean {
  return configFileNames.some((name) => path.endsWith(sep + name) || path === name);
}

/**
 * Finds and parses the configs that govern files. The nearest kube-routes.yaml above a file
 * governs it, unless the kubeRoutes.configPath setting names one for all; an open config's
 * unsaved text counts, like a manifest's.
 */
export class ConfigStore {
  private readonly byDir = new Map<string, string | undefined>();
  /** The config file names each folder held when the index walk listed it (see noteListing). */
  private readonly listed = new Map<string, readonly string[]>();
  private readonly entries = new Map<string, ConfigEntry>();

  constructor(
    private readonly openText: (path: string) => string | undefined,
    private readonly displayPath: (path: string) => string,
  ) {}

  private explicit: string | undefined;
  private fallbackDir: string | undefined;

  /** Settings and workspace changed: forget every lookup. */
  reset(explicitPath: string | undefined, workspaceRoot: string | undefined): void {
    this.explicit =
      explicitPath === undefined
        ? undefined
        : workspaceRoot && !isAbsolute(explicitPath)
          ? resolve(workspaceRoot, explicitPath)
          : resolve(explicitPath);
    this.fallbackDir = workspaceRoot;
    this.forgetLookups();
  }

  /** A config file appeared or went away: lookups by folder must be redone. */
  forgetLookups(): void {
    this.byDir.clear();
    this.listed.clear();
  }

  /**
   * The config file names a folder holds, as the index walk just listed it: its lookup then
   * needs no file system call (a stat per folder and name was ~0.3 s of CPU on a 4,000-folder
   * tree). A config created or deleted later comes with a file event, which forgets them.
   */
  noteListing(dir: string, configNames: readonly string[]): void {
    this.listed.set(dir, configNames);
  }

  configPathFor(filePath: string): string | undefined {
    if (this.explicit) return this.explicit;
    const dir = isAbsolute(filePath) ? dirname(filePath) : this.fallbackDir;
    return dir === undefined ? undefined : this.configOfDir(dir);
  }

  /** The nearest config from a folder up; each folder looked at once (a tree's folders share their parents' answers). */
  private configOfDir(dir: string): string | undefined {
    if (this.byDir.has(dir)) return this.byDir.get(dir);
    const listed = this.listed.get(dir);
    let found: string | undefined;
    for (const name of configFileNames) {
      const candidate = join(dir, name);
      if (this.openText(candidate) !== undefined || (listed ? listed.includes(name) : existsSync(candidate))) {
        found = candidate;
        break;
      }
    }
    if (found === undefined) {
      const parent = dirname(dir);
      found = parent === dir ? undefined : this.configOfDir(parent);
    }
    this.byDir.set(dir, found);
    return found;
  }

  entry(path: string | undefined): ConfigEntry | undefined {
    if (path === undefined) return undefined;
    return this.entries.get(path) ?? this.load(path).entry;
  }

  config(path: string | undefined): KubeRoutesConfig {
    return this.entry(path)?.config ?? emptyConfig;
  }

  /** (Re)reads a config; `changed` says whether the config in force differs (so its files need a re-check). */
  load(path: string): { entry: ConfigEntry; changed: boolean } {
    const previous = this.entries.get(path);
    let text = this.openText(path);
    let readError: string | undefined;
    if (text === undefined) {
      const read = readBoundedFile(path, maxConfigBytes, 'config');
      if ('bytes' in read) text = read.bytes.toString('utf8');
      else readError = read.problem;
    }
    if (previous && text !== undefined && previous.text === text) return { entry: previous, changed: false };
    let entry: ConfigEntry;
    if (text === undefined) {
      const errors = [{ file: path, range: emptyRange, message: readError ?? 'cannot read config' }];
      entry = { path, config: previous?.config ?? emptyConfig, errors, text: undefined };
    } else {
      const parsed = parseConfig(text, this.displayPath(path));
      // Globs of the config are matched against the absolute paths of the workspace's files.
      const config = parsed.config && { ...parsed.config, root: dirname(path) };
      entry = { path, config: config ?? previous?.config ?? emptyConfig, errors: parsed.errors, text };
    }
    this.entries.set(path, entry);
    return { entry, changed: entry.config !== previous?.config };
  }

  /** Forgets a deleted config. */
  drop(path: string): void {
    this.entries.delete(path);
  }

  loaded(): IterableIterator<ConfigEntry> {
    return this.entries.values();
  }
}

/** The speaker API a config names, as a URL (a wildcard listen address is reached on loopback). */
export function speakerUrlOf(config: KubeRoutesConfig): string | undefined {
  const api = config.speaker?.api;
  if (!api) return undefined;
  const host = api.host === '0.0.0.0' ? '127.0.0.1' : api.host === '::' ? '::1' : api.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${api.port}`;
}

/** A path for messages: relative to the workspace folder when inside it. */
export function relativeTo(root: string | undefined, path: string): string {
  if (!root) return path;
  const rel = relative(root, path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel.split(sep).join('/');
}
