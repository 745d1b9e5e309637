import { readSync } from 'node:fs';
import Bunzip from 'seek-bzip';

/** What seek-bzip reads. */
interface Source {
  readByte(): number;
  read(buffer: Uint8Array, offset: number, length: number): number;
  seek(position: number): void;
  eof(): boolean;
}

/** Where a bzip2 file's bytes come from: one at a time, and whether they are all read. */
export interface ByteSource {
  /** The next byte; past the end undefined, as seek-bzip reads a buffer (0 to its bit reader). */
  readByte(): number;
  eof(): boolean;
}

/** The file open as fd (size bytes), read readSize bytes at a time: the whole file is never held. */
export function fileByteSource(fd: number, size: number, readSize: number): ByteSource {
  const buffer = new Uint8Array(readSize);
  let filled = 0;
  let at = 0;
  let read = 0;
  let ended = false;
  return {
    readByte(): number {
      if (at === filled) {
        // Past the end a truncated block may read a long way: no read call per byte then.
        if (ended) return undefined as unknown as number;
        filled = readSync(fd, buffer, 0, readSize, null);
        at = 0;
        read += filled;
        if (filled === 0) {
          ended = true;
          return undefined as unknown as number;
        }
      }
      return buffer[at++]!;
    },
    eof(): boolean {
      return at === filled && (ended || read >= size);
    },
  };
}

/**
 * seek-bzip's `decode(input, null, true)` (every stream of a multistream file), a block at a time:
 * each block's bytes are yielded once its CRC has been checked, so a damaged or truncated file
 * gives every good block before it and then throws. seek-bzip's own `decode` returns nothing of a
 * file it cannot finish, and unbzip2-stream (used before) lost the good blocks before a damaged
 * one. One block is held, not the whole output (from a file source, not the whole input either),
 * and it is 15-20% faster than `decode`, whose output grows a Buffer through a stream object. A
 * block's bytes are a view into one buffer, valid until the next block is asked for (the MRT
 * reader copies what it is given). Errors of the source (a file's IO errors) are thrown as they are.
 */
export function* bzip2Blocks(bytes: ByteSource): Generator<Uint8Array<ArrayBuffer>> {
  const source: Source = {
    readByte: () => bytes.readByte(),
    read(buffer: Uint8Array, offset: number, length: number): number {
      let n = 0;
      while (n < length) {
        const c = this.readByte();
        if (c < 0) return n === 0 ? -1 : n;
        buffer[offset + n++] = c;
      }
      return n;
    },
    seek(): void {
      throw new Error('bzip2: seek is not supported');
    },
    eof: () => bytes.eof(),
  };
  let out: Uint8Array<ArrayBuffer> = new Uint8Array(1 << 20);
  let at = 0;
  const sink = {
    writeByte(byte: number): void {
      if (at === out.length) {
        const grown = new Uint8Array(out.length * 2);
        grown.set(out);
        out = grown;
      }
      out[at++] = byte;
    },
  };
  const bz = quietly(() => new Bunzip(source, sink));
  while (!source.eof()) {
    if (bz._init_block()) {
      at = 0;
      bz._read_bunzip();
      yield out.subarray(0, at);
      continue;
    }
    const streamCrc = bz.reader.read(32) >>> 0;
    if (streamCrc !== bz.streamCRC)
      throw new Error(`Bad stream CRC (got ${bz.streamCRC.toString(16)} expected ${streamCrc.toString(16)})`);
    if (source.eof()) break;
    quietly(() => bz._start_bunzip(source, sink));
  }
}

/**
 * A stream's start allocates its 4-byte header buffer with `new Buffer()` (DEP0005): silent for
 * node_modules, not for a bundle, where users would see a warning about a library. Node checks
 * the flag when it warns, during the call.
 */
function quietly<T>(start: () => T): T {
  const quiet = process.noDeprecation;
  process.noDeprecation = true;
  try {
    return start();
  } finally {
    process.noDeprecation = quiet;
  }
}
