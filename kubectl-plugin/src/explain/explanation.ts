import {
  liveAddresses,
  liveServiceRegion,
  memberships,
  parseIpAddress,
  rangeContains,
  regionOfAsn,
  regionOfContext,
  mergeVantageRoutes,
  vantageVerdicts,
  type CheckModel,
  type Finding,
  type IpRange,
  type KubeRoutesConfig,
  type Route,
  type RoutePath,
  type VantageRoute,
} from '@kube-routes/server/engine';
import type { ClusterService } from '@kube-routes/server/kube';

// `kubectl routes explain`: one Service, everything kube-routes knows about it, as plain data.
// Pure: the command gathers manifests, live Services and routes; this joins them.

export interface ExplainedAddress {
  readonly ip: string;
  /** The field or annotation it comes from: "externalIPs[0]", "metallb.io/loadBalancerIPs[1]". */
  readonly source: string;
  readonly kind: 'cluster' | 'external';
  /** Where it is written: FILE:LINE:COL, or "context CTX". */
  readonly at: string;
  /** The ranges holding it: "region nyc3 clusterIP range 172.25.0.0/20", "global pool 172.30.0.0/24". */
  readonly pools: readonly string[];
}

export interface ExplainedInstance {
  /** FILE (manifests) or "context CTX" (a live cluster). */
  readonly origin: string;
  readonly region: string | undefined;
  /** How the region was decided: "label region", "path clusters/nyc3/** (regions.nyc3.paths)", "context nyc3-prod". */
  readonly regionFrom: string;
  readonly addresses: readonly ExplainedAddress[];
}

export interface ExplainedPath {
  readonly peer: string;
  readonly nextHop: string;
  readonly asPath: RoutePath['asPath'];
  readonly originAs: number | undefined;
  readonly originRegion: string | undefined;
}

export interface ExplainedRoute {
  readonly ip: string;
  /** announced, missing, conflict, stale; unknown without route state. Over several regions' speakers: their union's. */
  readonly verdict: string;
  readonly prefix: string | undefined;
  readonly paths: readonly ExplainedPath[];
  /** What each region's speaker sees (regions.*.speaker), in the config's order; absent for one source. */
  readonly vantages?: readonly ExplainedVantage[];
}

export interface ExplainedVantage {
  readonly region: string;
  /** This region's verdict, or "unreachable" when its speaker did not answer. */
  readonly verdict: string;
  readonly prefix: string | undefined;
  readonly paths: readonly ExplainedPath[];
}

/** Route state for explain: each address's answer per vantage, and the regions whose speaker did not answer. */
export interface ExplainRouteState {
  readonly answers: ReadonlyMap<string, readonly VantageRoute[]>;
  /** The regions read, in order; empty for one source of no region. */
  readonly regions: readonly string[];
  readonly unreachable: readonly string[];
}

export interface OtherOwner {
  readonly ip: string;
  readonly service: string;
  readonly region: string | undefined;
  readonly at: string;
}

export interface Explanation {
  readonly apiVersion: 'kube-routes/v1';
  readonly kind: 'ServiceExplanation';
  readonly service: string;
  readonly instances: readonly ExplainedInstance[];
  readonly routes: readonly ExplainedRoute[];
  readonly otherOwners: readonly OtherOwner[];
  readonly findings: readonly Finding[];
  /** The route state consulted, if any. */
  readonly routeSource: string | undefined;
}

/** Load balancer pools declared in manifests (-f) or read from live contexts (as the engine models them). */
export type DeclaredPools = CheckModel['pools'];

function describePools(config: KubeRoutesConfig, ip: string, declared: DeclaredPools): string[] {
  const address = parseIpAddress(ip);
  if (!address) return [];
  const inside = declared.flatMap((p) =>
    p.ranges.flatMap((u) => (u.range && rangeContains(u.range, address) ? [{ p, u, range: u.range }] : [])),
  );
  // A declared pool is also a region pool of the effective config: named once, by its object.
  const same = (a: IpRange, b: IpRange) => a.family === b.family && a.first === b.first && a.last === b.last;
  const configured = memberships(config, address)
    .filter((m) => m.kind !== 'region-pool' || !inside.some((d) => same(d.range, m.range)))
    .map((m) =>
      m.kind === 'cluster-range'
        ? `region ${m.region?.name} clusterIP range ${m.range.cidr}`
        : m.kind === 'region-pool'
          ? `region ${m.region?.name} pool ${m.range.cidr}`
          : `global pool ${m.range.cidr}`,
    );
  const pools = inside.map(
    ({ p, u }) =>
      `${p.manifest.source} ${p.manifest.namespace ? `${p.manifest.namespace}/` : ''}${p.manifest.name} ${u.literal.value} (${p.where.region ? `region ${p.where.region.name}, ` : ''}${p.manifest.file})`,
  );
  return [...configured, ...pools];
}

const pos = (file: string, r: { start: { line: number; column: number } }) =>
  `${file}:${r.start.line + 1}:${r.start.column + 1}`;

/** The Service's instances in the manifests of the model. */
export function manifestInstances(
  model: CheckModel,
  id: string,
  declared: DeclaredPools = model.pools,
): ExplainedInstance[] {
  return model.services
    .filter((s) => s.manifest.id === id)
    .map((s) => ({
      origin: pos(s.manifest.file, s.manifest.nameRange),
      region: s.region?.name ?? s.regionLabel?.value.value,
      regionFrom: s.regionLabel
        ? `label ${s.regionLabel.key}`
        : s.byPath
          ? `path ${s.byPath.glob} (regions.${s.byPath.region.name}.paths)`
          : 'none: no region label, and no regions.*.paths matches',
      addresses: s.literals
        .filter((u) => u.address)
        .map((u) => ({
          ip: u.literal.value,
          source: labelOf(u),
          kind: u.kind,
          at: pos(s.manifest.file, u.literal.range),
          pools: describePools(model.config, u.literal.value, declared),
        })),
    }));
}

function labelOf(u: { field: string; index: number | undefined }): string {
  if (u.index === undefined) return u.field;
  return u.field === 'status.loadBalancer.ingress' ? `${u.field}[${u.index}].ip` : `${u.field}[${u.index}]`;
}

/** The Service's instances in live clusters. */
export function liveInstances(
  config: KubeRoutesConfig,
  services: readonly ClusterService[],
  declared: DeclaredPools = [],
): ExplainedInstance[] {
  return services.map((s) => {
    const byContext = regionOfContext(config, s.context);
    return {
      origin: `context ${s.context}`,
      region: liveServiceRegion(config, s),
      regionFrom: byContext ? `context ${s.context} (regions.${byContext}.contexts)` : 'label',
      addresses: liveAddresses(s).map((a) => ({
        ip: a.ip,
        source: a.field,
        kind: a.kind,
        at: `context ${s.context}`,
        pools: describePools(config, a.ip, declared),
      })),
    };
  });
}

/** Each distinct address's route and verdict, given the routes found (undefined: no route state). */
export function explainRoutes(
  config: KubeRoutesConfig,
  instances: readonly ExplainedInstance[],
  state: ExplainRouteState | undefined,
): ExplainedRoute[] {
  const regions = new Set(instances.map((i) => i.region).filter((r): r is string => r !== undefined));
  const ips = [...new Set(instances.flatMap((i) => i.addresses.map((a) => a.ip)))];
  const explainPaths = (route: Route | undefined): ExplainedPath[] =>
    (route?.paths ?? []).map((p) => ({
      peer: p.peer,
      nextHop: p.nextHop,
      asPath: p.asPath,
      originAs: p.originAs,
      originRegion: p.originAs === undefined ? undefined : regionOfAsn(config, p.originAs),
    }));
  return ips.map((ip) => {
    if (!state) return { ip, verdict: 'unknown', prefix: undefined, paths: [] };
    const answers = state.answers.get(ip) ?? [];
    const verdicts = vantageVerdicts(config, answers, regions.size > 0 ? regions : undefined);
    const route = mergeVantageRoutes(answers);
    const base = { ip, verdict: verdicts.overall.state, prefix: route?.prefix, paths: explainPaths(route) };
    if (state.regions.length === 0) return base;
    const vantages = state.regions.flatMap((region): ExplainedVantage[] => {
      const v = verdicts.vantages.find((x) => x.vantage === region);
      if (v) return [{ region, verdict: v.state, prefix: v.route?.prefix, paths: explainPaths(v.route) }];
      return state.unreachable.includes(region)
        ? [{ region, verdict: 'unreachable', prefix: undefined, paths: [] }]
        : [];
    });
    return { ...base, vantages };
  });
}

/** Other Services, in the manifests and the clusters read, on one of this Service's addresses. */
export function otherOwners(
  id: string,
  instances: readonly ExplainedInstance[],
  model: CheckModel | undefined,
  live: readonly ClusterService[],
  config: KubeRoutesConfig,
): OtherOwner[] {
  const mine = new Map<string, string>();
  for (const i of instances)
    for (const a of i.addresses) if (parseIpAddress(a.ip)) mine.set(parseIpAddress(a.ip)?.key ?? '', a.ip);
  const out: OtherOwner[] = [];
  for (const s of model?.services ?? []) {
    if (s.manifest.id === id) continue;
    for (const u of s.literals) {
      const ip = u.address && mine.get(u.address.key);
      if (ip)
        out.push({ ip, service: s.manifest.id, region: s.region?.name, at: pos(s.manifest.file, u.literal.range) });
    }
  }
  for (const s of live) {
    if (`${s.namespace}/${s.name}` === id) continue;
    for (const a of liveAddresses(s)) {
      const ip = mine.get(parseIpAddress(a.ip)?.key ?? '');
      if (ip)
        out.push({
          ip,
          service: `${s.namespace}/${s.name}`,
          region: liveServiceRegion(config, s),
          at: `context ${s.context}`,
        });
    }
  }
  // One row per other Service, address and region: clusterIP and clusterIPs[0] are one use.
  const seen = new Set<string>();
  return out.filter((o) => {
    const key = `${o.ip} ${o.service} ${o.region ?? ''}`;
    return !seen.has(key) && seen.add(key);
  });
}
