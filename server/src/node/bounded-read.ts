import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { describeFsError } from './config-files';

// Reading a file a repository names, safely: only a regular file (a link to /dev/zero or a FIFO
// is refused, and opening never blocks), and never more than maxBytes, counted while reading (a
// size from stat can lie: a device reports 0, a file may grow).

export type BoundedRead =
  | { readonly bytes: Buffer }
  /** tooLarge: the size (at least) when that is the problem, so callers can say what to do. */
  | { readonly problem: string; readonly tooLarge?: number };

export function readBoundedFile(path: string, maxBytes: number, what = 'file'): BoundedRead {
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
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1024 * 1024, maxBytes + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) return { problem: tooLarge(what, total, maxBytes, true), tooLarge: total };
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
    }
    return { bytes: Buffer.concat(chunks, total) };
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
