import { parseAddressRange, parseIpAddress, type IpAddress, type IpRange } from '../addresses';
import type { KubeRoutesConfig, RegionConfig } from '../config/model';
import type { FindingSubject } from '../findings';
import type {
  Located,
  ManifestFile,
  ObjectManifest,
  PoolManifest,
  ServiceCidrManifest,
  ServiceManifest,
} from '../manifest/model';
import type { LiveServices } from '../live-services';
import { objectRegion, type ObjectRegion, type PathRegion } from '../regions';
import type { RouteTable } from '../route-state';
import { addressFieldLabel, manifestAddresses, type AddressField, type AddressKind } from '../service-addresses';
import type { FindingAt } from './rule';

export type { AddressField } from '../service-addresses';

/** One IP literal in one Service, parsed once for every rule. */
export interface AddressUse {
  readonly service: ServiceAnalysis;
  readonly field: AddressField;
  readonly kind: AddressKind;
  /** Index in a list field, for messages like clusterIPs[1]. */
  readonly index: number | undefined;
  readonly literal: Located<string>;
  /** Undefined when the literal is not an IP address. */
  readonly address: IpAddress | undefined;
}

export interface RegionLabel {
  readonly key: string;
  readonly value: Located<string>;
}

export interface ServiceAnalysis {
  readonly manifest: ServiceManifest;
  /** The first configured region label found on the Service. */
  readonly regionLabel: RegionLabel | undefined;
  /** The configured region: the label's if labelled (undefined if it names none), else the path's. */
  readonly region: RegionConfig | undefined;
  /** The region its path gives (regions.*.paths), whether or not it is labelled. */
  readonly byPath: PathRegion | undefined;
  /** Distinct cluster IPs (clusterIP, then clusterIPs not already listed); empty for headless and ExternalName. */
  readonly clusterAddresses: readonly AddressUse[];
  /** externalIPs and loadBalancerIP. */
  readonly externalAddresses: readonly AddressUse[];
  /** Every IP literal, including repeats, in source order, for literal checks. */
  readonly literals: readonly AddressUse[];
}

/** One range of a pool or ServiceCIDR, parsed once. */
export interface RangeUse {
  readonly literal: Located<string>;
  /** Undefined when the text is not a CIDR or an a-b range. */
  readonly range: IpRange | undefined;
}

/** A non-Service object with a region: a load balancer pool or a ServiceCIDR. */
export interface RangeObject<M extends ObjectManifest = ObjectManifest> {
  readonly manifest: M;
  readonly where: ObjectRegion;
  readonly ranges: readonly RangeUse[];
}

/** What a file says beyond its objects: template, unresolved Flux substitutions. */
export interface FileAnalysis {
  readonly file: string;
  readonly helmTemplate: { readonly chart: string } | undefined;
  /** Address values written as "${VAR}" without a default: not checked. */
  readonly unresolved: readonly { readonly variable: string; readonly literal: Located<string> }[];
}

/** Everything rules look at; rules are pure functions of it. */
export interface CheckModel {
  /** kube-routes.yaml with the pools of the manifests added to their regions' externalIPPools. */
  readonly config: KubeRoutesConfig;
  /** kube-routes.yaml as written. */
  readonly written: KubeRoutesConfig;
  readonly services: readonly ServiceAnalysis[];
  readonly pools: readonly RangeObject<PoolManifest>[];
  readonly serviceCIDRs: readonly RangeObject<ServiceCidrManifest>[];
  readonly files: readonly FileAnalysis[];
  /** Live or recorded BGP state; the BGP rules run only when it is present. */
  readonly routes: RouteTable | undefined;
  /** Services of live clusters; the live rules run only when it is present. */
  readonly live: LiveServices | undefined;
}

export function fieldName(use: AddressUse): string {
  return addressFieldLabel(use);
}

export function describeService(s: ServiceAnalysis): string {
  return `Service ${s.manifest.id}${s.region ? ` (region ${s.region.name})` : ''}`;
}

/** Distinguishes two declarations of one Service (same id, same region) from two Services. */
export function instanceKey(s: ServiceAnalysis): string {
  return `${s.manifest.id}\u0000${s.region?.name ?? s.regionLabel?.value.value ?? ''}`;
}

/** The finding subject of a Service: its id and region (configured, else as labelled). */
export function serviceSubject(s: ServiceAnalysis): FindingSubject {
  const region = s.region?.name ?? s.regionLabel?.value.value;
  return region === undefined ? { service: s.manifest.id } : { service: s.manifest.id, region };
}

/** A finding on a Service-level place (label, labels anchor). */
export function serviceAt(s: ServiceAnalysis, range: Located<string>['range']): FindingAt {
  return { file: s.manifest.file, range, subject: serviceSubject(s) };
}

/** A finding on an address value: located at the literal, about that field and value. */
export function useAt(use: AddressUse): FindingAt {
  const subject: FindingSubject = {
    ...serviceSubject(use.service),
    field: use.field,
    ...(use.index === undefined ? {} : { index: use.index }),
    address: use.literal.value,
  };
  return { file: use.service.manifest.file, range: use.literal.range, subject };
}

function hasNoClusterIP(m: ServiceManifest): boolean {
  return m.type?.value === 'ExternalName' || m.clusterIP?.value === 'None' || m.clusterIPs[0]?.value === 'None';
}

function rangeObject<M extends ObjectManifest>(
  config: KubeRoutesConfig,
  manifest: M,
  ranges: readonly Located<string>[],
): RangeObject<M> {
  return {
    manifest,
    where: objectRegion(config, manifest),
    ranges: ranges.map((literal) => {
      const parsed = parseAddressRange(literal.value);
      return { literal, range: 'range' in parsed ? parsed.range : undefined };
    }),
  };
}

/** The config with each manifest pool's ranges added to its region's own externalIP pools. */
function withManifestPools(config: KubeRoutesConfig, pools: readonly RangeObject<PoolManifest>[]): KubeRoutesConfig {
  const added = new Map<string, IpRange[]>();
  for (const pool of pools) {
    const region = pool.where.region;
    if (!region) continue;
    const list = added.get(region.name) ?? [];
    for (const r of pool.ranges) if (r.range) list.push(r.range);
    added.set(region.name, list);
  }
  if (added.size === 0) return config;
  const regions = new Map<string, RegionConfig>();
  for (const [name, region] of config.regions) {
    const more = added.get(name);
    regions.set(name, more ? { ...region, externalIPPools: [...region.externalIPPools, ...more] } : region);
  }
  return { ...config, regions };
}

export function buildModel(
  files: readonly ManifestFile[],
  written: KubeRoutesConfig,
  routes?: RouteTable,
  live?: LiveServices,
): CheckModel {
  const pools = files.flatMap((f) => f.pools.map((p) => rangeObject(written, p, p.ranges)));
  const serviceCIDRs = files.flatMap((f) => f.serviceCIDRs.map((c) => rangeObject(written, c, c.cidrs)));
  const config = withManifestPools(written, pools);
  const services: ServiceAnalysis[] = [];
  const analyses: FileAnalysis[] = [];
  const cache = new Map<string, IpAddress | undefined>();
  const parse = (text: string) => {
    if (!cache.has(text)) cache.set(text, parseIpAddress(text));
    return cache.get(text);
  };
  for (const file of files) {
    const unresolved: { variable: string; literal: Located<string> }[] = [];
    analyses.push({ file: file.file, helmTemplate: file.helmTemplate, unresolved });
    for (const manifest of file.services) {
      const where = objectRegion(config, manifest);
      const label = where.label;
      const literals: AddressUse[] = [];
      const clusterAddresses: AddressUse[] = [];
      const externalAddresses: AddressUse[] = [];
      const analysis: ServiceAnalysis = {
        manifest,
        regionLabel: label && { key: label.key, value: label.value },
        region: where.region,
        byPath: where.byPath,
        clusterAddresses,
        externalAddresses,
        literals,
      };
      const noClusterIP = hasNoClusterIP(manifest);
      const seen = new Set<string>();
      for (const a of manifestAddresses(manifest)) {
        if (a.unresolvedVariable !== undefined) {
          unresolved.push({ variable: a.unresolvedVariable, literal: a.literal });
          continue;
        }
        // Headless and ExternalName Services have no cluster IP; an empty value asks the cluster
        // to allocate one (or sets no load balancer IP): nothing to check.
        if (a.emptyIsUnset && a.literal.value === '') continue;
        if (a.kind === 'cluster' && noClusterIP) continue;
        const use: AddressUse = {
          service: analysis,
          field: a.field,
          kind: a.kind,
          index: a.index,
          literal: a.literal,
          address: parse(a.literal.value),
        };
        literals.push(use);
        if (a.kind === 'external') {
          externalAddresses.push(use);
          continue;
        }
        const key = use.address?.key ?? `literal:${use.literal.value}`;
        if (!seen.has(key)) {
          seen.add(key);
          clusterAddresses.push(use);
        }
      }
      services.push(analysis);
    }
  }
  return { config, written, services, pools, serviceCIDRs, files: analyses, routes, live };
}
