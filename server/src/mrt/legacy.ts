/**
 * Record bodies of the older MRT types still found in public archives: TABLE_DUMP (RFC 6396 4.2,
 * RIS and RouteViews table dumps before 2008) and the deprecated BGP, BGP4PLUS and BGP4PLUS_01
 * types (RFC 6396 Appendix B.2, RIS update dumps of 1999-2000). Decoding never throws: malformed
 * bodies give a reason string.
 */
import { type BgpMessage, type Prefix, decodeMessage, readU128, readU16, readU32 } from '../bgp';
import { LegacyBgpSubtype, MrtType, TableDumpSubtype, mrtSubtypeName } from './constants';
import { bgp4mpContext } from './contexts';
import type { MrtAddress, MrtHeader, MrtReadResult, MrtRecord, TableDumpRecord } from './types';

function readAddress(bytes: Uint8Array, offset: number, family: 4 | 6): MrtAddress {
  return family === 4
    ? { family: 4, address: readU32(bytes, offset) }
    : { family: 6, address: readU128(bytes, offset) };
}

/** A prefix from a full-width address and a length; host bits beyond the length are cleared. */
function prefixOf(address: MrtAddress, length: number): Prefix {
  if (address.family === 4) {
    const mask = length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
    return { family: 4, address: (address.address & mask) >>> 0, length };
  }
  const mask = length === 0 ? 0n : ((1n << BigInt(length)) - 1n) << BigInt(128 - length);
  return { family: 6, address: address.address & mask, length };
}

/**
 * TABLE_DUMP: View Number (2), Sequence Number (2), then an entry: Prefix (4 or 16), Prefix
 * Length (1), Status (1), Originated Time (4), Peer IP Address (4 or 16), Peer AS (2), Attribute
 * Length (2), BGP Attributes. RIS table dumps of 2000 (written by MRT Toolkit) batch many entries
 * after one View and Sequence Number; those come back as one result per entry, each record
 * numbered by its `entry`, and an entry that does not decode is an error of its own.
 */
export function decodeTableDump(
  header: MrtHeader,
  bytes: Uint8Array,
  start: number,
  end: number,
): MrtRecord | readonly MrtReadResult[] | string {
  // Named only when a record is malformed: one string per record costs a full table dearly.
  const name = (): string => mrtSubtypeName(header.type, header.subtype);
  if (header.subtype !== TableDumpSubtype.Ipv4 && header.subtype !== TableDumpSubtype.Ipv6)
    return `unknown TABLE_DUMP subtype ${header.subtype}`;
  const afi = header.subtype as 1 | 2;
  const fixed = entryFixedLength(afi);
  if (end - start < 4 + fixed)
    return `${name()}: ${end - start} octets, fewer than the ${4 + fixed} of the fixed fields`;
  const viewNumber = readU16(bytes, start);
  const sequence = readU16(bytes, start + 2);
  const first = start + 4;
  const attributesEnd = first + fixed + readU16(bytes, first + fixed - 2);
  if (attributesEnd === end) return decodeEntry(header, afi, viewNumber, sequence, bytes, first, end, undefined);
  if (entriesEnd(bytes, first, end, fixed) !== end)
    return `${name()}: attribute length ${attributesEnd - first - fixed} does not match the ${end - first - fixed} octets left in the record`;
  const results: MrtReadResult[] = [];
  for (let i = first, k = 0; i < end; k++) {
    const next = i + fixed + readU16(bytes, i + fixed - 2);
    const entry = decodeEntry(header, afi, viewNumber, sequence, bytes, i, next, k);
    results.push(
      typeof entry === 'string'
        ? {
            ok: false,
            error: {
              offset: header.offset,
              type: header.type,
              subtype: header.subtype,
              reason: `${name()} entry ${k}: ${entry}`,
              fatal: false,
            },
          }
        : { ok: true, record: entry },
    );
    i = next;
  }
  return results;
}

/** Octets of a TABLE_DUMP entry before its attributes. */
function entryFixedLength(afi: 1 | 2): number {
  const size = afi === 1 ? 4 : 16;
  return size + 1 + 1 + 4 + size + 2 + 2;
}

/** Where consecutive entries from `i` stop: `end` exactly, or the end of the first that crosses it. */
function entriesEnd(bytes: Uint8Array, i: number, end: number, fixed: number): number {
  while (i < end) {
    // An entry whose fixed fields (its Attribute Length among them) cross `end` frames nothing.
    if (i + fixed > end) return -1;
    i += fixed + readU16(bytes, i + fixed - 2);
  }
  return i;
}

/**
 * Octets a TABLE_DUMP record's entries run past its declared Length: 4 for the batched records of
 * MRT Toolkit's writer, which left View and Sequence Number out of the Length (so the next record
 * starts 4 octets later than the header says), else 0. `bytes[start, end)` is the declared body.
 */
export function tableDumpOverrun(subtype: number, bytes: Uint8Array, start: number, end: number): number {
  if (subtype !== TableDumpSubtype.Ipv4 && subtype !== TableDumpSubtype.Ipv6) return 0;
  return entriesEnd(bytes, start + 4, end, entryFixedLength(subtype as 1 | 2)) === end + 4 ? 4 : 0;
}

function decodeEntry(
  header: MrtHeader,
  afi: 1 | 2,
  viewNumber: number,
  sequence: number,
  bytes: Uint8Array,
  start: number,
  end: number,
  entry: number | undefined,
): TableDumpRecord | string {
  const family: 4 | 6 = afi === 1 ? 4 : 6;
  const size = family === 4 ? 4 : 16;
  let i = start;
  const address = readAddress(bytes, i, family);
  i += size;
  const length = bytes[i]!;
  if (length > (family === 4 ? 32 : 128))
    return `${mrtSubtypeName(header.type, header.subtype)}: IPv${family} prefix length ${length}`;
  const status = bytes[i + 1]!;
  const originatedTime = readU32(bytes, i + 2);
  i += 6;
  const peerAddress = readAddress(bytes, i, family);
  i += size;
  const peerAsn = readU16(bytes, i);
  i += 4;
  const prefix = prefixOf(address, length);
  const attributes = bytes.subarray(i, end);
  return {
    kind: 'table-dump',
    header,
    afi,
    viewNumber,
    sequence,
    entry,
    prefix,
    status,
    originatedTime,
    peerAddress,
    peerAsn,
    attributes,
  };
}

/** BGP message type codes for the legacy subtypes that carry a message body. */
const MESSAGE_TYPE: Readonly<Record<number, number>> = {
  [LegacyBgpSubtype.Update]: 2,
  [LegacyBgpSubtype.Open]: 1,
  [LegacyBgpSubtype.Notify]: 3,
  [LegacyBgpSubtype.Keepalive]: 4,
};

const BGP_HEADER_LENGTH = 19;

/**
 * BGP / BGP4PLUS / BGP4PLUS_01. BGP_UPDATE, BGP_OPEN, BGP_NOTIFY and BGP_KEEPALIVE: Peer AS (2),
 * Peer IP (4 or 16), Local AS (2), Local IP (4 or 16), then the message without its 19-octet
 * header. BGP_STATE_CHANGE: Peer AS (2), Peer IP, Old State (2), New State (2). Other subtypes
 * (BGP_NULL, BGP_PREF_UPDATE, BGP_SYNC) carry no routes and are skipped.
 */
export function decodeLegacyBgp(header: MrtHeader, bytes: Uint8Array, start: number, end: number): MrtRecord | string {
  const name = mrtSubtypeName(header.type, header.subtype);
  const family: 4 | 6 = header.type === MrtType.Bgp ? 4 : 6;
  const size = family === 4 ? 4 : 16;
  const subtype = header.subtype;
  if (subtype === LegacyBgpSubtype.StateChange) {
    if (end - start !== 2 + size + 4) return `${name}: ${end - start} octets, expected ${2 + size + 4}`;
    const oldState = readU16(bytes, start + 2 + size);
    const newState = readU16(bytes, start + 4 + size);
    if (oldState < 1 || oldState > 6 || newState < 1 || newState > 6)
      return `${name}: unknown state ${oldState} -> ${newState}`;
    return {
      kind: 'bgp4mp-state-change',
      header,
      peerAsn: readU16(bytes, start),
      localAsn: 0,
      interfaceIndex: 0,
      peerAddress: readAddress(bytes, start + 2, family),
      localAddress: family === 4 ? { family: 4, address: 0 } : { family: 6, address: 0n },
      as4: false,
      oldState,
      newState,
    };
  }
  const messageType = MESSAGE_TYPE[subtype];
  if (messageType === undefined) {
    if (subtype <= LegacyBgpSubtype.Keepalive) return { kind: 'skipped', header, reason: `${name} carries no routes` };
    return `unknown ${name.split('/')[0]} subtype ${subtype}`;
  }
  const fixed = 2 * (2 + size);
  if (end - start < fixed) return `${name}: truncated before the message`;
  const bodyLength = end - start - fixed;
  if (BGP_HEADER_LENGTH + bodyLength > 0xffff) return `${name}: message of ${bodyLength} octets is too long`;
  // Give the body its header back so the BGP codec decodes it like any message.
  const framed = new Uint8Array(BGP_HEADER_LENGTH + bodyLength);
  framed.fill(0xff, 0, 16);
  framed[16] = framed.length >>> 8;
  framed[17] = framed.length & 0xff;
  framed[18] = messageType;
  framed.set(bytes.subarray(start + fixed, end), BGP_HEADER_LENGTH);
  const context = bgp4mpContext(false, false);
  const result = decodeMessage(framed, context);
  if (!result.ok) return `${name}: BGP message: ${result.error.reason}`;
  const message: BgpMessage = result.message;
  return {
    kind: 'bgp4mp-message',
    header,
    peerAsn: readU16(bytes, start),
    localAsn: readU16(bytes, start + 2 + size),
    interfaceIndex: 0,
    peerAddress: readAddress(bytes, start + 2, family),
    localAddress: readAddress(bytes, start + 4 + size, family),
    as4: false,
    local: false,
    addPath: false,
    context,
    message,
    errors: result.errors,
  };
}
