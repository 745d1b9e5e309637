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

const NO_BYTES = new Uint8Array(0);
/** The carry buffer's first size: one message of the base maximum. */
const CARRY_INITIAL = 4096;
/** An empty carry buffer larger than this is dropped, not kept for the session's life. */
const CARRY_KEPT = 16384;

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
  /**
   * A message split across chunks, and whatever the last chunk still held when the next came:
   * made on first need, so a session costs no buffer while its chunks end on message boundaries.
   * Chunks are framed in place, so this holds at most one message while every chunk is read
   * before the next arrives (copying whole chunks kept a buffer of the largest chunk per session).
   */
  private carry: StreamBuffer | undefined;
  /** The last chunk pushed, framed in place from `at`. */
  private chunk: Uint8Array = NO_BYTES;
  private at = 0;
  private failure: BgpError | undefined;

  /** Octets received but not yet returned as a frame. */
  get bufferedLength(): number {
    return (this.carry?.length ?? 0) + this.chunk.length - this.at;
  }

  /** Octets of buffer the reader holds: its carry buffer and the chunk it has not finished reading. */
  get retainedBytes(): number {
    return (this.carry?.bytes.length ?? 0) + this.chunk.length;
  }

  /** The framing error that stopped the stream, if any. */
  get error(): BgpError | undefined {
    return this.failure;
  }

  /**
   * Append received bytes. The chunk is read in place until it is read to its end or the next
   * push: do not change it before then (a socket's chunks are fresh buffers).
   */
  push(chunk: Uint8Array): void {
    if (this.failure !== undefined) return;
    if (this.at < this.chunk.length) this.carryFromChunk(this.chunk.length - this.at);
    this.chunk = chunk;
    this.at = 0;
  }

  /**
   * The next complete message as raw bytes, `undefined` if more bytes are
   * needed, or the framing error. `extendedMessage`: the RFC 8654 capability
   * was negotiated (allows up to 65535 octets).
   */
  readFrame(extendedMessage = false): FrameResult | undefined {
    if (this.failure !== undefined) return { ok: false, error: this.failure };
    const maxLength = extendedMessage ? MAX_EXTENDED_MESSAGE_LENGTH : MAX_MESSAGE_LENGTH;
    const carry = this.carry;
    if (carry !== undefined && carry.length > 0) {
      // Complete the carried message from the chunk: at most one message is copied.
      if (carry.length < HEADER_LENGTH) this.carryFromChunk(HEADER_LENGTH - carry.length);
      if (carry.length < HEADER_LENGTH) return undefined;
      const length = this.checkedLength(carry.bytes, carry.start, maxLength);
      if (length === undefined) return { ok: false, error: this.failure! };
      if (carry.length < length) this.carryFromChunk(length - carry.length);
      if (carry.length < length) return undefined;
      const frame = carry.bytes.slice(carry.start, carry.start + length);
      carry.consume(length);
      // A backlog (bytes pushed unread) may have grown it: do not keep that much per session.
      if (carry.length === 0 && carry.bytes.length > CARRY_KEPT) this.carry = undefined;
      return { ok: true, frame };
    }
    const chunk = this.chunk;
    const at = this.at;
    const available = chunk.length - at;
    const length = available < HEADER_LENGTH ? HEADER_LENGTH : this.checkedLength(chunk, at, maxLength);
    if (length === undefined) return { ok: false, error: this.failure! };
    if (available < length) {
      // The rest is part of a message: keep those octets, not the whole chunk (a socket's
      // chunks are up to 64 KiB, and a session may wait long for its next one).
      this.carryFromChunk(available);
      this.release();
      return undefined;
    }
    this.at = at + length;
    if (this.at === chunk.length) this.release();
    return { ok: true, frame: chunk.slice(at, at + length) };
  }

  private release(): void {
    this.chunk = NO_BYTES;
    this.at = 0;
  }

  /** The message length of the header at `offset`, or undefined after recording the framing error. */
  private checkedLength(bytes: Uint8Array, offset: number, maxLength: number): number | undefined {
    const checked = checkHeader(bytes, offset, maxLength);
    if (checked instanceof BgpError) {
      this.failure = checked;
      return undefined;
    }
    return readU16(bytes, offset + 16);
  }

  /** Moves up to n octets from the chunk into the carry buffer. */
  private carryFromChunk(n: number): void {
    const take = Math.min(n, this.chunk.length - this.at);
    if (take <= 0) return;
    this.carry ??= new StreamBuffer(CARRY_INITIAL);
    this.carry.push(this.chunk.subarray(this.at, this.at + take));
    this.at += take;
  }

  /** The next complete message decoded for `context`, `undefined` if more bytes are needed. Never throws. */
  read(context: SessionContext = DEFAULT_SESSION): DecodeResult | undefined {
    const frame = this.readFrame(context.extendedMessage);
    if (frame === undefined) return undefined;
    return frame.ok ? decodeMessage(frame.frame, context) : { ok: false, error: frame.error };
  }
}
