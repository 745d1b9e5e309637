import type { PeerStatus, Route } from '@kube-routes/server/engine';
import { UsageError } from '../cli/io';
import { mrtRouteTable } from '../routes/mrt-route-table';
import type { RouteSource } from './route-lookup';

// --bgp FILE.mrt for the live views: the routes of an MRT dump, loaded in-process into a RIB
// (routes/mrt-route-table.ts) and answered like a speaker would, without HTTP.

export async function mrtRouteSource(path: string, display: string, warn: (line: string) => void): Promise<RouteSource> {
  const table = await mrtRouteTable(path, display, warn);
  const lookup = async (ip: string): Promise<Route | undefined> => table.lookupText(ip)?.route;
  return {
    label: `MRT ${display}`,
    async peers(): Promise<PeerStatus[]> {
      throw new UsageError(`--bgp ${display} is a recorded table, it has no BGP sessions; peers shows a speaker's sessions: pass --speaker URL`);
    },
    lookup,
    async lookupAll(ips) {
      return new Map(await Promise.all(ips.map(async (ip) => [ip, await lookup(ip)] as const)));
    },
    async routesExact(prefix) {
      return table.exact(prefix) ?? [];
    },
    async routesWithin(prefix, limit) {
      return table.within(prefix, limit) ?? { routes: [], truncated: false };
    },
  };
}
