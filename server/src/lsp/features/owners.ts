import { parseIpAddress, type IpAddress } from '@kube-routes/server/engine';
import { addressKey } from '../indexed-file';
import type { ManifestIndex } from '../manifest-index';
import type { AddressOwner } from './context';
import { serviceLiterals } from './service-literals';

/** Every use of an address in the files of one config group, found through the index's reverse map. */
export function addressOwners(
  index: ManifestIndex,
  configPath: string | undefined,
  address: IpAddress,
): AddressOwner[] {
  const out: AddressOwner[] = [];
  for (const path of index.ownersOf([addressKey(configPath, address.key)])) {
    for (const service of index.get(path)?.manifest?.services ?? []) {
      for (const use of serviceLiterals(service))
        if (parseIpAddress(use.literal.value)?.key === address.key) out.push({ file: path, use });
    }
  }
  return out;
}
