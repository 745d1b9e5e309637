/**
 * Framing: turns a byte stream (TCP chunks of any size) into complete
 * messages. Push chunks in, pull frames or decoded messages out.
 */
import { readU16 } from './bytes';
import { BgpError } from './errors';
import { HEADER_LENGTH, checkHeader } from './header';
import { type DecodeResult, decodeMessage } from './message';
import { DEFAULT_SESSION, MAX_EXTENDED_MESSAGE_LENGTH, MAX_MESSAGE_LENGTH, type SessionContext } from './session';

/** One framed message, or the Message Header Error that ends the stream. */
export type FrameResult =
  | {
      readonly ok: true;
      /** The complete message, header included (a copy: safe to keep). */
      readonly frame: Uint8Array;
    }
  | { readonly ok: false; readonly error: BgpError };

/**
 * Reassembles messages from a stream. After a framing error (bad marker,
 * length or type) the stream cannot be resynchronized: every later read
 * returns the same error.
 *
 * ```ts
 * reader.push(chunk);
 * for (let r = reader.read(session); r !== undefined; r = reader.read(session)) {
 *   if (!r.ok) return closeWith(notificationForError(r.error)); // a failed reader keeps returning the error
 *   handle(r.message, r.errors);
 * }
 * ```
 */
export class MessageReader {
  private buffer = new Uint8Array(8192);
  private start = 0;
  private end = 0;
  private failure: BgpError | undefined;

  /** Octets received but not yet returned as a frame. */
  get bufferedLength(): number {
    return this.end - this.start;
  }

  /** The framing error that stopped the stream, if any. */
  get error(): BgpError | undefined {
    return this.failure;
  }

  /** Append received bytes (copied; the chunk may be reused by the caller). */
  push(chunk: Uint8Array): void {
    if (this.failure !== undefined || chunk.length === 0) return;
    if (this.end + chunk.length > this.buffer.length) {
      const pending = this.end - this.start;
      if (pending + chunk.length <= this.buffer.length && this.start > 0) {
        this.buffer.copyWithin(0, this.start, this.end);
      } else {
        let capacity = this.buffer.length;
        while (capacity < pending + chunk.length) capacity *= 2;
        const grown = new Uint8Array(capacity);
        grown.set(this.buffer.subarray(this.start, this.end));
        this.buffer = grown;
      }
      this.start = 0;
      this.end = pending;
    }
    this.buffer.set(chunk, this.end);
    this.end += chunk.length;
  }

  /**
   * The next complete message as raw bytes, `undefined` if more bytes are
   * needed, or the framing error. `extendedMessage`: the RFC 8654 capability
   * was negotiated (allows up to 65535 octets).
   */
  readFrame(extendedMessage = false): FrameResult | undefined {
    if (this.failure !== undefined) return { ok: false, error: this.failure };
    const available = this.end - this.start;
    if (available < HEADER_LENGTH) return undefined;
    const checked = checkHeader(this.buffer, this.start, extendedMessage ? MAX_EXTENDED_MESSAGE_LENGTH : MAX_MESSAGE_LENGTH);
    if (checked instanceof BgpError) {
      this.failure = checked;
      return { ok: false, error: checked };
    }
    const length = readU16(this.buffer, this.start + 16);
    if (available < length) return undefined;
    const frame = this.buffer.slice(this.start, this.start + length);
    this.start += length;
    if (this.start === this.end) this.start = this.end = 0;
    return { ok: true, frame };
  }

  /** The next complete message decoded for `context`, `undefined` if more bytes are needed. Never throws. */
  read(context: SessionContext = DEFAULT_SESSION): DecodeResult | undefined {
    const frame = this.readFrame(context.extendedMessage);
    if (frame === undefined) return undefined;
    return frame.ok ? decodeMessage(frame.frame, context) : { ok: false, error: frame.error };
  }
}
