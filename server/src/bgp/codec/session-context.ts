/**
 * What decoding and encoding need to know about the session: the outcome of
 * the OPEN exchange (4-octet AS, ADD-PATH per family, extended messages).
 * An explicit parameter, never global state.
 */
import { AddPathMode, type Capability } from './capabilities';
import type { AfiSafi } from './family';
import { type OpenMessage, openCapabilities } from './open';

export interface SessionContext {
  /** Both speakers advertised the 4-octet AS capability (RFC 6793): AS_PATH and AGGREGATOR carry 4-octet ASNs. */
  readonly fourOctetAs: boolean;
  /** Both speakers advertised Extended Message (RFC 8654): UPDATE, NOTIFICATION and ROUTE-REFRESH may be up to 65535 octets. */
  readonly extendedMessage: boolean;
  /** Families whose NLRI carry a Path Identifier (RFC 7911) in this direction. */
  readonly addPath: readonly AfiSafi[];
  /**
   * The peer is in another AS (eBGP): LOCAL_PREF, ORIGINATOR_ID and CLUSTER_LIST it sends are
   * discarded (RFC 4271 5.1.5, RFC 7606 7.5, 7.9, 7.10). Unset (MRT records, BMP): kept as sent.
   */
  readonly external?: boolean;
}

/** Before (or without) capability negotiation: 2-octet ASNs, 4096-octet messages, no ADD-PATH. */
export const DEFAULT_SESSION: SessionContext = Object.freeze({
  fourOctetAs: false,
  extendedMessage: false,
  addPath: Object.freeze([]),
});

/** Maximum message size without / with the Extended Message capability. */
export const MAX_MESSAGE_LENGTH = 4096;
export const MAX_EXTENDED_MESSAGE_LENGTH = 65535;

/** True when NLRI of this family carry ADD-PATH Path Identifiers in this context. */
export function hasAddPath(context: SessionContext, afi: number, safi: number): boolean {
  const families = context.addPath;
  for (let i = 0; i < families.length; i++) if (families[i].afi === afi && families[i].safi === safi) return true;
  return false;
}

/** The largest message allowed for a message type in this context (OPEN and KEEPALIVE never exceed 4096, RFC 8654). */
export function maxMessageLength(context: SessionContext): number {
  return context.extendedMessage ? MAX_EXTENDED_MESSAGE_LENGTH : MAX_MESSAGE_LENGTH;
}

function addPathModes(capabilities: readonly Capability[]): Map<string, number> {
  const modes = new Map<string, number>();
  for (const c of capabilities) {
    if (c.type !== 'add-path') continue;
    // RFC 7911 4: values other than 1..3 mean the family is not understood; ignore it.
    for (const f of c.families) if (f.mode >= 1 && f.mode <= 3) modes.set(`${f.afi}/${f.safi}`, f.mode);
  }
  return modes;
}

/** The two directions of a session after the OPEN exchange. */
export interface NegotiatedSession {
  /** Context for decoding what the peer sends. */
  readonly receive: SessionContext;
  /** Context for encoding what we send. */
  readonly send: SessionContext;
}

/** Derive both session contexts from the OPEN we sent and the OPEN we received. */
export function negotiateSession(local: OpenMessage, remote: OpenMessage): NegotiatedSession {
  const localCaps = openCapabilities(local);
  const remoteCaps = openCapabilities(remote);
  const both = (type: Capability['type']): boolean =>
    localCaps.some((c) => c.type === type) && remoteCaps.some((c) => c.type === type);
  const fourOctetAs = both('four-octet-as');
  const extendedMessage = both('extended-message');
  const localModes = addPathModes(localCaps);
  const remoteModes = addPathModes(remoteCaps);
  const receive: AfiSafi[] = [];
  const send: AfiSafi[] = [];
  for (const [key, localMode] of localModes) {
    const remoteMode = remoteModes.get(key) ?? 0;
    const [afi, safi] = key.split('/').map(Number);
    // RFC 7911 4: we receive path IDs when we said "receive" and the peer said "send", and vice versa.
    if (localMode & AddPathMode.Receive && remoteMode & AddPathMode.Send) receive.push({ afi, safi });
    if (localMode & AddPathMode.Send && remoteMode & AddPathMode.Receive) send.push({ afi, safi });
  }
  return {
    receive: { fourOctetAs, extendedMessage, addPath: receive },
    send: { fourOctetAs, extendedMessage, addPath: send },
  };
}
