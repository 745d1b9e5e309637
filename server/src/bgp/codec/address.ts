/**
 * IP addresses in compact form: IPv4 as an unsigned 32-bit number, IPv6 as a
 * 128-bit bigint. Formatting follows RFC 5952 for IPv6.
 */
import { IPv4, IPv6, Validator } from 'ip-num';

/** An IPv4 address as an unsigned 32-bit integer (0..2^32-1). */
export type Ipv4Address = number;
/** An IPv6 address as an unsigned 128-bit bigint. */
export type Ipv6Address = bigint;

/** "192.0.2.1" */
export function formatIpv4(address: Ipv4Address): string {
  return `${address >>> 24}.${(address >>> 16) & 0xff}.${(address >>> 8) & 0xff}.${address & 0xff}`;
}

/** RFC 5952 canonical text: lower case, no leading zeros, longest zero run (2+ groups, first on ties) as "::", IPv4-mapped in mixed notation. */
export function formatIpv6(address: Ipv6Address): string {
  const groups: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(Number((address >> shift) & 0xffffn));
  // RFC 5952 section 5: IPv4-mapped addresses (::ffff:0:0/96) use mixed notation.
  if (
    groups[0] === 0 &&
    groups[1] === 0 &&
    groups[2] === 0 &&
    groups[3] === 0 &&
    groups[4] === 0 &&
    groups[5] === 0xffff
  ) {
    return `::ffff:${formatIpv4(Number(address & 0xffffffffn))}`;
  }
  let bestStart = -1;
  let bestLength = 1; // a single zero group is never compressed
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number): string =>
    groups
      .slice(from, to)
      .map((g) => g.toString(16))
      .join(':');
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLength, 8)}`;
}

/** Parse dotted-quad IPv4 (through ip-num); `undefined` if malformed. */
export function parseIpv4(text: string): Ipv4Address | undefined {
  return Validator.isValidIPv4String(text)[0] ? Number(IPv4.fromString(text).value) : undefined;
}

/** Parse IPv6 text (through ip-num; zone indexes refused); `undefined` if malformed. */
export function parseIpv6(text: string): Ipv6Address | undefined {
  return !text.includes('%') && Validator.isValidIPv6String(text)[0] ? IPv6.fromString(text).value : undefined;
}
