/**
 * MP_REACH_NLRI and MP_UNREACH_NLRI values (RFC 4760 3, 4) for IPv4/IPv6
 * unicast and multicast, with IPv6 link-local next hops (RFC 2545 3), IPv4
 * NLRI over IPv6 next hops (RFC 8950) and ADD-PATH (RFC 7911).
 */
import { formatIpv4, formatIpv6 } from './address';
import type { MpReachNlriAttribute, MpUnreachNlriAttribute, NextHop, UnknownAttribute } from './attribute-types';
import { type ByteWriter, EncodeError, readU16, readU32, readU128 } from './bytes';
import { Afi, formatAfiSafi, isPrefixFamily } from './family';
import { decodeNlri, encodeNlri } from './nlri';
import type { Nlri } from './prefix';
import { formatNlri } from './prefix';
import { type SessionContext, hasAddPath } from './session-context';

function writeIpv6(address: bigint, out: ByteWriter): void {
  if (typeof address !== 'bigint' || address < 0n || address >= 1n << 128n)
    throw new EncodeError('IPv6 next hop out of range');
  for (let shift = 96n; shift >= 0n; shift -= 32n) out.u32(Number((address >> shift) & 0xffffffffn));
}

function decodeNextHop(bytes: Uint8Array, start: number, length: number, afi: number): NextHop | string {
  if (length === 4 && afi === Afi.Ipv4) return { family: 4, address: readU32(bytes, start) };
  // IPv6 next hop: for IPv6 NLRI (RFC 2545), or IPv4 NLRI with extended next hop (RFC 8950).
  if (length === 16) return { family: 6, address: readU128(bytes, start) };
  if (length === 32) return { family: 6, address: readU128(bytes, start), linkLocal: readU128(bytes, start + 16) };
  return `next hop length ${length} is not valid for AFI ${afi}`;
}

/**
 * Decode an MP_REACH_NLRI value. Unsupported families are kept raw.
 * Returns a reason string when malformed (RFC 7606 7.11: session reset).
 */
export function decodeMpReach(
  bytes: Uint8Array,
  start: number,
  end: number,
  flags: number,
  context: SessionContext,
): MpReachNlriAttribute | UnknownAttribute | string {
  if (end - start < 5) return `length ${end - start} is too short`;
  const afi = readU16(bytes, start);
  const safi = bytes[start + 2];
  const nextHopLength = bytes[start + 3];
  const nlriStart = start + 4 + nextHopLength + 1; // + Reserved octet (sent as 0, ignored)
  if (nlriStart > end) return `next hop length ${nextHopLength} overruns the attribute`;
  if (!isPrefixFamily(afi, safi)) return { type: 'unknown', code: 14, flags, value: bytes.slice(start, end) };
  const nextHop = decodeNextHop(bytes, start + 4, nextHopLength, afi);
  if (typeof nextHop === 'string') return nextHop;
  const nlri: Nlri[] = [];
  const problem = decodeNlri(bytes, nlriStart, end, afi === Afi.Ipv4 ? 4 : 6, hasAddPath(context, afi, safi), nlri);
  if (problem !== undefined) return `${formatAfiSafi(afi, safi)} NLRI: ${problem}`;
  return { type: 'mp-reach-nlri', flags, afi, safi, nextHop, nlri };
}

export function encodeMpReach(attribute: MpReachNlriAttribute, out: ByteWriter, context: SessionContext): void {
  const { afi, safi, nextHop } = attribute;
  if (!isPrefixFamily(afi, safi))
    throw new EncodeError(`MP_REACH_NLRI for ${formatAfiSafi(afi, safi)} must be an unknown (raw) attribute`);
  out.u16(afi);
  out.u8(safi);
  if (nextHop.family === 4) {
    if (afi !== Afi.Ipv4) throw new EncodeError('IPv6 NLRI need an IPv6 next hop');
    out.u8(4);
    out.u32(nextHop.address, 'IPv4 next hop');
  } else {
    out.u8(nextHop.linkLocal === undefined ? 16 : 32);
    writeIpv6(nextHop.address, out);
    if (nextHop.linkLocal !== undefined) writeIpv6(nextHop.linkLocal, out);
  }
  out.u8(0); // Reserved
  encodeNlri(attribute.nlri, afi === Afi.Ipv4 ? 4 : 6, hasAddPath(context, afi, safi), out);
}

/** Decode an MP_UNREACH_NLRI value (unsupported families kept raw); a reason string when malformed. */
export function decodeMpUnreach(
  bytes: Uint8Array,
  start: number,
  end: number,
  flags: number,
  context: SessionContext,
): MpUnreachNlriAttribute | UnknownAttribute | string {
  if (end - start < 3) return `length ${end - start} is too short`;
  const afi = readU16(bytes, start);
  const safi = bytes[start + 2];
  if (!isPrefixFamily(afi, safi)) return { type: 'unknown', code: 15, flags, value: bytes.slice(start, end) };
  const withdrawn: Nlri[] = [];
  const problem = decodeNlri(
    bytes,
    start + 3,
    end,
    afi === Afi.Ipv4 ? 4 : 6,
    hasAddPath(context, afi, safi),
    withdrawn,
  );
  if (problem !== undefined) return `${formatAfiSafi(afi, safi)} withdrawn routes: ${problem}`;
  return { type: 'mp-unreach-nlri', flags, afi, safi, withdrawn };
}

export function encodeMpUnreach(attribute: MpUnreachNlriAttribute, out: ByteWriter, context: SessionContext): void {
  const { afi, safi } = attribute;
  if (!isPrefixFamily(afi, safi))
    throw new EncodeError(`MP_UNREACH_NLRI for ${formatAfiSafi(afi, safi)} must be an unknown (raw) attribute`);
  out.u16(afi);
  out.u8(safi);
  encodeNlri(attribute.withdrawn, afi === Afi.Ipv4 ? 4 : 6, hasAddPath(context, afi, safi), out);
}

/** "192.0.2.1", "2001:db8::1 link-local fe80::1" */
export function formatNextHop(nextHop: NextHop): string {
  if (nextHop.family === 4) return formatIpv4(nextHop.address);
  return nextHop.linkLocal === undefined
    ? formatIpv6(nextHop.address)
    : `${formatIpv6(nextHop.address)} link-local ${formatIpv6(nextHop.linkLocal)}`;
}

export function formatMpReach(attribute: MpReachNlriAttribute): string {
  const nlri = attribute.nlri.map(formatNlri).join(' ');
  return `${formatAfiSafi(attribute.afi, attribute.safi)} next-hop ${formatNextHop(attribute.nextHop)} nlri [${nlri}]`;
}

export function formatMpUnreach(attribute: MpUnreachNlriAttribute): string {
  return `${formatAfiSafi(attribute.afi, attribute.safi)} withdrawn [${attribute.withdrawn.map(formatNlri).join(' ')}]`;
}
