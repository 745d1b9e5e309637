/**
 * BMP registries (RFC 7854, with RFC 8671 Adj-RIB-Out and RFC 9069 Loc-RIB): message types, peer
 * types and flags, Peer Down reasons, information TLV types, and the statistics table that drives
 * decoding, encoding and formatting of Statistics Reports.
 */

/** The only version this codec reads (RFC 7854 4.1); versions 1 and 2 had another header. */
export const BMP_VERSION = 3;
/** Version (1), Message Length (4), Message Type (1). */
export const BMP_COMMON_HEADER_LENGTH = 6;
/** Peer Type (1), Flags (1), Distinguisher (8), Address (16), AS (4), BGP ID (4), Timestamp (4 + 4). */
export const BMP_PEER_HEADER_LENGTH = 42;
/** Messages declaring more are treated as a broken stream (a Peer Up with two 4096-octet OPENs is ~8 KB). */
export const DEFAULT_MAX_BMP_MESSAGE_LENGTH = 1 << 20;

export const BmpMessageType = {
  RouteMonitoring: 0,
  StatisticsReport: 1,
  PeerDown: 2,
  PeerUp: 3,
  Initiation: 4,
  Termination: 5,
  RouteMirroring: 6,
} as const;

const MESSAGE_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'Route Monitoring',
  1: 'Statistics Report',
  2: 'Peer Down',
  3: 'Peer Up',
  4: 'Initiation',
  5: 'Termination',
  6: 'Route Mirroring',
};

/** "Peer Up", or "type N" for unknown types. */
export function bmpMessageTypeName(type: number): string {
  return MESSAGE_TYPE_NAMES[type] ?? `type ${type}`;
}

/** Messages that carry a per-peer header. */
export function hasPeerHeader(type: number): boolean {
  return (
    type === BmpMessageType.RouteMonitoring ||
    type === BmpMessageType.StatisticsReport ||
    type === BmpMessageType.PeerDown ||
    type === BmpMessageType.PeerUp ||
    type === BmpMessageType.RouteMirroring
  );
}

export const BmpPeerType = {
  Global: 0,
  RdInstance: 1,
  LocalInstance: 2,
  /** RFC 9069: the router's Loc-RIB (its best paths), not a BGP peer. */
  LocRib: 3,
} as const;

const PEER_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'global',
  1: 'rd-instance',
  2: 'local-instance',
  3: 'loc-rib',
};

export function bmpPeerTypeName(type: number): string {
  return PEER_TYPE_NAMES[type] ?? `peer-type-${type}`;
}

/** Per-peer header flags (RFC 7854 4.2, RFC 8671 5). For the Loc-RIB peer type only F is defined (RFC 9069 4.2). */
export const BmpPeerFlag = {
  /** V: the peer address is IPv6. */
  Ipv6: 0x80,
  /** L: post-policy Adj-RIB-In (or Adj-RIB-Out with O). */
  PostPolicy: 0x40,
  /** A: the UPDATE uses the legacy 2-octet AS_PATH format. */
  LegacyAsPath: 0x20,
  /** O: Adj-RIB-Out (RFC 8671). */
  AdjRibOut: 0x10,
  /** F (Loc-RIB peer type): the Loc-RIB is filtered (RFC 9069). */
  Filtered: 0x80,
} as const;

/** Peer Down reasons (RFC 7854 4.9, RFC 9069 5.3). */
export const PeerDownReason = {
  /** The monitored router closed the session with a NOTIFICATION (the PDU follows). */
  LocalNotification: 1,
  /** The monitored router closed the session without a NOTIFICATION (a 2-octet FSM event code follows). */
  LocalNoNotification: 2,
  /** The peer closed the session with a NOTIFICATION (the PDU follows). */
  RemoteNotification: 3,
  /** The peer closed the session without a NOTIFICATION. */
  RemoteNoNotification: 4,
  /** Information for this peer will no longer be sent (de-configured). */
  PeerDeconfigured: 5,
  /** RFC 9069: the Loc-RIB went away; information TLVs follow. */
  LocalSystemClosedTlv: 6,
} as const;

const PEER_DOWN_NAMES: Readonly<Record<number, string>> = {
  1: 'local-notification',
  2: 'local-no-notification',
  3: 'remote-notification',
  4: 'remote-no-notification',
  5: 'peer-deconfigured',
  6: 'local-system-closed',
};

export function peerDownReasonName(reason: number): string {
  return PEER_DOWN_NAMES[reason] ?? `reason-${reason}`;
}

/** Information TLV types of Initiation and Peer Up (RFC 7854 4.4, RFC 9069 4.4). */
export const InformationType = {
  String: 0,
  SysDescr: 1,
  SysName: 2,
  VrfTableName: 3,
  AdminLabel: 4,
} as const;

const INFORMATION_NAMES: Readonly<Record<number, string>> = {
  0: 'string',
  1: 'sysDescr',
  2: 'sysName',
  3: 'vrf-table-name',
  4: 'admin-label',
};

/** Termination TLV types (RFC 7854 4.5). */
export const TerminationType = {
  String: 0,
  Reason: 1,
} as const;

const TERMINATION_NAMES: Readonly<Record<number, string>> = { 0: 'string', 1: 'reason' };

/** Termination reasons (RFC 7854 4.5). */
const TERMINATION_REASONS: Readonly<Record<number, string>> = {
  0: 'administratively closed',
  1: 'unspecified reason',
  2: 'out of resources',
  3: 'redundant connection',
  4: 'permanently administratively closed',
};

export function terminationReasonText(reason: number): string {
  return TERMINATION_REASONS[reason] ?? `reason ${reason}`;
}

/** Route Mirroring TLV types and Information codes (RFC 7854 4.7). */
export const MirroringType = {
  BgpMessage: 0,
  Information: 1,
} as const;

const MIRRORING_NAMES: Readonly<Record<number, string>> = { 0: 'bgp-message', 1: 'information' };
const MIRRORING_CODES: Readonly<Record<number, string>> = { 0: 'errored-pdu', 1: 'messages-lost' };

export function mirroringCodeName(code: number): string {
  return MIRRORING_CODES[code] ?? `code-${code}`;
}

/** The name of a TLV type in the context of a message type. */
export function tlvTypeName(messageType: number, tlvType: number): string {
  const names =
    messageType === BmpMessageType.Termination
      ? TERMINATION_NAMES
      : messageType === BmpMessageType.RouteMirroring
        ? MIRRORING_NAMES
        : INFORMATION_NAMES;
  return names[tlvType] ?? `tlv-${tlvType}`;
}

/** The value shapes of Statistics Report counters (RFC 7854 4.8). */
export type StatisticKind = 'counter' | 'gauge' | 'family-gauge';

export interface StatisticDescriptor {
  readonly type: number;
  readonly name: string;
  /** counter: 32-bit; gauge: 64-bit; family-gauge: AFI (2), SAFI (1), 64-bit gauge. */
  readonly kind: StatisticKind;
}

/** Octets of a value of each kind. */
export const STATISTIC_LENGTH: Readonly<Record<StatisticKind, number>> = { counter: 4, gauge: 8, 'family-gauge': 11 };

/** One row per statistic type: drives decoding, encoding and formatting. */
export const STATISTIC_DESCRIPTORS: readonly StatisticDescriptor[] = Object.freeze([
  { type: 0, name: 'rejected-prefixes', kind: 'counter' },
  { type: 1, name: 'duplicate-prefix-advertisements', kind: 'counter' },
  { type: 2, name: 'duplicate-withdraws', kind: 'counter' },
  { type: 3, name: 'cluster-list-loop', kind: 'counter' },
  { type: 4, name: 'as-path-loop', kind: 'counter' },
  { type: 5, name: 'originator-id-loop', kind: 'counter' },
  { type: 6, name: 'as-confed-loop', kind: 'counter' },
  { type: 7, name: 'adj-rib-in-routes', kind: 'gauge' },
  { type: 8, name: 'loc-rib-routes', kind: 'gauge' },
  { type: 9, name: 'adj-rib-in-routes-per-family', kind: 'family-gauge' },
  { type: 10, name: 'loc-rib-routes-per-family', kind: 'family-gauge' },
  { type: 11, name: 'updates-treated-as-withdraw', kind: 'counter' },
  { type: 12, name: 'prefixes-treated-as-withdraw', kind: 'counter' },
  { type: 13, name: 'duplicate-update-messages', kind: 'counter' },
  { type: 14, name: 'adj-rib-out-pre-policy-routes', kind: 'gauge' },
  { type: 15, name: 'adj-rib-out-post-policy-routes', kind: 'gauge' },
  { type: 16, name: 'adj-rib-out-pre-policy-routes-per-family', kind: 'family-gauge' },
  { type: 17, name: 'adj-rib-out-post-policy-routes-per-family', kind: 'family-gauge' },
] as const);

const STATISTICS_BY_TYPE: ReadonlyMap<number, StatisticDescriptor> = new Map(
  STATISTIC_DESCRIPTORS.map((d) => [d.type, d]),
);

export function statisticDescriptor(type: number): StatisticDescriptor | undefined {
  return STATISTICS_BY_TYPE.get(type);
}
