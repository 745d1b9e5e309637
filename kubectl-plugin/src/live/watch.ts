import { liveAddresses, unreadRegions, type Route } from '@kube-routes/server/engine';
import {
  clusterService,
  type ClusterService,
  type KubeClient,
  type ServiceJson,
  type WatchEvent,
} from '@kube-routes/server/kube';
import { UsageError } from '../cli/io';
import { formatStructured } from '../output/structured';
import { formatTable } from '../output/table';
import type { RouteSource } from '@kube-routes/server/speaker-client';
import { resolveRoutes } from './route-lookup';
import { compareServiceRoutes, joinRoutes, type ServiceRoutes } from './service-routes';
import { listServices, matchesNames, serviceParams, servicesPath, type ServiceQuery } from './services';
import {
  serviceColumns,
  serviceItem,
  serviceName,
  servicePaint,
  serviceRow,
  serviceTable,
  wideColumns,
} from './service-view';
import type { LiveRun } from './live-run';
import type { ServiceSnapshot } from './routes-command';
import { parseIp } from './addresses';

// `kubectl routes -w`: Service changes arrive through each context's watch (resumed from the
// list's resourceVersion, re-listed when it expires); route changes through the speaker's
// /v1/watch (polled only from a speaker without it). On a terminal the table is redrawn;
// otherwise only changed rows are printed, as kubectl get -w does (a deleted Service's row shows
// ROUTE "deleted").

const keyOf = (s: ClusterService) => `${s.context}\u0000${s.namespace}\u0000${s.name}`;

/** What a row shows, minus AGE (which changes every second): printed again only when it changes. */
function signature(row: ServiceRoutes, wide: boolean, now: number): string {
  return JSON.stringify(wide ? serviceRow(row, true, now).slice(0, -1) : serviceRow(row, false, now));
}
const maxBackoffMs = 30_000;

class WatchState {
  readonly services = new Map<string, ClusterService>();
  answers = new Map<string, Route | undefined>();
  /** What was last printed per Service, to print only changes (AGE excluded). */
  readonly shown = new Map<string, string>();
  readonly dirty = new Set<string>();
  readonly deleted = new Map<string, ServiceRoutes>();
  failures = 0;

  constructor(
    readonly run: LiveRun,
    readonly unread: ReadonlySet<string>,
  ) {}

  rows(): ServiceRoutes[] {
    return joinRoutes([...this.services.values()], this.run.config, this.answers, this.unread).sort(
      compareServiceRoutes,
    );
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

/** Runs until SIGINT or SIGTERM (or `until` aborts: for callers in process). */
export async function watchServices(
  run: LiveRun,
  clients: readonly KubeClient[],
  query: ServiceQuery,
  source: RouteSource | undefined,
  snapshot: ServiceSnapshot,
  until?: AbortSignal,
): Promise<number> {
  const { io, flags } = run;
  const state = new WatchState(run, unreadRegions(run.config, snapshot.versions.keys()));
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  until?.addEventListener('abort', onSignal, { once: true });
  // A bug inside a loop stops the whole watch and is reported by main, not left running.
  let internal: unknown;
  const crash = (e: unknown) => {
    internal ??= e;
    stop.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const fail = (e: unknown) => {
    state.failures++;
    try {
      run.record(e);
    } finally {
      for (const p of run.problems.splice(0)) io.stderr(`error: ${p} (retrying)\n`);
    }
  };

  let flushTimer: NodeJS.Timeout | undefined;
  let flushing = Promise.resolve();
  const flush = async () => {
    flushTimer = undefined;
    const rows = state.rows();
    const wide = flags.output === 'wide';
    const now = Date.now();
    const changed: { row: ServiceRoutes; deleted: boolean }[] = [];
    for (const row of rows) {
      const key = keyOf(row.service);
      const sig = signature(row, wide, now);
      if (state.shown.get(key) !== sig) {
        state.shown.set(key, sig);
        changed.push({ row, deleted: false });
      }
    }
    for (const [key, row] of state.deleted) {
      state.shown.delete(key);
      changed.push({ row, deleted: true });
    }
    state.deleted.clear();
    if (changed.length === 0) return;
    if (flags.output === 'json' || flags.output === 'yaml') {
      for (const { row, deleted } of changed) {
        const item = { ...serviceItem(row, run.config), ...(deleted ? { route: 'deleted' } : {}) };
        io.stdout(
          flags.output === 'yaml'
            ? `---\n${await formatStructured(item, 'yaml')}`
            : await formatStructured(item, 'json'),
        );
      }
    } else if (flags.output === 'name') {
      for (const { row } of changed) io.stdout(serviceName(row));
    } else if (io.tty) {
      io.stdout(
        `\u001b[H\u001b[2J${serviceTable(rows, { wide, headers: flags.headers !== false, color: io.color, now })}`,
      );
    } else {
      const header = wide ? [...serviceColumns, ...wideColumns] : serviceColumns;
      // Rows only: widths are per batch, as kubectl -w does after its first page.
      io.stdout(
        formatTable(
          header,
          changed.map(({ row, deleted }) => serviceRow(row, wide, now, deleted)),
          { headers: false, paint: servicePaint(io.color) },
        ),
      );
    }
  };
  const schedule = () => {
    flushTimer ??= setTimeout(() => {
      flushing = flushing.then(flush).catch(crash);
    }, 50);
  };

  // The initial state is what was just printed.
  for (const s of snapshot.services) state.services.set(keyOf(s), s);
  state.answers = new Map(snapshot.answers ?? []);
  const printedAt = Date.now();
  for (const row of state.rows())
    state.shown.set(keyOf(row.service), signature(row, flags.output === 'wide', printedAt));

  const lookupNew = async (s: ClusterService) => {
    if (!source) return;
    for (const { ip } of liveAddresses(s)) {
      const address = parseIp(ip);
      if (!address || state.answers.has(address.key)) continue;
      try {
        // Awaited first: a route read finishing meanwhile replaces state.answers, and the answer belongs in the new map.
        const route = await source.lookup(ip);
        state.answers.set(address.key, route);
      } catch (e) {
        fail(e);
      }
    }
  };

  const watchContext = async (client: KubeClient) => {
    let version = snapshot.versions.get(client.context) ?? '';
    let backoff = 1000;
    const apply = async (e: WatchEvent<ServiceJson>) => {
      if (e.type === 'BOOKMARK') {
        version = e.object.metadata.resourceVersion ?? version;
        return;
      }
      const s = clusterService(client.context, e.object);
      version = s.resourceVersion || version;
      if (!matchesNames(query, s)) return;
      const key = keyOf(s);
      if (e.type === 'DELETED') {
        state.services.delete(key);
        const [row] = joinRoutes([s], run.config, state.answers, state.unread);
        if (row) state.deleted.set(key, row);
      } else {
        state.services.set(key, s);
        await lookupNew(s);
      }
      schedule();
    };
    while (!stop.signal.aborted) {
      try {
        let queue = Promise.resolve();
        const end = await client.watch<ServiceJson>(
          servicesPath(client, query),
          { ...serviceParams(query), resourceVersion: version },
          (e) => {
            queue = queue.then(() => apply(e));
          },
          stop.signal,
        );
        await queue;
        backoff = 1000;
        if (end === 'expired' && !stop.signal.aborted) {
          // The version is gone: list again and treat the difference as events.
          const list = await listServices(client, query);
          const fresh = new Map(list.items.map((s) => [keyOf(s), s]));
          for (const [key, s] of state.services)
            if (s.context === client.context && !fresh.has(key)) await apply({ type: 'DELETED', object: toJson(s) });
          for (const s of list.items) {
            state.services.set(keyOf(s), s);
            await lookupNew(s);
          }
          version = list.resourceVersion;
          schedule();
        }
      } catch (e) {
        if (stop.signal.aborted) break;
        fail(e);
        await sleep(backoff, stop.signal);
        backoff = Math.min(backoff * 2, maxBackoffMs);
      }
    }
  };

  // Route state is read whole again (a few requests, batched by zone), one read at a time: a
  // change during a read makes one more read after it.
  let refreshing = false;
  let pending = false;
  const refreshRoutes = async (): Promise<void> => {
    if (!source) return;
    if (refreshing) {
      pending = true;
      return;
    }
    refreshing = true;
    try {
      do {
        pending = false;
        const ips = [...state.services.values()].flatMap((s) => liveAddresses(s).map((a) => a.ip));
        const answers = new Map(await resolveRoutes(source, ips, run.zones()));
        // A Service that appeared during the read was looked up on its own (lookupNew): keep that answer.
        for (const [key, route] of state.answers) if (!answers.has(key)) answers.set(key, route);
        state.answers = answers;
        schedule();
      } while (pending && !stop.signal.aborted);
    } catch (e) {
      fail(e);
    } finally {
      refreshing = false;
    }
  };

  /** The fallback for a speaker without /v1/watch: read again every --watch-interval. */
  const pollRoutes = async () => {
    while (!stop.signal.aborted) {
      await sleep(flags.watchInterval ?? 2000, stop.signal);
      if (stop.signal.aborted) break;
      await refreshRoutes();
    }
  };

  // Route changes are followed through the speaker's /v1/watch: a burst of events makes one
  // read, and so does a (re)connection or "resync", for what happened while not connected.
  // An MRT file (--bgp) cannot change, so there is nothing to follow.
  const followRoutes = async () => {
    if (!source) return;
    let down = false;
    let eventTimer: NodeJS.Timeout | undefined;
    let onUnsupported: () => void = () => undefined;
    const unsupported = new Promise<boolean>((resolve) => {
      onUnsupported = () => resolve(true);
      if (stop.signal.aborted) resolve(false);
      else stop.signal.addEventListener('abort', () => resolve(false), { once: true });
    });
    const subscription = source.watch({
      connected: () => {
        down = false;
        refreshRoutes().catch(crash);
      },
      event: (e) => {
        if (e.type === 'hello') return;
        eventTimer ??= setTimeout(() => {
          eventTimer = undefined;
          refreshRoutes().catch(crash);
        }, 50);
      },
      lost: (message) => {
        // Once per outage, not once per retry.
        if (!down) fail(new UsageError(message));
        down = true;
      },
      unsupported: onUnsupported,
    });
    if (!subscription) return;
    const poll = await unsupported;
    subscription.close();
    if (eventTimer) clearTimeout(eventTimer);
    if (poll) await pollRoutes();
  };

  await Promise.all([...clients.map((c) => watchContext(c).catch(crash)), followRoutes().catch(crash)]);
  if (flushTimer) clearTimeout(flushTimer);
  await flushing;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  if (internal !== undefined) throw internal;
  return state.failures > 0 ? 2 : 0;
}

/** Enough of a Service's JSON to replay a deletion found by re-listing. */
function toJson(s: ClusterService): ServiceJson {
  return {
    metadata: {
      name: s.name,
      namespace: s.namespace,
      labels: { ...s.labels },
      creationTimestamp: s.createdAt,
      resourceVersion: s.resourceVersion,
    },
    spec: { type: s.type, clusterIPs: s.clusterIPs, externalIPs: s.externalIPs },
    status: { loadBalancer: { ingress: s.loadBalancerIPs.map((ip) => ({ ip })) } },
  };
}
