import { createWriteStream } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Writes a file whole or not at all: into a temporary file beside it, fsynced, then renamed over
 * the final name (and the folder fsynced). A failure or a kill midway leaves the previous file as
 * it was, never a truncated one under the final name. `through` (e.g. gzip) transforms on the way.
 */
export async function writeFileAtomically(
  path: string,
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  through?: Duplex,
): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  try {
    const out = createWriteStream(temporary, { flags: 'wx', mode: 0o644 });
    if (through) await pipeline(chunks, through, out);
    else await pipeline(chunks, out);
    // fsync through a new descriptor: it flushes the file's data, whoever wrote it.
    const written = await open(temporary, 'r');
    try {
      await written.sync();
    } finally {
      await written.close();
    }
    await rename(temporary, path);
  } catch (e) {
    await unlink(temporary).catch(() => undefined);
    throw e;
  }
  // The rename itself must survive a crash: sync the folder's entry (best effort: not every
  // file system lets a folder be opened for that).
  const folder = await open(dirname(path), 'r').catch(() => undefined);
  await folder?.sync().catch(() => undefined);
  await folder?.close();
}
