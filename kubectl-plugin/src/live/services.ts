import {
  clusterService,
  type ClusterService,
  type KubeClient,
  type ListResult,
  type ServiceJson,
} from '@kube-routes/server/kube';
import type { LiveFlags } from './flags';

// Which Services a command reads, as kubectl get svc would: a namespace (the context's unless
// -n), or all of them (-A), a label selector, and names.

export interface ServiceQuery {
  readonly namespace: string | undefined;
  readonly allNamespaces: boolean;
  readonly selector: string | undefined;
  readonly names: readonly string[];
}

export function serviceQuery(flags: LiveFlags, names: readonly string[] = [], allNamespaces = false): ServiceQuery {
  return {
    namespace: flags.namespace,
    allNamespaces: allNamespaces || flags.allNamespaces === true,
    selector: flags.selector,
    names,
  };
}

export function servicesPath(client: KubeClient, q: ServiceQuery): string {
  return q.allNamespaces
    ? '/api/v1/services'
    : `/api/v1/namespaces/${encodeURIComponent(q.namespace ?? client.access.namespace)}/services`;
}

export function serviceParams(q: ServiceQuery): Record<string, string | undefined> {
  return { labelSelector: q.selector, fieldSelector: q.names.length === 1 ? `metadata.name=${q.names[0]}` : undefined };
}

export function matchesNames(q: ServiceQuery, s: { readonly name: string }): boolean {
  return q.names.length === 0 || q.names.includes(s.name);
}

export async function listServices(client: KubeClient, q: ServiceQuery): Promise<ListResult<ClusterService>> {
  const list = await client.list<ServiceJson>(servicesPath(client, q), serviceParams(q));
  return {
    items: list.items.map((s) => clusterService(client.context, s)).filter((s) => matchesNames(q, s)),
    resourceVersion: list.resourceVersion,
  };
}
