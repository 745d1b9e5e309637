import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { LookupResult, PeerStatus, Route } from '@kube-routes/server/engine';
import { answerApiRequest, type RouteStateSource } from '@kube-routes/server/speaker-api';
import type { RibRouteTable } from '@kube-routes/server/rib-view';
import { speakerError, type ErrorFactory } from './errors';
import { loadMrtTable, type MrtTable } from './mrt-table';
import type { SpeakerTransport, TransportReply } from './transport';

/** The speaker API's JSON endpoints, answered from a RIB table (what the speaker itself serves). */
export function tableStateSource(table: RibRouteTable): RouteStateSource {
  return {
    peers: (): PeerStatus[] => [], // a recorded table has no sessions
    lookup: (ip: string): LookupResult | undefined => table.lookupText(ip),
    routesExact: (prefix: string): Route[] | undefined => table.exact(prefix),
    routesWithin: (prefix: string, limit: number, after?: string) => table.within(prefix, limit, after),
    routesWithinWriter: (prefix: string, after?: string) => table.withinWriter(prefix, after),
  };
}

export interface MrtTransportOptions {
  /** For messages and routes' source: "MRT file NAME" by default. */
  readonly label?: string;
  /** A table already loaded from the file (a face that reports load problems its own way). */
  readonly loaded?: MrtTable;
  readonly fail?: ErrorFactory;
  /** How long a check of the file's modification time holds: a batch of lookups costs one stat. */
  readonly recheckMs?: number;
}

/**
 * An MRT file answering the speaker's API in process: the same queries, the same JSON, through
 * the same route view as the speaker. The file is read again when it changes on disk (by
 * modification time); it cannot push changes, so there is no stream.
 */
export class MrtTransport implements SpeakerTransport {
  readonly label: string;
  readonly recorded = { prefixCount: async (): Promise<number> => (await this.current()).prefixes };
  private table: MrtTable | undefined;
  private loading: Promise<MrtTable> | undefined;
  private checkedAt = -Infinity;
  private readonly fail: ErrorFactory;
  private readonly recheckMs: number;

  constructor(
    private readonly path: string,
    options: MrtTransportOptions = {},
  ) {
    this.label = options.label ?? `MRT file ${basename(path)}`;
    this.table = options.loaded;
    this.fail = options.fail ?? speakerError;
    this.recheckMs = options.recheckMs ?? 1_000;
  }

  async get(target: string): Promise<TransportReply> {
    const { table } = await this.current();
    const reply = answerApiRequest(tableStateSource(table), 'GET', target);
    return { status: reply.status, text: JSON.stringify(reply.body) };
  }

  private async current(): Promise<MrtTable> {
    if (this.table && Date.now() - this.checkedAt < this.recheckMs) return this.table;
    let mtimeMs: number;
    try {
      mtimeMs = (await stat(this.path)).mtimeMs;
    } catch (e) {
      // The file is gone: the source is down, as an unreachable speaker is.
      throw this.fail(
        `cannot read ${this.label}: ${(e as { code?: string }).code === 'ENOENT' ? 'no such file' : e instanceof Error ? e.message : String(e)}`,
      );
    }
    if (this.table && this.table.mtimeMs === mtimeMs) {
      this.checkedAt = Date.now();
      return this.table;
    }
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async load(): Promise<MrtTable> {
    const loaded = await loadMrtTable(this.path, this.label);
    if (!loaded.ok)
      throw this.fail(
        `cannot read ${this.label}: ${loaded.problem === 'empty' ? `${this.path} ${loaded.detail}` : loaded.detail}`,
      );
    this.table = loaded;
    this.checkedAt = Date.now();
    return loaded;
  }
}
