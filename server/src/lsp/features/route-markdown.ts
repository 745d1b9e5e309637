import { regionOfAsn, type KubeRoutesConfig, type Route, type RoutePath } from '@kube-routes/server/engine';
import type { SourceStatus } from '../route-sources/live-routes';

// Route state as Markdown for hovers: one table row per path, every field an operator asks
// about first (who sent it, where it goes, who originated it, how old it is).

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ') || '–';
}

export function formatAge(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

function asPath(path: RoutePath): string {
  return path.asPath.map((seg) => (typeof seg === 'number' ? String(seg) : `{${seg.join(',')}}`)).join(' ');
}

export function originLabel(config: KubeRoutesConfig, asn: number | undefined): string {
  if (asn === undefined) return 'none (iBGP)';
  const region = regionOfAsn(config, asn);
  return `AS${asn} (${region ?? 'no configured region'})`;
}

export function pathsTable(config: KubeRoutesConfig, route: Route, now: Date): string {
  // With one speaker per region, each path says which region's speaker saw it.
  const byVantage = route.paths.some((p) => p.vantage !== undefined);
  const rows = route.paths.map((p) => {
    const communities = [...p.communities, ...p.largeCommunities, ...p.extendedCommunities].join(', ');
    const age = formatAge(now.getTime() - Date.parse(p.receivedAt));
    return `|${byVantage ? ` ${cell(p.vantage ?? '')} |` : ''} ${cell(p.peer)} | ${cell(p.nextHop)} | ${cell(asPath(p))} | ${cell(originLabel(config, p.originAs))} | ${cell(communities)} | ${age}${p.stale ? ' (stale)' : ''} |`;
  });
  const header = byVantage
    ? ['| seen from | peer | next hop | AS path | origin AS | communities | age |', '|---|---|---|---|---|---|---|']
    : ['| peer | next hop | AS path | origin AS | communities | age |', '|---|---|---|---|---|---|'];
  return [...header, ...rows].join('\n');
}

/** "speaker http://… (as of …)" or, after an outage, why the answers are stale. */
export function sourceLine(name: string, status: SourceStatus): string {
  switch (status.kind) {
    case 'waiting':
      return `${name}: no answer yet`;
    case 'fresh':
      return `${name}, as of ${status.at.toISOString()}`;
    case 'stale':
      return `**stale**: ${name} unreachable since ${status.since.toISOString()} (${status.reason}); last answer ${status.lastAnswer?.toISOString() ?? 'never'}`;
  }
}
