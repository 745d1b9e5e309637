/**
 * NOTIFICATION message (RFC 4271 4.5) and the Shutdown Communication
 * carried by Cease / Administrative Shutdown and Administrative Reset (RFC 9003).
 */
import { type ByteWriter, EMPTY_BYTES } from './bytes';
import { CeaseSubcode, ErrorCode, errorCodeName, errorSubcodeName } from './error-codes';
import type { BgpError } from './errors';
import { decodeUtf8, encodeUtf8 } from './utf8';

export interface NotificationMessage {
  readonly type: 'NOTIFICATION';
  readonly code: number;
  readonly subcode: number;
  /** The Data field as on the wire (authoritative for encoding). */
  readonly data: Uint8Array;
  /**
   * Decoded RFC 9003 Shutdown Communication (Cease subcodes 2 and 4), present
   * only when the data holds a well-formed one. A view of `data`; use
   * {@link createShutdownNotification} to build both consistently.
   */
  readonly shutdownCommunication?: string;
}

/** Maximum Shutdown Communication length in octets (RFC 9003 2). */
export const MAX_SHUTDOWN_COMMUNICATION_LENGTH = 255;

function carriesShutdownCommunication(code: number, subcode: number): boolean {
  return (
    code === ErrorCode.Cease &&
    (subcode === CeaseSubcode.AdministrativeShutdown || subcode === CeaseSubcode.AdministrativeReset)
  );
}

/** Decode a NOTIFICATION body (bytes[start, end) after the header; at least 2 octets). */
export function decodeNotification(bytes: Uint8Array, start: number, end: number): NotificationMessage {
  const code = bytes[start];
  const subcode = bytes[start + 1];
  const data = end - start > 2 ? bytes.slice(start + 2, end) : EMPTY_BYTES;
  if (carriesShutdownCommunication(code, subcode) && data.length >= 1 && 1 + data[0] <= data.length) {
    const text = decodeUtf8(data, 1, 1 + data[0]);
    // Invalid UTF-8 or a length beyond the data: RFC 9003 says log it; the raw data stays in `data`.
    if (text !== undefined) return { type: 'NOTIFICATION', code, subcode, data, shutdownCommunication: text };
  }
  return { type: 'NOTIFICATION', code, subcode, data };
}

export function encodeNotification(message: NotificationMessage, out: ByteWriter): void {
  out.u8(message.code, 'error code');
  out.u8(message.subcode, 'error subcode');
  out.bytes(message.data);
}

/**
 * A Cease NOTIFICATION with a Shutdown Communication (RFC 9003). The text is
 * truncated to 255 octets of UTF-8 at a character boundary.
 */
export function createShutdownNotification(
  subcode: typeof CeaseSubcode.AdministrativeShutdown | typeof CeaseSubcode.AdministrativeReset,
  text: string,
): NotificationMessage {
  let encoded = encodeUtf8(text);
  let kept = text;
  if (encoded.length > MAX_SHUTDOWN_COMMUNICATION_LENGTH) {
    let cut = MAX_SHUTDOWN_COMMUNICATION_LENGTH;
    while (cut > 0 && (encoded[cut] & 0xc0) === 0x80) cut--; // do not split a character
    encoded = encoded.slice(0, cut);
    kept = decodeUtf8(encoded) ?? '';
  }
  const data = new Uint8Array(1 + encoded.length);
  data[0] = encoded.length;
  data.set(encoded, 1);
  return { type: 'NOTIFICATION', code: ErrorCode.Cease, subcode, data, shutdownCommunication: kept };
}

/** The NOTIFICATION to send for a protocol error. */
export function notificationForError(error: BgpError): NotificationMessage {
  return { type: 'NOTIFICATION', code: error.code, subcode: error.subcode, data: error.data };
}

/** "Cease / Administrative Shutdown" */
export function formatNotificationCode(code: number, subcode: number): string {
  return `${errorCodeName(code)} / ${errorSubcodeName(code, subcode)}`;
}
