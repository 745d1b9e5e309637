/**
 * Record bodies: TABLE_DUMP and the deprecated BGP types (in ./legacy), TABLE_DUMP_V2 (PEER_INDEX_TABLE, RIB_* and _ADDPATH) and BGP4MP / BGP4MP_ET
 * (STATE_CHANGE, MESSAGE and their _AS4, _LOCAL, _ADDPATH variants). Decoding never throws:
 * malformed bodies give a reason string.
 */
import { type Nlri, type Prefix, decodeMessage, decodeNlri, decodeUtf8, readU128, readU16, readU32 } from '../bgp';
export { readU16, readU32 } from '../bgp';
import {
  Bgp4mpSubtype,
  MrtType,
  TableDumpV2Subtype,
  isExtendedTimestampType,
  mrtSubtypeName,
  mrtTypeName,
} from './constants';
import type { MrtAddress, MrtHeader, MrtPeerEntry, MrtReadResult, MrtRecord, MrtRibEntry } from './types';
import { bgp4mpContext } from './contexts';
import { decodeLegacyBgp, decodeTableDump } from './legacy';
export { bgp4mpContext } from './contexts';

function readAddress(bytes: Uint8Array, offset: number, family: 4 | 6): MrtAddress {
  return family === 4
    ? { family: 4, address: readU32(bytes, offset) }
    : { family: 6, address: readU128(bytes, offset) };
}

/** The header fields of a body that starts after the common header (microseconds read for _ET types). */
export interface HeaderFields {
  readonly offset: number;
  readonly timestamp: number;
  readonly type: number;
  readonly subtype: number;
  readonly length: number;
}

/**
 * Decode a record body: bytes[start, end) are the octets after the common header (the `length`
 * it declares, or 4 more for a batched TABLE_DUMP record: `tableDumpOverrun`). Returns the
 * record, one result per entry for a batched TABLE_DUMP record, or the reason it is malformed.
 */
export function decodeRecordBody(
  fields: HeaderFields,
  bytes: Uint8Array,
  start: number,
  end: number,
): MrtRecord | readonly MrtReadResult[] | string {
  let header: MrtHeader = fields;
  let i = start;
  if (isExtendedTimestampType(fields.type)) {
    if (end - i < 4) return `${mrtTypeName(fields.type)} record of ${end - i} octets has no microsecond timestamp`;
    header = { ...fields, microseconds: readU32(bytes, i) };
    i += 4;
  }
  switch (fields.type) {
    case MrtType.TableDumpV2:
      return decodeTableDumpV2(header, bytes, i, end);
    case MrtType.Bgp4mp:
    case MrtType.Bgp4mpEt:
      return decodeBgp4mp(header, bytes, i, end);
    case MrtType.TableDump:
      return decodeTableDump(header, bytes, i, end);
    case MrtType.Bgp:
    case MrtType.Bgp4Plus:
    case MrtType.Bgp4Plus01:
      return decodeLegacyBgp(header, bytes, i, end);
    default:
      return { kind: 'skipped', header, reason: `${mrtTypeName(fields.type)} records are not interpreted` };
  }
}

// ---- TABLE_DUMP_V2 ----

function decodeTableDumpV2(header: MrtHeader, bytes: Uint8Array, start: number, end: number): MrtRecord | string {
  const S = TableDumpV2Subtype;
  switch (header.subtype) {
    case S.PeerIndexTable:
      return decodePeerIndexTable(header, bytes, start, end);
    case S.RibIpv4Unicast:
      return decodeRib(header, bytes, start, end, 1, 1, false);
    case S.RibIpv4Multicast:
      return decodeRib(header, bytes, start, end, 1, 2, false);
    case S.RibIpv6Unicast:
      return decodeRib(header, bytes, start, end, 2, 1, false);
    case S.RibIpv6Multicast:
      return decodeRib(header, bytes, start, end, 2, 2, false);
    case S.RibIpv4UnicastAddPath:
      return decodeRib(header, bytes, start, end, 1, 1, true);
    case S.RibIpv4MulticastAddPath:
      return decodeRib(header, bytes, start, end, 1, 2, true);
    case S.RibIpv6UnicastAddPath:
      return decodeRib(header, bytes, start, end, 2, 1, true);
    case S.RibIpv6MulticastAddPath:
      return decodeRib(header, bytes, start, end, 2, 2, true);
    case S.RibGeneric:
    case S.RibGenericAddPath:
    case S.GeoPeerTable:
      return {
        kind: 'skipped',
        header,
        reason: `${mrtSubtypeName(header.type, header.subtype)} records are not interpreted`,
      };
    default:
      return `unknown TABLE_DUMP_V2 subtype ${header.subtype}`;
  }
}

function decodePeerIndexTable(header: MrtHeader, bytes: Uint8Array, start: number, end: number): MrtRecord | string {
  let i = start;
  if (end - i < 6) return 'PEER_INDEX_TABLE: truncated before the view name';
  const collectorBgpId = readU32(bytes, i);
  const nameLength = readU16(bytes, i + 4);
  i += 6;
  if (i + nameLength + 2 > end) return `PEER_INDEX_TABLE: view name of ${nameLength} octets overruns the record`;
  const viewName = decodeUtf8(bytes, i, i + nameLength) ?? latin1(bytes, i, i + nameLength);
  i += nameLength;
  const count = readU16(bytes, i);
  i += 2;
  const peers: MrtPeerEntry[] = new Array(count);
  for (let k = 0; k < count; k++) {
    if (i >= end) return `PEER_INDEX_TABLE: peer ${k} of ${count} is missing`;
    const type = bytes[i]!;
    if (type > 3) return `PEER_INDEX_TABLE: peer ${k} has unknown peer type 0x${type.toString(16)}`;
    const family: 4 | 6 = type & 1 ? 6 : 4;
    const as4 = (type & 2) !== 0;
    const size = 1 + 4 + (family === 4 ? 4 : 16) + (as4 ? 4 : 2);
    if (i + size > end) return `PEER_INDEX_TABLE: peer ${k} of ${count} overruns the record`;
    const bgpId = readU32(bytes, i + 1);
    const address = readAddress(bytes, i + 5, family);
    const asAt = i + 5 + (family === 4 ? 4 : 16);
    const asn = as4 ? readU32(bytes, asAt) : readU16(bytes, asAt);
    peers[k] = { bgpId, address, asn, as4 };
    i += size;
  }
  if (i !== end) return `PEER_INDEX_TABLE: ${end - i} octets after the last peer`;
  return { kind: 'peer-index-table', header, collectorBgpId, viewName, peers };
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

const scratchNlri: Nlri[] = [];

/** One prefix at bytes[i] (length octet + address octets); the prefix and the offset after it, or a reason. */
function decodeOnePrefix(
  bytes: Uint8Array,
  i: number,
  end: number,
  family: 4 | 6,
): { prefix: Prefix; next: number } | string {
  if (i >= end) return 'truncated before the prefix';
  const length = bytes[i]!;
  const next = i + 1 + ((length + 7) >>> 3);
  if (length > (family === 4 ? 32 : 128)) return `IPv${family} prefix length ${length}`;
  if (next > end) return `prefix /${length} overruns the record`;
  scratchNlri.length = 0;
  const problem = decodeNlri(bytes, i, next, family, false, scratchNlri);
  if (problem !== undefined) return problem;
  return { prefix: scratchNlri[0]!, next };
}

function decodeRib(
  header: MrtHeader,
  bytes: Uint8Array,
  start: number,
  end: number,
  afi: 1 | 2,
  safi: 1 | 2,
  addPath: boolean,
): MrtRecord | string {
  let i = start;
  if (end - i < 5) return `${ribName(header)}: truncated before the prefix`;
  const sequence = readU32(bytes, i);
  i += 4;
  const decoded = decodeOnePrefix(bytes, i, end, afi === 1 ? 4 : 6);
  if (typeof decoded === 'string') return `${ribName(header)}: ${decoded}`;
  const prefix = decoded.prefix;
  i = decoded.next;
  if (i + 2 > end) return `${ribName(header)} ${formatShort(prefix)}: truncated before the entry count`;
  const count = readU16(bytes, i);
  i += 2;
  const fixed = addPath ? 12 : 8;
  const entries: MrtRibEntry[] = new Array(count);
  for (let k = 0; k < count; k++) {
    if (i + fixed > end) return `${ribName(header)} ${formatShort(prefix)}: entry ${k} of ${count} overruns the record`;
    const peerIndex = readU16(bytes, i);
    const originatedTime = readU32(bytes, i + 2);
    let pathId = 0;
    if (addPath) pathId = readU32(bytes, i + 6);
    const attributesLength = readU16(bytes, i + fixed - 2);
    i += fixed;
    if (i + attributesLength > end) {
      return `${ribName(header)} ${formatShort(prefix)}: entry ${k} attribute length ${attributesLength} overruns the record by ${i + attributesLength - end} octets`;
    }
    entries[k] = { peerIndex, originatedTime, pathId, attributes: bytes.subarray(i, i + attributesLength) };
    i += attributesLength;
  }
  if (i !== end) return `${ribName(header)} ${formatShort(prefix)}: ${end - i} octets after the last entry`;
  return { kind: 'rib', header, afi, safi, addPath, sequence, prefix, entries };
}

function ribName(header: MrtHeader): string {
  return mrtSubtypeName(header.type, header.subtype).slice('TABLE_DUMP_V2/'.length);
}

function formatShort(prefix: Prefix): string {
  if (prefix.family === 4) {
    const a = prefix.address;
    return `${a >>> 24}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${a & 0xff}/${prefix.length}`;
  }
  return `0x${prefix.address.toString(16)}/${prefix.length}`;
}

// ---- BGP4MP ----

interface MessageSubtype {
  readonly as4: boolean;
  readonly local: boolean;
  readonly addPath: boolean;
}

const MESSAGE_SUBTYPES: Readonly<Record<number, MessageSubtype>> = {
  [Bgp4mpSubtype.Message]: { as4: false, local: false, addPath: false },
  [Bgp4mpSubtype.MessageAs4]: { as4: true, local: false, addPath: false },
  [Bgp4mpSubtype.MessageLocal]: { as4: false, local: true, addPath: false },
  [Bgp4mpSubtype.MessageAs4Local]: { as4: true, local: true, addPath: false },
  [Bgp4mpSubtype.MessageAddPath]: { as4: false, local: false, addPath: true },
  [Bgp4mpSubtype.MessageAs4AddPath]: { as4: true, local: false, addPath: true },
  [Bgp4mpSubtype.MessageLocalAddPath]: { as4: false, local: true, addPath: true },
  [Bgp4mpSubtype.MessageAs4LocalAddPath]: { as4: true, local: true, addPath: true },
};

/** The subtype's name for an error ("MESSAGE_AS4"): made only for a record that is malformed. */
function bgp4mpName(header: MrtHeader): string {
  return mrtSubtypeName(header.type, header.subtype).replace(/^BGP4MP(_ET)?\//, '');
}

// One object literal per record kind, no closure or spread: this runs once per UPDATE.
function decodeBgp4mp(header: MrtHeader, bytes: Uint8Array, start: number, end: number): MrtRecord | string {
  const subtype = header.subtype;
  const stateChange = subtype === Bgp4mpSubtype.StateChange || subtype === Bgp4mpSubtype.StateChangeAs4;
  const kind = MESSAGE_SUBTYPES[subtype];
  if (!stateChange && kind === undefined) {
    if (subtype === Bgp4mpSubtype.Entry || subtype === Bgp4mpSubtype.Snapshot) {
      return { kind: 'skipped', header, reason: `${bgp4mpName(header)} is deprecated and not interpreted` };
    }
    return `unknown BGP4MP subtype ${subtype}`;
  }
  const as4 = stateChange ? subtype === Bgp4mpSubtype.StateChangeAs4 : kind!.as4;
  const asSize = as4 ? 4 : 2;
  let i = start;
  if (end - i < 2 * asSize + 4) return `${bgp4mpName(header)}: truncated before the addresses`;
  const peerAsn = as4 ? readU32(bytes, i) : readU16(bytes, i);
  const localAsn = as4 ? readU32(bytes, i + asSize) : readU16(bytes, i + asSize);
  i += 2 * asSize;
  const interfaceIndex = readU16(bytes, i);
  const afi = readU16(bytes, i + 2);
  i += 4;
  if (afi !== 1 && afi !== 2) return `${bgp4mpName(header)}: unknown address family ${afi}`;
  const family: 4 | 6 = afi === 1 ? 4 : 6;
  const size = family === 4 ? 4 : 16;
  if (i + 2 * size > end) return `${bgp4mpName(header)}: truncated in the addresses`;
  const peerAddress = readAddress(bytes, i, family);
  const localAddress = readAddress(bytes, i + size, family);
  i += 2 * size;
  if (stateChange) {
    if (end - i !== 4) return `${bgp4mpName(header)}: ${end - i} octets where the two states (4 octets) belong`;
    const oldState = readU16(bytes, i);
    const newState = readU16(bytes, i + 2);
    // 1..6 are RFC 6396's; Quagga also wrote 7 (Clearing) and 8 (Deleted).
    if (oldState < 1 || oldState > 8 || newState < 1 || newState > 8)
      return `${bgp4mpName(header)}: unknown state ${oldState} -> ${newState}`;
    return {
      kind: 'bgp4mp-state-change',
      header,
      peerAsn,
      localAsn,
      interfaceIndex,
      peerAddress,
      localAddress,
      as4,
      oldState,
      newState,
    };
  }
  const context = bgp4mpContext(as4, kind!.addPath);
  const updateBytes = bytes.subarray(i, end);
  const result = decodeMessage(updateBytes, context);
  if (!result.ok) return `${bgp4mpName(header)}: BGP message: ${result.error.reason}`;
  const { local, addPath } = kind!;
  const { message, errors } = result;
  return {
    kind: 'bgp4mp-message',
    header,
    peerAsn,
    localAsn,
    interfaceIndex,
    peerAddress,
    localAddress,
    as4,
    local,
    addPath,
    context,
    message,
    errors,
    // Only an UPDATE's bytes are used after decoding (loader.ts).
    updateBytes: message.type === 'UPDATE' ? updateBytes : undefined,
  };
}
