import { closestMatch } from '../text';
import { rangeContains, type IpAddress, type IpRange } from '../addresses';
import type { KubeRoutesConfig, RegionConfig } from '../config/model';

/** The region (and its range) whose clusterIP ranges contain the address, if any. */
export function clusterRangeOwner(config: KubeRoutesConfig, address: IpAddress): { region: RegionConfig; range: IpRange } | undefined {
  for (const region of config.regions.values()) {
    for (const range of region.clusterIPRanges) if (rangeContains(range, address)) return { region, range };
  }
  return undefined;
}

export function poolOwner(config: KubeRoutesConfig, address: IpAddress): { region: RegionConfig; range: IpRange } | undefined {
  for (const region of config.regions.values()) {
    for (const range of region.externalIPPools) if (rangeContains(range, address)) return { region, range };
  }
  return undefined;
}

export function cidrs(ranges: readonly IpRange[]): string {
  return ranges.map((r) => r.cidr).join(', ');
}

export function knownRegions(config: KubeRoutesConfig): string {
  return [...config.regions.keys()].join(', ');
}

/** The closest configured region name within two edits, for "did you mean". */
export function closestRegion(config: KubeRoutesConfig, name: string): string | undefined {
  return closestMatch(name, config.regions.keys());
}
