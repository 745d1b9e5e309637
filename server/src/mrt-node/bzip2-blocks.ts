import Bunzip from 'seek-bzip';

/** What seek-bzip reads: a buffer a byte at a time. */
interface Source {
  pos: number;
  readByte(): number;
  read(buffer: Uint8Array, offset: number, length: number): number;
  seek(position: number): void;
  eof(): boolean;
}

/**
 * seek-bzip's `decode(input, null, true)` (every stream of a multistream file), a block at a time:
 * each block's bytes are yielded once its CRC has been checked, so a damaged or truncated file
 * gives every good block before it and then throws. seek-bzip's own `decode` returns nothing of a
 * file it cannot finish, and unbzip2-stream can lose the good blocks before a damaged one. Only
 * the input and one block are held (not the whole output), and it is 15-20% faster than `decode`,
 * whose output grows a Buffer through a stream object. A block's bytes are a view into one buffer,
 * valid until the next block is asked for (the MRT reader copies what it is given).
 */
export function* bzip2Blocks(input: Uint8Array): Generator<Uint8Array<ArrayBuffer>> {
  // As seek-bzip reads a buffer: past the end a read gives undefined (0 to the bit reader) and
  // the block in progress fails; `decode` behaves the same.
  const source: Source = {
    pos: 0,
    readByte(): number {
      return input[this.pos++] as number;
    },
    read(buffer: Uint8Array, offset: number, length: number): number {
      let n = 0;
      while (n < length) {
        const c = this.readByte();
        if (c < 0) return n === 0 ? -1 : n;
        buffer[offset + n++] = c;
      }
      return n;
    },
    seek(position: number): void {
      this.pos = position;
    },
    eof(): boolean {
      return this.pos >= input.length;
    },
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
