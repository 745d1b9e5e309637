import {
  formatIpAddress,
  parseCidr,
  parseIpAddress,
  type IpFamily,
  type IpRange,
  type RegionConfig,
  type Route,
} from '@kube-routes/server/engine';

// Picking a free cluster IP: the lowest address of the region's range that no Service of the
// workspace uses and no route more specific than the range covers. All math is on the engine's
// bigint range bounds (parsed by ip-num), and candidates are formatted and re-parsed through the
// engine so "in use" compares the engine's own address keys.

/** How many candidates to try per range before giving up (a /108 has a million). */
const maxCandidates = 65_536;

export interface Occupied {
  readonly family: IpFamily;
  readonly first: bigint;
  readonly last: bigint;
}

/** The address blocks taken by routes inside a range (an aggregate of the whole range takes nothing). */
export function occupiedByRoutes(range: IpRange, routes: readonly Route[]): Occupied[] {
  const out: Occupied[] = [];
  for (const route of routes) {
    const parsed = parseCidr(route.prefix);
    if ('error' in parsed) continue;
    const r = parsed.range;
    if (r.family !== range.family || r.first < range.first || r.last > range.last) continue;
    if (r.first === range.first && r.last === range.last) continue;
    out.push({ family: r.family, first: r.first, last: r.last });
  }
  return out;
}

/**
 * The lowest free address of a range: not the network address, not the first usable one (a
 * cluster gives it to the `kubernetes` Service), not the IPv4 broadcast address.
 */
export function freeAddressIn(
  range: IpRange,
  inUse: (text: string) => boolean,
  occupied: readonly Occupied[],
): string | undefined {
  const last = range.family === 4 ? range.last - 1n : range.last;
  let tried = 0;
  for (let value = range.first + 2n; value <= last && tried < maxCandidates; value++, tried++) {
    const block = occupied.find((o) => o.first <= value && value <= o.last);
    if (block) {
      value = block.last;
      continue;
    }
    const text = formatIpAddress(range.family, value);
    if (!inUse(text)) return text;
  }
  return undefined;
}

/** The region's ranges of the value's family (IPv4 for a value that is no address): ipFamilies must not change. */
export function candidateRanges(region: RegionConfig, current: string): IpRange[] {
  const family = parseIpAddress(current)?.family ?? 4;
  return region.clusterIPRanges.filter((r) => r.family === family);
}

/** The pools an external address may come from: the region's own pools, then the global ones, of its family. */
export function candidatePools(
  region: RegionConfig | undefined,
  global: readonly IpRange[],
  current: string,
): IpRange[] {
  const family = parseIpAddress(current)?.family ?? 4;
  return [...(region?.externalIPPools ?? []), ...global].filter((r) => r.family === family);
}
