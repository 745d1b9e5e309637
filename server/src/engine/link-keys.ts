import { parseIpAddress } from './addresses';
import type { ManifestFile } from './manifest/model';
import { manifestAddresses } from './service-addresses';

/** The kinds of link key, as rules name them in the rule table (`crossFile`). */
export type LinkKind = 'ip' | 'id' | 'helm' | 'pools';

/**
 * Held by every file declaring a pool or ServiceCIDR: pools widen the externalIP pools of every
 * Service under their config and overlap each other, so such files take part in every check.
 */
export const poolsLinkKey = 'pools';

/**
 * What links a file's findings to other files under the same config: the inputs of every rule
 * marked `crossFile` in the rule table. Two files share a key when a change to one can change the
 * other's findings: the address of every IP literal (duplicate-cluster-ip, external-ip-conflict),
 * every Service id (the anycast sets of the BGP rules), the Helm chart of a template (one
 * helm-template note per chart), and `pools` (external-ip-outside-pools, pool-overlap).
 * Keys are not scoped: callers checking several configs scope them per config.
 */
export function linkKeys(manifest: ManifestFile): string[] {
  const keys = new Set<string>();
  if (manifest.pools.length > 0 || manifest.serviceCIDRs.length > 0) keys.add(poolsLinkKey);
  if (manifest.helmTemplate) keys.add(`helm:${manifest.helmTemplate.chart}`);
  for (const s of manifest.services) {
    keys.add(`id:${s.id}`);
    for (const { literal } of manifestAddresses(s)) {
      const address = parseIpAddress(literal.value);
      if (address) keys.add(`ip:${address.key}`);
    }
  }
  return [...keys];
}
