import {
  manifestAddresses,
  mergeVantageRoutes,
  parseIpAddress,
  type ManifestFile,
  type Route,
  type RouteTable,
  type VantageRoute,
} from '@kube-routes/server/engine';
import { isVantageSource, type RouteSource, type VantageRouteSource } from '@kube-routes/server/speaker-client';
import { speakerClient } from '../live/open-route-source';

/** Every IP literal the Services of these files use, as written. */
export function serviceAddresses(files: readonly ManifestFile[]): string[] {
  const ips = new Set<string>();
  for (const f of files) {
    for (const s of f.services) {
      for (const { literal } of manifestAddresses(s)) if (parseIpAddress(literal.value)) ips.add(literal.value);
    }
  }
  return [...ips];
}

/** Asks a speaker for every address up front, so the engine can look them up synchronously. */
export async function speakerRouteTable(
  url: string | RouteSource,
  files: readonly ManifestFile[],
): Promise<RouteTable> {
  const client = typeof url === 'string' ? speakerClient(url) : url;
  await client.peers(); // fail fast, with one clear line, when the speaker is not there
  if (isVantageSource(client)) return vantageRouteTable(client, files);
  const answers = await client.lookupAll(serviceAddresses(files));
  const byKey = new Map<string, Route | undefined>();
  for (const [ip, route] of answers) {
    const address = parseIpAddress(ip);
    if (address) byKey.set(address.key, route);
  }
  return { source: `speaker ${client.label}`, lookup: (address) => byKey.get(address.key) };
}

/** The same, per region's speaker: the engine judges each vantage's answer (lookupEach). */
async function vantageRouteTable(client: VantageRouteSource, files: readonly ManifestFile[]): Promise<RouteTable> {
  const answers = await client.lookupAllEach(serviceAddresses(files));
  const byKey = new Map<string, readonly VantageRoute[]>();
  for (const [ip, each] of answers) {
    const address = parseIpAddress(ip);
    if (address) byKey.set(address.key, each);
  }
  return {
    source: client.name,
    lookup: (address) => mergeVantageRoutes(byKey.get(address.key) ?? []),
    lookupEach: (address) => byKey.get(address.key) ?? [],
  };
}
