import type { IpAddress } from './addresses';

// BGP route state as the engine and every client see it: the JSON of the speaker's HTTP API
// (docs/api.md), the input of the BGP rules, and what kubectl and the editor show.

/** One path to a prefix, as received from one peer (ADD-PATH keeps several per peer). */
export interface RoutePath {
  /** The peer's address. */
  readonly peer: string;
  /** ADD-PATH path identifier; 0 when the session does not use ADD-PATH. */
  readonly pathId: number;
  /** The next hop address ("" when the UPDATE carried none). */
  readonly nextHop: string;
  /** AS numbers in order; an AS_SET is a nested array. Confederation segments are left out. */
  readonly asPath: readonly (number | readonly number[])[];
  /** The last AS of the path (the originator); undefined for an empty path (the peer's own iBGP route) or a trailing AS_SET. */
  readonly originAs: number | undefined;
  readonly origin: 'igp' | 'egp' | 'incomplete';
  readonly med: number | undefined;
  readonly localPref: number | undefined;
  /** RFC 1997 communities as "65000:1". */
  readonly communities: readonly string[];
  /** RFC 8092 large communities as "65000:1:2". */
  readonly largeCommunities: readonly string[];
  /** RFC 4360 extended communities, e.g. "rt 65000:5", "soo 10.0.0.1:7", else "0x" + 16 hex digits. */
  readonly extendedCommunities: readonly string[];
  /** Kept from a session that went down with graceful restart; swept unless refreshed. */
  readonly stale: boolean;
  /** When the path was last received, ISO 8601. */
  readonly receivedAt: string;
  /**
   * The region whose speaker received the path (regions.*.speaker), when route state is read from
   * several vantage points; absent for one speaker or a recorded table.
   */
  readonly vantage?: string;
}

export interface Route {
  /** "10.0.0.0/24" or "2001:db8::/32". */
  readonly prefix: string;
  readonly paths: readonly RoutePath[];
}

export type AddressFamilyName = 'ipv4-unicast' | 'ipv6-unicast';

/** One BGP peer of the speaker (or, with BMP, of a monitored router). */
export interface PeerStatus {
  readonly address: string;
  readonly asn: number;
  readonly description: string | undefined;
  /** Where the peer's routes come from: a BGP session of the speaker, or a BMP feed. */
  readonly source: 'bgp' | 'bmp';
  /** A dynamic session: the `speaker.dynamicPeers` group it was accepted under. */
  readonly group?: string;
  /** Sessions are signed with TCP-MD5 (RFC 2385); the password itself is never shown. */
  readonly tcpMd5?: boolean;
  /** For BMP: the monitored router that reports this peer (its address). */
  readonly router?: string;
  /**
   * For BMP: which RIB of the router the row's routes are in (the API's `view`): a peer's
   * Adj-RIB-In or Adj-RIB-Out, or the router's Loc-RIB.
   */
  readonly view?: 'adj-rib-in' | 'adj-rib-out' | 'loc-rib';
  /**
   * For BMP Adj-RIB-In and Adj-RIB-Out: whether the routes are before (pre-policy) or after the
   * router's import (or export) policy. Absent for a Loc-RIB.
   */
  readonly policy?: 'pre-policy' | 'post-policy';
  /** For a BMP Loc-RIB: the router filtered it (RFC 9069 F flag): not every best path is shown. */
  readonly filtered?: boolean;
  /** The RFC 4271 FSM state: Idle, Connect, Active, OpenSent, OpenConfirm, Established. */
  readonly state: string;
  /** Seconds in Established; 0 otherwise. */
  readonly uptimeSeconds: number;
  /** Prefixes received per family. */
  readonly received: Readonly<Partial<Record<AddressFamilyName, number>>>;
  /** Negotiated capabilities, e.g. "4-octet-as", "add-path ipv4-unicast receive", "graceful-restart 120s". */
  readonly capabilities: readonly string[];
  /** The last error: a NOTIFICATION sent or received, or a transport error. */
  readonly lastError: string | undefined;
  /** The region whose speaker has this session, when several regions' speakers are read. */
  readonly vantage?: string;
}

export interface LookupResult {
  /** The address looked up. */
  readonly ip: string;
  /** The longest matching route, if any. */
  readonly route: Route | undefined;
}

/** One vantage point's longest match for an address; vantage undefined: a source of no region. */
export interface VantageRoute {
  readonly vantage: string | undefined;
  readonly route: Route | undefined;
}

/** Route state the BGP rules consult: a speaker's answers or a loaded MRT snapshot, resolved up front. */
export interface RouteTable {
  /** Where the routes come from, for messages: "speaker http://127.0.0.1:8179", "fabric.mrt". */
  readonly source: string;
  /** The longest matching route for an address, if any; over several vantages, their union (vantage.ts). */
  lookup(address: IpAddress): Route | undefined;
  /** Each vantage's own longest match, when the state was read from several regions' speakers. */
  lookupEach?(address: IpAddress): readonly VantageRoute[];
}
