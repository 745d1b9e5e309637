// What happens to peers, as data: the BGP peers' sessions (peer.ts) and the peers monitored over
// BMP (bmp-station.ts) emit these; the log, the metrics and the watch stream subscribe to them,
// so none of them has to read another's output.
import type { ErrorAction } from '../bgp';

/** Which side of the router's policy a BMP view of a peer shows (Adj-RIB-In or Adj-RIB-Out). */
export type BmpPolicy = 'pre-policy' | 'post-policy';

/** Which RIB of a BMP-monitored router: its peers' Adj-RIB-In (RFC 7854) or Adj-RIB-Out (RFC 8671), or its Loc-RIB (RFC 9069). */
export type BmpRib = 'adj-rib-in' | 'adj-rib-out' | 'loc-rib';

/** A configured BGP peer, by address. */
export interface BgpPeerRef {
  readonly source: 'bgp';
  readonly peer: string;
}

/** A peer a router reports over BMP: its address, the router, and for routes the policy view. */
export interface BmpPeerRef {
  readonly source: 'bmp';
  readonly peer: string;
  readonly router: string;
  readonly sysName: string | undefined;
  /** "rd 65000:1" or "instance N" for peers of a VRF or instance (RFC 7854 4.2). */
  readonly instance: string | undefined;
  /** The view the event is about (routes), when it is about one: its policy side... */
  readonly policy?: BmpPolicy;
  /** ...and its RIB when not the Adj-RIB-In (the Loc-RIB has no policy side). */
  readonly rib?: Exclude<BmpRib, 'adj-rib-in'>;
  /** A Loc-RIB view the router filtered (RFC 9069 F flag). */
  readonly filtered?: boolean;
}

export type PeerRef = BgpPeerRef | BmpPeerRef;

/** Why a BGP peer's session ended. */
export type PeerDownCause =
  /** We sent a NOTIFICATION: an error in what the peer sent, an unexpected message, max-prefix, a collision. */
  | { readonly kind: 'notification-sent'; readonly code: number; readonly subcode: number }
  /** The peer sent a NOTIFICATION (with its RFC 8203 shutdown communication, if any). */
  | {
      readonly kind: 'notification-received';
      readonly code: number;
      readonly subcode: number;
      readonly communication: string | undefined;
    }
  /** Nothing from the peer within the hold time: we sent Hold Timer Expired. */
  | { readonly kind: 'hold-timer-expired'; readonly code: number; readonly subcode: number }
  /** The TCP connection failed or the peer closed it without a NOTIFICATION. */
  | { readonly kind: 'transport'; readonly error: string }
  /** We ended it: speaker shutdown, or a reload removed or changed the peer (Cease subcode). */
  | { readonly kind: 'shutdown'; readonly code: number; readonly subcode: number };

/** Why a BMP-monitored peer's session ended, as its router reported (RFC 7854 4.9 reason code). */
export interface BmpPeerDownCause {
  readonly kind: 'bmp-peer-down';
  readonly reason: number;
}

/** The session is established (BGP), or a router reports it so (BMP). */
export type PeerUpEvent =
  | (BgpPeerRef & { readonly type: 'peer-up'; readonly asn: number; readonly capabilities: readonly string[] })
  | (BmpPeerRef & {
      readonly type: 'peer-up';
      readonly asn: number;
      readonly capabilities: readonly string[];
      /** Paths of the previous session removed by this Peer Up. */
      readonly pathsRemoved: number;
      /** Routes arrived before any Peer Up, so the peer was taken as up. */
      readonly implicit: boolean;
    });

export type PeerDownEvent =
  | (BgpPeerRef & {
      readonly type: 'peer-down';
      /** False for a session that failed before Established (logged as "session-failed"). */
      readonly established: boolean;
      readonly cause: PeerDownCause;
      /** The cause in words, as shown in lastError. */
      readonly reason: string;
    })
  | (BmpPeerRef & {
      readonly type: 'peer-down';
      readonly cause: BmpPeerDownCause;
      /** The router's reason in words, as shown in lastError. */
      readonly reason: string;
      /** Paths removed with the session. */
      readonly pathsRemoved: number;
    });

export type PeerEvent =
  | PeerUpEvent
  | PeerDownEvent
  /** A BGP peer with a port could not be reached. */
  | (BgpPeerRef & { readonly type: 'connect-failed'; readonly target: string; readonly error: string })
  /** A malformed UPDATE or message, with the RFC 7606 action taken. */
  | (PeerRef & {
      readonly type: 'malformed';
      readonly action: ErrorAction;
      readonly code: number;
      readonly subcode: number;
      /** The NOTIFICATION name of the error, e.g. "UPDATE Message Error / Invalid ORIGIN Attribute". */
      readonly error: string;
      readonly reason: string;
    })
  /** A BGP peer sent more paths than maxPrefixes: the session is closed with Cease / 6/1. */
  | (BgpPeerRef & {
      readonly type: 'max-prefix';
      readonly afi: number;
      readonly safi: number;
      readonly count: number;
      readonly limit: number;
    });

export type PeerEventListener = (event: PeerEvent) => void;

/** Where peers report; the speaker's PeerEvents, or a recorder in tests. */
export interface PeerEventSink {
  emit(event: PeerEvent): void;
}

/**
 * One subscription point for peer events. Listeners run synchronously in subscription order, so
 * the log line of an event is written before the next event happens.
 */
export class PeerEvents implements PeerEventSink {
  private listeners: PeerEventListener[] = [];

  /** Returns the unsubscribe function. */
  subscribe(listener: PeerEventListener): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  emit(event: PeerEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

/**
 * The name a peer's paths carry in routes and metrics: the address for a BGP peer;
 * "192.0.2.1 (bmp 10.0.0.9 rd 65000:1 pre-policy)" for a BMP view, "192.0.2.1 (bmp 10.0.0.9
 * adj-rib-out post-policy)" for an Adj-RIB-Out one, "10.0.0.9 (bmp 10.0.0.9 loc-rib)" for a
 * router's Loc-RIB (named by the router's BGP Identifier).
 */
export function peerLabel(ref: PeerRef): string {
  if (ref.source === 'bgp' || (ref.policy === undefined && ref.rib === undefined)) return ref.peer;
  const view = [ref.rib, ref.policy, ref.filtered ? 'filtered' : undefined].filter((x) => x !== undefined).join(' ');
  return `${ref.peer} (bmp ${ref.router}${ref.instance ? ` ${ref.instance}` : ''} ${view})`;
}
