/**
 * Whole messages: header + body, dispatched on the message type. The two
 * entry points of the codec, {@link decodeMessage} and {@link encodeMessage},
 * never throw for bad input: results are data.
 */
import { ByteWriter, EncodeError, EMPTY_BYTES } from './bytes';
import { ErrorCode, MessageHeaderSubcode } from './error-codes';
import { BgpError } from './errors';
import { HEADER_LENGTH, MessageType, checkHeader, writeHeader } from './header';
import { type NotificationMessage, decodeNotification, encodeNotification } from './notification';
import { type OpenMessage, decodeOpen, encodeOpen } from './open';
import { type RouteRefreshMessage, decodeRouteRefresh, encodeRouteRefresh } from './route-refresh';
import { DEFAULT_SESSION, MAX_MESSAGE_LENGTH, type SessionContext, maxMessageLength } from './session-context';
import { type UpdateMessage, decodeUpdate, encodeUpdate } from './update';

export interface KeepaliveMessage {
  readonly type: 'KEEPALIVE';
}

export type BgpMessage = OpenMessage | UpdateMessage | NotificationMessage | KeepaliveMessage | RouteRefreshMessage;

/** The outcome of decoding one message. */
export type DecodeResult =
  | {
      readonly ok: true;
      readonly message: BgpMessage;
      /**
       * Errors handled without a session reset (RFC 7606 treat-as-withdraw or
       * attribute-discard), already applied to `message`. Empty when clean.
       */
      readonly errors: readonly BgpError[];
    }
  | {
      readonly ok: false;
      /** The error to send as NOTIFICATION before closing the session. */
      readonly error: BgpError;
    };

/** The outcome of encoding one message. */
export type EncodeResult =
  | { readonly ok: true; readonly bytes: Uint8Array }
  | {
      readonly ok: false;
      /** Why the value cannot be encoded (out of range, inconsistent with the session, too long). */
      readonly reason: string;
    };

const NO_ERRORS: readonly BgpError[] = Object.freeze([]);

function failure(error: BgpError): DecodeResult {
  return { ok: false, error };
}

/**
 * Decode one complete message (header included) received on a session
 * described by `context`. Never throws.
 */
export function decodeMessage(bytes: Uint8Array, context: SessionContext = DEFAULT_SESSION): DecodeResult {
  if (bytes.length < HEADER_LENGTH) {
    return failure(
      new BgpError(
        ErrorCode.MessageHeader,
        MessageHeaderSubcode.BadMessageLength,
        'session-reset',
        `${bytes.length} octets is shorter than a message header`,
        bytes.length >= 18 ? bytes.slice(16, 18) : EMPTY_BYTES,
      ),
    );
  }
  const length = checkHeader(bytes, 0, maxMessageLength(context));
  if (length instanceof BgpError) return failure(length);
  if (length !== bytes.length) {
    return failure(
      new BgpError(
        ErrorCode.MessageHeader,
        MessageHeaderSubcode.BadMessageLength,
        'session-reset',
        `Length field is ${length} but the message has ${bytes.length} octets`,
        bytes.slice(16, 18),
      ),
    );
  }
  const end = length;
  switch (bytes[18]) {
    case MessageType.Open: {
      const open = decodeOpen(bytes, HEADER_LENGTH, end);
      return open instanceof BgpError ? failure(open) : { ok: true, message: open, errors: NO_ERRORS };
    }
    case MessageType.Update: {
      const update = decodeUpdate(bytes, HEADER_LENGTH, end, context);
      return update instanceof BgpError
        ? failure(update)
        : { ok: true, message: update.message, errors: update.errors };
    }
    case MessageType.Notification:
      return { ok: true, message: decodeNotification(bytes, HEADER_LENGTH, end), errors: NO_ERRORS };
    case MessageType.Keepalive:
      return { ok: true, message: KEEPALIVE, errors: NO_ERRORS };
    default: {
      // checkHeader admits only the five known types, so this is ROUTE-REFRESH.
      const refresh = decodeRouteRefresh(bytes, 0, HEADER_LENGTH, end);
      return refresh instanceof BgpError ? failure(refresh) : { ok: true, message: refresh, errors: NO_ERRORS };
    }
  }
}

/** The KEEPALIVE message (it has no fields). */
export const KEEPALIVE: KeepaliveMessage = Object.freeze({ type: 'KEEPALIVE' });

function encodeBody(message: BgpMessage, out: ByteWriter, context: SessionContext): void {
  switch (message.type) {
    case 'OPEN':
      encodeOpen(message, out);
      return;
    case 'UPDATE':
      encodeUpdate(message, out, context);
      return;
    case 'NOTIFICATION':
      encodeNotification(message, out);
      return;
    case 'KEEPALIVE':
      return;
    case 'ROUTE-REFRESH':
      encodeRouteRefresh(message, out);
      return;
    default:
      throw new EncodeError(`unknown message type ${String((message as { type: unknown }).type)}`);
  }
}

const TYPE_CODES: Readonly<Record<BgpMessage['type'], number>> = {
  OPEN: MessageType.Open,
  UPDATE: MessageType.Update,
  NOTIFICATION: MessageType.Notification,
  KEEPALIVE: MessageType.Keepalive,
  'ROUTE-REFRESH': MessageType.RouteRefresh,
};

/**
 * Encode a message (header included) for a session described by `context`.
 * Never throws: unencodable values and messages over the size limit
 * (4096, or 65535 with Extended Message; OPEN and KEEPALIVE always 4096) are
 * reported as `{ ok: false, reason }`.
 */
export function encodeMessage(message: BgpMessage, context: SessionContext = DEFAULT_SESSION): EncodeResult {
  const result = encodeMessageView(message, context);
  return result.ok ? { ok: true, bytes: result.bytes.slice() } : result;
}

/** Every message is encoded into this one buffer (grown to the largest message), then copied or viewed. */
const scratch = new ByteWriter(512);

/**
 * {@link encodeMessage}, but the bytes are a view valid only until the next call: for callers
 * that copy them at once (interning an attribute set), which saves two allocations per message.
 */
export function encodeMessageView(message: BgpMessage, context: SessionContext = DEFAULT_SESSION): EncodeResult {
  try {
    const out = scratch;
    out.reset();
    const type = TYPE_CODES[message.type];
    if (type === undefined) throw new EncodeError(`unknown message type ${String(message.type)}`);
    const lengthAt = writeHeader(out, type);
    encodeBody(message, out, context);
    const max =
      message.type === 'OPEN' || message.type === 'KEEPALIVE' ? MAX_MESSAGE_LENGTH : maxMessageLength(context);
    if (out.length > max) throw new EncodeError(`${message.type} would be ${out.length} octets (max ${max})`);
    out.setU16(lengthAt, out.length);
    return { ok: true, bytes: out.view() };
  } catch (error) {
    if (error instanceof EncodeError) return { ok: false, reason: error.message };
    // A value of the wrong shape (e.g. a missing array) from untyped callers.
    if (error instanceof TypeError || error instanceof RangeError)
      return { ok: false, reason: `invalid message: ${error.message}` };
    throw error;
  }
}
