import { indexLiveServices, type LiveService, type LiveServices } from '@kube-routes/server/engine';
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
}

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
  const answered = targets.map((t) => t.context).filter((c) => perContext.has(c));
  const live = indexLiveServices([...perContext.values()].flat(), run.config, `contexts ${answered.join(', ')}`);
  // A plain --speaker URL and --bgp are read by runCheck; the config's speaker and k8s:// here.
  const routes =
    flags.bgp || (flags.speaker && !flags.speaker.startsWith('k8s://')) ? undefined : await run.routeSource();
  return { run, live, routes, answered: answered.length, asked: targets.length };
}
