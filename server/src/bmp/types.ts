/**
 * Decoded BMP messages (RFC 7854) as plain data. Addresses are numbers (IPv4) or bigints (IPv6)
 * like in the BGP codec; BGP PDUs inside are decoded with the BGP codec.
 */
import type {
  BgpError,
  NegotiatedSession,
  NotificationMessage,
  OpenMessage,
  SessionContext,
  UpdateMessage,
} from '../bgp';

/** An IP address: IPv4 as an unsigned 32-bit number, IPv6 as a 128-bit bigint. */
export type BmpAddress =
  | { readonly family: 4; readonly address: number }
  | { readonly family: 6; readonly address: bigint };

/**
 * Which RIB of the monitored router a per-peer header speaks of: Adj-RIB-In before or after the
 * import policy (RFC 7854), Adj-RIB-Out (RFC 8671), or the router's Loc-RIB (RFC 9069).
 */
export type BmpRibView = 'adj-rib-in-pre' | 'adj-rib-in-post' | 'adj-rib-out-pre' | 'adj-rib-out-post' | 'loc-rib';

/** The per-peer header (RFC 7854 4.2). */
export interface BmpPeerHeader {
  /** 0 global, 1 RD instance, 2 local instance, 3 Loc-RIB (see `BmpPeerType`). */
  readonly peerType: number;
  /** The flags octet as on the wire. */
  readonly flags: number;
  /** V: the address is IPv6 (never set for the Loc-RIB peer type, whose 0x80 is F). */
  readonly ipv6: boolean;
  /** L: post-policy. */
  readonly postPolicy: boolean;
  /** A: the UPDATEs use 2-octet AS_PATH (decoded without 4-octet AS). */
  readonly legacyAsPath: boolean;
  /** O: Adj-RIB-Out (RFC 8671). */
  readonly adjRibOut: boolean;
  /** F: filtered Loc-RIB (RFC 9069), Loc-RIB peer type only. */
  readonly filtered: boolean;
  readonly rib: BmpRibView;
  /** Peer Distinguisher: a route distinguisher (RD instance) or a local value; 0 for global peers. */
  readonly distinguisher: bigint;
  readonly address: BmpAddress;
  readonly asn: number;
  /** BGP Identifier as an unsigned 32-bit number. */
  readonly bgpId: number;
  /** Seconds since the epoch; 0 when the router does not say. */
  readonly timestamp: number;
  readonly microseconds: number;
}

/** A TLV as on the wire, with its text when the type is a string type and the value valid UTF-8. */
export interface BmpTlv {
  readonly type: number;
  readonly value: Uint8Array;
  readonly text?: string;
}

interface BmpMessageCommon {
  /** Byte offset of the message's first octet in the stream (0 for a message decoded alone). */
  readonly offset: number;
  /** The Message Length field: the whole message, common header included. */
  readonly length: number;
}

/** Route Monitoring (RFC 7854 4.6): one BGP UPDATE of the peer, decoded for its session. */
export interface RouteMonitoringMessage extends BmpMessageCommon {
  readonly type: 'route-monitoring';
  readonly peer: BmpPeerHeader;
  /** The context the UPDATE was decoded with: ADD-PATH from the peer's Peer Up, 4-octet AS unless the A flag. */
  readonly context: SessionContext;
  readonly update: UpdateMessage;
  /** RFC 7606 errors handled without dropping the UPDATE (already applied to `update`). */
  readonly errors: readonly BgpError[];
}

/** One Statistics Report counter (RFC 7854 4.8). */
export interface BmpStatistic {
  readonly type: number;
  /** From `STATISTIC_DESCRIPTORS`, or "stat-N" for unknown types. */
  readonly name: string;
  /** Counters as numbers, gauges as bigints; undefined for unknown types (see `raw`). */
  readonly value?: number | bigint;
  /** For per-AFI/SAFI gauges. */
  readonly afi?: number;
  readonly safi?: number;
  /** The value octets of a statistic type this codec does not know. */
  readonly raw?: Uint8Array;
}

export interface StatisticsReportMessage extends BmpMessageCommon {
  readonly type: 'statistics-report';
  readonly peer: BmpPeerHeader;
  readonly statistics: readonly BmpStatistic[];
}

/** Peer Down (RFC 7854 4.9). */
export interface PeerDownMessage extends BmpMessageCommon {
  readonly type: 'peer-down';
  readonly peer: BmpPeerHeader;
  /** See `PeerDownReason`. */
  readonly reason: number;
  /** Reasons 1 and 3: the NOTIFICATION sent or received. */
  readonly notification?: NotificationMessage;
  /** Reason 2: the FSM event that closed the session. */
  readonly fsmEvent?: number;
  /** Reason 6 (RFC 9069): information TLVs. */
  readonly information?: readonly BmpTlv[];
  /** The data octets after the reason, as on the wire. */
  readonly data: Uint8Array;
  /**
   * The data does not parse as the reason requires (e.g. a broken NOTIFICATION). The peer is down
   * all the same, so this is reported here rather than failing the whole message.
   */
  readonly dataError?: string;
}

/** Peer Up (RFC 7854 4.10). */
export interface PeerUpMessage extends BmpMessageCommon {
  readonly type: 'peer-up';
  readonly peer: BmpPeerHeader;
  readonly localAddress: BmpAddress;
  readonly localPort: number;
  readonly remotePort: number;
  /** The OPEN the monitored router sent to the peer. */
  readonly sentOpen: OpenMessage;
  /** The OPEN the peer sent to the monitored router. */
  readonly receivedOpen: OpenMessage;
  /** The session as negotiated: `receive` decodes Adj-RIB-In UPDATEs, `send` Adj-RIB-Out ones. */
  readonly session: NegotiatedSession;
  readonly information: readonly BmpTlv[];
}

/** Initiation (RFC 7854 4.3): the router describes itself. */
export interface InitiationMessage extends BmpMessageCommon {
  readonly type: 'initiation';
  readonly information: readonly BmpTlv[];
  readonly sysName?: string;
  readonly sysDescr?: string;
}

/** Termination (RFC 7854 4.5): the router closes the BMP session. */
export interface TerminationMessage extends BmpMessageCommon {
  readonly type: 'termination';
  readonly information: readonly BmpTlv[];
  /** The Reason TLV, when present. */
  readonly reason?: number;
}

/** Route Mirroring (RFC 7854 4.7): verbatim BGP messages (kept raw) and information codes. */
export interface RouteMirroringMessage extends BmpMessageCommon {
  readonly type: 'route-mirroring';
  readonly peer: BmpPeerHeader;
  readonly tlvs: readonly BmpTlv[];
}

export type BmpMessage =
  | RouteMonitoringMessage
  | StatisticsReportMessage
  | PeerDownMessage
  | PeerUpMessage
  | InitiationMessage
  | TerminationMessage
  | RouteMirroringMessage;

/** A message that could not be read: data, never thrown. */
export interface BmpError {
  /** Byte offset of the message (or of the unframeable bytes) in the stream. */
  readonly offset: number;
  /** Byte offset in the stream of the field at fault. */
  readonly at: number;
  /** The BMP message type, when the common header could be read. */
  readonly messageType?: number;
  readonly reason: string;
  /** The BGP codec's error, when an embedded BGP PDU did not decode. */
  readonly bgp?: BgpError;
  /**
   * The stream cannot be framed past this point (bad version, impossible length, truncated at the
   * end): nothing more is read. A non-fatal error skips one message; the next one is read.
   */
  readonly fatal: boolean;
}

export type BmpDecodeResult =
  | { readonly ok: true; readonly message: BmpMessage }
  | { readonly ok: false; readonly error: BmpError };
