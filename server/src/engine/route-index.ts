import { parseCidr, type IpAddress, type IpFamily } from './addresses';
import type { Route, RouteTable } from './route-state';

// Longest-prefix match over a list of routes, for faces that hold routes as data (the speaker's
// answers, a `within` query). The speaker's own RIB keeps its typed-array prefix table.

/** Per family and prefix length, network address -> route; a lookup tries the lengths longest first. */
export class RouteIndex {
  private readonly byLength = new Map<string, Map<bigint, Route>>();
  private readonly lengths: { family: IpFamily; length: number }[] = [];

  constructor(routes: readonly Route[]) {
    for (const route of routes) {
      const parsed = parseCidr(route.prefix);
      if (!('range' in parsed)) continue;
      const { family, first } = parsed.range;
      const length = Number(route.prefix.slice(route.prefix.indexOf('/') + 1));
      const key = `${family}/${length}`;
      let map = this.byLength.get(key);
      if (!map) {
        this.byLength.set(key, (map = new Map()));
        this.lengths.push({ family, length });
      }
      map.set(first, route);
    }
    this.lengths.sort((a, b) => b.length - a.length);
  }

  longestMatch(address: IpAddress): Route | undefined {
    const bits = address.family === 4 ? 32n : 128n;
    for (const { family, length } of this.lengths) {
      if (family !== address.family) continue;
      const shift = bits - BigInt(length);
      const route = this.byLength.get(`${family}/${length}`)?.get((address.value >> shift) << shift);
      if (route) return route;
    }
    return undefined;
  }
}

/** A RouteTable over a fixed list of routes. */
export function routeTableOf(routes: readonly Route[], source: string): RouteTable {
  const index = new RouteIndex(routes);
  return { source, lookup: (address) => index.longestMatch(address) };
}
