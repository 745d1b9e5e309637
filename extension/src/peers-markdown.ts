import type { PeerStatus, PeersResult } from '../../server/src/lsp/protocol';

// The peers view: one table per route source, the columns of `kubectl routes peers`.

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ') || '–';
}

export function formatUptime(seconds: number): string {
  if (seconds <= 0) return '–';
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3_600);
  const m = Math.floor((seconds % 3_600) / 60);
  const s = Math.floor(seconds % 60);
  return d > 0 ? `${d}d${h}h` : h > 0 ? `${h}h${m}m` : m > 0 ? `${m}m${s}s` : `${s}s`;
}

function received(p: PeerStatus): string {
  return Object.entries(p.received)
    .map(([family, n]) => `${family.replace(/-unicast$/, '')} ${n ?? 0}`)
    .join(', ');
}

function peerRow(p: PeerStatus): string {
  const via = p.source === 'bmp' ? `bmp ${p.router ?? '?'}${p.policy ? ` ${p.policy}` : ''}` : 'bgp';
  return `| ${cell(p.address)} | AS${p.asn} | ${cell(p.description ?? '')} | ${cell(via)} | ${cell(p.state)} | ${formatUptime(p.uptimeSeconds)} | ${cell(received(p))} | ${cell(p.lastError ?? '')} |`;
}

export function peersMarkdown(result: PeersResult): string {
  const lines = ['# Kube Routes: peers', ''];
  if (result.sources.length === 0) {
    lines.push(
      'No route source. Set `speaker.api` in kube-routes.yaml, or the `kubeRoutes.speakerUrl` or `kubeRoutes.mrtPath` setting.',
    );
  }
  for (const source of result.sources) {
    lines.push(`## ${source.name} · ${source.health}`, '');
    if (source.note) lines.push(source.note, '');
    if (!source.peers) continue;
    if (source.peers.length === 0) {
      lines.push('No peers configured.', '');
      continue;
    }
    lines.push(
      '| peer | ASN | description | via | state | uptime | received | last error |',
      '|---|---|---|---|---|---|---|---|',
    );
    lines.push(...source.peers.map(peerRow), '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
