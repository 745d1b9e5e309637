import { rangeContains, type IpAddress, type IpRange } from './addresses';
import type { KubeRoutesConfig, RegionConfig } from './config/model';
import type { Located } from './manifest/model';
import { globMatches, pathFromConfig } from './paths';

// Region policy, decided once for every face: which region a Service, an ASN or a kube context
// belongs to, and which region owns an address by the configured ranges and pools.

export function regionOfAsn(config: KubeRoutesConfig, asn: number): string | undefined {
  for (const region of config.regions.values()) if (region.asns.includes(asn)) return region.name;
  return undefined;
}

/** The region whose regions.*.contexts lists the context. */
export function regionOfContext(config: KubeRoutesConfig, context: string): string | undefined {
  for (const region of config.regions.values()) if (region.contexts.includes(context)) return region.name;
  return undefined;
}

export interface ManifestRegion {
  /** The label key that gave the region. */
  readonly key: string;
  readonly value: Located<string>;
  /** Undefined when the label names no configured region. */
  readonly region: RegionConfig | undefined;
}

export interface PathRegion {
  readonly region: RegionConfig;
  /** The regions.*.paths glob that matched. */
  readonly glob: string;
}

/** Where an object's region comes from: its label, its path, both (maybe disagreeing), or neither. */
export interface ObjectRegion {
  readonly label: ManifestRegion | undefined;
  readonly byPath: PathRegion | undefined;
  /** The label's region when labelled (undefined if it names none), else the path's. */
  readonly region: RegionConfig | undefined;
}

// Every object of a file has the file's path region, and rules ask for it more than once: matched
// once per config and file (a config is not changed once parsed).
const pathRegions = new WeakMap<KubeRoutesConfig, Map<string, PathRegion | undefined>>();

/** The region whose regions.*.paths first match the file (config order, then glob order). */
export function regionOfPath(config: KubeRoutesConfig, file: string): PathRegion | undefined {
  let known = pathRegions.get(config);
  if (!known) pathRegions.set(config, (known = new Map()));
  if (known.has(file)) return known.get(file);
  const found = matchPathRegion(config, file);
  known.set(file, found);
  return found;
}

function matchPathRegion(config: KubeRoutesConfig, file: string): PathRegion | undefined {
  let path: string | undefined;
  for (const region of config.regions.values()) {
    if (region.paths.length === 0) continue;
    path ??= pathFromConfig(config, file);
    if (path === undefined) return undefined;
    for (const glob of region.paths) if (globMatches(glob, path)) return { region, glob };
  }
  return undefined;
}

/** A manifest's region label: its first configured region label (config.regionLabels order). */
export function manifestRegion(
  config: KubeRoutesConfig,
  object: { readonly labels: ReadonlyMap<string, Located<string>> },
): ManifestRegion | undefined {
  for (const key of config.regionLabels) {
    const value = object.labels.get(key);
    if (value) return { key, value, region: config.regions.get(value.value) };
  }
  return undefined;
}

/** An object's region: by its label, else by its path (regions.*.paths). */
export function objectRegion(
  config: KubeRoutesConfig,
  object: { readonly file: string; readonly labels: ReadonlyMap<string, Located<string>> },
): ObjectRegion {
  const label = manifestRegion(config, object);
  const byPath = regionOfPath(config, object.file);
  return { label, byPath, region: label ? label.region : byPath?.region };
}

/** A live Service's region: its context's region, else its first configured region label (named or not). */
export function liveServiceRegion(
  config: KubeRoutesConfig,
  service: { readonly context: string; readonly labels: Readonly<Record<string, string>> },
): string | undefined {
  const byContext = regionOfContext(config, service.context);
  if (byContext) return byContext;
  for (const key of config.regionLabels) if (service.labels[key]) return service.labels[key];
  return undefined;
}

export interface Membership {
  /** clusterIPRanges of a region, a region's own externalIP pool, or a pool any region may use. */
  readonly kind: 'cluster-range' | 'region-pool' | 'shared-pool';
  readonly region: RegionConfig | undefined;
  readonly range: IpRange;
}

/** Every configured range holding the address: per region (config order) its cluster ranges and own pools, then the shared pools. */
export function memberships(config: KubeRoutesConfig, address: IpAddress): Membership[] {
  const out: Membership[] = [];
  for (const region of config.regions.values()) {
    for (const range of region.clusterIPRanges)
      if (rangeContains(range, address)) out.push({ kind: 'cluster-range', region, range });
    for (const range of region.externalIPPools)
      if (rangeContains(range, address)) out.push({ kind: 'region-pool', region, range });
  }
  for (const range of config.externalIPPools)
    if (rangeContains(range, address)) out.push({ kind: 'shared-pool', region: undefined, range });
  return out;
}

export interface RegionRange {
  readonly region: RegionConfig;
  readonly range: IpRange;
}

function owner(
  config: KubeRoutesConfig,
  address: IpAddress,
  kind: 'cluster-range' | 'region-pool',
): RegionRange | undefined {
  const found = memberships(config, address).find((m) => m.kind === kind);
  return found?.region ? { region: found.region, range: found.range } : undefined;
}

/** The region (and its range) whose clusterIP ranges contain the address, if any. */
export function clusterRangeOwner(config: KubeRoutesConfig, address: IpAddress): RegionRange | undefined {
  return owner(config, address, 'cluster-range');
}

/** The region (and its pool) whose own externalIP pools contain the address, if any. */
export function poolOwner(config: KubeRoutesConfig, address: IpAddress): RegionRange | undefined {
  return owner(config, address, 'region-pool');
}

/** The region a Service's addresses say it belongs to: its cluster IPs' range, else its region-only pools. */
export function inferRegion(config: KubeRoutesConfig, addresses: readonly IpAddress[]): RegionConfig | undefined {
  for (const kind of ['cluster-range', 'region-pool'] as const) {
    for (const address of addresses) {
      const found = owner(config, address, kind);
      if (found) return found.region;
    }
  }
  return undefined;
}
