/**
 * Framing: turns a BMP byte stream (TCP chunks of any size) into whole messages, with their
 * offsets in the stream. Only the common header is checked here; bodies are decoded by
 * `decodeBmpMessage` (or `BmpStreamDecoder`, which does both and tracks the peers' sessions).
 *
 * A header that cannot frame a message (a version other than 3, a length shorter than the
 * header or above `maxMessageLength`) leaves the stream unreadable: BMP has no marker to
 * resynchronise on. The error is fatal and every later read returns it.
 */
import { BMP_COMMON_HEADER_LENGTH, BMP_VERSION, DEFAULT_MAX_BMP_MESSAGE_LENGTH, bmpMessageTypeName } from './constants';
import { StreamBuffer, readU32 } from '../bgp';
import type { BmpError } from './types';

export interface BmpReaderOptions {
  /** Messages declaring more octets are treated as a broken stream (default 1 MiB). */
  readonly maxMessageLength?: number;
}

/** One framed message (a copy: safe to keep) and its offset, or the fatal framing error. */
export type BmpFrameResult =
  | { readonly ok: true; readonly frame: Uint8Array; readonly offset: number }
  | { readonly ok: false; readonly error: BmpError };

/**
 * ```ts
 * reader.push(chunk);
 * for (let f = reader.readFrame(); f !== undefined; f = reader.readFrame()) {
 *   if (!f.ok) return close(f.error); // fatal: the reader keeps returning it
 *   handle(decodeBmpMessage(f.frame, { offset: f.offset }));
 * }
 * ```
 */
export class BmpReader {
  private readonly input = new StreamBuffer(1 << 14);
  private ended = false;
  private failure: BmpError | undefined;
  private readonly maxMessageLength: number;

  constructor(options: BmpReaderOptions = {}) {
    this.maxMessageLength = options.maxMessageLength ?? DEFAULT_MAX_BMP_MESSAGE_LENGTH;
  }

  /** Stream offset of the next octet not yet returned in a frame. */
  get offset(): number {
    return this.input.offset;
  }

  /** Octets received but not yet returned in a frame. */
  get bufferedLength(): number {
    return this.input.length;
  }

  /** The fatal error that stopped the stream, if any. */
  get error(): BmpError | undefined {
    return this.failure;
  }

  /** Append received bytes (copied; the caller may reuse the chunk). Ignored after a fatal error or `end()`. */
  push(chunk: Uint8Array): void {
    if (this.failure !== undefined || this.ended) return;
    this.input.push(chunk);
  }

  /** The stream ended (the connection closed): a partial message left in the buffer is reported. */
  end(): void {
    this.ended = true;
  }

  /** The next whole message, `undefined` when more bytes are needed, or the fatal framing error. */
  readFrame(): BmpFrameResult | undefined {
    if (this.failure !== undefined) return { ok: false, error: this.failure };
    const { bytes: b, start: s, length: available } = this.input;
    if (available >= 1 && b[s] !== BMP_VERSION) {
      return this.fail(`BMP version ${b[s]}, only ${BMP_VERSION} is supported`, 0);
    }
    if (available >= BMP_COMMON_HEADER_LENGTH) {
      const length = readU32(b, s + 1);
      const type = b[s + 5]!;
      if (length < BMP_COMMON_HEADER_LENGTH)
        return this.fail(
          `${bmpMessageTypeName(type)} Message Length ${length} is shorter than the common header`,
          1,
          type,
        );
      if (length > this.maxMessageLength)
        return this.fail(
          `${bmpMessageTypeName(type)} Message Length ${length} is above the limit of ${this.maxMessageLength}`,
          1,
          type,
        );
      if (available >= length) {
        const frame = b.slice(s, s + length);
        const offset = this.input.offset;
        this.input.consume(length);
        return { ok: true, frame, offset };
      }
      if (this.ended)
        return this.fail(
          `${bmpMessageTypeName(type)} of ${length} octets truncated at ${available} octets by the end of the stream`,
          0,
          type,
        );
      return undefined;
    }
    if (this.ended && available > 0)
      return this.fail(`${available} octets at the end of the stream are not a whole common header`, 0);
    return undefined;
  }

  private fail(reason: string, at: number, messageType?: number): BmpFrameResult {
    this.failure = {
      offset: this.input.offset,
      at: this.input.offset + at,
      reason,
      fatal: true,
      ...(messageType === undefined ? {} : { messageType }),
    };
    return { ok: false, error: this.failure };
  }
}
