import {
  liveAddresses,
  parseCidr,
  rangeContains,
  regionOfAsn,
  type IpRange,
  type KubeRoutesConfig,
  type RoutePath,
} from '@kube-routes/server/engine';
import type { ServiceRoutes } from './service-routes';
import type { ZoneRoutes } from './route-lookup';
import { parseIp } from './addresses';

// Every conflict in live state across the clusters that were read. Pure: Services joined with
// routes, the routes of each configured range, and each context's ServiceCIDRs in; conflicts out.

export type ConflictKind =
  | 'duplicate-cluster-ip'
  | 'shared-external-ip'
  | 'wrong-origin'
  | 'unowned-route'
  | 'service-cidr-outside-region'
  | 'pool-overlap';

export interface Conflict {
  readonly kind: ConflictKind;
  /** The IP, or the prefix for routes and ServiceCIDRs. */
  readonly address: string;
  /** "context/namespace/name" of each Service involved. */
  readonly services: readonly string[];
  readonly detail: string;
}

export interface ContextCidrs {
  readonly context: string;
  readonly region: string | undefined;
  readonly cidrs: readonly { readonly name: string; readonly cidr: string }[];
}

export interface ConflictInput {
  readonly config: KubeRoutesConfig;
  readonly rows: readonly ServiceRoutes[];
  /** Routes inside each configured range; only ranges whose regions were read in full. */
  readonly zones: readonly ZoneRoutes[];
  readonly serviceCidrs: readonly ContextCidrs[];
  /** The engine's pool-overlap findings over each context's live pools (see poolOverlaps). */
  readonly poolOverlaps?: readonly PoolOverlap[];
}

/** A pool range of one context's region that overlaps another region's pool or range. */
export interface PoolOverlap {
  /** The range as the pool declares it. */
  readonly range: string;
  readonly detail: string;
}

const ref = (r: ServiceRoutes) => `${r.service.context}/${r.service.namespace}/${r.service.name}`;
const describe = (r: ServiceRoutes) =>
  `${r.service.namespace}/${r.service.name} (context ${r.service.context}${r.region ? `, region ${r.region}` : ''})`;

function group(
  rows: readonly ServiceRoutes[],
  clusterIPs: boolean,
): Map<string, { ip: string; holders: ServiceRoutes[] }> {
  const byKey = new Map<string, { ip: string; holders: ServiceRoutes[] }>();
  for (const row of rows) {
    for (const { ip, kind } of liveAddresses(row.service)) {
      if ((kind === 'cluster') !== clusterIPs) continue;
      const key = parseIp(ip)?.key;
      if (!key) continue;
      const entry = byKey.get(key) ?? { ip, holders: [] };
      if (!entry.holders.includes(row)) entry.holders.push(row);
      byKey.set(key, entry);
    }
  }
  return byKey;
}

function origin(config: KubeRoutesConfig, p: RoutePath): string {
  const region = p.originAs === undefined ? undefined : regionOfAsn(config, p.originAs);
  // With one speaker per region, which region's speaker saw the path.
  const seen = p.vantage === undefined ? '' : ` (seen from region ${p.vantage})`;
  return `AS${p.originAs ?? '?'} (${region ? `region ${region}` : 'no configured region'}) via ${p.nextHop || 'no next hop'} from peer ${p.peer}${seen}`;
}

export function findConflicts(input: ConflictInput): Conflict[] {
  const { config, rows } = input;
  const out: Conflict[] = [];
  // The same Service in the same region (or context, when the region is unknown) is one instance.
  for (const { ip, holders } of group(rows, true).values()) {
    const instances = new Set(
      holders.map((h) => `${h.service.namespace}/${h.service.name}\u0000${h.region ?? h.service.context}`),
    );
    if (instances.size < 2) continue;
    out.push({
      kind: 'duplicate-cluster-ip',
      address: ip,
      services: holders.map(ref),
      detail: `cluster IP used by ${holders.map(describe).join(' and ')}: cluster IPs are announced into the fabric, so traffic goes to whichever route wins`,
    });
  }
  for (const { ip, holders } of group(rows, false).values()) {
    const ids = new Set(holders.map((h) => `${h.service.namespace}/${h.service.name}`));
    if (ids.size < 2) continue;
    out.push({
      kind: 'shared-external-ip',
      address: ip,
      services: holders.map(ref),
      detail: `external IP used by different Services: ${holders.map(describe).join(' and ')}; only the same Service may share one across regions (anycast)`,
    });
  }
  const wrong = new Map<string, { rows: ServiceRoutes[]; detail: string }>();
  for (const row of rows) {
    for (const a of row.addresses) {
      if (a.state !== 'conflict' || !a.route) continue;
      const key = `${a.ip}\u0000${a.route.prefix}`;
      const entry = wrong.get(key) ?? {
        rows: [],
        detail: `covered by ${a.route.prefix}, originated by ${[...new Set(a.wrongPaths.map((p) => origin(config, p)))].sort().join('; ')}`,
      };
      entry.rows.push(row);
      wrong.set(key, entry);
    }
  }
  for (const [key, { rows: affected, detail }] of wrong) {
    const regions = [...new Set(affected.map((r) => r.region).filter((r) => r !== undefined))];
    out.push({
      kind: 'wrong-origin',
      address: key.split('\u0000')[0] ?? '',
      services: affected.map(ref),
      detail: `${detail}; the Service is in ${regions.length > 0 ? `region ${regions.join(', ')}` : 'no known region'}`,
    });
  }
  const used = rows.flatMap((r) => liveAddresses(r.service).map((a) => parseIp(a.ip))).filter((a) => a !== undefined);
  for (const { zone, routes } of input.zones) {
    for (const route of routes ?? []) {
      const parsed = parseCidr(route.prefix);
      if (!('range' in parsed) || used.some((a) => rangeContains(parsed.range, a))) continue;
      const origins = [...new Set(route.paths.map((p) => origin(config, p)))].sort().join('; ');
      out.push({
        kind: 'unowned-route',
        address: route.prefix,
        services: [],
        detail: `announced in ${zoneOwner(config, zone)} by ${origins || 'no path'}, but no Service uses an address in it`,
      });
    }
  }
  for (const { context, region, cidrs } of input.serviceCidrs) {
    const ranges = region ? (config.regions.get(region)?.clusterIPRanges ?? []) : [];
    if (ranges.length === 0) continue;
    for (const { name, cidr } of cidrs) {
      const parsed = parseCidr(cidr);
      if (
        !('range' in parsed) ||
        ranges.some(
          (r) => r.family === parsed.range.family && r.first <= parsed.range.first && parsed.range.last <= r.last,
        )
      )
        continue;
      out.push({
        kind: 'service-cidr-outside-region',
        address: cidr,
        services: [],
        detail: `ServiceCIDR "${name}" of context ${context} allocates cluster IPs outside region ${region}'s clusterIP ranges (${ranges.map((r) => r.cidr).join(', ')})`,
      });
    }
  }
  for (const { range, detail } of input.poolOverlaps ?? [])
    out.push({ kind: 'pool-overlap', address: range, services: [], detail });
  return out.sort(
    (a, b) =>
      a.kind.localeCompare(b.kind) ||
      a.address.localeCompare(b.address, 'en', { numeric: true }) ||
      a.services.join().localeCompare(b.services.join()),
  );
}

function zoneOwner(config: KubeRoutesConfig, zone: IpRange): string {
  for (const r of config.regions.values()) {
    if (r.clusterIPRanges.includes(zone)) return `region ${r.name}'s clusterIP range ${zone.cidr}`;
    if (r.externalIPPools.includes(zone)) return `region ${r.name}'s externalIP pool ${zone.cidr}`;
  }
  return `the externalIP pool ${zone.cidr}`;
}
