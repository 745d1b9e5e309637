import {
  AsPathSegmentType,
  decodeMessage,
  effectiveAsPathInfo,
  encodeMessage,
  formatExtendedCommunity,
  formatIpv4,
  formatIpv6,
  formatCommunity,
  formatLargeCommunity,
  type PathAttribute,
  type SessionContext,
  type UpdateMessage,
} from '../bgp';
import type { RoutePath } from '@kube-routes/server/engine';

/**
 * Attribute sets are interned by a canonical encoding that does not depend on the session they
 * came from: a 4-octet-AS UPDATE with no NLRI, whose AS_PATH is the RFC 6793 merged path and
 * whose MP_REACH_NLRI keeps only the next hop. Equal paths from any peer share one set.
 */
export const canonicalContext: SessionContext = Object.freeze({ fourOctetAs: true, extendedMessage: true, addPath: Object.freeze([]) });

export function canonicalAttributes(attributes: readonly PathAttribute[], receivedWith: SessionContext): PathAttribute[] {
  const { asPath, aggregator } = effectiveAsPathInfo(attributes, receivedWith);
  const out: PathAttribute[] = [];
  for (const a of attributes) {
    switch (a.type) {
      case 'mp-unreach-nlri':
      case 'as4-path':
      case 'as4-aggregator':
        break;
      case 'mp-reach-nlri':
        out.push({ ...a, nlri: [] });
        break;
      case 'as-path':
        out.push({ ...a, segments: asPath ?? a.segments });
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

/** The bytes to intern, or undefined when the set cannot be encoded canonically (then the paths are skipped and logged). */
export function encodeCanonical(attributes: readonly PathAttribute[]): Uint8Array | undefined {
  const result = encodeMessage({ type: 'UPDATE', withdrawn: [], nlri: [], attributes }, canonicalContext);
  return result.ok ? result.bytes : undefined;
}

export function decodeCanonical(bytes: Uint8Array): readonly PathAttribute[] {
  const result = decodeMessage(bytes, canonicalContext);
  return result.ok && result.message.type === 'UPDATE' ? (result.message as UpdateMessage).attributes : [];
}

const origins = ['igp', 'egp', 'incomplete'] as const;

/** A stored path as the API and the engine see it. */
export function routePath(attributes: readonly PathAttribute[], peer: string, pathId: number, stale: boolean, receivedAtSeconds: number): RoutePath {
  let nextHop = '';
  const asPath: (number | number[])[] = [];
  let origin: RoutePath['origin'] = 'incomplete';
  let med: number | undefined;
  let localPref: number | undefined;
  const communities: string[] = [];
  const largeCommunities: string[] = [];
  const extendedCommunities: string[] = [];
  for (const a of attributes) {
    switch (a.type) {
      case 'origin':
        origin = origins[a.origin] ?? 'incomplete';
        break;
      case 'next-hop':
        nextHop ||= formatIpv4(a.address);
        break;
      case 'mp-reach-nlri':
        nextHop = a.nextHop.family === 4 ? formatIpv4(a.nextHop.address) : formatIpv6(a.nextHop.address);
        break;
      case 'as-path':
        for (const s of a.segments) {
          if (s.type === AsPathSegmentType.AsSequence) asPath.push(...s.asns);
          else if (s.type === AsPathSegmentType.AsSet) asPath.push([...s.asns]);
        }
        break;
      case 'multi-exit-disc':
        med = a.value;
        break;
      case 'local-pref':
        localPref = a.value;
        break;
      case 'communities':
        communities.push(...a.communities.map(formatCommunity));
        break;
      case 'large-communities':
        largeCommunities.push(...a.communities.map(formatLargeCommunity));
        break;
      case 'extended-communities':
        extendedCommunities.push(...a.communities.map(formatExtendedCommunity));
        break;
      default:
        break;
    }
  }
  const last = asPath[asPath.length - 1];
  return {
    peer,
    pathId,
    nextHop,
    asPath,
    originAs: typeof last === 'number' ? last : undefined,
    origin,
    med,
    localPref,
    communities,
    largeCommunities,
    extendedCommunities,
    stale,
    receivedAt: new Date(receivedAtSeconds * 1000).toISOString(),
  };
}
