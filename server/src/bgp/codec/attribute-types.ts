/**
 * Path attribute values (RFC 4271 5 and extensions). Every decoded attribute
 * keeps its flags octet as received (including Partial and Extended Length)
 * so that encoding reproduces the original bytes.
 */
import type { AsPathSegment } from './as-path';
import type { ByteWriter } from './bytes';
import type { BgpError, ErrorAction } from './errors';
import type { Nlri } from './prefix';
import type { SessionContext } from './session-context';

export const AttributeFlag = {
  Optional: 0x80,
  Transitive: 0x40,
  Partial: 0x20,
  ExtendedLength: 0x10,
} as const;

export const AttributeCode = {
  Origin: 1,
  AsPath: 2,
  NextHop: 3,
  MultiExitDisc: 4,
  LocalPref: 5,
  AtomicAggregate: 6,
  Aggregator: 7,
  Communities: 8,
  OriginatorId: 9,
  ClusterList: 10,
  MpReachNlri: 14,
  MpUnreachNlri: 15,
  ExtendedCommunities: 16,
  As4Path: 17,
  As4Aggregator: 18,
  LargeCommunities: 32,
} as const;

export const Origin = { Igp: 0, Egp: 1, Incomplete: 2 } as const;

interface AttributeBase {
  /** The Attribute Flags octet as received / to send (Optional, Transitive, Partial, Extended Length). */
  readonly flags: number;
}

/** ORIGIN (type 1): 0 IGP, 1 EGP, 2 INCOMPLETE. */
export interface OriginAttribute extends AttributeBase {
  readonly type: 'origin';
  readonly origin: number;
}

/** AS_PATH (type 2). ASN width (2 or 4 octets) follows the session context. */
export interface AsPathAttribute extends AttributeBase {
  readonly type: 'as-path';
  readonly segments: readonly AsPathSegment[];
}

/** NEXT_HOP (type 3): IPv4 next hop for the NLRI field. */
export interface NextHopAttribute extends AttributeBase {
  readonly type: 'next-hop';
  /** IPv4 address as an unsigned 32-bit number. */
  readonly address: number;
}

/** MULTI_EXIT_DISC (type 4). */
export interface MultiExitDiscAttribute extends AttributeBase {
  readonly type: 'multi-exit-disc';
  readonly value: number;
}

/** LOCAL_PREF (type 5). */
export interface LocalPrefAttribute extends AttributeBase {
  readonly type: 'local-pref';
  readonly value: number;
}

/** ATOMIC_AGGREGATE (type 6), no value. */
export interface AtomicAggregateAttribute extends AttributeBase {
  readonly type: 'atomic-aggregate';
}

/** AGGREGATOR (type 7). ASN width follows the session context. */
export interface AggregatorAttribute extends AttributeBase {
  readonly type: 'aggregator';
  readonly asn: number;
  /** IPv4 address as an unsigned 32-bit number. */
  readonly address: number;
}

/** COMMUNITIES (type 8, RFC 1997): each community as an unsigned 32-bit number (ASN << 16 | value). */
export interface CommunitiesAttribute extends AttributeBase {
  readonly type: 'communities';
  readonly communities: readonly number[];
}

/** ORIGINATOR_ID (type 9, RFC 4456). */
export interface OriginatorIdAttribute extends AttributeBase {
  readonly type: 'originator-id';
  /** Router ID as an unsigned 32-bit number. */
  readonly originatorId: number;
}

/** CLUSTER_LIST (type 10, RFC 4456). */
export interface ClusterListAttribute extends AttributeBase {
  readonly type: 'cluster-list';
  readonly clusterIds: readonly number[];
}

/** Next hop of an MP_REACH_NLRI: IPv4, or IPv6 with an optional link-local second address (RFC 2545 3). */
export type NextHop =
  | { readonly family: 4; readonly address: number }
  | { readonly family: 6; readonly address: bigint; readonly linkLocal?: bigint };

/**
 * MP_REACH_NLRI (type 14, RFC 4760) for IPv4/IPv6 unicast and multicast.
 * IPv4 NLRI may have an IPv6 next hop (RFC 8950). Other families decode as {@link UnknownAttribute}.
 */
export interface MpReachNlriAttribute extends AttributeBase {
  readonly type: 'mp-reach-nlri';
  readonly afi: number;
  readonly safi: number;
  readonly nextHop: NextHop;
  readonly nlri: readonly Nlri[];
}

/** MP_UNREACH_NLRI (type 15, RFC 4760) for IPv4/IPv6 unicast and multicast. */
export interface MpUnreachNlriAttribute extends AttributeBase {
  readonly type: 'mp-unreach-nlri';
  readonly afi: number;
  readonly safi: number;
  readonly withdrawn: readonly Nlri[];
}

/** EXTENDED COMMUNITIES (type 16, RFC 4360): each community as an unsigned 64-bit bigint. */
export interface ExtendedCommunitiesAttribute extends AttributeBase {
  readonly type: 'extended-communities';
  readonly communities: readonly bigint[];
}

/** AS4_PATH (type 17, RFC 6793): always 4-octet ASNs. */
export interface As4PathAttribute extends AttributeBase {
  readonly type: 'as4-path';
  readonly segments: readonly AsPathSegment[];
}

/** AS4_AGGREGATOR (type 18, RFC 6793). */
export interface As4AggregatorAttribute extends AttributeBase {
  readonly type: 'as4-aggregator';
  readonly asn: number;
  readonly address: number;
}

/** One BGP Large Community (RFC 8092). */
export interface LargeCommunity {
  readonly globalAdministrator: number;
  readonly localData1: number;
  readonly localData2: number;
}

/** LARGE_COMMUNITY (type 32, RFC 8092). */
export interface LargeCommunitiesAttribute extends AttributeBase {
  readonly type: 'large-communities';
  readonly communities: readonly LargeCommunity[];
}

/**
 * An attribute this codec does not interpret, kept byte for byte with its
 * flags: unrecognized type codes, and MP_REACH/MP_UNREACH of families other
 * than IPv4/IPv6 unicast/multicast.
 */
export interface UnknownAttribute extends AttributeBase {
  readonly type: 'unknown';
  readonly code: number;
  readonly value: Uint8Array;
}

export type PathAttribute =
  | OriginAttribute
  | AsPathAttribute
  | NextHopAttribute
  | MultiExitDiscAttribute
  | LocalPrefAttribute
  | AtomicAggregateAttribute
  | AggregatorAttribute
  | CommunitiesAttribute
  | OriginatorIdAttribute
  | ClusterListAttribute
  | MpReachNlriAttribute
  | MpUnreachNlriAttribute
  | ExtendedCommunitiesAttribute
  | As4PathAttribute
  | As4AggregatorAttribute
  | LargeCommunitiesAttribute
  | UnknownAttribute;

export type KnownAttribute = Exclude<PathAttribute, UnknownAttribute>;

/** The attribute value for a `type` name, e.g. AttributeOfType<'origin'> = OriginAttribute. */
export type AttributeOfType<T extends PathAttribute['type']> = Extract<PathAttribute, { readonly type: T }>;

/**
 * A row of the path attribute table: everything the codec knows about one
 * attribute type. `decode` reads the value bytes[start, end) (the header has
 * been read already); it may return an {@link UnknownAttribute} to keep a
 * value it does not interpret, or a {@link BgpError} when the value is malformed.
 */
export interface AttributeDescriptor<A extends KnownAttribute = KnownAttribute> {
  readonly code: number;
  readonly type: A['type'];
  /** Name as in the RFCs, e.g. "AS_PATH". */
  readonly name: string;
  /** Expected Optional and Transitive bits (RFC 7606 3(c) checks only these two). */
  readonly flags: number;
  /** RFC 7606 section 7 approach when the value is malformed. */
  readonly malformedAction: ErrorAction;
  /**
   * Meant for internal peers only: from an external (eBGP) peer the attribute is dropped unread,
   * silently when well-formed, as attribute-discard when malformed (RFC 7606 7.5, 7.9, 7.10).
   */
  readonly internalOnly?: boolean;
  decode(
    bytes: Uint8Array,
    start: number,
    end: number,
    flags: number,
    context: SessionContext,
  ): A | UnknownAttribute | BgpError;
  /** Write the value only (no flags, code or length). Throws EncodeError for unencodable values. */
  encode(attribute: A, out: ByteWriter, context: SessionContext): void;
  /** Human-readable value, e.g. "65001 {65002,65003}". */
  format(attribute: A): string;
}
