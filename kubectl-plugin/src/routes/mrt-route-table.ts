import { existsSync } from 'node:fs';
import { Rib } from '@kube-routes/server/rib';
import { MrtPeerTable } from '@kube-routes/server/mrt';
import { loadMrtFile } from '@kube-routes/server/mrt-node';
import { RibRouteTable } from '@kube-routes/server/rib-view';
import { UsageError } from '../cli/io';

/**
 * Loads an MRT file (TABLE_DUMP_V2 or BGP4MP, plain or gzip) into an in-process RIB: route state
 * without a running speaker. Malformed records are skipped with one warning; the rest loads.
 */
export async function mrtRouteTable(path: string, display: string, warn: (line: string) => void): Promise<RibRouteTable> {
  if (!existsSync(path)) throw new UsageError(`cannot read --bgp ${display}: no such file`);
  const rib = new Rib();
  const peers = new MrtPeerTable();
  let stats;
  try {
    stats = await loadMrtFile(path, rib, peers);
  } catch (e) {
    throw new UsageError(`cannot read --bgp ${display}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (stats.errorCount > 0) {
    const first = stats.errors[0];
    warn(`warning: ${display}: ${stats.errorCount} MRT record(s) not loaded${first ? ` (first at byte ${first.offset}: ${first.reason})` : ''}; the rest loaded`);
  }
  if (stats.records === 0) throw new UsageError(`--bgp ${display} holds no MRT records; is it an MRT file (e.g. from bgpdump, BIRD "mrt dump" or kube-routes-speaker snapshot)?`);
  return new RibRouteTable(rib, (id) => peers.byId(id)?.address ?? `peer-${id}`, display);
}
