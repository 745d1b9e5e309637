/**
 * Incremental MRT reading: push byte chunks of any size, pull records. Only the current record
 * (and the unread tail of the last chunk) is buffered, never the whole file.
 *
 * Error handling:
 * - a record whose body does not decode (bad subtype, lengths inside the body that do not add up,
 *   a BGP message that does not decode) is reported with its offset and skipped by its Length
 *   field when a record header follows there; reading goes on with the next record. When none
 *   does, the Length is what is wrong (a torn write: RIS rrc00 2000-03-25 has a header cut to
 *   10 octets, whose Length takes two octets of the next record's timestamp), and the reader
 *   resynchronises as below from the octet after the header's start;
 * - a header that cannot frame a record (a type outside the MRT registry, or a Length above
 *   `maxRecordLength`) means the stream is out of step: the reader scans forward byte by byte for
 *   the next position where a record of a type it can decode starts and decodes cleanly, and
 *   reports the skipped range once;
 * - at the end of the input, a partial header or a record that runs past the end is reported as a
 *   fatal error and reading stops.
 * A batched TABLE_DUMP record (RIS 2000) gives one result per entry, and is framed by where its
 * entries end when its writer left 4 octets out of the Length (`tableDumpOverrun`).
 */
import {
  DEFAULT_MAX_RECORD_LENGTH,
  MRT_HEADER_LENGTH,
  MrtType,
  isRegisteredMrtType,
  mrtSubtypeName,
} from './constants';
import { StreamBuffer } from '../bgp';
import { type HeaderFields, decodeRecordBody, readU16, readU32 } from './decode';
import { tableDumpOverrun } from './legacy';
import type { MrtError, MrtReadResult, MrtRecord } from './types';

export interface MrtReaderOptions {
  /** Records declaring a longer body are treated as corruption (default 16 MiB). */
  readonly maxRecordLength?: number;
  /**
   * Records are decoded in place: their byte fields (RIB entry attributes, BGP message values)
   * are views into the reader's buffer, valid only until the next {@link MrtReader.push}. Saves
   * one copy per record for a consumer that is done with each record before pushing more
   * (`loadMrtFile`); off by default.
   */
  readonly borrow?: boolean;
}

/** Subtypes the reader decodes fully (used to recognise a record when resynchronising). */
function isDecodable(type: number, subtype: number): boolean {
  if (type === MrtType.TableDumpV2) return (subtype >= 1 && subtype <= 5) || (subtype >= 8 && subtype <= 11);
  if (type === MrtType.Bgp4mp || type === MrtType.Bgp4mpEt)
    return subtype === 0 || subtype === 1 || (subtype >= 4 && subtype <= 11);
  if (type === MrtType.TableDump) return subtype === 1 || subtype === 2;
  if (type === MrtType.Bgp || type === MrtType.Bgp4Plus || type === MrtType.Bgp4Plus01)
    return subtype === 1 || subtype === 3 || (subtype >= 5 && subtype <= 7);
  return false;
}

/** A decoded body that reads as a real record (what resynchronising looks for). */
function isCleanRecord(decoded: MrtRecord | readonly MrtReadResult[] | string): boolean {
  if (typeof decoded === 'string') return false;
  if (isResults(decoded)) return decoded.length > 0 && decoded.every((r) => r.ok);
  return decoded.kind !== 'skipped';
}

function isResults(decoded: MrtRecord | readonly MrtReadResult[]): decoded is readonly MrtReadResult[] {
  return Array.isArray(decoded);
}

/**
 * ```ts
 * const reader = new MrtReader();
 * for (const chunk of chunks) {
 *   reader.push(chunk);
 *   for (let r = reader.read(); r !== undefined; r = reader.read()) handle(r);
 * }
 * reader.end();
 * for (let r = reader.read(); r !== undefined; r = reader.read()) handle(r);
 * ```
 */
export class MrtReader {
  private readonly input = new StreamBuffer(1 << 16);
  private ended = false;
  private stopped = false;
  private readonly maxRecordLength: number;
  private readonly borrow: boolean;
  /** While resynchronising: where the unframeable bytes began and what the header there said. */
  private garbageStart = -1;
  private garbageWhat = '';
  /** The range began with a record running past the end of the input: the error if no record follows. */
  private truncation: MrtError | undefined;
  /** Results decoded ahead (the entries of a batched record, the record found by resynchronising). */
  private queue: readonly MrtReadResult[] = [];
  private queued = 0;

  constructor(options: MrtReaderOptions = {}) {
    this.maxRecordLength = options.maxRecordLength ?? DEFAULT_MAX_RECORD_LENGTH;
    this.borrow = options.borrow ?? false;
  }

  /** Absolute offset of the next octet not yet returned as part of a record. */
  get offset(): number {
    return this.position;
  }

  /** Octets pushed but not yet consumed. */
  get bufferedLength(): number {
    return this.input.length;
  }

  /** True once the input has ended and everything has been read (or a fatal error stopped reading). */
  get done(): boolean {
    return this.stopped && this.queued >= this.queue.length;
  }

  /** Append bytes (copied; the caller may reuse the chunk). Ignored after {@link end}. */
  push(chunk: Uint8Array): void {
    if (this.ended || this.stopped) return;
    this.input.push(chunk);
  }

  /** No more input: what is left is read to the end, and a partial record is reported. */
  end(): void {
    this.ended = true;
  }

  /**
   * The next record or error; `undefined` when more input is needed (or, after {@link end},
   * when everything has been read).
   */
  read(): MrtReadResult | undefined {
    if (this.queued < this.queue.length) return this.queue[this.queued++];
    while (!this.stopped) {
      const available = this.input.length;
      if (available < MRT_HEADER_LENGTH) {
        if (!this.ended) return undefined;
        this.stopped = true;
        if (this.garbageStart >= 0) return this.garbageError(this.position + available, true);
        if (available === 0) return undefined;
        return this.fail({
          offset: this.position,
          reason: `truncated record header: ${available} octets at the end of the input`,
          fatal: true,
        });
      }
      const { bytes: b, start: s } = this.input;
      const fields: HeaderFields = {
        offset: this.position,
        timestamp: readU32(b, s),
        type: readU16(b, s + 4),
        subtype: readU16(b, s + 6),
        length: readU32(b, s + 8),
      };
      const total = MRT_HEADER_LENGTH + fields.length;

      if (this.garbageStart >= 0) {
        // Resynchronising: is a decodable record at this position?
        if (isDecodable(fields.type, fields.subtype) && fields.length <= this.maxRecordLength) {
          if (available < total && !this.ended) return undefined;
          if (available >= total) {
            const body = b.slice(s + MRT_HEADER_LENGTH, s + total);
            const decoded = decodeRecordBody(fields, body, 0, body.length);
            if (typeof decoded !== 'string' && isCleanRecord(decoded)) {
              const error = this.garbageError(this.position, false);
              this.consume(total);
              this.enqueue(isResults(decoded) ? decoded : [{ ok: true, record: decoded }]);
              return error;
            }
          }
        }
        this.consume(1);
        continue;
      }

      if (!isRegisteredMrtType(fields.type) || fields.length > this.maxRecordLength) {
        this.garbageStart = this.position;
        this.garbageWhat = isRegisteredMrtType(fields.type)
          ? `${mrtSubtypeName(fields.type, fields.subtype)} header declares ${fields.length} octets (more than ${this.maxRecordLength})`
          : `unknown MRT type ${fields.type}`;
        this.consume(1);
        continue;
      }

      if (available < total) {
        if (!this.ended) return undefined;
        // Cut short, or a torn Length: a record found further on tells them apart. When none is,
        // the error is the truncation.
        this.garbageStart = this.position;
        this.garbageWhat = `${mrtSubtypeName(fields.type, fields.subtype)} record declares ${fields.length} octets but only ${available - MRT_HEADER_LENGTH} remain`;
        this.truncation = {
          offset: this.position,
          type: fields.type,
          subtype: fields.subtype,
          reason: this.garbageWhat,
          fatal: true,
        };
        this.consume(1);
        continue;
      }
      let size = total;
      if (fields.type === MrtType.TableDump) {
        const overrun = tableDumpOverrun(fields.subtype, b, s + MRT_HEADER_LENGTH, s + total);
        if (overrun > 0 && available < total + overrun && !this.ended) return undefined;
        if (overrun > 0 && available >= total + overrun) size += overrun;
      }
      // consume() only moves indexes: borrowed views stay valid until the next push.
      const decoded = this.borrow
        ? decodeRecordBody(fields, b, s + MRT_HEADER_LENGTH, s + size)
        : decodeRecordBody(fields, b.slice(s + MRT_HEADER_LENGTH, s + size), 0, size - MRT_HEADER_LENGTH);
      if (typeof decoded === 'string') {
        const follows = this.headerAt(size);
        if (follows === 'wait') return undefined;
        if (follows === 'no') {
          this.garbageStart = this.position;
          this.garbageWhat = `${decoded}, in a record of ${fields.length} octets with no record header after it`;
          this.consume(1);
          continue;
        }
        this.consume(size);
        return this.fail({
          offset: fields.offset,
          type: fields.type,
          subtype: fields.subtype,
          reason: decoded,
          fatal: false,
        });
      }
      this.consume(size);
      if (!isResults(decoded)) return { ok: true, record: decoded };
      this.enqueue(decoded);
      return this.read();
    }
    return undefined;
  }

  private enqueue(results: readonly MrtReadResult[]): void {
    this.queue = results;
    this.queued = 0;
  }

  /**
   * Whether a record header (a registered type, a Length within bounds) starts `at` octets past
   * the current position; at the end of the input, a record ending there counts as followed.
   */
  private headerAt(at: number): 'yes' | 'no' | 'wait' {
    const available = this.input.length;
    if (available - at < MRT_HEADER_LENGTH) return this.ended ? 'yes' : 'wait';
    const { bytes: b, start: s } = this.input;
    return isRegisteredMrtType(readU16(b, s + at + 4)) && readU32(b, s + at + 8) <= this.maxRecordLength ? 'yes' : 'no';
  }

  private consume(n: number): void {
    this.input.consume(n);
  }

  /** Absolute offset of input.bytes[input.start]. */
  private get position(): number {
    return this.input.offset;
  }

  private fail(error: MrtError): MrtReadResult {
    return { ok: false, error };
  }

  private garbageError(until: number, atEnd: boolean): MrtReadResult {
    const from = this.garbageStart;
    this.garbageStart = -1;
    const truncation = this.truncation;
    this.truncation = undefined;
    if (atEnd && truncation) return this.fail(truncation);
    const tail = atEnd ? 'no record follows before the end of the input' : `resynchronised at offset ${until}`;
    return this.fail({
      offset: from,
      reason: `${until - from} octets do not frame MRT records (${this.garbageWhat}); ${tail}`,
      fatal: atEnd,
    });
  }
}

/** Every record and error of a complete MRT byte string (for small inputs and tests). */
export function* readMrt(bytes: Uint8Array, options: MrtReaderOptions = {}): Generator<MrtReadResult> {
  const reader = new MrtReader(options);
  reader.push(bytes);
  reader.end();
  for (let r = reader.read(); r !== undefined; r = reader.read()) yield r;
}

/** Records and errors from a stream of byte chunks, read as the chunks arrive (pull-driven: backpressure is the consumer's pace). */
export async function* mrtRecords(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: MrtReaderOptions = {},
): AsyncGenerator<MrtReadResult> {
  const reader = new MrtReader(options);
  for await (const chunk of chunks) {
    reader.push(chunk);
    for (let r = reader.read(); r !== undefined; r = reader.read()) yield r;
  }
  reader.end();
  for (let r = reader.read(); r !== undefined; r = reader.read()) yield r;
}
