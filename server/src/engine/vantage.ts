import { parseCidr, type IpAddress } from './addresses';
import type { Route, RouteTable, VantageRoute } from './route-state';

// Route state read from several vantage points (one speaker per region). Each vantage keeps its
// own answers: an anycast address resolves to a different origin from each, and one region may
// hold a more specific route than another. The union of them (one Route per prefix, every path
// tagged with the vantage that saw it) is what views without vantages show.

/** The route with every path tagged with the vantage that received it. */
export function tagVantage(route: Route, vantage: string): Route {
  return { prefix: route.prefix, paths: route.paths.map((p) => ({ ...p, vantage })) };
}

function prefixLength(prefix: string): number {
  return Number(prefix.slice(prefix.indexOf('/') + 1));
}

/**
 * The union of the vantages' longest matches: the longest prefix any of them holds, with the
 * paths of every vantage whose answer is that prefix, tagged. Undefined when none has a route.
 */
export function mergeVantageRoutes(answers: readonly VantageRoute[]): Route | undefined {
  let best: Route | undefined;
  for (const { route } of answers)
    if (route && (!best || prefixLength(route.prefix) > prefixLength(best.prefix))) best = route;
  if (!best) return undefined;
  const prefix = best.prefix;
  const paths = answers.flatMap(({ vantage, route }) =>
    route?.prefix === prefix ? (vantage === undefined ? route.paths : tagVantage(route, vantage).paths) : [],
  );
  return { prefix, paths };
}

/** Address order (family, network address), then shorter prefixes first: the API's `within` order. */
export function comparePrefixes(a: string, b: string): number {
  const pa = parseCidr(a);
  const pb = parseCidr(b);
  if (!('range' in pa) || !('range' in pb)) return a < b ? -1 : a > b ? 1 : 0;
  if (pa.range.family !== pb.range.family) return pa.range.family - pb.range.family;
  if (pa.range.first !== pb.range.first) return pa.range.first < pb.range.first ? -1 : 1;
  return prefixLength(a) - prefixLength(b);
}

/** Several vantages' route lists as one: per prefix, every vantage's paths, tagged; in address order. */
export function mergeRouteLists(
  lists: readonly { readonly vantage: string; readonly routes: readonly Route[] }[],
): Route[] {
  const byPrefix = new Map<string, Route>();
  for (const { vantage, routes } of lists) {
    for (const route of routes) {
      const tagged = tagVantage(route, vantage);
      const seen = byPrefix.get(route.prefix);
      byPrefix.set(route.prefix, seen ? { prefix: route.prefix, paths: [...seen.paths, ...tagged.paths] } : tagged);
    }
  }
  return [...byPrefix.values()].sort((a, b) => comparePrefixes(a.prefix, b.prefix));
}

/** Each vantage's answer for an address; a table of one source is one answer of no region. */
export function vantageRoutes(table: RouteTable, address: IpAddress): readonly VantageRoute[] {
  return table.lookupEach?.(address) ?? [{ vantage: undefined, route: table.lookup(address) }];
}

/** One RouteTable over the tables of several vantages: lookup is their union, lookupEach each one's answer. */
export function vantageTable(
  tables: readonly { readonly vantage: string; readonly table: RouteTable }[],
  source: string,
): RouteTable {
  const each = (address: IpAddress): VantageRoute[] =>
    tables.map(({ vantage, table }) => ({ vantage, route: table.lookup(address) }));
  return { source, lookup: (address) => mergeVantageRoutes(each(address)), lookupEach: each };
}
