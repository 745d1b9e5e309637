import type { FolderListing, FolderStamp, ListingMemo } from '@kube-routes/server/node';

/** As the cache keeps them: folder paths joined by NUL, four numbers per folder, one string per listing. */
export interface StoredListings {
  readonly dirs: string;
  /** mtimeMs, ctimeMs, ino, seenAt (Date.now() when listed) per folder. */
  readonly numbers: Float64Array;
  /** The config name (or ''), then the entries, joined by NUL (which no name holds). */
  readonly listings: readonly string[];
}

/** Folders changed within this window of their listing are listed again ("racily clean", as for files). */
const racyWindowMs = 2000;

function isStored(value: unknown): value is StoredListings {
  if (typeof value !== 'object' || value === null) return false;
  const { dirs, numbers, listings } = value as Record<string, unknown>;
  return typeof dirs === 'string' && numbers instanceof Float64Array && Array.isArray(listings);
}

/**
 * The walk's folder listings kept in the check's cache (its annex): a folder whose stamp is as
 * recorded is not listed again. Only the folders of this run are written back.
 */
export class FolderListings implements ListingMemo {
  private readonly rows = new Map<string, number>();
  private readonly visited = new Map<string, { stamp: FolderStamp; seenAt: number; listing: string }>();
  private changed = false;
  /** Listings confirmed after their folder stopped being recent: their time is refreshed with the next write. */
  private settling = false;

  constructor(private readonly stored: StoredListings | undefined) {
    if (!stored) return;
    const dirs = stored.listings.length > 0 ? stored.dirs.split('\0') : [];
    if (dirs.length * 4 !== stored.numbers.length || dirs.length !== stored.listings.length) {
      this.stored = undefined;
      return;
    }
    dirs.forEach((dir, row) => this.rows.set(dir, row));
  }

  static from(annex: unknown): FolderListings {
    const folders = typeof annex === 'object' && annex !== null ? (annex as { folders?: unknown }).folders : undefined;
    return new FolderListings(isStored(folders) ? folders : undefined);
  }

  get(dir: string, stamp: FolderStamp): FolderListing | undefined {
    const row = this.rows.get(dir);
    const stored = this.stored;
    if (row === undefined || !stored) return undefined;
    const n = stored.numbers;
    const at = row * 4;
    const seenAt = n[at + 3] ?? 0;
    if (n[at] !== stamp.mtimeMs || n[at + 1] !== stamp.ctimeMs || n[at + 2] !== stamp.ino) return undefined;
    if (stamp.mtimeMs > seenAt - racyWindowMs) return undefined;
    const text = stored.listings[row] ?? '';
    this.visited.set(dir, { stamp, seenAt, listing: text });
    const [config = '', ...entries] = text.split('\0');
    return { entries, config: config || undefined };
  }

  set(dir: string, stamp: FolderStamp, listing: FolderListing): void {
    const text = [listing.config ?? '', ...listing.entries].join('\0');
    const now = Date.now();
    const row = this.rows.get(dir);
    const stored = this.stored;
    if (row !== undefined && stored && stored.listings[row] === text) {
      // Listed again but the same: it was recent, or its times moved without a change of entries
      // (the folder holding the cache file, rewritten by the last run). Nothing to write for it
      // alone; its new stamp rides along with the next write.
      const n = stored.numbers;
      const at = row * 4;
      const same = n[at] === stamp.mtimeMs && n[at + 1] === stamp.ctimeMs && n[at + 2] === stamp.ino;
      const recent = stamp.mtimeMs > now - racyWindowMs;
      this.visited.set(dir, { stamp, seenAt: same && recent ? (n[at + 3] ?? 0) : now, listing: text });
      if (!(same && recent)) this.settling = true;
      return;
    }
    this.changed = true;
    this.visited.set(dir, { stamp, seenAt: now, listing: text });
  }

  /**
   * What to keep: the stored listings as they were when nothing changed, else this run's.
   * writing: the cache is written anyway, so settled listings ride along.
   */
  toStored(writing: boolean): StoredListings {
    const unchanged = !this.changed && !(writing && this.settling) && this.visited.size === this.rows.size;
    if (this.stored && unchanged) return this.stored;
    const dirs: string[] = [];
    const numbers = new Float64Array(this.visited.size * 4);
    const listings: string[] = [];
    for (const [dir, { stamp, seenAt, listing }] of this.visited) {
      numbers.set([stamp.mtimeMs, stamp.ctimeMs, stamp.ino, seenAt], dirs.length * 4);
      dirs.push(dir);
      listings.push(listing);
    }
    return { dirs: dirs.join('\0'), numbers, listings };
  }
}
