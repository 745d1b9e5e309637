import type { KubeRoutesConfig } from './config/model';
import { regionOfAsn } from './regions';
import type { Route, RoutePath, VantageRoute } from './route-state';
import { mergeVantageRoutes } from './vantage';
import type { AddressKind } from './service-addresses';

// One Service address against the route that covers it, decided once for the rules, kubectl's
// live views and the editor's lenses, so they always agree. Anycast-aware: an external address
// may be originated from every region where the same Service uses it.

/** announced: covered, origin in an allowed region; missing: no route; conflict: an origin AS of another region or of none; stale: every path kept across a graceful restart. */
export type RouteVerdict = 'announced' | 'missing' | 'conflict' | 'stale';

/** How bad each verdict is, for the worst over a Service's addresses. */
export const verdictRank: Readonly<Record<RouteVerdict, number>> = { announced: 0, stale: 1, missing: 2, conflict: 3 };

export interface AddressVerdict {
  readonly state: RouteVerdict;
  /** Paths originated by an AS of a region not allowed, or of no configured region. */
  readonly wrongPaths: readonly RoutePath[];
}

/**
 * The verdict for one address. allowed: the regions that may originate it; undefined when the
 * Service's region is unknown, and then only an AS of no configured region is wrong. Without
 * configured regions no origin is wrong.
 */
export function routeVerdict(
  config: KubeRoutesConfig,
  route: Route | undefined,
  allowed: ReadonlySet<string> | undefined,
): AddressVerdict {
  if (!route) return { state: 'missing', wrongPaths: [] };
  const wrongPaths =
    config.regions.size === 0
      ? []
      : route.paths.filter((p) => {
          if (p.originAs === undefined) return false;
          const region = regionOfAsn(config, p.originAs);
          return region === undefined || (allowed !== undefined && !allowed.has(region));
        });
  if (wrongPaths.length > 0) return { state: 'conflict', wrongPaths };
  return { state: route.paths.length > 0 && route.paths.every((p) => p.stale) ? 'stale' : 'announced', wrongPaths };
}

/** The verdict seen from one vantage point (a region's speaker; undefined: a source of no region). */
export interface VantageVerdict extends AddressVerdict {
  readonly vantage: string | undefined;
  readonly route: Route | undefined;
}

/**
 * The verdict for one address from each vantage, and overall. Each vantage is judged on its own
 * longest match: a region that sees the address originated by a region not allowed is a conflict
 * there, whatever the others see. Overall: the verdict of their union (mergeVantageRoutes), so
 * missing only when no vantage has a route, conflict when any sees a wrong origin.
 */
export function vantageVerdicts(
  config: KubeRoutesConfig,
  answers: readonly VantageRoute[],
  allowed: ReadonlySet<string> | undefined,
): { readonly overall: AddressVerdict; readonly vantages: readonly VantageVerdict[] } {
  return {
    overall: routeVerdict(config, mergeVantageRoutes(answers), allowed),
    vantages: answers.map(({ vantage, route }) => ({ vantage, route, ...routeVerdict(config, route, allowed) })),
  };
}

/** One use of an address by a Service: what the anycast sets are built from. */
export interface AddressHolder {
  /** namespace/name: the identity shared across regions. */
  readonly service: string;
  readonly region: string | undefined;
  readonly kind: AddressKind;
  /** The engine's IpAddress key. */
  readonly key: string;
}

/** For each Service and external address, the regions where that Service uses it, in the order seen. */
export class AnycastRegions {
  private readonly byKey = new Map<string, Set<string>>();

  constructor(holders: Iterable<AddressHolder>) {
    for (const h of holders) {
      if (h.kind !== 'external' || h.region === undefined) continue;
      const key = `${h.service}\u0000${h.key}`;
      let set = this.byKey.get(key);
      if (!set) this.byKey.set(key, (set = new Set()));
      set.add(h.region);
    }
  }

  regions(service: string, key: string): ReadonlySet<string> {
    return this.byKey.get(`${service}\u0000${key}`) ?? new Set();
  }
}

/**
 * The regions allowed to originate an address of a Service in region `own`: own; for an external
 * address also every region where the same Service uses it (anycast) and the regions not fully
 * read (the same Service may be there unseen). A cluster IP belongs to its own region only.
 */
export function allowedRegions(
  own: string,
  kind: AddressKind,
  anycast: ReadonlySet<string>,
  unread: ReadonlySet<string> = new Set(),
): Set<string> {
  return kind === 'cluster' ? new Set([own]) : new Set([own, ...anycast, ...unread]);
}

/**
 * Regions whose Services were not all seen (a context not read, or none listed), given the
 * contexts that answered: their origins are not counted as wrong for external addresses.
 */
export function unreadRegions(config: KubeRoutesConfig, answered: Iterable<string>): Set<string> {
  const read = new Set(answered);
  const out = new Set<string>();
  for (const r of config.regions.values())
    if (r.contexts.length === 0 || r.contexts.some((c) => !read.has(c))) out.add(r.name);
  return out;
}
