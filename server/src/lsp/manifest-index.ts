import type { IndexedFile } from './indexed-file';

/**
 * Every YAML file of the workspace (and every open one), with a reverse index from link keys
 * (addresses, Service ids) to the files that hold them: what an edit can affect is found
 * without looking at the other 999 files.
 */
export class ManifestIndex {
  private readonly files = new Map<string, IndexedFile>();
  /** Key -> the one file holding it, or a set when several do: most keys (a Service's own address) have one owner, and a Set costs ~250 bytes. */
  private readonly owners = new Map<string, string | Set<string>>();

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
      const owner = this.owners.get(key);
      if (owner === undefined) this.owners.set(key, file.path);
      else if (typeof owner !== 'string') owner.add(file.path);
      else if (owner !== file.path) this.owners.set(key, new Set([owner, file.path]));
    }
    return [...old, ...file.keys];
  }

  /** Removes a file; returns the keys it had. */
  delete(path: string): readonly string[] {
    const old = this.files.get(path);
    if (!old) return [];
    this.files.delete(path);
    for (const key of old.keys) {
      const owner = this.owners.get(key);
      if (owner === path) this.owners.delete(key);
      else if (typeof owner === 'object') {
        owner.delete(path);
        const [only, more] = owner;
        if (only === undefined) this.owners.delete(key);
        else if (more === undefined) this.owners.set(key, only);
      }
    }
    return old.keys;
  }

  /** Paths of the files holding any of the keys. */
  ownersOf(keys: Iterable<string>, into = new Set<string>()): Set<string> {
    for (const key of keys) {
      const owner = this.owners.get(key);
      if (typeof owner === 'string') into.add(owner);
      else if (owner) for (const path of owner) into.add(path);
    }
    return into;
  }

  hasKey(key: string): boolean {
    return this.owners.has(key);
  }
}
