import {
  liveAddresses,
  liveServiceRegion,
  memberships,
  parseCidr,
  rangeContains,
  regionOfAsn,
  mergeVantageRoutes,
  unreadRegions,
  vantageVerdicts,
  type IpAddress,
  type IpRange,
  type LiveAddressField,
  type Route,
  type RoutePath,
  type RouteVerdict,
  type VantageRoute,
  type VantageVerdict,
} from '@kube-routes/server/engine';
import type { ClusterService } from '@kube-routes/server/kube';
import { UsageError } from '../cli/io';
import { humanDuration } from '../output/duration';
import { formatStructured } from '../output/structured';
import { formatTable, orNone } from '../output/table';
import { isVantageSource, type RouteSource, type VantageRouteSource } from '@kube-routes/server/speaker-client';
import { listServices } from './services';
import type { LiveRun } from './live-run';
import { formatAsPath } from './service-view';
import { parseIp } from './addresses';

// `kubectl routes lookup IP|PREFIX`: the longest matching route with every path, and which
// Services own the address (or addresses in the prefix) in which context and region.

interface Query {
  readonly text: string;
  /** The address itself, or the prefix's range. */
  readonly range: IpRange;
  readonly isPrefix: boolean;
}

function parseQuery(text: string): Query {
  if (text.includes('/')) {
    const parsed = parseCidr(text);
    if ('range' in parsed) return { text, range: parsed.range, isPrefix: true };
    throw new UsageError(`invalid prefix: ${parsed.error}`);
  }
  const address = parseIp(text);
  if (!address)
    throw new UsageError(`invalid address "${text}": expected an IP (172.25.0.10) or a prefix (172.25.0.0/24)`);
  return {
    text,
    range: { family: address.family, cidr: text, first: address.value, last: address.value },
    isPrefix: false,
  };
}

/** The exact route of a prefix, else the route covering it; for an address, its longest match. */
async function findRoute(source: RouteSource, q: Query): Promise<Route | undefined> {
  if (!q.isPrefix) return source.lookup(q.text);
  const [exact] = await source.routesExact(q.text);
  if (exact) return exact;
  const covering = await source.lookup(q.text.split('/')[0] ?? '');
  const length = Number(q.text.split('/')[1]);
  return covering && Number(covering.prefix.split('/')[1]) <= length ? covering : undefined;
}

/** findRoute per region's speaker: each vantage's exact route of a prefix, else its covering one. */
async function findEach(source: VantageRouteSource, q: Query): Promise<VantageRoute[]> {
  if (!q.isPrefix) return source.lookupEach(q.text);
  const [exact] = await source.routesExact(q.text);
  const length = Number(q.text.split('/')[1]);
  const covering = await source.lookupEach(q.text.split('/')[0] ?? '');
  return covering.map(({ vantage, route }) => {
    const paths = exact?.paths.filter((p) => p.vantage === vantage) ?? [];
    if (exact && paths.length > 0) return { vantage, route: { prefix: exact.prefix, paths } };
    return { vantage, route: route && Number(route.prefix.split('/')[1]) <= length ? route : undefined };
  });
}

interface Owner {
  readonly service: ClusterService;
  readonly region: string | undefined;
  readonly ip: string;
  readonly field: LiveAddressField;
}

function owners(run: LiveRun, services: readonly ClusterService[], q: Query): Owner[] {
  const out: Owner[] = [];
  for (const service of services) {
    for (const { ip, field } of liveAddresses(service)) {
      const address = parseIp(ip);
      if (address && rangeContains(q.range, address))
        out.push({ service, region: liveServiceRegion(run.config, service), ip, field });
    }
  }
  return out.sort(
    (a, b) =>
      a.service.context.localeCompare(b.service.context) ||
      a.service.namespace.localeCompare(b.service.namespace) ||
      a.service.name.localeCompare(b.service.name),
  );
}

/** Regions allowed to originate the address: its owners', else the region whose ranges hold it. */
function allowedRegions(
  run: LiveRun,
  q: Query,
  found: readonly Owner[],
  unread: ReadonlySet<string>,
): Set<string> | undefined {
  const regions = new Set(
    found.map((o) => o.region).filter((r): r is string => r !== undefined && run.config.regions.has(r)),
  );
  if (found.some((o) => o.field !== 'clusterIP')) for (const r of unread) regions.add(r);
  if (regions.size > 0) return regions;
  const address: IpAddress = { family: q.range.family, value: q.range.first, key: '' };
  const owner = memberships(run.config, address).find((m) => m.region)?.region;
  return owner ? new Set([owner.name]) : undefined;
}

function pathRow(run: LiveRun, p: RoutePath, wide: boolean, now: number): string[] {
  const cells = [
    p.peer,
    p.nextHop || '<none>',
    formatAsPath(p) || '<none>',
    p.originAs === undefined ? '<none>' : String(p.originAs),
    (p.originAs === undefined ? undefined : regionOfAsn(run.config, p.originAs)) ?? '<none>',
    orNone([...p.communities, ...p.largeCommunities]),
    String(p.stale),
    humanDuration(now - Date.parse(p.receivedAt)),
  ];
  return wide
    ? [
        ...cells,
        String(p.pathId),
        p.origin,
        p.med === undefined ? '<none>' : String(p.med),
        p.localPref === undefined ? '<none>' : String(p.localPref),
        orNone(p.extendedCommunities),
      ]
    : cells;
}

export async function runLookup(run: LiveRun, text: string): Promise<number> {
  const { io, flags } = run;
  const q = parseQuery(text);
  const source = await run.routeSource();
  if (!source)
    throw new UsageError(
      'no route state to look up in: pass --speaker URL (or k8s://NAMESPACE/SERVICE:PORT), or set regions.REGION.speaker (or speaker.api) in kube-routes.yaml',
    );
  const targets = await run.contexts(true);
  const clients = await run.clients(targets);
  const vantages = isVantageSource(source) ? source : undefined;
  const [answers, lists] = await Promise.all([
    (vantages ? findEach(vantages, q) : findRoute(source, q).then((route) => [{ vantage: undefined, route }])).catch(
      (e: unknown) => {
        run.record(e);
        return null;
      },
    ),
    run.eachContext(clients, (c) =>
      listServices(c, {
        namespace: flags.namespace,
        allNamespaces: flags.namespace === undefined,
        selector: flags.selector,
        names: [],
      }),
    ),
  ]);
  const found = owners(
    run,
    [...lists.values()].flatMap((l) => l.items),
    q,
  );
  const answered = targets.map((t) => t.context).filter((c) => lists.has(c));
  const allowed = allowedRegions(run, q, found, unreadRegions(run.config, answered));
  const route = answers === null ? null : mergeVantageRoutes(answers);
  // Per region's speaker: what each vantage sees, judged on its own; overall, their union.
  const verdicts = answers === null ? undefined : vantageVerdicts(run.config, answers, allowed);
  const state: RouteVerdict | undefined = verdicts?.overall.state;
  const down = vantages?.unreachable() ?? [];
  const perVantage = vantages ? vantageRows(vantages.regions, verdicts?.vantages ?? [], down) : undefined;
  // Every path each region sees (each at its own longest match), else the one source's.
  const shown = perVantage
    ? perVantage.flatMap((v) => v.paths.map((p) => ({ ...p, vantage: v.region })))
    : (route?.paths ?? []);
  const now = Date.now();

  if (flags.output === 'json' || flags.output === 'yaml') {
    io.stdout(
      await formatStructured(
        {
          apiVersion: 'kube-routes/v1',
          kind: 'RouteLookup',
          query: q.text,
          source: source.label,
          route: state ?? 'unknown',
          prefix: route?.prefix,
          paths: route?.paths ?? [],
          ...(perVantage ? { vantages: perVantage } : {}),
          services: found.map((o) => ({
            context: o.service.context,
            region: o.region,
            namespace: o.service.namespace,
            name: o.service.name,
            field: o.field,
            ip: o.ip,
          })),
          contexts: answered,
          errors: run.problems,
        },
        flags.output,
      ),
    );
    return run.finish(0, { count: answered.length, of: targets.length, what: 'the owning Services are' });
  }
  const headers = flags.headers !== false;
  const wide = flags.output === 'wide';
  const out: string[] = [];
  out.push(
    formatTable(
      ['ADDRESS', 'ROUTE', 'PREFIX', 'PATHS'],
      [[q.text, state ?? '<unknown>', route?.prefix ?? '<none>', String(route?.paths.length ?? 0)]],
      { headers },
    ),
  );
  if (perVantage) {
    out.push(
      formatTable(
        ['VANTAGE', 'ROUTE', 'PREFIX', 'PATHS', 'ORIGIN-AS'],
        perVantage.map((v) => [
          v.region,
          v.route,
          v.prefix ?? '<none>',
          String(v.paths.length),
          orNone([...new Set(v.paths.map((p) => (p.originAs === undefined ? '<none>' : String(p.originAs))))]),
        ]),
        { headers },
      ),
    );
  }
  if (shown.length > 0) {
    const columns = [
      ...(perVantage ? ['VANTAGE'] : []),
      'PEER',
      'NEXT-HOP',
      'AS-PATH',
      'ORIGIN-AS',
      'REGION',
      'COMMUNITIES',
      'STALE',
      'AGE',
      ...(wide ? ['PATH-ID', 'ORIGIN', 'MED', 'LOCAL-PREF', 'EXT-COMMUNITIES'] : []),
    ];
    const byPeer = [...shown].sort(
      (a, b) =>
        (a.vantage ?? '').localeCompare(b.vantage ?? '') ||
        a.peer.localeCompare(b.peer, 'en', { numeric: true }) ||
        a.pathId - b.pathId,
    );
    out.push(
      formatTable(
        columns,
        byPeer.map((p) => [...(perVantage ? [p.vantage ?? '<none>'] : []), ...pathRow(run, p, wide, now)]),
        { headers },
      ),
    );
  }
  if (found.length > 0) {
    out.push(
      formatTable(
        ['CONTEXT', 'REGION', 'NAMESPACE', 'NAME', 'FIELD', 'IP'],
        found.map((o) => [o.service.context, o.region ?? '<none>', o.service.namespace, o.service.name, o.field, o.ip]),
        { headers },
      ),
    );
  }
  io.stdout(out.join('\n'));
  if (found.length === 0 && answered.length > 0)
    io.stderr(
      `No Service uses ${q.isPrefix ? 'an address in ' : ''}${q.text} in context${answered.length === 1 ? '' : 's'} ${answered.join(', ')}.\n`,
    );
  return run.finish(0, { count: answered.length, of: targets.length, what: 'the owning Services are' });
}

interface VantageRow {
  readonly region: string;
  /** The verdict from this region's speaker, or "unreachable". */
  readonly route: RouteVerdict | 'unreachable';
  readonly prefix: string | undefined;
  readonly paths: readonly RoutePath[];
}

/** One row per configured region's speaker, in the config's order; those that did not answer say so. */
function vantageRows(
  regions: readonly string[],
  verdicts: readonly VantageVerdict[],
  down: readonly string[],
): VantageRow[] {
  return regions.flatMap((region): VantageRow[] => {
    const v = verdicts.find((x) => x.vantage === region);
    if (v) return [{ region, route: v.state, prefix: v.route?.prefix, paths: v.route?.paths ?? [] }];
    return down.includes(region) ? [{ region, route: 'unreachable', prefix: undefined, paths: [] }] : [];
  });
}
