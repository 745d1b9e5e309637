/**
 * The path attribute table: one row per attribute type with its code, name,
 * expected flags, RFC 7606 error approach, and value decode / encode / format.
 * Attributes without a row are kept raw ({@link UnknownAttribute}).
 */
import { formatIpv4 } from './address';
import { decodeAsPathSegments, encodeAsPathSegments, formatAsPath } from './as-path';
import {
  type AggregatorAttribute,
  type As4AggregatorAttribute,
  type As4PathAttribute,
  type AsPathAttribute,
  type AtomicAggregateAttribute,
  type AttributeDescriptor,
  AttributeCode,
  AttributeFlag,
  type ClusterListAttribute,
  type CommunitiesAttribute,
  type ExtendedCommunitiesAttribute,
  type KnownAttribute,
  type LargeCommunitiesAttribute,
  type LocalPrefAttribute,
  type MpReachNlriAttribute,
  type MpUnreachNlriAttribute,
  type MultiExitDiscAttribute,
  type NextHopAttribute,
  type OriginAttribute,
  type OriginatorIdAttribute,
  type PathAttribute,
  type UnknownAttribute,
} from './attribute-types';
import { type ByteWriter, EncodeError, readU16, readU32, toHex } from './bytes';
import {
  decodeExtendedCommunities,
  decodeLargeCommunities,
  decodeU32List,
  formatCommunity,
  formatExtendedCommunity,
  formatLargeCommunity,
} from './communities';
import { ErrorCode, UpdateMessageSubcode } from './error-codes';
import { BgpError, type ErrorAction } from './errors';
import {
  decodeMpReach,
  decodeMpUnreach,
  encodeMpReach,
  encodeMpUnreach,
  formatMpReach,
  formatMpUnreach,
} from './mp-nlri';
import type { SessionContext } from './session-context';

/** Why a value is malformed: the UPDATE Message Error subcode and a reason. */
class Fault {
  constructor(
    readonly subcode: number,
    readonly reason: string,
  ) {}
}

const lengthFault = (reason: string): Fault => new Fault(UpdateMessageSubcode.AttributeLengthError, reason);

function expectLength(start: number, end: number, expected: number): Fault | undefined {
  return end - start === expected ? undefined : lengthFault(`length ${end - start}, expected ${expected}`);
}

/** The attribute as on the wire (flags, type, length, value): the NOTIFICATION data for attribute errors (RFC 4271 6.3). */
export function attributeBytes(bytes: Uint8Array, valueStart: number, valueEnd: number, flags: number): Uint8Array {
  const headerLength = flags & AttributeFlag.ExtendedLength ? 4 : 3;
  return bytes.slice(valueStart - headerLength, valueEnd);
}

interface AttributeSpec<A extends KnownAttribute> extends Omit<AttributeDescriptor<A>, 'decode'> {
  decodeValue(
    bytes: Uint8Array,
    start: number,
    end: number,
    flags: number,
    context: SessionContext,
  ): A | UnknownAttribute | Fault;
}

function define<A extends KnownAttribute>(spec: AttributeSpec<A>): AttributeDescriptor<A> {
  const { decodeValue, ...rest } = spec;
  return {
    ...rest,
    decode(bytes, start, end, flags, context) {
      const value = decodeValue(bytes, start, end, flags, context);
      if (!(value instanceof Fault)) return value;
      return new BgpError(
        ErrorCode.UpdateMessage,
        value.subcode,
        spec.malformedAction,
        `${spec.name}: ${value.reason}`,
        attributeBytes(bytes, start, end, flags),
      );
    },
  };
}

const WELL_KNOWN = AttributeFlag.Transitive;
const OPTIONAL_TRANSITIVE = AttributeFlag.Optional | AttributeFlag.Transitive;
const OPTIONAL_NON_TRANSITIVE = AttributeFlag.Optional;
const TREAT_AS_WITHDRAW: ErrorAction = 'treat-as-withdraw';
const ATTRIBUTE_DISCARD: ErrorAction = 'attribute-discard';
const SESSION_RESET: ErrorAction = 'session-reset';
const ORIGIN_NAMES = ['IGP', 'EGP', 'INCOMPLETE'];

/** The path attribute table. */
export const ATTRIBUTE_DESCRIPTORS: readonly AttributeDescriptor[] = [
  define<OriginAttribute>({
    code: AttributeCode.Origin,
    type: 'origin',
    name: 'ORIGIN',
    flags: WELL_KNOWN,
    malformedAction: TREAT_AS_WITHDRAW, // RFC 7606 7.1
    decodeValue(bytes, start, end, flags) {
      const fault = expectLength(start, end, 1);
      if (fault) return fault;
      const origin = bytes[start];
      if (origin > 2) return new Fault(UpdateMessageSubcode.InvalidOrigin, `undefined value ${origin}`);
      return { type: 'origin', flags, origin };
    },
    encode: (a, out) => out.u8(a.origin, 'ORIGIN'),
    format: (a) => ORIGIN_NAMES[a.origin] ?? String(a.origin),
  }),
  define<AsPathAttribute>({
    code: AttributeCode.AsPath,
    type: 'as-path',
    name: 'AS_PATH',
    flags: WELL_KNOWN,
    malformedAction: TREAT_AS_WITHDRAW, // RFC 7606 7.2
    decodeValue(bytes, start, end, flags, context) {
      const segments = decodeAsPathSegments(bytes, start, end, context.fourOctetAs ? 4 : 2);
      if (typeof segments === 'string') return new Fault(UpdateMessageSubcode.MalformedAsPath, segments);
      return { type: 'as-path', flags, segments };
    },
    encode: (a, out, context) => encodeAsPathSegments(a.segments, context.fourOctetAs ? 4 : 2, out),
    format: (a) => formatAsPath(a.segments),
  }),
  define<NextHopAttribute>({
    code: AttributeCode.NextHop,
    type: 'next-hop',
    name: 'NEXT_HOP',
    flags: WELL_KNOWN,
    malformedAction: TREAT_AS_WITHDRAW, // RFC 7606 7.3
    decodeValue: (bytes, start, end, flags) =>
      expectLength(start, end, 4) ?? { type: 'next-hop', flags, address: readU32(bytes, start) },
    encode: (a, out) => out.u32(a.address, 'NEXT_HOP'),
    format: (a) => formatIpv4(a.address),
  }),
  define<MultiExitDiscAttribute>({
    code: AttributeCode.MultiExitDisc,
    type: 'multi-exit-disc',
    name: 'MULTI_EXIT_DISC',
    flags: OPTIONAL_NON_TRANSITIVE,
    malformedAction: TREAT_AS_WITHDRAW, // RFC 7606 7.4
    decodeValue: (bytes, start, end, flags) =>
      expectLength(start, end, 4) ?? { type: 'multi-exit-disc', flags, value: readU32(bytes, start) },
    encode: (a, out) => out.u32(a.value, 'MULTI_EXIT_DISC'),
    format: (a) => String(a.value),
  }),
  define<LocalPrefAttribute>({
    code: AttributeCode.LocalPref,
    type: 'local-pref',
    name: 'LOCAL_PREF',
    flags: WELL_KNOWN,
    malformedAction: TREAT_AS_WITHDRAW, // RFC 7606 7.5
    internalOnly: true, // from an external peer: ignored (RFC 4271 5.1.5, RFC 4456 8), discarded when malformed
    decodeValue: (bytes, start, end, flags) =>
      expectLength(start, end, 4) ?? { type: 'local-pref', flags, value: readU32(bytes, start) },
    encode: (a, out) => out.u32(a.value, 'LOCAL_PREF'),
    format: (a) => String(a.value),
  }),
  define<AtomicAggregateAttribute>({
    code: AttributeCode.AtomicAggregate,
    type: 'atomic-aggregate',
    name: 'ATOMIC_AGGREGATE',
    flags: WELL_KNOWN,
    malformedAction: ATTRIBUTE_DISCARD, // RFC 7606 7.6
    decodeValue: (_bytes, start, end, flags) => expectLength(start, end, 0) ?? { type: 'atomic-aggregate', flags },
    encode: () => undefined,
    format: () => '',
  }),
  define<AggregatorAttribute>({
    code: AttributeCode.Aggregator,
    type: 'aggregator',
    name: 'AGGREGATOR',
    flags: OPTIONAL_TRANSITIVE,
    malformedAction: ATTRIBUTE_DISCARD, // RFC 7606 7.7
    decodeValue(bytes, start, end, flags, context) {
      const asnSize = context.fourOctetAs ? 4 : 2;
      const fault = expectLength(start, end, asnSize + 4);
      if (fault) return fault;
      const asn = asnSize === 4 ? readU32(bytes, start) : readU16(bytes, start);
      if (asn === 0) return new Fault(UpdateMessageSubcode.OptionalAttributeError, 'AS number 0 (RFC 7607)');
      return { type: 'aggregator', flags, asn, address: readU32(bytes, start + asnSize) };
    },
    encode(a, out, context) {
      if (context.fourOctetAs) out.u32(a.asn, 'AGGREGATOR ASN');
      else if (a.asn > 0xffff)
        throw new EncodeError(`AGGREGATOR ASN ${a.asn} needs a 4-octet session (use AS_TRANS and AS4_AGGREGATOR)`);
      else out.u16(a.asn, 'AGGREGATOR ASN');
      out.u32(a.address, 'AGGREGATOR address');
    },
    format: (a) => `${a.asn} ${formatIpv4(a.address)}`,
  }),
  define<CommunitiesAttribute>({
    code: AttributeCode.Communities,
    type: 'communities',
    name: 'COMMUNITIES',
    flags: OPTIONAL_TRANSITIVE,
    malformedAction: TREAT_AS_WITHDRAW, // RFC 7606 7.8
    decodeValue(bytes, start, end, flags) {
      const communities = decodeU32List(bytes, start, end);
      return typeof communities === 'string' ? lengthFault(communities) : { type: 'communities', flags, communities };
    },
    encode: (a, out) => a.communities.forEach((c) => out.u32(c, 'community')),
    format: (a) => a.communities.map(formatCommunity).join(' '),
  }),
  define<OriginatorIdAttribute>({
    code: AttributeCode.OriginatorId,
    type: 'originator-id',
    name: 'ORIGINATOR_ID',
    flags: OPTIONAL_NON_TRANSITIVE,
    malformedAction: TREAT_AS_WITHDRAW, // RFC 7606 7.9
    internalOnly: true,
    decodeValue: (bytes, start, end, flags) =>
      expectLength(start, end, 4) ?? { type: 'originator-id', flags, originatorId: readU32(bytes, start) },
    encode: (a, out) => out.u32(a.originatorId, 'ORIGINATOR_ID'),
    format: (a) => formatIpv4(a.originatorId),
  }),
  define<ClusterListAttribute>({
    code: AttributeCode.ClusterList,
    type: 'cluster-list',
    name: 'CLUSTER_LIST',
    flags: OPTIONAL_NON_TRANSITIVE,
    malformedAction: TREAT_AS_WITHDRAW, // RFC 7606 7.10
    internalOnly: true,
    decodeValue(bytes, start, end, flags) {
      const clusterIds = decodeU32List(bytes, start, end);
      return typeof clusterIds === 'string' ? lengthFault(clusterIds) : { type: 'cluster-list', flags, clusterIds };
    },
    encode: (a, out) => a.clusterIds.forEach((id) => out.u32(id, 'cluster ID')),
    format: (a) => a.clusterIds.map(formatIpv4).join(' '),
  }),
  define<MpReachNlriAttribute>({
    code: AttributeCode.MpReachNlri,
    type: 'mp-reach-nlri',
    name: 'MP_REACH_NLRI',
    flags: OPTIONAL_NON_TRANSITIVE,
    malformedAction: SESSION_RESET, // RFC 7606 7.11 (AFI/SAFI disable is not offered)
    decodeValue(bytes, start, end, flags, context) {
      const value = decodeMpReach(bytes, start, end, flags, context);
      return typeof value === 'string' ? new Fault(UpdateMessageSubcode.OptionalAttributeError, value) : value;
    },
    encode: encodeMpReach,
    format: formatMpReach,
  }),
  define<MpUnreachNlriAttribute>({
    code: AttributeCode.MpUnreachNlri,
    type: 'mp-unreach-nlri',
    name: 'MP_UNREACH_NLRI',
    flags: OPTIONAL_NON_TRANSITIVE,
    malformedAction: SESSION_RESET, // RFC 7606 7.11
    decodeValue(bytes, start, end, flags, context) {
      const value = decodeMpUnreach(bytes, start, end, flags, context);
      return typeof value === 'string' ? new Fault(UpdateMessageSubcode.OptionalAttributeError, value) : value;
    },
    encode: encodeMpUnreach,
    format: formatMpUnreach,
  }),
  define<ExtendedCommunitiesAttribute>({
    code: AttributeCode.ExtendedCommunities,
    type: 'extended-communities',
    name: 'EXTENDED_COMMUNITIES',
    flags: OPTIONAL_TRANSITIVE,
    malformedAction: TREAT_AS_WITHDRAW, // RFC 7606 7.14
    decodeValue(bytes, start, end, flags) {
      const communities = decodeExtendedCommunities(bytes, start, end);
      return typeof communities === 'string'
        ? lengthFault(communities)
        : { type: 'extended-communities', flags, communities };
    },
    encode: (a, out) => a.communities.forEach((c) => out.u64(c, 'extended community')),
    format: (a) => a.communities.map(formatExtendedCommunity).join(' '),
  }),
  define<As4PathAttribute>({
    code: AttributeCode.As4Path,
    type: 'as4-path',
    name: 'AS4_PATH',
    flags: OPTIONAL_TRANSITIVE,
    malformedAction: ATTRIBUTE_DISCARD, // RFC 6793 6
    decodeValue(bytes, start, end, flags) {
      const segments = decodeAsPathSegments(bytes, start, end, 4);
      if (typeof segments === 'string') return new Fault(UpdateMessageSubcode.OptionalAttributeError, segments);
      return { type: 'as4-path', flags, segments };
    },
    encode: (a, out) => encodeAsPathSegments(a.segments, 4, out),
    format: (a) => formatAsPath(a.segments),
  }),
  define<As4AggregatorAttribute>({
    code: AttributeCode.As4Aggregator,
    type: 'as4-aggregator',
    name: 'AS4_AGGREGATOR',
    flags: OPTIONAL_TRANSITIVE,
    malformedAction: ATTRIBUTE_DISCARD, // RFC 6793 6
    decodeValue(bytes, start, end, flags) {
      const fault = expectLength(start, end, 8);
      if (fault) return fault;
      const asn = readU32(bytes, start);
      if (asn === 0) return new Fault(UpdateMessageSubcode.OptionalAttributeError, 'AS number 0 (RFC 7607)');
      return { type: 'as4-aggregator', flags, asn, address: readU32(bytes, start + 4) };
    },
    encode(a, out) {
      out.u32(a.asn, 'AS4_AGGREGATOR ASN');
      out.u32(a.address, 'AS4_AGGREGATOR address');
    },
    format: (a) => `${a.asn} ${formatIpv4(a.address)}`,
  }),
  define<LargeCommunitiesAttribute>({
    code: AttributeCode.LargeCommunities,
    type: 'large-communities',
    name: 'LARGE_COMMUNITY',
    flags: OPTIONAL_TRANSITIVE,
    malformedAction: TREAT_AS_WITHDRAW, // RFC 8092 6
    decodeValue(bytes, start, end, flags) {
      const communities = decodeLargeCommunities(bytes, start, end);
      return typeof communities === 'string'
        ? lengthFault(communities)
        : { type: 'large-communities', flags, communities };
    },
    encode(a, out) {
      for (const c of a.communities) {
        out.u32(c.globalAdministrator, 'large community');
        out.u32(c.localData1, 'large community');
        out.u32(c.localData2, 'large community');
      }
    },
    format: (a) => a.communities.map(formatLargeCommunity).join(' '),
  }),
];

const BY_CODE: readonly (AttributeDescriptor | undefined)[] = (() => {
  const table = new Array<AttributeDescriptor | undefined>(256).fill(undefined);
  for (const d of ATTRIBUTE_DESCRIPTORS) table[d.code] = d;
  return table;
})();

const BY_TYPE: ReadonlyMap<string, AttributeDescriptor> = new Map(ATTRIBUTE_DESCRIPTORS.map((d) => [d.type, d]));

/** The table row for an attribute type code, if this codec interprets it. */
export function attributeDescriptor(code: number): AttributeDescriptor | undefined {
  return BY_CODE[code];
}

/** The attribute type code of a value. */
export function attributeCode(attribute: PathAttribute): number {
  return attribute.type === 'unknown' ? attribute.code : (BY_TYPE.get(attribute.type)?.code ?? -1);
}

/** "AS_PATH", or "ATTRIBUTE_99" for codes without a row. */
export function attributeName(code: number): string {
  return BY_CODE[code]?.name ?? `ATTRIBUTE_${code}`;
}

/**
 * Write one attribute: flags, type code, length, value. The Extended Length
 * bit is honoured as given, and set when the value needs more than 255 octets.
 */
export function encodeAttribute(attribute: PathAttribute, out: ByteWriter, context: SessionContext): void {
  const flagsAt = out.length;
  const extended = (attribute.flags & AttributeFlag.ExtendedLength) !== 0;
  out.u8(attribute.flags, 'attribute flags');
  out.u8(attributeCode(attribute), 'attribute type code');
  const lengthAt = out.length;
  if (extended) out.u16(0);
  else out.u8(0);
  const valueStart = out.length;
  if (attribute.type === 'unknown') {
    out.bytes(attribute.value);
  } else {
    const descriptor = BY_TYPE.get(attribute.type);
    if (descriptor === undefined) throw new EncodeError(`unknown attribute type ${String(attribute.type)}`);
    descriptor.encode(attribute, out, context);
  }
  const length = out.length - valueStart;
  if (length > 0xffff)
    throw new EncodeError(`${attributeName(attributeCode(attribute))} value is ${length} octets (max 65535)`);
  if (extended) {
    out.setU16(lengthAt, length);
  } else if (length <= 0xff) {
    out.setU8(lengthAt, length);
  } else {
    out.insertZeroByte(lengthAt);
    out.setU8(flagsAt, attribute.flags | AttributeFlag.ExtendedLength);
    out.setU16(lengthAt, length);
  }
}

/** "AS_PATH 65001 65002", "ATTRIBUTE_99 flags 0xe0 0102" */
export function formatAttribute(attribute: PathAttribute): string {
  if (attribute.type === 'unknown') {
    return `${attributeName(attribute.code)} flags 0x${attribute.flags.toString(16).padStart(2, '0')} ${toHex(attribute.value)}`.trimEnd();
  }
  const descriptor = BY_TYPE.get(attribute.type);
  if (descriptor === undefined) return String(attribute.type);
  return `${descriptor.name} ${descriptor.format(attribute)}`.trimEnd();
}
