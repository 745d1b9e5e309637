import {
  indexLiveServices,
  readManifestFile,
  regionOfContext,
  type LiveService,
  type LiveServices,
  type ManifestFile,
} from '@kube-routes/server/engine';
import { ipAddressService, KubeError, type IpAddressJson, type KubeClient } from '@kube-routes/server/kube';
import type { CliIO } from '../cli/io';
import type { RouteSource } from '@kube-routes/server/speaker-client';
import type { LiveFlags } from './flags';
import { listServices } from './services';
import { LiveRun } from './live-run';

// `kubectl routes check --live`: the Services of live clusters as plain data for the engine's
// live rule (cluster-ip-allocated), and route state from the config's speaker for the BGP rules.

export interface LiveCheckInput {
  readonly run: LiveRun;
  readonly live: LiveServices;
  /** The config's speaker (or --speaker k8s://...), when --speaker gives no plain URL. */
  readonly routes: RouteSource | undefined;
  readonly answered: number;
  readonly asked: number;
  /** Load balancer pools and ServiceCIDRs of each context, read as manifests of the context's region. */
  readonly files: readonly ManifestFile[];
}

/** The cluster objects that are pools or clusterIP ranges; a CRD that is not installed gives nothing. */
const poolLists: readonly string[] = [
  '/apis/metallb.io/v1beta1/ipaddresspools',
  '/apis/cilium.io/v2/ciliumloadbalancerippools',
  '/apis/projectcalico.org/v3/ippools',
  '/apis/purelb.io/v1/servicegroups',
  '/apis/networking.k8s.io/v1/servicecidrs',
];

interface ObjectJson {
  readonly metadata?: { labels?: Record<string, string> };
}

/**
 * A context's pools and ServiceCIDRs as one manifest text (JSON is YAML), read by the engine's
 * own document table; each object carries its context's region as a label.
 */
export async function clusterRanges(
  client: KubeClient,
  region: string | undefined,
  label: string | undefined,
): Promise<ManifestFile> {
  const items: unknown[] = [];
  const add = (kind: string, apiVersion: string, objects: readonly ObjectJson[]) => {
    for (const o of objects) {
      const labels = { ...(o.metadata?.labels ?? {}), ...(region && label ? { [label]: region } : {}) };
      items.push({ ...o, kind, apiVersion, metadata: { ...o.metadata, labels } });
    }
  };
  for (const path of poolLists) {
    try {
      const list = await client.list<ObjectJson>(path);
      const [, , group, version, plural] = path.split('/');
      const kind = kindOf[plural ?? ''] ?? '';
      add(kind, `${group}/${version}`, list.items);
    } catch (e) {
      if (!(e instanceof KubeError && (e.kind === 'not-found' || e.kind === 'forbidden'))) throw e;
    }
  }
  const kubevip = await client.raw('/api/v1/namespaces/kube-system/configmaps/kubevip');
  if (kubevip.status === 200) add('ConfigMap', 'v1', [JSON.parse(kubevip.text) as ObjectJson]);
  const text = JSON.stringify({ apiVersion: 'v1', kind: 'List', items }, null, 2);
  return readManifestFile({ path: `context ${client.context}`, text });
}

const kindOf: Record<string, string> = {
  ipaddresspools: 'IPAddressPool',
  ciliumloadbalancerippools: 'CiliumLoadBalancerIPPool',
  ippools: 'IPPool',
  servicegroups: 'ServiceGroup',
  servicecidrs: 'ServiceCIDR',
};

/**
 * Allocations the Services do not show: IPAddress objects (networking.k8s.io/v1) name the
 * Service holding each cluster IP, even one in a namespace the user cannot list.
 */
async function allocations(client: KubeClient, known: ReadonlySet<string>): Promise<LiveService[]> {
  try {
    const list = await client.list<IpAddressJson>('/apis/networking.k8s.io/v1/ipaddresses');
    return list.items
      .filter((ip) => !known.has(ip.metadata.name))
      .map((ip) => ipAddressService(client.context, ip))
      .filter((s): s is LiveService => s !== undefined);
  } catch (e) {
    // Clusters before the API (1.33 GA) or without access to it: the Services say enough.
    if (e instanceof KubeError && (e.kind === 'not-found' || e.kind === 'forbidden')) return [];
    throw e;
  }
}

export async function readLiveForCheck(io: CliIO, flags: LiveFlags): Promise<LiveCheckInput> {
  const run = LiveRun.open(flags, io);
  const targets = await run.contexts(true);
  const clients = await run.clients(targets);
  const query = { namespace: undefined, allNamespaces: true, selector: undefined, names: [] };
  const perContext = await run.eachContext(clients, async (c) => {
    const { items } = await listServices(c, query);
    return [...items, ...(await allocations(c, new Set(items.flatMap((s) => s.clusterIPs))))];
  });
  const label = run.config.regionLabels[0];
  const ranges = await run.eachContext(clients, (c) => clusterRanges(c, regionOfContext(run.config, c.context), label));
  const answered = targets.map((t) => t.context).filter((c) => perContext.has(c));
  const live = indexLiveServices([...perContext.values()].flat(), run.config, `contexts ${answered.join(', ')}`);
  // A plain --speaker URL and --bgp are read by runCheck; the config's speaker and k8s:// here.
  const routes =
    flags.bgp || (flags.speaker && !flags.speaker.startsWith('k8s://')) ? undefined : await run.routeSource();
  const files = [...ranges.values()].filter((f) => f.pools.length > 0 || f.serviceCIDRs.length > 0);
  return { run, live, routes, answered: answered.length, asked: targets.length, files };
}
