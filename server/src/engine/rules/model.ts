import { parseIpAddress, type IpAddress } from '../addresses';
import type { KubeRoutesConfig, RegionConfig } from '../config/model';
import type { Located, ManifestFile, ServiceManifest } from '../manifest/model';
import type { LiveServices } from '../live-services';
import type { RouteTable } from '../route-state';

export type AddressField = 'clusterIP' | 'clusterIPs' | 'externalIPs' | 'loadBalancerIP';

/** One IP literal in one Service, parsed once for every rule. */
export interface AddressUse {
  readonly service: ServiceAnalysis;
  readonly field: AddressField;
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
  /** The configured region the label names, if it names one. */
  readonly region: RegionConfig | undefined;
  /** Distinct cluster IPs (clusterIP, then clusterIPs not already listed); empty for headless and ExternalName. */
  readonly clusterAddresses: readonly AddressUse[];
  /** externalIPs and loadBalancerIP. */
  readonly externalAddresses: readonly AddressUse[];
  /** Every IP literal, including repeats, in source order, for literal checks. */
  readonly literals: readonly AddressUse[];
}

/** Everything rules look at; rules are pure functions of it. */
export interface CheckModel {
  readonly config: KubeRoutesConfig;
  readonly services: readonly ServiceAnalysis[];
  /** Live or recorded BGP state; the BGP rules run only when it is present. */
  readonly routes: RouteTable | undefined;
  /** Services of live clusters; the live rules run only when it is present. */
  readonly live: LiveServices | undefined;
}

export function fieldName(use: AddressUse): string {
  return use.index === undefined ? use.field : `${use.field}[${use.index}]`;
}

export function describeService(s: ServiceAnalysis): string {
  return `Service ${s.manifest.id}${s.region ? ` (region ${s.region.name})` : ''}`;
}

/** Distinguishes two declarations of one Service (same id, same region) from two Services. */
export function instanceKey(s: ServiceAnalysis): string {
  return `${s.manifest.id}\u0000${s.region?.name ?? s.regionLabel?.value.value ?? ''}`;
}

function hasNoClusterIP(m: ServiceManifest): boolean {
  return m.type?.value === 'ExternalName' || m.clusterIP?.value === 'None' || m.clusterIPs[0]?.value === 'None';
}

export function buildModel(files: readonly ManifestFile[], config: KubeRoutesConfig, routes?: RouteTable, live?: LiveServices): CheckModel {
  const services: ServiceAnalysis[] = [];
  const cache = new Map<string, IpAddress | undefined>();
  const parse = (text: string) => {
    if (!cache.has(text)) cache.set(text, parseIpAddress(text));
    return cache.get(text);
  };
  for (const file of files) {
    for (const manifest of file.services) {
      let regionLabel: RegionLabel | undefined;
      for (const key of config.regionLabels) {
        const value = manifest.labels.get(key);
        if (value) { regionLabel = { key, value }; break; }
      }
      const literals: AddressUse[] = [];
      const clusterAddresses: AddressUse[] = [];
      const externalAddresses: AddressUse[] = [];
      const analysis: ServiceAnalysis = {
        manifest,
        regionLabel,
        region: regionLabel ? config.regions.get(regionLabel.value.value) : undefined,
        clusterAddresses,
        externalAddresses,
        literals,
      };
      const use = (field: AddressField, literal: Located<string>, index?: number): AddressUse => {
        const u: AddressUse = { service: analysis, field, index, literal, address: parse(literal.value) };
        literals.push(u);
        return u;
      };
      if (!hasNoClusterIP(manifest)) {
        const seen = new Set<string>();
        const addCluster = (u: AddressUse) => {
          const key = u.address?.key ?? `literal:${u.literal.value}`;
          if (!seen.has(key)) { seen.add(key); clusterAddresses.push(u); }
        };
        // An empty clusterIP asks the cluster to allocate one: nothing to check.
        if (manifest.clusterIP && manifest.clusterIP.value !== '') addCluster(use('clusterIP', manifest.clusterIP));
        manifest.clusterIPs.forEach((l, i) => { if (l.value !== '') addCluster(use('clusterIPs', l, i)); });
      }
      manifest.externalIPs.forEach((l, i) => externalAddresses.push(use('externalIPs', l, i)));
      if (manifest.loadBalancerIP && manifest.loadBalancerIP.value !== '') {
        externalAddresses.push(use('loadBalancerIP', manifest.loadBalancerIP));
      }
      services.push(analysis);
    }
  }
  return { config, services, routes, live };
}
