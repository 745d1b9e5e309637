/**
 * MRT type and subtype codes (RFC 6396 with the ADD-PATH subtypes of RFC 8050) and their names.
 */

/** Common header: timestamp (4), type (2), subtype (2), length (4). */
export const MRT_HEADER_LENGTH = 12;

/** Default upper bound for one record's length: larger lengths are treated as corruption. */
export const DEFAULT_MAX_RECORD_LENGTH = 16 * 1024 * 1024;

export const MrtType = {
  /** Deprecated (RFC 6396 Appendix B): BGP messages with 2-octet ASNs and IPv4 addresses (RIS 1999-2000). */
  Bgp: 5,
  /** Deprecated: as Bgp, with IPv6 peer and local addresses. */
  Bgp4Plus: 6,
  Bgp4Plus01: 7,
  OspfV2: 11,
  TableDump: 12,
  TableDumpV2: 13,
  Bgp4mp: 16,
  Bgp4mpEt: 17,
  Isis: 32,
  IsisEt: 33,
  OspfV3: 48,
  OspfV3Et: 49,
} as const;

/** TABLE_DUMP (RFC 6396 4.2): the subtype is the AFI. */
export const TableDumpSubtype = {
  Ipv4: 1,
  Ipv6: 2,
} as const;

/** Subtypes of the deprecated BGP, BGP4PLUS and BGP4PLUS_01 types (RFC 6396 Appendix B.2). */
export const LegacyBgpSubtype = {
  Null: 0,
  Update: 1,
  PrefUpdate: 2,
  StateChange: 3,
  Sync: 4,
  Open: 5,
  Notify: 6,
  Keepalive: 7,
} as const;

export const TableDumpV2Subtype = {
  PeerIndexTable: 1,
  RibIpv4Unicast: 2,
  RibIpv4Multicast: 3,
  RibIpv6Unicast: 4,
  RibIpv6Multicast: 5,
  RibGeneric: 6,
  GeoPeerTable: 7,
  RibIpv4UnicastAddPath: 8,
  RibIpv4MulticastAddPath: 9,
  RibIpv6UnicastAddPath: 10,
  RibIpv6MulticastAddPath: 11,
  RibGenericAddPath: 12,
} as const;

export const Bgp4mpSubtype = {
  StateChange: 0,
  Message: 1,
  Entry: 2,
  Snapshot: 3,
  MessageAs4: 4,
  StateChangeAs4: 5,
  MessageLocal: 6,
  MessageAs4Local: 7,
  MessageAddPath: 8,
  MessageAs4AddPath: 9,
  MessageLocalAddPath: 10,
  MessageAs4LocalAddPath: 11,
} as const;

/** BGP FSM states as numbered in BGP4MP_STATE_CHANGE (RFC 6396 4.4.1). */
export const Bgp4mpState = {
  Idle: 1,
  Connect: 2,
  Active: 3,
  OpenSent: 4,
  OpenConfirm: 5,
  Established: 6,
} as const;

const TYPE_NAMES: Readonly<Record<number, string>> = {
  5: 'BGP',
  6: 'BGP4PLUS',
  7: 'BGP4PLUS_01',
  11: 'OSPFv2',
  12: 'TABLE_DUMP',
  13: 'TABLE_DUMP_V2',
  16: 'BGP4MP',
  17: 'BGP4MP_ET',
  32: 'ISIS',
  33: 'ISIS_ET',
  48: 'OSPFv3',
  49: 'OSPFv3_ET',
};

const TABLE_DUMP_V2_NAMES: Readonly<Record<number, string>> = {
  1: 'PEER_INDEX_TABLE',
  2: 'RIB_IPV4_UNICAST',
  3: 'RIB_IPV4_MULTICAST',
  4: 'RIB_IPV6_UNICAST',
  5: 'RIB_IPV6_MULTICAST',
  6: 'RIB_GENERIC',
  7: 'GEO_PEER_TABLE',
  8: 'RIB_IPV4_UNICAST_ADDPATH',
  9: 'RIB_IPV4_MULTICAST_ADDPATH',
  10: 'RIB_IPV6_UNICAST_ADDPATH',
  11: 'RIB_IPV6_MULTICAST_ADDPATH',
  12: 'RIB_GENERIC_ADDPATH',
};

const BGP4MP_NAMES: Readonly<Record<number, string>> = {
  0: 'BGP4MP_STATE_CHANGE',
  1: 'BGP4MP_MESSAGE',
  2: 'BGP4MP_ENTRY',
  3: 'BGP4MP_SNAPSHOT',
  4: 'BGP4MP_MESSAGE_AS4',
  5: 'BGP4MP_STATE_CHANGE_AS4',
  6: 'BGP4MP_MESSAGE_LOCAL',
  7: 'BGP4MP_MESSAGE_AS4_LOCAL',
  8: 'BGP4MP_MESSAGE_ADDPATH',
  9: 'BGP4MP_MESSAGE_AS4_ADDPATH',
  10: 'BGP4MP_MESSAGE_LOCAL_ADDPATH',
  11: 'BGP4MP_MESSAGE_AS4_LOCAL_ADDPATH',
};

const TABLE_DUMP_NAMES: Readonly<Record<number, string>> = { 1: 'AFI_IPv4', 2: 'AFI_IPv6' };

const LEGACY_BGP_NAMES: Readonly<Record<number, string>> = {
  0: 'BGP_NULL',
  1: 'BGP_UPDATE',
  2: 'BGP_PREF_UPDATE',
  3: 'BGP_STATE_CHANGE',
  4: 'BGP_SYNC',
  5: 'BGP_OPEN',
  6: 'BGP_NOTIFY',
  7: 'BGP_KEEPALIVE',
};

/** Subtype names per type. */
const SUBTYPE_NAMES: Readonly<Record<number, Readonly<Record<number, string>>>> = {
  [MrtType.Bgp]: LEGACY_BGP_NAMES,
  [MrtType.Bgp4Plus]: LEGACY_BGP_NAMES,
  [MrtType.Bgp4Plus01]: LEGACY_BGP_NAMES,
  [MrtType.TableDump]: TABLE_DUMP_NAMES,
  [MrtType.TableDumpV2]: TABLE_DUMP_V2_NAMES,
  [MrtType.Bgp4mp]: BGP4MP_NAMES,
  [MrtType.Bgp4mpEt]: BGP4MP_NAMES,
};

const STATE_NAMES: Readonly<Record<number, string>> = {
  1: 'Idle',
  2: 'Connect',
  3: 'Active',
  4: 'OpenSent',
  5: 'OpenConfirm',
  6: 'Established',
};

/** "TABLE_DUMP_V2", or "type N". */
export function mrtTypeName(type: number): string {
  return TYPE_NAMES[type] ?? `type ${type}`;
}

/** "TABLE_DUMP_V2/RIB_IPV4_UNICAST", "BGP4MP_ET/BGP4MP_MESSAGE_AS4", or with numbers for unknown codes. */
export function mrtSubtypeName(type: number, subtype: number): string {
  const names = SUBTYPE_NAMES[type];
  return `${mrtTypeName(type)}/${names?.[subtype] ?? `subtype ${subtype}`}`;
}

/** "Established", or "state N". */
export function bgp4mpStateName(state: number): string {
  return STATE_NAMES[state] ?? `state ${state}`;
}

/** Types this reader frames (the IANA MRT registry's current types, and the deprecated BGP types RIS wrote in 1999-2000): a header with another type does not frame a record. */
export function isRegisteredMrtType(type: number): boolean {
  return TYPE_NAMES[type] !== undefined;
}

/** Types whose header carries a microsecond timestamp as the first 4 octets of the body (RFC 6396 3). */
export function isExtendedTimestampType(type: number): boolean {
  return type === MrtType.Bgp4mpEt || type === MrtType.IsisEt || type === MrtType.OspfV3Et;
}
