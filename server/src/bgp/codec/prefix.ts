/**
 * Prefix representation, compact enough for a RIB of a million routes: an IPv4
 * prefix is { family: 4, address: uint32, length }, an IPv6 prefix is
 * { family: 6, address: bigint, length }. Host bits beyond the length are
 * always zero (RFC 4271 4.3: trailing bits are irrelevant, so decoding clears them).
 */
import { formatIpv4, formatIpv6, parseIpv4, parseIpv6 } from './address';

export interface Ipv4Prefix {
  readonly family: 4;
  /** Network address as an unsigned 32-bit integer, host bits zero. */
  readonly address: number;
  /** Prefix length, 0..32. */
  readonly length: number;
}

export interface Ipv6Prefix {
  readonly family: 6;
  /** Network address as a 128-bit bigint, host bits zero. */
  readonly address: bigint;
  /** Prefix length, 0..128. */
  readonly length: number;
}

export type Prefix = Ipv4Prefix | Ipv6Prefix;

/**
 * One NLRI entry: a prefix, plus its ADD-PATH Path Identifier (RFC 7911) when
 * ADD-PATH is in use for the family on this session in this direction.
 */
export type Nlri = Prefix & { readonly pathId?: number };

/** Network mask for an IPv4 prefix length, as an unsigned 32-bit number. */
export function ipv4Mask(length: number): number {
  return length === 0 ? 0 : (-1 << (32 - length)) >>> 0;
}

const ALL_ONES_128 = (1n << 128n) - 1n;

/** Network mask for an IPv6 prefix length. */
export function ipv6Mask(length: number): bigint {
  return length === 0 ? 0n : (ALL_ONES_128 << BigInt(128 - length)) & ALL_ONES_128;
}

/** An IPv4 prefix with host bits cleared. */
export function ipv4Prefix(address: number, length: number): Ipv4Prefix {
  return { family: 4, address: (address & ipv4Mask(length)) >>> 0, length };
}

/** An IPv6 prefix with host bits cleared. */
export function ipv6Prefix(address: bigint, length: number): Ipv6Prefix {
  return { family: 6, address: address & ipv6Mask(length), length };
}

/** "10.0.0.0/24", "2001:db8::/32" (RFC 5952). */
export function formatPrefix(prefix: Prefix): string {
  return `${prefix.family === 4 ? formatIpv4(prefix.address) : formatIpv6(prefix.address)}/${prefix.length}`;
}

/** Like {@link formatPrefix}, with " path-id N" when the entry carries an ADD-PATH identifier. */
export function formatNlri(nlri: Nlri): string {
  return nlri.pathId === undefined ? formatPrefix(nlri) : `${formatPrefix(nlri)} path-id ${nlri.pathId}`;
}

/** Parse "10.0.0.0/8" or "2001:db8::/32" (host bits are cleared); `undefined` if malformed. */
export function parsePrefix(text: string): Prefix | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const lengthText = text.slice(slash + 1);
  if (!/^(0|[1-9][0-9]{0,2})$/.test(lengthText)) return undefined;
  const length = Number(lengthText);
  const addressText = text.slice(0, slash);
  if (addressText.includes(':')) {
    const address = parseIpv6(addressText);
    return address === undefined || length > 128 ? undefined : ipv6Prefix(address, length);
  }
  const address = parseIpv4(addressText);
  return address === undefined || length > 32 ? undefined : ipv4Prefix(address, length);
}
