import {
  formatIpAddress,
  parseCidr,
  RouteIndex,
  type IpAddress,
  type IpRange,
  type Route,
} from '@kube-routes/server/engine';
import type { RouteSource } from '@kube-routes/server/speaker-client';
import { parseIp } from './addresses';

// Route state for many addresses at once. Asking the speaker once per Service IP costs one HTTP
// round trip each (10,000 Services: seconds); instead, for each configured range (a region's
// clusterIP ranges and pools) that holds addresses, one `within` query fetches every route inside
// it, and one lookup finds the route covering the whole range, if any. Longest match is then
// done here (the engine's RouteIndex). Addresses outside every range are looked up one by one.

/** Longest-match answers for the addresses asked about, keyed by IpAddress.key. */
export type RouteAnswers = ReadonlyMap<string, Route | undefined>;

const withinLimit = 50_000;

interface IndexedRoute {
  readonly route: Route;
  readonly range: IpRange;
  readonly length: number;
}

function indexRoute(route: Route): IndexedRoute | undefined {
  const parsed = parseCidr(route.prefix);
  if (!('range' in parsed)) return undefined;
  return { route, range: parsed.range, length: Number(route.prefix.split('/')[1]) };
}

/** An address of the range not covered by any of the routes inside it, if there is one. */
function uncoveredAddress(zone: IpRange, inside: readonly IndexedRoute[]): bigint | undefined {
  let cursor = zone.first;
  for (const r of [...inside].sort((a, b) =>
    a.range.first < b.range.first ? -1 : a.range.first > b.range.first ? 1 : 0,
  )) {
    if (r.range.first > cursor) return cursor;
    if (r.range.last >= cursor) cursor = r.range.last + 1n;
    if (cursor > zone.last) return undefined;
  }
  return cursor <= zone.last ? cursor : undefined;
}

export interface ZoneRoutes {
  readonly zone: IpRange;
  /** Every route inside the zone; undefined when there were too many to fetch. */
  readonly routes: readonly Route[] | undefined;
}

export interface ResolveOptions {
  /** Fetch the routes of every zone, even those without addresses (for `conflicts`). */
  readonly allZones?: boolean;
  readonly onZone?: (z: ZoneRoutes) => void;
}

/** Resolves the longest-match route of every address, using zones to batch the questions. */
export async function resolveRoutes(
  source: RouteSource,
  ips: readonly string[],
  zones: readonly IpRange[],
  options: ResolveOptions = {},
): Promise<RouteAnswers> {
  const answers = new Map<string, Route | undefined>();
  const byZone = new Map<IpRange, IpAddress[]>();
  const loose: string[] = [];
  // The most specific zone wins when pools nest (a region's pool inside the global pools).
  const size = (z: IpRange) => z.last - z.first;
  const sortedZones = [...zones].sort((a, b) => (size(a) < size(b) ? -1 : size(a) > size(b) ? 1 : 0));
  const seen = new Set<string>();
  for (const ip of ips) {
    const address = parseIp(ip);
    if (!address || seen.has(address.key)) continue;
    seen.add(address.key);
    const zone = sortedZones.find(
      (z) => z.family === address.family && z.first <= address.value && address.value <= z.last,
    );
    if (!zone) {
      loose.push(ip);
      continue;
    }
    const list = byZone.get(zone);
    if (list) list.push(address);
    else byZone.set(zone, [address]);
  }
  if (options.allZones) for (const zone of sortedZones) if (!byZone.has(zone)) byZone.set(zone, []);
  await Promise.all(
    [...byZone].map(async ([zone, addresses]) => {
      const { routes, truncated } = await source.routesWithin(zone.cidr, withinLimit);
      options.onZone?.({ zone, routes: truncated ? undefined : routes });
      if (addresses.length === 0) return;
      if (truncated) {
        // Too many routes to fetch whole: ask per address instead.
        const each = await source.lookupAll(addresses.map((a) => formatIpAddress(a.family, a.value)));
        for (const a of addresses) answers.set(a.key, each.get(formatIpAddress(a.family, a.value)));
        return;
      }
      const inside = routes.map(indexRoute).filter((r): r is IndexedRoute => r !== undefined);
      const gap = uncoveredAddress(zone, inside);
      // A route covering the whole zone is shorter than it; the speaker's lookup of an address
      // no inside route covers returns exactly that route, or none.
      const covering = gap === undefined ? undefined : await source.lookup(formatIpAddress(zone.family, gap));
      const index = new RouteIndex(routes);
      for (const a of addresses) answers.set(a.key, index.longestMatch(a) ?? covering);
    }),
  );
  if (loose.length > 0) {
    const each = await source.lookupAll(loose);
    for (const ip of loose) {
      const address = parseIp(ip);
      if (address) answers.set(address.key, each.get(ip));
    }
  }
  return answers;
}
