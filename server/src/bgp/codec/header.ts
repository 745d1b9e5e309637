/**
 * The 19-octet message header (RFC 4271 4.1): 16-octet marker of all ones,
 * 2-octet length, 1-octet type, and the length checks of RFC 4271 6.1.
 */
import { type ByteWriter, readU16 } from './bytes';
import { ErrorCode, MessageHeaderSubcode } from './error-codes';
import { BgpError } from './errors';

export const HEADER_LENGTH = 19;
export const MARKER_LENGTH = 16;

export const MessageType = {
  Open: 1,
  Update: 2,
  Notification: 3,
  Keepalive: 4,
  RouteRefresh: 5,
} as const;

const MESSAGE_TYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'OPEN',
  2: 'UPDATE',
  3: 'NOTIFICATION',
  4: 'KEEPALIVE',
  5: 'ROUTE-REFRESH',
};

/** "UPDATE", or "type N" for unknown types. */
export function messageTypeName(type: number): string {
  return MESSAGE_TYPE_NAMES[type] ?? `type ${type}`;
}

/** Smallest legal length per type (RFC 4271 6.1; ROUTE-REFRESH per RFC 2918). */
const MIN_LENGTH: Readonly<Record<number, number>> = { 1: 29, 2: 23, 3: 21, 4: 19, 5: 23 };

/** OPEN and KEEPALIVE never exceed 4096 octets, even with Extended Message (RFC 8654 3). */
const BASE_MAX_LENGTH = 4096;

function headerError(subcode: number, reason: string, data?: Uint8Array): BgpError {
  return new BgpError(ErrorCode.MessageHeader, subcode, 'session-reset', reason, data);
}

/**
 * Validate the header at bytes[offset, offset + 19): marker, length, type.
 * Returns the message length, or the Message Header Error to send.
 * `maxLength` is 4096, or 65535 with Extended Message.
 */
export function checkHeader(bytes: Uint8Array, offset: number, maxLength: number): number | BgpError {
  for (let i = 0; i < MARKER_LENGTH; i++) {
    if (bytes[offset + i] !== 0xff) {
      return headerError(MessageHeaderSubcode.ConnectionNotSynchronized, 'marker is not all ones');
    }
  }
  const length = readU16(bytes, offset + MARKER_LENGTH);
  const type = bytes[offset + MARKER_LENGTH + 2];
  const min = MIN_LENGTH[type];
  if (length < HEADER_LENGTH || length > maxLength) {
    return headerError(
      MessageHeaderSubcode.BadMessageLength,
      `length ${length} outside ${HEADER_LENGTH}..${maxLength}`,
      bytes.slice(offset + MARKER_LENGTH, offset + MARKER_LENGTH + 2),
    );
  }
  if (min === undefined) {
    return headerError(MessageHeaderSubcode.BadMessageType, `unknown message type ${type}`, Uint8Array.of(type));
  }
  const max =
    type === MessageType.Open || type === MessageType.Keepalive ? Math.min(maxLength, BASE_MAX_LENGTH) : maxLength;
  if (length < min || length > max || (type === MessageType.Keepalive && length !== HEADER_LENGTH)) {
    return headerError(
      MessageHeaderSubcode.BadMessageLength,
      `${messageTypeName(type)} length ${length} outside ${min}..${type === MessageType.Keepalive ? HEADER_LENGTH : max}`,
      bytes.slice(offset + MARKER_LENGTH, offset + MARKER_LENGTH + 2),
    );
  }
  return length;
}

/** Write a header with a zero length placeholder; returns the offset of the length field. */
export function writeHeader(out: ByteWriter, type: number): number {
  for (let i = 0; i < MARKER_LENGTH; i++) out.u8(0xff);
  const lengthAt = out.length;
  out.u16(0);
  out.u8(type);
  return lengthAt;
}
