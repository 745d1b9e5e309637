/**
 * Decoded MRT records (RFC 6396, RFC 8050) as plain data. Addresses are numbers (IPv4) or
 * bigints (IPv6) like in the BGP codec; path attributes of RIB entries stay raw (decode them with
 * `decodeMrtAttributes` when needed) so that reading a full table allocates little per entry.
 */
import type { BgpError, BgpMessage, Prefix, SessionContext } from '../bgp';

/** An IP address: IPv4 as an unsigned 32-bit number, IPv6 as a 128-bit bigint. */
export type MrtAddress =
  | { readonly family: 4; readonly address: number }
  | { readonly family: 6; readonly address: bigint };

export interface MrtHeader {
  /** Byte offset of the record's first octet in the (decompressed) stream. */
  readonly offset: number;
  /** Seconds since the epoch (uint32). */
  readonly timestamp: number;
  /** Microseconds, for the _ET types (RFC 6396 3). */
  readonly microseconds?: number;
  readonly type: number;
  readonly subtype: number;
  /** The Length field: octets after the common header (the microsecond field of _ET types included). */
  readonly length: number;
}

/** One peer of a PEER_INDEX_TABLE (RFC 6396 4.3.1). */
export interface MrtPeerEntry {
  /** BGP Identifier as an unsigned 32-bit number. */
  readonly bgpId: number;
  readonly address: MrtAddress;
  readonly asn: number;
  /** The AS was encoded in 4 octets (peer type bit 1). */
  readonly as4: boolean;
}

/** TABLE_DUMP_V2 / PEER_INDEX_TABLE. */
export interface PeerIndexTableRecord {
  readonly kind: 'peer-index-table';
  readonly header: MrtHeader;
  readonly collectorBgpId: number;
  /** The View Name (UTF-8 when valid, else each octet as a Latin-1 character). */
  readonly viewName: string;
  readonly peers: readonly MrtPeerEntry[];
}

/** One RIB entry of a RIB record (RFC 6396 4.3.4, RFC 8050 4.1). */
export interface MrtRibEntry {
  /** Index into the most recent PEER_INDEX_TABLE. */
  readonly peerIndex: number;
  /** Seconds since the epoch when the route was received. */
  readonly originatedTime: number;
  /** ADD-PATH Path Identifier (RFC 8050); 0 in the non-ADDPATH subtypes. */
  readonly pathId: number;
  /**
   * The path attributes exactly as in the record: 4-octet AS numbers, MP_REACH_NLRI holding only
   * the next hop length and address (RFC 6396 4.3.4). A view into the record's bytes.
   */
  readonly attributes: Uint8Array;
}

/** TABLE_DUMP_V2 RIB_IPV4/IPV6_UNICAST/MULTICAST and their _ADDPATH variants. */
export interface RibRecord {
  readonly kind: 'rib';
  readonly header: MrtHeader;
  readonly afi: 1 | 2;
  /** 1 unicast, 2 multicast. */
  readonly safi: 1 | 2;
  /** An _ADDPATH subtype: every entry carries a Path Identifier. */
  readonly addPath: boolean;
  readonly sequence: number;
  readonly prefix: Prefix;
  readonly entries: readonly MrtRibEntry[];
}

/**
 * TABLE_DUMP (RFC 6396 4.2): one route of one peer per record. The attributes use 2-octet AS
 * numbers (AS4_PATH, when present, is merged on loading: RFC 6793 4.2.3).
 */
export interface TableDumpRecord {
  readonly kind: 'table-dump';
  readonly header: MrtHeader;
  readonly afi: 1 | 2;
  readonly viewNumber: number;
  readonly sequence: number;
  /** The entry's place in a record that batches several (RIS table dumps of 2000); undefined when the record holds one. */
  readonly entry?: number;
  readonly prefix: Prefix;
  readonly status: number;
  /** Seconds since the epoch when the route was received. */
  readonly originatedTime: number;
  readonly peerAddress: MrtAddress;
  readonly peerAsn: number;
  /** The path attributes as in the record (2-octet AS_PATH). A view into the record's bytes. */
  readonly attributes: Uint8Array;
}

interface Bgp4mpCommon {
  readonly header: MrtHeader;
  readonly peerAsn: number;
  readonly localAsn: number;
  readonly interfaceIndex: number;
  readonly peerAddress: MrtAddress;
  readonly localAddress: MrtAddress;
  /** An _AS4 subtype: the header's AS numbers (and, for messages, AS_PATH) use 4 octets. */
  readonly as4: boolean;
}

/**
 * BGP4MP(_ET) MESSAGE subtypes: one BGP message, received from the peer or, `local`, sent to it.
 * Also the deprecated BGP / BGP4PLUS types' UPDATE, OPEN, NOTIFY and KEEPALIVE (2-octet AS, no
 * interface index).
 */
export interface Bgp4mpMessageRecord extends Bgp4mpCommon {
  readonly kind: 'bgp4mp-message';
  /** A _LOCAL subtype: the message was sent by the local speaker. */
  readonly local: boolean;
  /** An _ADDPATH subtype (RFC 8050): NLRI carry Path Identifiers. */
  readonly addPath: boolean;
  /** The context the message was decoded with (4-octet AS and ADD-PATH from the subtype). */
  readonly context: SessionContext;
  readonly message: BgpMessage;
  /** Errors of the UPDATE handled without a session reset (RFC 7606), already applied to `message`. */
  readonly errors: readonly BgpError[];
  /**
   * A BGP4MP UPDATE as recorded, header included (a view into the record's bytes): the loader
   * copies its attributes into the canonical form when nothing in them needs changing.
   */
  readonly updateBytes?: Uint8Array;
}

/**
 * BGP4MP(_ET) STATE_CHANGE and STATE_CHANGE_AS4; also the deprecated BGP_STATE_CHANGE, which
 * names the peer only (`localAsn` 0, `localAddress` 0.0.0.0 or ::).
 */
export interface Bgp4mpStateChangeRecord extends Bgp4mpCommon {
  readonly kind: 'bgp4mp-state-change';
  readonly oldState: number;
  readonly newState: number;
}

/** A well-framed record this codec does not interpret (RIB_GENERIC, GEO_PEER_TABLE, other MRT types). */
export interface SkippedRecord {
  readonly kind: 'skipped';
  readonly header: MrtHeader;
  readonly reason: string;
}

export type MrtRecord =
  | PeerIndexTableRecord
  | RibRecord
  | TableDumpRecord
  | Bgp4mpMessageRecord
  | Bgp4mpStateChangeRecord
  | SkippedRecord;

/** A record that could not be read. */
export interface MrtError {
  /** Byte offset (in the decompressed stream) of the record or of the bytes that could not be framed. */
  readonly offset: number;
  readonly reason: string;
  /** Header fields, when a header could be read. */
  readonly type?: number;
  readonly subtype?: number;
  /** The stream cannot go on (a truncated record at its end, or a decompression failure): nothing follows. */
  readonly fatal: boolean;
}

/** What a reader yields: a record, or an error with its offset (then reading goes on unless `fatal`). */
export type MrtReadResult =
  | { readonly ok: true; readonly record: MrtRecord }
  | { readonly ok: false; readonly error: MrtError };
