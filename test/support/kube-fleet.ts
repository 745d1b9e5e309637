import { join } from 'node:path';
import { KubeApiServer, type TestUser } from './kube-api-server';
import { serviceCidr } from './kube-objects';
import { makeTls, type TlsOptions } from './kube-tls';
import { writeKubeconfig } from './kubeconfig';

// Several test clusters and one kubeconfig naming them all, as an operator's laptop has.

export interface FleetClusterSpec {
  readonly context: string;
  /** The cluster's ServiceCIDR; cluster IPs are allocated from it. */
  readonly serviceCidr: string;
  /** Which generator makes the cluster's certificates (default: openssl when installed). */
  readonly tlsGenerator?: TlsOptions['generator'];
  /** Extra tokens besides "test-token" (an all-powerful admin). */
  readonly users?: Readonly<Record<string, TestUser>>;
  /** The token the kubeconfig uses for this context (default "test-token"). */
  readonly token?: string;
  readonly namespace?: string;
  /** CRD types installed (KubeApiServerOptions.crds). */
  readonly crds?: readonly string[];
}

export interface Fleet {
  readonly clusters: ReadonlyMap<string, KubeApiServer>;
  readonly kubeconfig: string;
  /** KUBECONFIG and a private kubectl cache directory, for child processes. */
  readonly env: Record<string, string>;
  cluster(context: string): KubeApiServer;
  stop(): Promise<void>;
}

export async function startFleet(
  dir: string,
  specs: readonly FleetClusterSpec[],
  currentContext?: string,
): Promise<Fleet> {
  const clusters = new Map<string, KubeApiServer>();
  for (const spec of specs) {
    const server = new KubeApiServer({
      name: spec.context,
      users: { 'test-token': { name: 'admin' }, ...spec.users },
      tls: makeTls({ generator: spec.tlsGenerator }),
      ...(spec.crds ? { crds: spec.crds } : {}),
    });
    await server.start();
    server.put('servicecidrs', serviceCidr('kubernetes', [spec.serviceCidr]));
    clusters.set(spec.context, server);
  }
  const kubeconfig = writeKubeconfig(
    join(dir, 'kubeconfig'),
    specs.map((s) => {
      const server = clusters.get(s.context) as KubeApiServer;
      return {
        context: s.context,
        server: server.url,
        caCert: server.tls.caCert,
        token: s.token ?? 'test-token',
        namespace: s.namespace,
      };
    }),
    currentContext,
  );
  return {
    clusters,
    kubeconfig,
    env: { KUBECONFIG: kubeconfig, KUBECACHEDIR: join(dir, 'kube-cache'), HOME: dir },
    cluster(context) {
      const c = clusters.get(context);
      if (!c) throw new Error(`no test cluster ${context}`);
      return c;
    },
    async stop() {
      await Promise.all([...clusters.values()].map((c) => c.stop()));
    },
  };
}
