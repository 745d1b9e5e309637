import { regionOfContext, type KubeRoutesConfig, type Route, type RoutePath } from '@kube-routes/server/engine';
import type { ClusterService } from '@kube-routes/server/kube';
import type { RouteAnswers } from './route-lookup';
import { parseIp } from './addresses';

// Live Services joined with route state: for each address the covering route and a verdict.
// Pure: the same Services, config and routes always give the same rows.

/** announced: covered, origin in the right region; missing: no route; conflict: an origin AS of another region or of none; stale: every path kept across a graceful restart. */
export type RouteState = 'announced' | 'missing' | 'conflict' | 'stale';

export type AddressField = 'clusterIP' | 'externalIP' | 'loadBalancerIP';

export interface AddressRoute {
  readonly ip: string;
  readonly field: AddressField;
  /** Undefined state: no route state was available. */
  readonly state: RouteState | undefined;
  readonly route: Route | undefined;
  /** Paths originated by an AS of another region, or of no configured region. */
  readonly wrongPaths: readonly RoutePath[];
}

export interface ServiceRoutes {
  readonly service: ClusterService;
  /** The region of the Service's context, else its region label. */
  readonly region: string | undefined;
  readonly addresses: readonly AddressRoute[];
  /** The worst state over the addresses; undefined without addresses or route state. */
  readonly state: RouteState | undefined;
}

const severity: Record<RouteState, number> = { announced: 0, stale: 1, missing: 2, conflict: 3 };

export function regionOfAsn(config: KubeRoutesConfig, asn: number): string | undefined {
  for (const region of config.regions.values()) if (region.asns.includes(asn)) return region.name;
  return undefined;
}

export function serviceRegion(config: KubeRoutesConfig, s: ClusterService): string | undefined {
  const byContext = regionOfContext(config, s.context);
  if (byContext) return byContext;
  for (const key of config.regionLabels) if (s.labels[key]) return s.labels[key];
  return undefined;
}

export function addressesOf(s: ClusterService): { ip: string; field: AddressField }[] {
  const out: { ip: string; field: AddressField }[] = s.clusterIPs.map((ip) => ({ ip, field: 'clusterIP' }));
  for (const ip of s.externalIPs) out.push({ ip, field: 'externalIP' });
  for (const ip of s.loadBalancerIPs) if (!s.externalIPs.includes(ip)) out.push({ ip, field: 'loadBalancerIP' });
  return out;
}

/**
 * The verdict for one address. allowed: the regions that may originate it (undefined when the
 * Service's region is unknown: then only an AS of no region is wrong).
 */
export function classify(config: KubeRoutesConfig, route: Route | undefined, allowed: ReadonlySet<string> | undefined): { state: RouteState; wrongPaths: RoutePath[] } {
  if (!route) return { state: 'missing', wrongPaths: [] };
  const wrongPaths = config.regions.size === 0 ? [] : route.paths.filter((p) => {
    if (p.originAs === undefined) return false;
    const region = regionOfAsn(config, p.originAs);
    return region === undefined || (allowed !== undefined && !allowed.has(region));
  });
  if (wrongPaths.length > 0) return { state: 'conflict', wrongPaths };
  return { state: route.paths.length > 0 && route.paths.every((p) => p.stale) ? 'stale' : 'announced', wrongPaths };
}

/**
 * Regions whose Services were not all seen (a context not read, or none listed): an external IP
 * may legitimately be announced from there by the same Service, so their origins are not
 * counted as wrong for external IPs. Cluster IPs belong to one region whatever was read.
 */
export function unreadRegions(config: KubeRoutesConfig, answered: Iterable<string>): Set<string> {
  const read = new Set(answered);
  const out = new Set<string>();
  for (const r of config.regions.values()) if (r.contexts.length === 0 || r.contexts.some((c) => !read.has(c))) out.add(r.name);
  return out;
}

/** Joins every Service with its routes; answers undefined when there is no route state. */
export function joinRoutes(services: readonly ClusterService[], config: KubeRoutesConfig, answers: RouteAnswers | undefined, unread: ReadonlySet<string> = new Set()): ServiceRoutes[] {
  const regions = services.map((s) => serviceRegion(config, s));
  // Anycast: an external IP may be originated from every region where the same Service uses it.
  const externalRegions = new Map<string, Set<string>>();
  services.forEach((s, i) => {
    const region = regions[i];
    if (!region) return;
    for (const { ip, field } of addressesOf(s)) {
      if (field === 'clusterIP') continue;
      const key = `${s.namespace}/${s.name}\u0000${parseIp(ip)?.key ?? ip}`;
      let set = externalRegions.get(key);
      if (!set) externalRegions.set(key, (set = new Set()));
      set.add(region);
    }
  });
  return services.map((service, i) => {
    const region = regions[i];
    const known = region !== undefined && config.regions.has(region) ? region : undefined;
    const addresses = addressesOf(service).map(({ ip, field }): AddressRoute => {
      const address = parseIp(ip);
      if (!answers || !address) return { ip, field, state: undefined, route: undefined, wrongPaths: [] };
      const route = answers.get(address.key);
      const allowed = known === undefined ? undefined : field === 'clusterIP' ? new Set([known]) : new Set([...(externalRegions.get(`${service.namespace}/${service.name}\u0000${address.key}`) ?? []), ...unread]);
      return { ip, field, route, ...classify(config, route, allowed) };
    });
    let state: RouteState | undefined;
    for (const a of addresses) if (a.state && (state === undefined || severity[a.state] > severity[state])) state = a.state;
    return { service, region, addresses, state };
  });
}

export function compareServiceRoutes(a: ServiceRoutes, b: ServiceRoutes): number {
  const x = a.service;
  const y = b.service;
  return x.namespace.localeCompare(y.namespace) || x.name.localeCompare(y.name) || (a.region ?? '').localeCompare(b.region ?? '') || x.context.localeCompare(y.context);
}
