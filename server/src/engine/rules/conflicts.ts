import { describeService, type AddressUse } from './model';
import type { RelatedReport } from './rule';

/**
 * Groups address uses by address and yields each use that shares its address with a use of
 * another owner (owner as the key function says), together with those other uses.
 */
export function* groupConflicts(
  uses: readonly AddressUse[],
  owner: (use: AddressUse['service']) => string,
): Generator<[AddressUse, AddressUse[]]> {
  const byAddress = new Map<string, AddressUse[]>();
  for (const use of uses) {
    if (!use.address) continue;
    const group = byAddress.get(use.address.key);
    if (group) group.push(use);
    else byAddress.set(use.address.key, [use]);
  }
  for (const group of byAddress.values()) {
    if (group.length < 2) continue;
    for (const use of group) {
      const me = owner(use.service);
      const others = group.filter((o) => owner(o.service) !== me);
      if (others.length > 0) yield [use, others];
    }
  }
}

export function relatedUse(use: AddressUse, what: string): RelatedReport {
  return {
    file: use.service.manifest.file,
    range: use.literal.range,
    message: `${describeService(use.service)} ${what}`,
  };
}

/** "Service a/b (regions nyc3, sgp1), Service c/d": each other owner once, with every region it is in. */
export function describeOwners(uses: readonly AddressUse[]): string {
  const regions = new Map<string, Set<string>>();
  for (const u of uses) {
    const set = regions.get(u.service.manifest.id) ?? new Set<string>();
    const region = u.service.region?.name ?? u.service.regionLabel?.value.value;
    if (region) set.add(region);
    regions.set(u.service.manifest.id, set);
  }
  return [...regions]
    .map(
      ([id, set]) =>
        `Service ${id}${set.size === 0 ? '' : ` (region${set.size > 1 ? 's' : ''} ${[...set].join(', ')})`}`,
    )
    .join(', ');
}
