import {
  AsPathSegmentType,
  formatCommunity,
  formatExtendedCommunity,
  formatIpv4,
  formatIpv6,
  formatLargeCommunity,
  formatPrefix,
  parseIpv4,
  parseIpv6,
  parsePrefix,
  type PathAttribute,
  type Prefix,
} from '../bgp';
import type { IpAddress, LookupResult, Route, RoutePath, RouteTable } from '@kube-routes/server/engine';
import type { Rib, RouteView } from '../rib';
import { decodeCanonical } from '../rib';
import { RouteJson, type RoutesJsonWriter } from './route-json';

// Routes of a RIB as the engine, the API and every client see them (engine/route-state.ts).

const origins = ['igp', 'egp', 'incomplete'] as const;

/** A stored path as the API and the engine see it. */
export function routePath(
  attributes: readonly PathAttribute[],
  peer: string,
  pathId: number,
  stale: boolean,
  receivedAtSeconds: number,
): RoutePath {
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

/** Names RIB peer ids for display: the peer's address (or a BMP/MRT label). */
export type PeerNames = (peer: number) => string;

/** A RIB seen as engine routes: what the speaker's API serves and what the BGP rules consult. */
export class RibRouteTable implements RouteTable {
  private json: RouteJson | undefined;

  constructor(
    readonly rib: Rib,
    private readonly peerName: PeerNames,
    readonly source: string,
  ) {}

  lookup(address: IpAddress): Route | undefined {
    return this.toRoute(
      address.family === 4 ? this.rib.longestMatch(4, Number(address.value)) : this.rib.longestMatch(6, address.value),
    );
  }

  /** undefined when ip is not an IP address. */
  lookupText(ip: string): LookupResult | undefined {
    if (ip.includes(':')) {
      const v6 = parseIpv6(ip);
      return v6 === undefined ? undefined : { ip, route: this.toRoute(this.rib.longestMatch(6, v6)) };
    }
    const v4 = parseIpv4(ip);
    return v4 === undefined ? undefined : { ip, route: this.toRoute(this.rib.longestMatch(4, v4)) };
  }

  /** The route of exactly this prefix ([] when none); undefined when the prefix is malformed. */
  exact(prefix: string): Route[] | undefined {
    const p = parseStrictPrefix(prefix);
    if (!p) return undefined;
    const route = this.toRoute(this.rib.exact(p));
    return route ? [route] : [];
  }

  /**
   * The prefix and everything more specific, up to limit, after the prefix `after` when given (a
   * page's cursor); undefined when a prefix is malformed or the two are of different families.
   */
  within(prefix: string, limit: number, after?: string): { routes: Route[]; truncated: boolean } | undefined {
    const p = parseStrictPrefix(prefix);
    const a = after === undefined ? undefined : parseStrictPrefix(after);
    if (!p || (after !== undefined && a?.family !== p.family)) return undefined;
    const views = this.rib.covered(p, limit + 1, a);
    return { routes: views.slice(0, limit).flatMap((v) => this.toRoute(v) ?? []), truncated: views.length > limit };
  }

  /**
   * `within` as JSON bytes, written a buffer at a time (the same text as JSON.stringify of each
   * route), for answers of many routes; undefined when a prefix is malformed or the two are of
   * different families.
   */
  withinWriter(prefix: string, after?: string): RoutesJsonWriter | undefined {
    const p = parseStrictPrefix(prefix);
    const a = after === undefined ? undefined : parseStrictPrefix(after);
    if (!p || (after !== undefined && a?.family !== p.family)) return undefined;
    this.json ??= new RouteJson(this.rib, this.peerName);
    return this.json.writer(p, a);
  }

  toRoute(view: RouteView | undefined): Route | undefined {
    if (!view) return undefined;
    return {
      prefix: formatPrefix(view.prefix),
      paths: view.paths.map((p) =>
        routePath(
          decodeCanonical(this.rib.attributeSets.bytes(p.attributeSetId)),
          this.peerName(p.peer),
          p.pathId,
          p.stale,
          p.receivedAt,
        ),
      ),
    };
  }
}

/** A prefix whose host bits are zero: "10.0.0.1/24" is refused rather than silently widened. */
export function parseStrictPrefix(text: string): Prefix | undefined {
  const p = parsePrefix(text);
  if (!p) return undefined;
  const address = text.slice(0, text.indexOf('/'));
  const value = p.family === 4 ? parseIpv4(address) : parseIpv6(address);
  return value === p.address ? p : undefined;
}
