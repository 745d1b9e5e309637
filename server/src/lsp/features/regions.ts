import { rangeContains, type IpAddress, type IpRange, type KubeRoutesConfig, type Located, type RegionConfig, type ServiceManifest } from '@kube-routes/server/engine';

// Region facts about addresses and Services, from the config alone (the engine keeps its own
// copies private to the rules; these are the editor's questions: "whose range is this in?").

export interface Membership {
  /** clusterIPRanges of a region, a region's own externalIP pool, or a pool any region may use. */
  readonly kind: 'cluster-range' | 'region-pool' | 'shared-pool';
  readonly region: RegionConfig | undefined;
  readonly range: IpRange;
}

export function memberships(config: KubeRoutesConfig, address: IpAddress): Membership[] {
  const out: Membership[] = [];
  for (const region of config.regions.values()) {
    for (const range of region.clusterIPRanges) if (rangeContains(range, address)) out.push({ kind: 'cluster-range', region, range });
    for (const range of region.externalIPPools) if (rangeContains(range, address)) out.push({ kind: 'region-pool', region, range });
  }
  for (const range of config.externalIPPools) if (rangeContains(range, address)) out.push({ kind: 'shared-pool', region: undefined, range });
  return out;
}

export function regionOfAsn(config: KubeRoutesConfig, asn: number): string | undefined {
  for (const region of config.regions.values()) if (region.asns.includes(asn)) return region.name;
  return undefined;
}

export interface ServiceRegion {
  readonly key: string;
  readonly value: Located<string>;
  /** Undefined when the label names no configured region. */
  readonly region: RegionConfig | undefined;
}

/** The first configured region label on the Service, as the engine resolves it. */
export function serviceRegion(config: KubeRoutesConfig, service: ServiceManifest): ServiceRegion | undefined {
  for (const key of config.regionLabels) {
    const value = service.labels.get(key);
    if (value) return { key, value, region: config.regions.get(value.value) };
  }
  return undefined;
}

/** The region a Service's addresses say it belongs to: its cluster IPs' range, else its region-only pools. */
export function inferRegion(config: KubeRoutesConfig, addresses: readonly IpAddress[]): RegionConfig | undefined {
  for (const kind of ['cluster-range', 'region-pool'] as const) {
    for (const address of addresses) {
      const found = memberships(config, address).find((m) => m.kind === kind);
      if (found?.region) return found.region;
    }
  }
  return undefined;
}
