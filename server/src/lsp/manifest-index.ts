import type { IndexedFile } from './indexed-file';

/**
 * Every YAML file of the workspace (and every open one), with a reverse index from link keys
 * (addresses, Service ids) to the files that hold them: what an edit can affect is found
 * without looking at the other 999 files.
 */
export class ManifestIndex {
  private readonly files = new Map<string, IndexedFile>();
  private readonly owners = new Map<string, Set<string>>();

  get size(): number {
    return this.files.size;
  }

  get(path: string): IndexedFile | undefined {
    return this.files.get(path);
  }

  all(): IterableIterator<IndexedFile> {
    return this.files.values();
  }

  /** Adds or replaces a file; returns the keys it had and has (both sides of a change can be affected). */
  set(file: IndexedFile): string[] {
    const old = this.delete(file.path);
    this.files.set(file.path, file);
    for (const key of file.keys) {
      const set = this.owners.get(key);
      if (set) set.add(file.path);
      else this.owners.set(key, new Set([file.path]));
    }
    return [...old, ...file.keys];
  }

  /** Removes a file; returns the keys it had. */
  delete(path: string): readonly string[] {
    const old = this.files.get(path);
    if (!old) return [];
    this.files.delete(path);
    for (const key of old.keys) {
      const set = this.owners.get(key);
      set?.delete(path);
      if (set?.size === 0) this.owners.delete(key);
    }
    return old.keys;
  }

  /** Paths of the files holding any of the keys. */
  ownersOf(keys: Iterable<string>, into = new Set<string>()): Set<string> {
    for (const key of keys) for (const path of this.owners.get(key) ?? []) into.add(path);
    return into;
  }

  hasKey(key: string): boolean {
    return this.owners.has(key);
  }
}
