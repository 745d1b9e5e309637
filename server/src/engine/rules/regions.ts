// Region names and ranges as rule messages print them; the policy itself is in ../regions.ts.
import { closestMatch } from '../text';
import type { IpRange } from '../addresses';
import type { KubeRoutesConfig } from '../config/model';

export function cidrs(ranges: readonly IpRange[]): string {
  return [...new Set(ranges.map((r) => r.cidr))].join(', ');
}

export function knownRegions(config: KubeRoutesConfig): string {
  return [...config.regions.keys()].join(', ');
}

/** The closest configured region name within two edits, for "did you mean". */
export function closestRegion(config: KubeRoutesConfig, name: string): string | undefined {
  return closestMatch(name, config.regions.keys());
}
