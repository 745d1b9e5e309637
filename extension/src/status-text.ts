import type { RouteSourceStatus, StatusResult } from '../../server/src/lsp/protocol';

// What the status bar item says, as data (so the words are decided in one place):
//   "kube-routes: connected · 1/2 peers · 3 prefixes", "kube-routes: stale", "kube-routes: no route source".

export interface StatusView {
  readonly text: string;
  readonly tooltip: string;
  /** Draws attention (warning colours) when route state cannot be trusted. */
  readonly warning: boolean;
}

const icons: Record<RouteSourceStatus['health'], string> = {
  connected: '$(pass)',
  stale: '$(warning)',
  waiting: '$(sync~spin)',
};

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function counts(s: RouteSourceStatus): string {
  const parts: string[] = [];
  if (s.peers) parts.push(`${s.peers.established}/${plural(s.peers.total, 'peer', 'peers')}`);
  if (s.prefixes !== undefined) parts.push(plural(s.prefixes, 'prefix', 'prefixes'));
  return parts.map((p) => ` · ${p}`).join('');
}

function describe(s: RouteSourceStatus): string {
  const since = s.since ? ` since ${s.since}` : '';
  const why = s.reason ? `: ${s.reason}` : '';
  return `${s.name}: ${s.health}${since}${why}${counts(s)}`;
}

export function statusView(
  status: StatusResult | undefined,
  serverState: 'starting' | 'running' | 'stopped',
): StatusView {
  if (serverState === 'stopped')
    return {
      text: '$(error) kube-routes: server stopped',
      tooltip: 'The kube-routes language server is not running. Run "Kube Routes: Restart Server".',
      warning: true,
    };
  if (serverState === 'starting' || !status)
    return {
      text: '$(sync~spin) kube-routes: starting',
      tooltip: 'The kube-routes language server is starting.',
      warning: false,
    };
  const [first, ...more] = status.sources;
  if (!first) {
    return {
      text: '$(circle-slash) kube-routes: no route source',
      tooltip:
        'No route source: set speaker.api in kube-routes.yaml, or the kubeRoutes.speakerUrl or kubeRoutes.mrtPath setting. Click for peers.',
      warning: false,
    };
  }
  // Several configs may name several sources; the worst health is the one to show.
  const worst =
    status.sources.find((s) => s.health === 'stale') ?? status.sources.find((s) => s.health === 'waiting') ?? first;
  const others = more.length > 0 ? ` (+${more.length})` : '';
  return {
    text: `${icons[worst.health]} kube-routes: ${worst.health}${counts(worst)}${others}`,
    tooltip: `${status.sources.map(describe).join('\n')}\nClick for peers.`,
    warning: worst.health === 'stale',
  };
}
