import { liveAddresses, unreadRegions, closestMatch } from '@kube-routes/server/engine';
import type { Command } from 'commander';
import type { ClusterService } from '@kube-routes/server/kube';
import { formatStructured } from '../output/structured';
import type { LiveFlags } from './flags';
import type { RouteSource } from '@kube-routes/server/speaker-client';
import { resolveRoutes, type RouteAnswers } from './route-lookup';
import { compareServiceRoutes, joinRoutes, type ServiceRoutes } from './service-routes';
import { listServices, serviceQuery, type ServiceQuery } from './services';
import { serviceItem, serviceName, serviceTable } from './service-view';
import type { LiveRun } from './live-run';
import { watchServices } from './watch';

// `kubectl routes [SERVICE...]`: the Services of the chosen contexts joined with route state.

export interface ServiceSnapshot {
  readonly services: ClusterService[];
  /** Per context: the resourceVersion its list is consistent with, to watch from. */
  readonly versions: Map<string, string>;
  /** The routes shown with the list, if any. */
  readonly answers: RouteAnswers | undefined;
}

/** Resolves routes for every address of the Services; a failing source is recorded, not fatal. */
export async function routeAnswers(
  run: LiveRun,
  source: RouteSource | undefined,
  services: readonly ClusterService[],
): Promise<RouteAnswers | undefined> {
  if (!source) return undefined;
  try {
    return await resolveRoutes(
      source,
      services.flatMap((s) => liveAddresses(s).map((a) => a.ip)),
      run.zones(),
    );
  } catch (e) {
    run.record(e);
    return undefined;
  }
}

export function printRows(
  run: LiveRun,
  rows: readonly ServiceRoutes[],
  format: LiveFlags['output'],
  now = Date.now(),
): Promise<string> | string {
  const { io, flags, config } = run;
  if (format === 'json' || format === 'yaml') {
    return formatStructured(
      {
        apiVersion: 'kube-routes/v1',
        kind: 'ServiceRouteList',
        items: rows.map((r) => serviceItem(r, config)),
        errors: run.problems,
      },
      format,
    );
  }
  if (format === 'name') return rows.map(serviceName).join('');
  // As kubectl get: no header for nothing (a line on stderr says so).
  if (rows.length === 0) return '';
  return serviceTable(rows, { wide: format === 'wide', headers: flags.headers !== false, color: io.color, now });
}

function notFound(
  run: LiveRun,
  query: ServiceQuery,
  services: readonly ClusterService[],
  contexts: readonly string[],
  subcommands: readonly string[],
): void {
  for (const name of query.names) {
    if (services.some((s) => s.name === name)) continue;
    const namespace = query.allNamespaces
      ? 'any namespace'
      : query.namespace
        ? `namespace "${query.namespace}"`
        : "the context's namespace";
    const where =
      contexts.length === 0
        ? namespace
        : `${namespace} of context${contexts.length === 1 ? '' : 's'} ${contexts.join(', ')}`;
    const command = closestMatch(name, subcommands);
    run.problems.push(
      `service "${name}" not found in ${where}${command ? ` (did you mean "kubectl routes ${command}"?)` : ''}`,
    );
  }
}

export async function runRoutes(run: LiveRun, names: readonly string[], program: Command): Promise<number> {
  const { io, flags } = run;
  const query = serviceQuery(flags, names);
  const targets = await run.contexts(false);
  const source = await run.routeSource();
  const clients = await run.clients(targets);
  const lists = await run.eachContext(clients, (c) => listServices(c, query));
  const services = [...lists.values()].flatMap((l) => l.items);
  const answers = await routeAnswers(run, source, services);
  const answered = targets.map((t) => t.context).filter((c) => lists.has(c));
  const rows = joinRoutes(services, run.config, answers, unreadRegions(run.config, answered)).sort(
    compareServiceRoutes,
  );
  notFound(
    run,
    query,
    services,
    answered,
    program.commands.map((c) => c.name()),
  );

  io.stdout(await printRows(run, rows, flags.output));
  if (
    rows.length === 0 &&
    answered.length > 0 &&
    flags.output !== 'json' &&
    flags.output !== 'yaml' &&
    query.names.length === 0
  ) {
    io.stderr(
      `No Services found in ${query.allNamespaces ? 'any namespace' : `namespace ${query.namespace ?? clients[0]?.access.namespace ?? 'default'}`} of context${answered.length === 1 ? '' : 's'} ${answered.join(', ')}.\n`,
    );
  }
  if (!source)
    io.stderr(
      'warning: no route state: pass --speaker URL, or set regions.REGION.speaker (or speaker.api) in kube-routes.yaml; ROUTE shows <unknown>\n',
    );
  if (!flags.watch) return run.finish(0, { count: answered.length, of: targets.length });
  for (const p of run.problems) io.stderr(`error: ${p}\n`);
  run.problems.length = 0;
  const versions = new Map([...lists].map(([context, l]) => [context, l.resourceVersion]));
  return watchServices(run, clients, query, source, { services, versions, answers });
}
