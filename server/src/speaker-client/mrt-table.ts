import { stat } from 'node:fs/promises';
import { MrtPeerTable, type MrtLoadStats } from '@kube-routes/server/mrt';
import { loadMrtFile } from '@kube-routes/server/mrt-node';
import { Rib } from '@kube-routes/server/rib';
import { RibRouteTable } from '@kube-routes/server/rib-view';

// An MRT file (TABLE_DUMP_V2 or BGP4MP, plain, gzip or bzip2) loaded into an in-process RIB: route
// state without a running speaker. Malformed records are skipped and counted; the rest loads.

export interface MrtTable {
  readonly table: RibRouteTable;
  /** Prefixes in the RIB, IPv4 and IPv6. */
  readonly prefixes: number;
  /** Modification time of the file that was loaded, to tell when it changed. */
  readonly mtimeMs: number;
  /** Records not loaded, and the first of them. */
  readonly skipped: number;
  readonly firstSkipped: { readonly offset: number; readonly reason: string } | undefined;
  /** Where the data ended early (damaged or truncated file), when it did: nothing after it was read. */
  readonly cutShort: { readonly offset: number; readonly reason: string } | undefined;
}

export type MrtLoadFailure = { readonly problem: 'missing' | 'unreadable' | 'empty'; readonly detail: string };

export type MrtLoad = ({ readonly ok: true } & MrtTable) | ({ readonly ok: false } & MrtLoadFailure);

/** Loads the file; every failure is data. `source` names the table in routes and messages. */
export async function loadMrtTable(path: string, source: string): Promise<MrtLoad> {
  let mtimeMs: number;
  try {
    mtimeMs = (await stat(path)).mtimeMs;
  } catch (e) {
    const code = (e as { code?: string }).code;
    return {
      ok: false,
      problem: code === 'ENOENT' ? 'missing' : 'unreadable',
      detail: code === 'ENOENT' ? 'no such file' : e instanceof Error ? e.message : String(e),
    };
  }
  const rib = new Rib();
  const peers = new MrtPeerTable();
  let stats: MrtLoadStats;
  try {
    stats = await loadMrtFile(path, rib, peers);
  } catch (e) {
    return { ok: false, problem: 'unreadable', detail: e instanceof Error ? e.message : String(e) };
  }
  if (stats.records === 0) return { ok: false, problem: 'empty', detail: 'holds no MRT records' };
  const first = stats.errors[0];
  return {
    ok: true,
    table: new RibRouteTable(rib, (id) => peers.byId(id)?.address ?? `peer-${id}`, source),
    prefixes: rib.prefixCount(4) + rib.prefixCount(6),
    mtimeMs,
    skipped: stats.errorCount,
    firstSkipped: first ? { offset: first.offset, reason: first.reason } : undefined,
    cutShort: stats.cutShort,
  };
}
