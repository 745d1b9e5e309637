/**
 * Canonical attribute bytes: how the RIB interns attribute sets, independent of the session (or
 * MRT record) they came from: a 4-octet-AS UPDATE message with no NLRI, whose AS_PATH is the
 * RFC 6793 merged path, without AS4_PATH / AS4_AGGREGATOR / MP_UNREACH_NLRI, and whose
 * MP_REACH_NLRI keeps only the next hop. Equal paths from any peer share one set.
 *
 * Shared by the speaker (live sessions) and the MRT loader (snapshots), so a route looks the
 * same whichever way it arrived.
 */
import {
  type PathAttribute,
  type SessionContext,
  type UpdateMessage,
  decodeMessage,
  effectiveAsPathInfo,
  encodeMessage,
  encodeMessageView,
} from '../bgp';

export const canonicalContext: SessionContext = Object.freeze({
  fourOctetAs: true,
  extendedMessage: true,
  addPath: Object.freeze([]),
});

/** The attributes as stored: merged AS path and aggregator (RFC 6793 4.2.3), no AS4_*, no MP_UNREACH, MP_REACH without NLRI. */
export function canonicalAttributes(
  attributes: readonly PathAttribute[],
  receivedWith: SessionContext,
): PathAttribute[] {
  const { asPath, aggregator } = effectiveAsPathInfo(attributes, receivedWith);
  const out: PathAttribute[] = [];
  for (const a of attributes) {
    switch (a.type) {
      case 'mp-unreach-nlri':
      case 'as4-path':
      case 'as4-aggregator':
        break;
      case 'mp-reach-nlri':
        out.push(a.nlri.length === 0 ? a : { ...a, nlri: [] });
        break;
      case 'as-path':
        out.push(asPath === undefined || asPath === a.segments ? a : { ...a, segments: asPath });
        break;
      case 'aggregator':
        out.push(aggregator ? { ...a, asn: aggregator.asn, address: aggregator.address } : a);
        break;
      default:
        out.push(a);
    }
  }
  return out;
}

/** The bytes to intern, or `undefined` when the set cannot be encoded canonically. */
export function encodeCanonical(attributes: readonly PathAttribute[]): Uint8Array | undefined {
  const result = encodeMessage({ type: 'UPDATE', withdrawn: [], nlri: [], attributes }, canonicalContext);
  return result.ok ? result.bytes : undefined;
}

/**
 * {@link encodeCanonical} as a view valid only until the next encoding: for interning, which
 * copies the bytes (no buffer of its own per set).
 */
export function encodeCanonicalView(attributes: readonly PathAttribute[]): Uint8Array | undefined {
  const result = encodeMessageView({ type: 'UPDATE', withdrawn: [], nlri: [], attributes }, canonicalContext);
  return result.ok ? result.bytes : undefined;
}

/** The attributes of canonical bytes (empty when the bytes are not a canonical UPDATE). */
export function decodeCanonical(bytes: Uint8Array): readonly PathAttribute[] {
  const result = decodeMessage(bytes, canonicalContext);
  return result.ok && result.message.type === 'UPDATE' ? (result.message as UpdateMessage).attributes : [];
}
