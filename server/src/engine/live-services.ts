import { parseIpAddress, type IpAddress } from './addresses';
import type { KubeRoutesConfig } from './config/model';
import { regionOfContext } from './regions';

// Services as they exist in live clusters, as plain data: whatever client read them (kubectl
// routes uses @kubernetes/client-node's kubeconfig handling), the engine sees only this.

/** One Service of one live cluster. */
export interface LiveService {
  /** The kube context it was read through. */
  readonly context: string;
  readonly namespace: string;
  readonly name: string;
  /** spec.clusterIPs (without "None"): the addresses the cluster allocated to it. */
  readonly clusterIPs: readonly string[];
}

export interface LiveAllocation {
  readonly service: LiveService;
  /** The region whose `contexts` list the Service's context, if any. */
  readonly region: string | undefined;
}

/** The cluster IPs allocated in live clusters, as the rules consult them. */
export interface LiveServices {
  /** Where they come from, for messages: "contexts nyc3-prod, sgp1-prod". */
  readonly source: string;
  /** The live Services holding this cluster IP (one per cluster, normally). */
  allocatedTo(address: IpAddress): readonly LiveAllocation[];
}

/** Indexes live Services by cluster IP; unparseable addresses are skipped. */
export function indexLiveServices(
  services: readonly LiveService[],
  config: KubeRoutesConfig,
  source: string,
): LiveServices {
  const byKey = new Map<string, LiveAllocation[]>();
  for (const service of services) {
    const allocation: LiveAllocation = { service, region: regionOfContext(config, service.context) };
    for (const ip of service.clusterIPs) {
      const address = parseIpAddress(ip);
      if (!address) continue;
      const list = byKey.get(address.key);
      if (list) list.push(allocation);
      else byKey.set(address.key, [allocation]);
    }
  }
  return { source, allocatedTo: (address) => byKey.get(address.key) ?? [] };
}
