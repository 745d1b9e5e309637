/**
 * Node adapters for the pure MRT codec (`../mrt`): reading MRT files (gzip and bzip2 detected by
 * their magic numbers; gzip through node:zlib, bzip2 through seek-bzip a block at a time) as an
 * async iterator of records with backpressure, and writing chunks to files.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import type { Rib } from '../rib';
import {
  type MrtError,
  type MrtLoadOptions,
  type MrtLoadStats,
  type MrtPeer,
  MrtPeerTable,
  type MrtReadResult,
  MrtReader,
  type MrtReaderOptions,
  MrtRibLoader,
  type TableDumpOptions,
  writeTableDump,
} from '../mrt';

export interface ReadMrtOptions extends MrtReaderOptions {
  /** Bytes read from the file (and produced by the decompressor) at a time (default 64 KiB). */
  readonly highWaterMark?: number;
}

export type MrtCompression = 'gzip' | 'bzip2' | 'none';

/** What the file's first octets say: gzip (1f 8b), bzip2 ("BZh" and a block size digit), or neither. */
export async function mrtFileCompression(path: string): Promise<MrtCompression> {
  return (await probeMrtFile(path)).compression;
}

interface MrtFileProbe {
  readonly compression: MrtCompression;
  /** Octets on disk. */
  readonly size: number;
  /**
   * About how many octets of MRT the file holds: gzip's trailer says (its size modulo 2^32, of
   * the last member); bzip2 files are taken to be a sixth of it. Only sizes the RIB up front.
   */
  readonly expandedSize: number;
}

/** The file's compression (by its first octets), its size on disk and an estimate of its MRT's, from one open. */
async function probeMrtFile(path: string): Promise<MrtFileProbe> {
  const handle = await open(path, 'r');
  try {
    const magic = new Uint8Array(4);
    const { bytesRead } = await handle.read(magic, 0, 4, 0);
    const compression = compressionOf(magic, bytesRead);
    const size = (await handle.stat()).size;
    let expandedSize = compression === 'bzip2' ? 6 * size : size;
    if (compression === 'gzip' && size >= 18) {
      const trailer = new Uint8Array(4);
      await handle.read(trailer, 0, 4, size - 4);
      expandedSize = Math.max(size, new DataView(trailer.buffer).getUint32(0, true));
    }
    return { compression, size, expandedSize };
  } finally {
    await handle.close();
  }
}

function compressionOf(magic: Uint8Array, bytesRead: number): MrtCompression {
  if (bytesRead >= 2 && magic[0] === 0x1f && magic[1] === 0x8b) return 'gzip';
  // "BZh1".."BZh9". As an MRT timestamp that is a 9-second window of April 2005: no real clash.
  const level = magic[3]!;
  if (bytesRead === 4 && magic[0] === 0x42 && magic[1] === 0x5a && magic[2] === 0x68 && level >= 0x31 && level <= 0x39)
    return 'bzip2';
  return 'none';
}

/** True when the file starts with the gzip magic number (1f 8b). */
export async function isGzipFile(path: string): Promise<boolean> {
  return (await mrtFileCompression(path)) === 'gzip';
}

/** A failure of the decompressor (the data read so far is still used). */
class DecompressionError extends Error {
  constructor(format: string, cause: unknown) {
    super(`${format}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

function isDecompressionError(error: unknown): error is Error {
  if (error instanceof DecompressionError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === 'string' && code.startsWith('Z_');
}

type Batch =
  | { readonly ok: true; readonly results: readonly MrtReadResult[] }
  | { readonly ok: false; readonly error: MrtError };

/** What one chunk of the stream yields: the records (and errors) it completed, or the decompression failure. */
async function* mrtBatches(
  stream: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: MrtReaderOptions,
): AsyncGenerator<Batch> {
  const reader = new MrtReader(options);
  let received = 0;
  let failure: Error | undefined;
  const drain = (): MrtReadResult[] => {
    const results: MrtReadResult[] = [];
    for (let r = reader.read(); r !== undefined; r = reader.read()) results.push(r);
    return results;
  };
  try {
    for await (const chunk of stream) {
      received += chunk.length;
      reader.push(chunk);
      yield { ok: true, results: drain() };
    }
  } catch (error) {
    if (!isDecompressionError(error)) throw error;
    failure = error;
  }
  // After a decompression failure the bytes end wherever it struck, often inside a record: that
  // record is part of what the failure reports, not an error of its own.
  if (failure === undefined) reader.end();
  yield { ok: true, results: drain() };
  if (failure !== undefined) {
    yield {
      ok: false,
      error: {
        offset: received,
        reason: `${failure instanceof DecompressionError ? '' : 'gzip: '}${failure.message} (decompressed data ends at offset ${received})`,
        fatal: true,
      },
    };
  }
}

/**
 * Records and errors from a byte stream, decoded as chunks arrive. The stream is read only as
 * fast as the consumer pulls records (the async iterator of a Readable pauses it in between).
 * A decompression error ends the sequence with a fatal error instead of throwing; other stream
 * errors (IO) are thrown.
 */
export async function* mrtRecordsFromStream(
  stream: AsyncIterable<Uint8Array>,
  options: MrtReaderOptions = {},
): AsyncGenerator<MrtReadResult> {
  for await (const batch of mrtBatches(stream, options)) {
    if (batch.ok) yield* batch.results;
    else yield batch;
  }
}

/** The file's bytes, gunzipped when its magic number says gzip. */
function decompressed(file: Readable, compression: MrtCompression, chunkSize: number): Readable {
  if (compression === 'gzip') {
    const gunzip = createGunzip({ chunkSize });
    file.on('error', (error) => gunzip.destroy(error));
    return file.pipe(gunzip);
  }
  return file;
}

/**
 * A bzip2 file's bytes, read chunkSize bytes at a time and decoded a block at a time (seek-bzip,
 * loaded on first use; each block read before the next is decoded: memory stays flat whatever the
 * file's size), in chunks of chunkSize; after the last good block of a damaged or truncated file,
 * a DecompressionError. The file's IO errors are thrown.
 */
async function* bzip2Chunks(path: string, size: number, chunkSize: number): AsyncGenerator<Uint8Array> {
  const { bzip2Blocks, fileByteSource } = await import('./bzip2-blocks.js');
  const handle = await open(path, 'r');
  try {
    const blocks = bzip2Blocks(fileByteSource(handle.fd, size, chunkSize));
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = blocks.next();
      } catch (error) {
        if (typeof (error as NodeJS.ErrnoException).syscall === 'string') throw error;
        throw new DecompressionError('bzip2', error);
      }
      if (next.done) return;
      yield* chunksOf(next.value, chunkSize);
    }
  } finally {
    await handle.close();
  }
}

/** A buffer as chunks of the stream's size: records are framed as they are from a stream. */
function* chunksOf(bytes: Uint8Array, chunkSize: number): Generator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
}

async function* mrtChunksFromFile(path: string, options: ReadMrtOptions, probe?: MrtFileProbe): AsyncGenerator<Batch> {
  const { compression, size } = probe ?? (await probeMrtFile(path));
  const chunkSize = options.highWaterMark ?? 1 << 16;
  if (compression === 'bzip2') {
    yield* mrtBatches(bzip2Chunks(path, size, chunkSize), options);
    return;
  }
  const file = createReadStream(path, { highWaterMark: chunkSize });
  const source = decompressed(file, compression, chunkSize);
  try {
    yield* mrtBatches(source, options);
  } finally {
    file.destroy();
    source.destroy();
  }
}

/**
 * Every record and error of an MRT file, read in chunks; gzip- and bzip2-compressed files
 * (detected by their first bytes) are decompressed on the fly. Offsets are in the decompressed data.
 * Breaking out of the loop closes the file.
 */
export async function* readMrtFile(path: string, options: ReadMrtOptions = {}): AsyncGenerator<MrtReadResult> {
  for await (const batch of mrtChunksFromFile(path, options)) {
    if (batch.ok) yield* batch.results;
    else yield batch;
  }
}

export interface WriteMrtOptions {
  /** Compress with gzip (our reader detects it by the magic number; bgpdump wants a .gz file name). */
  readonly gzip?: boolean;
}

/** Write chunks (e.g. from `writeTableDump`) to a file, honouring backpressure. Returns the uncompressed size. */
export async function writeMrtFile(
  path: string,
  chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  options: WriteMrtOptions = {},
): Promise<number> {
  let bytes = 0;
  async function* counted(): AsyncGenerator<Uint8Array> {
    for await (const chunk of chunks) {
      bytes += chunk.length;
      yield chunk;
    }
  }
  const source = Readable.from(counted(), { objectMode: false });
  if (options.gzip) await pipeline(source, createGzip(), createWriteStream(path));
  else await pipeline(source, createWriteStream(path));
  return bytes;
}

const MAX_RESERVED_PATHS = 1 << 24;
const MAX_RESERVED_BYTES = 1 << 26;

/**
 * Load an MRT file (plain, gzip or bzip2) into a RIB; see `loadMrtIntoRib`. Records are applied as each
 * chunk arrives (no per-record promise). Throws only for IO errors.
 */
export async function loadMrtFile(
  path: string,
  rib: Rib,
  peers: MrtPeerTable | readonly MrtPeer[] = new MrtPeerTable(),
  options: ReadMrtOptions & MrtLoadOptions = {},
): Promise<MrtLoadStats> {
  const loader = new MrtRibLoader(rib, peers, options);
  const probe = await probeMrtFile(path);
  // Sized once for the file rather than doubled along the way: a path per 16 octets of MRT, a
  // set per 128 and set bytes of half the file (generous for any kind of dump: what is not
  // written costs no memory).
  const expanded = probe.expandedSize;
  rib.reserve(Math.min(expanded / 16, MAX_RESERVED_PATHS));
  rib.attributeSets.reserve(
    Math.min(expanded / 128, MAX_RESERVED_PATHS / 8),
    Math.min(expanded / 2, MAX_RESERVED_BYTES),
  );
  try {
    // Borrowed records (unless the caller says otherwise): each batch is applied before the
    // reader is given the next chunk.
    for await (const chunk of mrtChunksFromFile(path, { borrow: true, ...options }, probe)) {
      if (chunk.ok) for (const result of chunk.results) loader.apply(result);
      else loader.apply(chunk);
    }
  } finally {
    loader.finish();
  }
  return loader.stats();
}

/** Write a RIB as a TABLE_DUMP_V2 file; see `writeTableDump`. Returns the uncompressed size. */
export function writeTableDumpFile(
  path: string,
  rib: Rib,
  peers: readonly MrtPeer[],
  collectorBgpId: string,
  viewName: string,
  timestampSeconds: number,
  options: WriteMrtOptions & TableDumpOptions = {},
): Promise<number> {
  return writeMrtFile(path, writeTableDump(rib, peers, collectorBgpId, viewName, timestampSeconds, options), options);
}
