import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { describeFsError } from './config-files';

// Reading a file a repository names, safely: only a regular file (a link to /dev/zero or a FIFO
// is refused, and opening never blocks), and never more than maxBytes, counted while reading (a
// size from stat can lie: a device reports 0, a file may grow).

export type BoundedRead =
  /** stats: the opened file's, taken before reading (a cache stamps new files with it: no second stat). */
  | { readonly bytes: Buffer; readonly stats: Stats }
  /** tooLarge: the size (at least) when that is the problem, so callers can say what to do. */
  | { readonly problem: string; readonly tooLarge?: number };

const scratch = Buffer.allocUnsafeSlow(64 * 1024);
/** Where a view read puts a file that fits: no buffer per file for a caller that decodes at once. */
const viewScratch = Buffer.allocUnsafeSlow(64 * 1024);

/**
 * view: the bytes of a file under 64 KiB may be a view into a buffer shared by every view read,
 * valid only until the next one (for callers that decode and hash them at once).
 */
export function readBoundedFile(path: string, maxBytes: number, what = 'file', view = false): BoundedRead {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    return { problem: `cannot read ${what}: ${describeFsError(e)}` };
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) return { problem: `cannot read ${what}: is a directory` };
    if (!stat.isFile())
      return {
        problem: `${what} is not a regular file (a device, pipe or socket); kube-routes reads only regular files`,
      };
    if (stat.size > maxBytes) return { problem: tooLarge(what, stat.size, maxBytes), tooLarge: stat.size };
    // The first read is sized by stat (one byte more, to see growth); what follows, if the file
    // grew, goes through a shared scratch buffer. A fresh megabyte per file, as before, cost more
    // than the reading itself on trees of small files (4.2 s of CPU for 12,000 files).
    const firstSize = Math.min(stat.size + 1, maxBytes + 1);
    const first =
      view && firstSize <= viewScratch.length ? viewScratch.subarray(0, firstSize) : Buffer.allocUnsafe(firstSize);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const into = total === 0 ? first : scratch;
      const n = readSync(fd, into, 0, Math.min(into.length, maxBytes + 1 - total), null);
      if (n === 0) break;
      // A short first read of a regular file is its end: no second read to find it.
      if (into === first && n < first.length) return { bytes: first.subarray(0, n), stats: stat };
      total += n;
      if (total > maxBytes) return { problem: tooLarge(what, total, maxBytes, true), tooLarge: total };
      chunks.push(into === first ? first.subarray(0, n) : Buffer.from(scratch.subarray(0, n)));
    }
    return { bytes: chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, total), stats: stat };
  } catch (e) {
    return { problem: `cannot read ${what}: ${describeFsError(e)}` };
  } finally {
    closeSync(fd);
  }
}

function tooLarge(what: string, size: number, maxBytes: number, growing = false): string {
  return growing
    ? `${what} is over the ${formatBytes(maxBytes)} limit (still growing while read)`
    : `${what} is ${formatBytes(size)}, over the ${formatBytes(maxBytes)} limit`;
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(n % (1024 * 1024) === 0 ? 0 : 1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(0)} KiB`;
  return `${n} B`;
}
