import type { PeersResult, RouteSourceHealth, RouteSourceStatus, SourcePeers, StatusResult } from './protocol';
import type { LiveRoutes } from './route-sources/live-routes';
import type { SourceSummary } from '@kube-routes/server/speaker-client';

// Answers to the extension's status bar and peers view (protocol.ts). Each source's summary is
// asked now, with a short timeout, so a dead speaker makes the answer thin, not late.

async function trySummary(live: LiveRoutes): Promise<SourceSummary | Error> {
  try {
    return await live.summary();
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

/**
 * The check-time status decides stale; a source that was never asked an address (a workspace
 * without Services) is still "connected" when its summary answers.
 */
function health(live: LiveRoutes, summary: SourceSummary | Error): RouteSourceHealth {
  if (live.status.kind === 'stale') return 'stale';
  if (live.status.kind === 'fresh' || !(summary instanceof Error)) return 'connected';
  return 'waiting';
}

async function sourceStatus(live: LiveRoutes): Promise<RouteSourceStatus> {
  const summary = await trySummary(live);
  const s = live.status;
  const counts =
    summary instanceof Error
      ? {}
      : {
          prefixes: summary.prefixes,
          ...(summary.peers
            ? {
                peers: {
                  established: summary.peers.filter((p) => p.state === 'Established').length,
                  total: summary.peers.length,
                },
              }
            : {}),
        };
  return {
    name: live.source.name,
    health: health(live, summary),
    ...(s.kind === 'fresh'
      ? { since: s.at.toISOString() }
      : s.kind === 'stale'
        ? { since: s.since.toISOString(), reason: s.reason }
        : {}),
    ...counts,
  };
}

export async function routeStatus(sources: readonly LiveRoutes[]): Promise<StatusResult> {
  return { sources: await Promise.all(sources.map(sourceStatus)) };
}

async function sourcePeers(live: LiveRoutes): Promise<SourcePeers> {
  const summary = await trySummary(live);
  const base = { name: live.source.name, health: health(live, summary) };
  if (summary instanceof Error) return { ...base, note: summary.message };
  if (!summary.peers) return { ...base, note: `a recorded table without BGP sessions; ${summary.prefixes} prefixes` };
  return { ...base, peers: summary.peers };
}

export async function routePeers(sources: readonly LiveRoutes[]): Promise<PeersResult> {
  return { sources: await Promise.all(sources.map(sourcePeers)) };
}
