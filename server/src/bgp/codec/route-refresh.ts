/** ROUTE-REFRESH message (RFC 2918) with the Enhanced Route Refresh subtypes (RFC 7313). */
import { type ByteWriter, readU16 } from './bytes';
import { ErrorCode, RouteRefreshSubcode } from './error-codes';
import { BgpError } from './errors';

export const RouteRefreshSubtype = {
  /** A plain route refresh request (RFC 2918). */
  Request: 0,
  /** Beginning of Route Refresh, BoRR (RFC 7313). */
  Begin: 1,
  /** End of Route Refresh, EoRR (RFC 7313). */
  End: 2,
} as const;

export interface RouteRefreshMessage {
  readonly type: 'ROUTE-REFRESH';
  readonly afi: number;
  readonly safi: number;
  /** Message Subtype (0 request, 1 BoRR, 2 EoRR). RFC 7313 5: other values must be ignored by the receiver. */
  readonly subtype: number;
}

/**
 * Decode a ROUTE-REFRESH body. `messageStart` is where the header starts: a
 * wrong length is reported with the whole message as data (RFC 7313 5).
 */
export function decodeRouteRefresh(
  bytes: Uint8Array,
  messageStart: number,
  start: number,
  end: number,
): RouteRefreshMessage | BgpError {
  // The header check guarantees at least 4 octets.
  const afi = readU16(bytes, start);
  const subtype = bytes[start + 2];
  const safi = bytes[start + 3];
  if (end - start !== 4 && subtype <= RouteRefreshSubtype.End) {
    return new BgpError(
      ErrorCode.RouteRefreshMessage,
      RouteRefreshSubcode.InvalidMessageLength,
      'session-reset',
      `ROUTE-REFRESH body is ${end - start} octets, expected 4`,
      bytes.slice(messageStart, end),
    );
  }
  return { type: 'ROUTE-REFRESH', afi, safi, subtype };
}

export function encodeRouteRefresh(message: RouteRefreshMessage, out: ByteWriter): void {
  out.u16(message.afi, 'AFI');
  out.u8(message.subtype, 'subtype');
  out.u8(message.safi, 'SAFI');
}
