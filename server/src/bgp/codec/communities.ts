/**
 * Community values: COMMUNITIES (RFC 1997), EXTENDED COMMUNITIES (RFC 4360,
 * 5668, 7153) and LARGE_COMMUNITY (RFC 8092): decoding of the value lists
 * and their human-readable forms.
 */
import { formatIpv4 } from './address';
import type { LargeCommunity } from './attribute-types';
import { readU32, readU64 } from './bytes';

const WELL_KNOWN_COMMUNITIES: Readonly<Record<number, string>> = {
  0xffff0000: 'GRACEFUL_SHUTDOWN',
  0xffff0001: 'ACCEPT_OWN',
  0xffff0006: 'LLGR_STALE',
  0xffff0007: 'NO_LLGR',
  0xffff029a: 'BLACKHOLE',
  0xffffff01: 'NO_EXPORT',
  0xffffff02: 'NO_ADVERTISE',
  0xffffff03: 'NO_EXPORT_SUBCONFED',
  0xffffff04: 'NOPEER',
};

/** Decode a list of 32-bit values (COMMUNITIES, CLUSTER_LIST); a reason when the length is not a non-zero multiple of 4 (RFC 7606 7.8, 7.10). */
export function decodeU32List(bytes: Uint8Array, start: number, end: number): number[] | string {
  const length = end - start;
  if (length === 0 || length % 4 !== 0) return `length ${length} is not a non-zero multiple of 4`;
  const out = new Array<number>(length >>> 2);
  for (let i = start, k = 0; i < end; i += 4, k++) out[k] = readU32(bytes, i);
  return out;
}

/** Decode EXTENDED COMMUNITIES values; a reason when the length is not a non-zero multiple of 8 (RFC 7606 7.14). */
export function decodeExtendedCommunities(bytes: Uint8Array, start: number, end: number): bigint[] | string {
  const length = end - start;
  if (length === 0 || length % 8 !== 0) return `length ${length} is not a non-zero multiple of 8`;
  const out = new Array<bigint>(length >>> 3);
  for (let i = start, k = 0; i < end; i += 8, k++) out[k] = readU64(bytes, i);
  return out;
}

/** Decode LARGE_COMMUNITY values; a reason when the length is not a non-zero multiple of 12 (RFC 8092 6). */
export function decodeLargeCommunities(bytes: Uint8Array, start: number, end: number): LargeCommunity[] | string {
  const length = end - start;
  if (length === 0 || length % 12 !== 0) return `length ${length} is not a non-zero multiple of 12`;
  const out = new Array<LargeCommunity>(length / 12);
  for (let i = start, k = 0; i < end; i += 12, k++) {
    out[k] = {
      globalAdministrator: readU32(bytes, i),
      localData1: readU32(bytes, i + 4),
      localData2: readU32(bytes, i + 8),
    };
  }
  return out;
}

/** "65000:100", or the RFC 1997 / IANA name of a well-known community. */
export function formatCommunity(community: number): string {
  return WELL_KNOWN_COMMUNITIES[community] ?? `${community >>> 16}:${community & 0xffff}`;
}

/** "65000:1:2" */
export function formatLargeCommunity(community: LargeCommunity): string {
  return `${community.globalAdministrator}:${community.localData1}:${community.localData2}`;
}

const EXTENDED_SUBTYPE_NAMES: Readonly<Record<number, string>> = { 0x02: 'rt', 0x03: 'soo' };

/**
 * "rt 65000:100", "soo 192.0.2.1:7", "rt 4200000000:1" for the route target /
 * route origin subtypes of the AS- and IPv4-specific types; otherwise the
 * 8 octets in hex, e.g. "0x030c000000000008".
 */
export function formatExtendedCommunity(community: bigint): string {
  const type = Number(community >> 56n) & 0xff;
  const subtype = Number(community >> 48n) & 0xff;
  const name = EXTENDED_SUBTYPE_NAMES[subtype];
  const base = type & ~0x40; // the Transitive bit does not change the layout
  if (name !== undefined && (base === 0x00 || base === 0x01 || base === 0x02)) {
    const low48 = community & 0xffffffffffffn;
    if (base === 0x00) return `${name} ${Number(low48 >> 32n)}:${Number(low48 & 0xffffffffn)}`;
    if (base === 0x01) return `${name} ${formatIpv4(Number(low48 >> 16n))}:${Number(low48 & 0xffffn)}`;
    return `${name} ${Number(low48 >> 16n)}:${Number(low48 & 0xffffn)}`;
  }
  return `0x${community.toString(16).padStart(16, '0')}`;
}
