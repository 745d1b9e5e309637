import { annotationAddressValues, type LiveService } from '@kube-routes/server/engine';

// API objects reduced to the plain data kube-routes works with. Only these shapes leave src/kube.

/** A Service of a live cluster, with what the route views show. */
export interface ClusterService extends LiveService {
  readonly type: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly externalIPs: readonly string[];
  /** status.loadBalancer.ingress IPs, the deprecated spec.loadBalancerIP, and addresses requested by load balancer annotations (metallb.io/loadBalancerIPs, ...). */
  readonly loadBalancerIPs: readonly string[];
  readonly createdAt: string | undefined;
  readonly resourceVersion: string;
}

/** The fields of a v1 Service that are read; everything else is ignored. */
export interface ServiceJson {
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
    readonly creationTimestamp?: string;
    readonly resourceVersion?: string;
  };
  readonly spec?: {
    readonly type?: string;
    readonly clusterIP?: string;
    readonly clusterIPs?: readonly string[];
    readonly externalIPs?: readonly string[];
    readonly loadBalancerIP?: string;
  };
  readonly status?: { readonly loadBalancer?: { readonly ingress?: readonly { readonly ip?: string }[] } };
}

const isAddress = (ip: string | undefined): ip is string => ip !== undefined && ip !== '' && ip !== 'None';

export function clusterService(context: string, s: ServiceJson): ClusterService {
  const spec = s.spec ?? {};
  const clusterIPs = (spec.clusterIPs && spec.clusterIPs.length > 0 ? spec.clusterIPs : [spec.clusterIP]).filter(
    isAddress,
  );
  const ingress = (s.status?.loadBalancer?.ingress ?? []).map((i) => i.ip);
  return {
    context,
    namespace: s.metadata.namespace ?? 'default',
    name: s.metadata.name,
    type: spec.type ?? 'ClusterIP',
    labels: s.metadata.labels ?? {},
    clusterIPs,
    externalIPs: (spec.externalIPs ?? []).filter(isAddress),
    loadBalancerIPs: [
      ...new Set(
        [...ingress, spec.loadBalancerIP, ...annotationAddressValues(s.metadata.annotations ?? {})].filter(isAddress),
      ),
    ],
    createdAt: s.metadata.creationTimestamp,
    resourceVersion: s.metadata.resourceVersion ?? '',
  };
}

export interface ServiceCidrJson {
  readonly metadata: { readonly name: string };
  readonly spec?: { readonly cidrs?: readonly string[] };
}

export interface IpAddressJson {
  readonly metadata: { readonly name: string };
  readonly spec?: {
    readonly parentRef?: { readonly resource?: string; readonly namespace?: string; readonly name?: string };
  };
}

/**
 * The Service an IPAddress object (networking.k8s.io/v1) allocates its address to, or undefined
 * for another owner: allocations the Services do not show, even in namespaces the user cannot list.
 */
export function ipAddressService(context: string, ip: IpAddressJson): LiveService | undefined {
  const ref = ip.spec?.parentRef;
  if (ref?.resource !== 'services') return undefined;
  return { context, namespace: ref.namespace ?? '', name: ref.name ?? '', clusterIPs: [ip.metadata.name] };
}
