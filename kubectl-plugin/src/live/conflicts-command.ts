import { liveAddresses, unreadRegions, regionOfContext, type IpRange } from '@kube-routes/server/engine';
import { KubeError, type KubeClient, type ServiceCidrJson } from '@kube-routes/server/kube';
import { formatStructured } from '../output/structured';
import { formatTable, orNone } from '../output/table';
import { clusterRanges } from './check-live';
import { findConflicts, type ContextCidrs } from './conflicts';
import { poolOverlaps } from './pool-overlaps';
import { resolveRoutes, type RouteAnswers, type ZoneRoutes } from './route-lookup';
import { compareServiceRoutes, joinRoutes } from './service-routes';
import { listServices } from './services';
import type { LiveRun } from './live-run';

// `kubectl routes conflicts`: every conflict in live state across all clusters; exit 1 when any.

/** ServiceCIDRs of a context; clusters without the API (before 1.33) or without access have none. */
async function serviceCidrs(run: LiveRun, client: KubeClient): Promise<ContextCidrs> {
  const region = regionOfContext(run.config, client.context);
  try {
    const list = await client.list<ServiceCidrJson>('/apis/networking.k8s.io/v1/servicecidrs');
    return {
      context: client.context,
      region,
      cidrs: list.items.flatMap((c) => (c.spec?.cidrs ?? []).map((cidr) => ({ name: c.metadata.name, cidr }))),
    };
  } catch (e) {
    if (e instanceof KubeError && (e.kind === 'not-found' || e.kind === 'forbidden'))
      return { context: client.context, region, cidrs: [] };
    throw e;
  }
}

/** Ranges whose every owning context answered: only there can a route be said to have no Service. */
function completeZones(run: LiveRun, answered: ReadonlySet<string>): Set<IpRange> {
  const complete = new Set<IpRange>();
  const regions = [...run.config.regions.values()];
  const full = (contexts: readonly string[]) => contexts.length > 0 && contexts.every((c) => answered.has(c));
  for (const r of regions)
    if (full(r.contexts)) for (const z of [...r.clusterIPRanges, ...r.externalIPPools]) complete.add(z);
  if (full(regions.flatMap((r) => r.contexts))) for (const z of run.config.externalIPPools) complete.add(z);
  return complete;
}

export async function runConflicts(run: LiveRun): Promise<number> {
  const { io, flags } = run;
  const targets = await run.contexts(true);
  const source = await run.routeSource();
  const clients = await run.clients(targets);
  const query = { namespace: undefined, allNamespaces: true, selector: undefined, names: [] };
  const label = run.config.regionLabels[0];
  const [lists, cidrs, ranges] = await Promise.all([
    run.eachContext(clients, (c) => listServices(c, query)),
    run.eachContext(clients, (c) => serviceCidrs(run, c)),
    run.eachContext(clients, (c) => clusterRanges(c, regionOfContext(run.config, c.context), label)),
  ]);
  const services = [...lists.values()].flatMap((l) => l.items);
  const answered = new Set(targets.map((t) => t.context).filter((c) => lists.has(c)));
  const zones: ZoneRoutes[] = [];
  let answers: RouteAnswers | undefined;
  if (source) {
    try {
      answers = await resolveRoutes(
        source,
        services.flatMap((s) => liveAddresses(s).map((a) => a.ip)),
        run.zones(),
        { allZones: true, onZone: (z) => zones.push(z) },
      );
    } catch (e) {
      run.record(e);
    }
  }
  const complete = completeZones(run, answered);
  const conflicts = findConflicts({
    config: run.config,
    rows: joinRoutes(services, run.config, answers, unreadRegions(run.config, answered)).sort(compareServiceRoutes),
    zones: zones.filter((z) => complete.has(z.zone)),
    serviceCidrs: [...cidrs.values()],
    poolOverlaps: poolOverlaps([...ranges.values()], run.config),
  });

  if (flags.output === 'json' || flags.output === 'yaml') {
    io.stdout(
      await formatStructured(
        {
          apiVersion: 'kube-routes/v1',
          kind: 'ConflictList',
          contexts: [...answered],
          routeSource: source?.label,
          items: conflicts,
          errors: run.problems,
        },
        flags.output,
      ),
    );
  } else if (conflicts.length > 0) {
    const wide = flags.output === 'wide';
    io.stdout(
      formatTable(
        ['KIND', 'ADDRESS', 'SERVICES', 'DETAIL'],
        conflicts.map((c) => [
          c.kind,
          c.address,
          orNone(
            wide
              ? c.services
              : c.services.slice(0, 3).concat(c.services.length > 3 ? [`+${c.services.length - 3}`] : []),
          ),
          c.detail,
        ]),
        {
          headers: flags.headers !== false,
          paint: io.color ? (col, v) => (col === 0 ? `\u001b[1;31m${v}\u001b[0m` : v) : undefined,
        },
      ),
    );
  }
  if (conflicts.length === 0 && answered.size > 0 && flags.output !== 'json' && flags.output !== 'yaml') {
    io.stderr(
      `No conflicts in context${answered.size === 1 ? '' : 's'} ${[...answered].join(', ')}${source ? '' : ' (without route state: only address conflicts were checked)'}.\n`,
    );
  }
  if (!source)
    io.stderr(
      'warning: no route state: wrong-origin and unowned-route were not checked; pass --speaker URL, or set regions.REGION.speaker (or speaker.api) in kube-routes.yaml\n',
    );
  return run.finish(conflicts.length > 0 ? 1 : 0, { count: answered.size, of: targets.length });
}
