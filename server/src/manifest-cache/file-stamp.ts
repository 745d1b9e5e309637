import { createHash } from 'node:crypto';
import { type Stats, statSync } from 'node:fs';

/**
 * How a file looked on disk: when all four match, the file is taken as unchanged without reading
 * it (as git's index and ESLint's cache do); when one differs, its content hash decides.
 */
export interface FileStamp {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly ino: number;
}

export function stampOf(stats: Stats): FileStamp {
  return { size: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs, ino: stats.ino };
}

/** The stamp of a regular file, or undefined when it cannot be stat'ed or is not a regular file. */
export function statStamp(path: string): FileStamp | undefined {
  const stats = statSync(path, { throwIfNoEntry: false });
  return stats?.isFile() ? stampOf(stats) : undefined;
}

export function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino;
}

/**
 * The content hash kept per file: SHA-1 of the bytes (node:crypto; about as fast as MD5 here, see
 * bench/RESULTS.md, issue 13 part 2). Not a security boundary: the cache is the user's own file.
 */
export function contentHash(bytes: Uint8Array | string): string {
  return createHash('sha1').update(bytes).digest('hex');
}
