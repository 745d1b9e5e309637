import {
  allowedRegions,
  AnycastRegions,
  liveAddresses,
  liveServiceRegion,
  routeVerdict,
  verdictRank,
  type LiveAddressField,
  type KubeRoutesConfig,
  type Route,
  type RoutePath,
  type RouteVerdict,
} from '@kube-routes/server/engine';
import type { ClusterService } from '@kube-routes/server/kube';
import type { RouteAnswers } from './route-lookup';
import { parseIp } from './addresses';

// Live Services joined with route state: for each address the covering route and the engine's
// verdict. Pure: the same Services, config and routes always give the same rows.

export interface AddressRoute {
  readonly ip: string;
  readonly field: LiveAddressField;
  /** Undefined state: no route state was available. */
  readonly state: RouteVerdict | undefined;
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
  readonly state: RouteVerdict | undefined;
}

/** Joins every Service with its routes; answers undefined when there is no route state. */
export function joinRoutes(
  services: readonly ClusterService[],
  config: KubeRoutesConfig,
  answers: RouteAnswers | undefined,
  unread: ReadonlySet<string> = new Set(),
): ServiceRoutes[] {
  const regions = services.map((s) => liveServiceRegion(config, s));
  const idOf = (s: ClusterService) => `${s.namespace}/${s.name}`;
  const anycast = new AnycastRegions(
    services.flatMap((s, i) =>
      liveAddresses(s).map(({ ip, kind }) => ({
        service: idOf(s),
        region: regions[i],
        kind,
        key: parseIp(ip)?.key ?? ip,
      })),
    ),
  );
  return services.map((service, i) => {
    const region = regions[i];
    const known = region !== undefined && config.regions.has(region) ? region : undefined;
    const addresses = liveAddresses(service).map(({ ip, field, kind }): AddressRoute => {
      const address = parseIp(ip);
      if (!answers || !address) return { ip, field, state: undefined, route: undefined, wrongPaths: [] };
      const route = answers.get(address.key);
      const allowed =
        known === undefined
          ? undefined
          : allowedRegions(known, kind, anycast.regions(idOf(service), address.key), unread);
      return { ip, field, route, ...routeVerdict(config, route, allowed) };
    });
    let state: RouteVerdict | undefined;
    for (const a of addresses)
      if (a.state && (state === undefined || verdictRank[a.state] > verdictRank[state])) state = a.state;
    return { service, region, addresses, state };
  });
}

export function compareServiceRoutes(a: ServiceRoutes, b: ServiceRoutes): number {
  const x = a.service;
  const y = b.service;
  return (
    x.namespace.localeCompare(y.namespace) ||
    x.name.localeCompare(y.name) ||
    (a.region ?? '').localeCompare(b.region ?? '') ||
    x.context.localeCompare(y.context)
  );
}
