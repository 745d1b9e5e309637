import type { KubeObject, ObjectStore } from './kube-api-store';

// Builders for the objects tests put into a KubeApiServer, filled in with the defaults the real
// API server applies, so clients see realistic objects.

export interface ServicePort {
  readonly port: number;
  readonly name?: string;
  readonly protocol?: 'TCP' | 'UDP' | 'SCTP';
  readonly targetPort?: number | string;
  readonly nodePort?: number;
}

export interface ServiceInput {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
  /** Allocated from the ServiceCIDRs when absent; "None" for a headless Service. */
  readonly clusterIP?: string;
  /** The second family's cluster IP of a dual-stack Service. */
  readonly extraClusterIPs?: readonly string[];
  readonly externalIPs?: readonly string[];
  /** status.loadBalancer.ingress IPs, as a load-balancer controller (MetalLB, Cilium) sets them. */
  readonly loadBalancerIngress?: readonly string[];
  readonly ports?: readonly ServicePort[];
  readonly selector?: Readonly<Record<string, string>>;
  readonly creationTimestamp?: string;
}

export function serviceObject(
  input: ServiceInput & { readonly namespace: string },
  clusterIPs: readonly string[],
): KubeObject {
  const ipFamilies = clusterIPs.filter((ip) => ip !== 'None').map((ip) => (ip.includes(':') ? 'IPv6' : 'IPv4'));
  const type = input.type ?? 'ClusterIP';
  return {
    metadata: {
      name: input.name,
      namespace: input.namespace,
      ...(input.labels ? { labels: { ...input.labels } } : {}),
      ...(input.creationTimestamp ? { creationTimestamp: input.creationTimestamp } : {}),
    },
    spec: {
      type,
      clusterIP: clusterIPs[0],
      clusterIPs: [...clusterIPs],
      ...(input.externalIPs ? { externalIPs: [...input.externalIPs] } : {}),
      ipFamilies: ipFamilies.length > 0 ? ipFamilies : ['IPv4'],
      ipFamilyPolicy: clusterIPs.length > 1 ? 'RequireDualStack' : 'SingleStack',
      internalTrafficPolicy: 'Cluster',
      ...(type === 'LoadBalancer' || type === 'NodePort' ? { externalTrafficPolicy: 'Cluster' } : {}),
      ports: (input.ports ?? [{ port: 80 }]).map((p, i) => ({
        ...(p.name ? { name: p.name } : {}),
        protocol: p.protocol ?? 'TCP',
        port: p.port,
        targetPort: p.targetPort ?? p.port,
        ...(p.nodePort
          ? { nodePort: p.nodePort }
          : type === 'LoadBalancer' || type === 'NodePort'
            ? { nodePort: 30000 + ((p.port + i) % 2767) }
            : {}),
      })),
      ...(input.selector ? { selector: { ...input.selector } } : {}),
      sessionAffinity: 'None',
    },
    status: {
      loadBalancer: input.loadBalancerIngress
        ? { ingress: input.loadBalancerIngress.map((ip) => ({ ip, ipMode: 'VIP' })) }
        : {},
    },
  };
}

function ipv4ToNumber(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

function numberToIpv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

const cursors = new WeakMap<ObjectStore, Map<string, number>>();

/** The next free IPv4 address of the ServiceCIDRs, as the allocator hands them out (network and first address reserved). */
export function allocateIp(store: ObjectStore, owner: (ip: string) => string | undefined): string {
  const cidrs = store
    .all('servicecidrs')
    .flatMap((o) => ((o.spec as { cidrs?: string[] } | undefined)?.cidrs ?? []).filter((c) => !c.includes(':')));
  if (cidrs.length === 0)
    throw new Error('no ServiceCIDR to allocate a cluster IP from: add one with serviceCidr() or give clusterIP');
  let byCidr = cursors.get(store);
  if (!byCidr) cursors.set(store, (byCidr = new Map()));
  for (const cidr of cidrs) {
    const [base = '', bits = '32'] = cidr.split('/');
    const first = ipv4ToNumber(base);
    const size = 2 ** (32 - Number(bits));
    for (let offset = Math.max(byCidr.get(cidr) ?? 2, 2); offset < size - 1; offset++) {
      const ip = numberToIpv4(first + offset);
      if (owner(ip) === undefined) {
        byCidr.set(cidr, offset + 1);
        return ip;
      }
    }
  }
  throw new Error(`the ServiceCIDRs ${cidrs.join(', ')} are full`);
}

export function serviceCidr(name: string, cidrs: readonly string[]): KubeObject {
  return {
    metadata: { name },
    spec: { cidrs: [...cidrs] },
    status: {
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: '',
          message: 'Kubernetes Service CIDR is ready',
          lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        },
      ],
    },
  };
}

export function node(name: string, internalIP: string, labels: Readonly<Record<string, string>> = {}): KubeObject {
  return {
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...labels } },
    spec: {},
    status: {
      addresses: [
        { type: 'InternalIP', address: internalIP },
        { type: 'Hostname', address: name },
      ],
      conditions: [
        { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
      ],
      nodeInfo: { kubeletVersion: 'v1.32.0', operatingSystem: 'linux', architecture: 'amd64' },
    },
  };
}
