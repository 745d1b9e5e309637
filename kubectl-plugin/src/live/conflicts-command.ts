import { liveAddresses, unreadRegions, regionOfContext, type IpRange } from '@kube-routes/server/engine';
import { KubeError, type KubeClient, type ServiceCidrJson } from '@kube-routes/server/kube';
import { formatStructured } from '../output/structured';
import { formatTable, orNone } from '../output/table';
import { findConflicts, type ContextCidrs } from './conflicts';
import { resolveRoutes, type ZoneRoutes } from './route-lookup';
import { compareServiceRoutes, joinRoutes } from './service-routes';
import { listServices } from './services';
import type { LiveSession } from './session';

// `kubectl routes conflicts`: every conflict in live state across all clusters; exit 1 when any.

/** ServiceCIDRs of a context; clusters without the API (before 1.33) or without access have none. */
async function serviceCidrs(session: LiveSession, client: KubeClient): Promise<ContextCidrs> {
  const region = regionOfContext(session.config, client.context);
  try {
    const list = await client.list<ServiceCidrJson>('/apis/networking.k8s.io/v1/servicecidrs');
    return { context: client.context, region, cidrs: list.items.flatMap((c) => (c.spec?.cidrs ?? []).map((cidr) => ({ name: c.metadata.name, cidr }))) };
  } catch (e) {
    if (e instanceof KubeError && (e.kind === 'not-found' || e.kind === 'forbidden')) return { context: client.context, region, cidrs: [] };
    throw e;
  }
}

/** Ranges whose every owning context answered: only there can a route be said to have no Service. */
function completeZones(session: LiveSession, answered: ReadonlySet<string>): Set<IpRange> {
  const complete = new Set<IpRange>();
  const regions = [...session.config.regions.values()];
  const full = (contexts: readonly string[]) => contexts.length > 0 && contexts.every((c) => answered.has(c));
  for (const r of regions) if (full(r.contexts)) for (const z of [...r.clusterIPRanges, ...r.externalIPPools]) complete.add(z);
  if (full(regions.flatMap((r) => r.contexts))) for (const z of session.config.externalIPPools) complete.add(z);
  return complete;
}

export async function runConflicts(session: LiveSession): Promise<number> {
  const { io, flags } = session;
  const targets = await session.contexts(true);
  const source = await session.routeSource();
  const clients = await session.clients(targets);
  const query = { namespace: undefined, allNamespaces: true, selector: undefined, names: [] };
  const [lists, cidrs] = await Promise.all([
    session.eachContext(clients, (c) => listServices(c, query)),
    session.eachContext(clients, (c) => serviceCidrs(session, c)),
  ]);
  const services = [...lists.values()].flatMap((l) => l.items);
  const answered = new Set(targets.map((t) => t.context).filter((c) => lists.has(c)));
  const zones: ZoneRoutes[] = [];
  let answers;
  if (source) {
    try {
      answers = await resolveRoutes(source, services.flatMap((s) => liveAddresses(s).map((a) => a.ip)), session.zones(), { allZones: true, onZone: (z) => zones.push(z) });
    } catch (e) {
      session.record(e);
    }
  }
  const complete = completeZones(session, answered);
  const conflicts = findConflicts({
    config: session.config,
    rows: joinRoutes(services, session.config, answers, unreadRegions(session.config, answered)).sort(compareServiceRoutes),
    zones: zones.filter((z) => complete.has(z.zone)),
    serviceCidrs: [...cidrs.values()],
  });

  if (flags.output === 'json' || flags.output === 'yaml') {
    io.stdout(await formatStructured({ apiVersion: 'kube-routes/v1', kind: 'ConflictList', contexts: [...answered], routeSource: source?.label, items: conflicts, errors: session.problems }, flags.output));
  } else if (conflicts.length > 0) {
    const wide = flags.output === 'wide';
    io.stdout(formatTable(['KIND', 'ADDRESS', 'SERVICES', 'DETAIL'], conflicts.map((c) => [c.kind, c.address, orNone(wide ? c.services : c.services.slice(0, 3).concat(c.services.length > 3 ? [`+${c.services.length - 3}`] : [])), c.detail]), {
      headers: flags.headers !== false,
      paint: io.color ? (col, v) => (col === 0 ? `\u001b[1;31m${v}\u001b[0m` : v) : undefined,
    }));
  }
  if (conflicts.length === 0 && answered.size > 0 && flags.output !== 'json' && flags.output !== 'yaml') {
    io.stderr(`No conflicts in context${answered.size === 1 ? '' : 's'} ${[...answered].join(', ')}${source ? '' : ' (without route state: only address conflicts were checked)'}.\n`);
  }
  if (!source) io.stderr('warning: no route state: wrong-origin and unowned-route were not checked; pass --speaker URL, or set speaker.api in kube-routes.yaml\n');
  return session.finish(conflicts.length > 0 ? 1 : 0, { count: answered.size, of: targets.length });
}
