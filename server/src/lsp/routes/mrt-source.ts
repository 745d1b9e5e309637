import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Route } from '@kube-routes/server/engine';
import { MrtPeerTable } from '../../mrt';
import { loadMrtFile } from '../../mrt-node';
import { Rib } from '../../rib';
import { RibRouteTable } from '../../rib-view';
import type { RouteSource, SourceSummary } from './route-source';

/**
 * Route state from an MRT file, loaded in-process (no daemon): the same table `kubectl routes
 * check --bgp` uses. The file is read again when it changes on disk (by modification time).
 */
export class MrtRouteSource implements RouteSource {
  readonly name: string;
  private table: RibRouteTable | undefined;
  private prefixes = 0;
  private loadedMtime = -1;
  private loading: Promise<RibRouteTable> | undefined;

  constructor(private readonly path: string) {
    this.name = `MRT file ${basename(path)}`;
  }

  async lookup(addresses: readonly string[]): Promise<Map<string, Route | undefined>> {
    const table = await this.current();
    const out = new Map<string, Route | undefined>();
    for (const ip of addresses) out.set(ip, table.lookupText(ip)?.route);
    return out;
  }

  async routesWithin(prefix: string): Promise<readonly Route[]> {
    return (await this.current()).within(prefix, 100_000)?.routes ?? [];
  }

  async summary(): Promise<SourceSummary> {
    await this.current();
    return { peers: undefined, prefixes: this.prefixes }; // a recorded table has no sessions
  }

  private async current(): Promise<RibRouteTable> {
    const mtime = (await stat(this.path)).mtimeMs; // rejects when the file is gone: the source is down
    if (this.table && mtime === this.loadedMtime) return this.table;
    this.loading ??= this.load(mtime).finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async load(mtime: number): Promise<RibRouteTable> {
    const rib = new Rib();
    const peers = new MrtPeerTable();
    const stats = await loadMrtFile(this.path, rib, peers);
    if (stats.records === 0) throw new Error(`${this.path} holds no MRT records`);
    this.table = new RibRouteTable(rib, (id) => peers.byId(id)?.address ?? `peer-${id}`, this.name);
    this.prefixes = rib.prefixCount(4) + rib.prefixCount(6);
    this.loadedMtime = mtime;
    return this.table;
  }
}
