import { regionOfAsn, type PeerStatus } from '@kube-routes/server/engine';
import { UsageError } from '../cli/io';
import { humanDuration } from '../output/duration';
import { formatStructured } from '../output/structured';
import { formatTable, orNone } from '../output/table';
import type { LiveRun } from './live-run';

// `kubectl routes peers`: the speaker's BGP sessions, with the region each peer's ASN belongs to;
// with one speaker per region (regions.*.speaker), every region's sessions, by vantage.

const columns = ['PEER', 'ASN', 'REGION', 'STATE', 'UPTIME', 'IPV4', 'IPV6', 'LAST-ERROR'];
const wide = ['DESCRIPTION', 'CAPABILITIES'];

function row(run: LiveRun, p: PeerStatus, isWide: boolean): string[] {
  const cells = [
    p.address,
    String(p.asn),
    regionOfAsn(run.config, p.asn) ?? '<none>',
    p.state,
    p.state === 'Established' ? humanDuration(p.uptimeSeconds * 1000) : '<none>',
    String(p.received['ipv4-unicast'] ?? 0),
    String(p.received['ipv6-unicast'] ?? 0),
    p.lastError ?? '<none>',
  ];
  return isWide ? [...cells, p.description ?? '<none>', orNone(p.capabilities)] : cells;
}

export async function runPeers(run: LiveRun): Promise<number> {
  const { io, flags } = run;
  const source = await run.routeSource();
  if (!source) {
    io.stderr(
      'error: no route state to read peers from: pass --speaker URL (or k8s://NAMESPACE/SERVICE:PORT), or set regions.REGION.speaker (or speaker.api) in kube-routes.yaml\n',
    );
    return 2;
  }
  let peers: PeerStatus[] | undefined;
  try {
    peers = await source.peers();
  } catch (e) {
    run.record(e);
    return run.finish(0);
  }
  if (!peers) {
    run.record(
      new UsageError(
        `--bgp ${flags.bgp ?? source.label} is a recorded table, it has no BGP sessions; peers shows a speaker's sessions: pass --speaker URL`,
      ),
    );
    return run.finish(0);
  }
  const byVantage = peers.some((p) => p.vantage !== undefined);
  peers.sort(
    (a, b) =>
      (a.vantage ?? '').localeCompare(b.vantage ?? '') || a.address.localeCompare(b.address, 'en', { numeric: true }),
  );
  if (flags.output === 'json' || flags.output === 'yaml') {
    const items = peers.map((p) => ({ ...p, region: regionOfAsn(run.config, p.asn) }));
    io.stdout(
      await formatStructured(
        { apiVersion: 'kube-routes/v1', kind: 'PeerList', source: source.label, items },
        flags.output,
      ),
    );
  } else if (flags.output === 'name') {
    io.stdout(peers.map((p) => `peer/${p.address}\n`).join(''));
  } else {
    const isWide = flags.output === 'wide';
    const state = byVantage ? 4 : 3;
    const paint = io.color
      ? (c: number, v: string) => (c === state ? `\u001b[${v === 'Established' ? '32' : '33'}m${v}\u001b[0m` : v)
      : undefined;
    io.stdout(
      formatTable(
        [...(byVantage ? ['VANTAGE'] : []), ...columns, ...(isWide ? wide : [])],
        peers.map((p) => [...(byVantage ? [p.vantage ?? '<none>'] : []), ...row(run, p, isWide)]),
        { headers: flags.headers !== false, paint },
      ),
    );
    if (peers.length === 0) io.stderr(`No peers configured on the speaker at ${source.label}.\n`);
  }
  return run.finish(0);
}
