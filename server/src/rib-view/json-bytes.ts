import { formatIpv6, type Prefix } from '../bgp';

// Writing JSON text straight into byte buffers: for answers and streams of many small records,
// where a string per record would be garbage the speaker's small young generation promotes.

export const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

/** The decimal text of each octet value, for IPv4 prefixes. */
const OCTETS = Array.from({ length: 256 }, (_, n) => ascii(String(n)));

/** Copies a short byte string at offset; returns the offset after it (a loop beats `set` at these sizes). */
export function copy(out: Uint8Array, offset: number, bytes: Uint8Array): number {
  const n = bytes.length;
  for (let i = 0; i < n; i++) out[offset + i] = bytes[i]!;
  return offset + n;
}

/** Decimal digits of a non-negative safe integer at offset; returns the offset after them. */
export function writeUint(out: Uint8Array, offset: number, value: number): number {
  if (value < 10) {
    out[offset] = 0x30 + value;
    return offset + 1;
  }
  let digits = 1;
  for (let v = value; v >= 10; v = Math.floor(v / 10)) digits++;
  let v = value;
  for (let i = offset + digits - 1; i >= offset; i--) {
    out[i] = 0x30 + (v % 10);
    v = Math.floor(v / 10);
  }
  return offset + digits;
}

/** ASCII text at offset; returns the offset after it. */
export function writeAscii(out: Uint8Array, offset: number, text: string): number {
  for (let i = 0; i < text.length; i++) out[offset + i] = text.charCodeAt(i);
  return offset + text.length;
}

/** An IPv4 address (uint32) in dotted decimal at offset; returns the offset after it. */
export function writeIpv4(out: Uint8Array, offset: number, address: number): number {
  let at = copy(out, offset, OCTETS[address >>> 24]!);
  out[at++] = 0x2e;
  at = copy(out, at, OCTETS[(address >>> 16) & 255]!);
  out[at++] = 0x2e;
  at = copy(out, at, OCTETS[(address >>> 8) & 255]!);
  out[at++] = 0x2e;
  return copy(out, at, OCTETS[address & 255]!);
}

/** A prefix as `formatPrefix` writes it (at most 43 bytes); returns the offset after it. */
export function writePrefix(out: Uint8Array, offset: number, prefix: Prefix): number {
  let at =
    prefix.family === 4
      ? writeIpv4(out, offset, prefix.address as number)
      : writeAscii(out, offset, formatIpv6(prefix.address as bigint));
  out[at++] = 0x2f;
  return writeUint(out, at, prefix.length);
}
