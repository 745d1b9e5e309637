/**
 * Framing: turns a byte stream (TCP chunks of any size) into complete
 * messages. Push chunks in, pull frames or decoded messages out.
 */
import { readU16, StreamBuffer } from './bytes';
import { BgpError } from './errors';
import { HEADER_LENGTH, checkHeader } from './header';
import { type DecodeResult, decodeMessage } from './message';
import {
  DEFAULT_SESSION,
  MAX_EXTENDED_MESSAGE_LENGTH,
  MAX_MESSAGE_LENGTH,
  type SessionContext,
} from './session-context';

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
  private readonly input = new StreamBuffer(8192);
  private failure: BgpError | undefined;

  /** Octets received but not yet returned as a frame. */
  get bufferedLength(): number {
    return this.input.length;
  }

  /** The framing error that stopped the stream, if any. */
  get error(): BgpError | undefined {
    return this.failure;
  }

  /** Append received bytes (copied; the chunk may be reused by the caller). */
  push(chunk: Uint8Array): void {
    if (this.failure !== undefined) return;
    this.input.push(chunk);
  }

  /**
   * The next complete message as raw bytes, `undefined` if more bytes are
   * needed, or the framing error. `extendedMessage`: the RFC 8654 capability
   * was negotiated (allows up to 65535 octets).
   */
  readFrame(extendedMessage = false): FrameResult | undefined {
    if (this.failure !== undefined) return { ok: false, error: this.failure };
    const { bytes, start, length: available } = this.input;
    if (available < HEADER_LENGTH) return undefined;
    const checked = checkHeader(bytes, start, extendedMessage ? MAX_EXTENDED_MESSAGE_LENGTH : MAX_MESSAGE_LENGTH);
    if (checked instanceof BgpError) {
      this.failure = checked;
      return { ok: false, error: checked };
    }
    const length = readU16(bytes, start + 16);
    if (available < length) return undefined;
    const frame = bytes.slice(start, start + length);
    this.input.consume(length);
    return { ok: true, frame };
  }

  /** The next complete message decoded for `context`, `undefined` if more bytes are needed. Never throws. */
  read(context: SessionContext = DEFAULT_SESSION): DecodeResult | undefined {
    const frame = this.readFrame(context.extendedMessage);
    if (frame === undefined) return undefined;
    return frame.ok ? decodeMessage(frame.frame, context) : { ok: false, error: frame.error };
  }
}
