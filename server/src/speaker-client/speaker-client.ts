import type { LookupResult, PeerStatus, Route } from '@kube-routes/server/engine';
import {
  lookupQuery,
  maxRouteLimit,
  peersQuery,
  routesQuery,
  splitTarget,
  type PeersResponse,
  type RoutesResponse,
} from '@kube-routes/server/speaker-api';
import { speakerError, type ErrorFactory } from './errors';
import type { RouteSource, SourceSummary, WithinPage } from './route-source';
import type { SpeakerTransport } from './transport';
import { followWatch, type FollowOptions, type WatchHandlers, type WatchSubscription } from './watch-follower';

export interface SpeakerClientOptions {
  /** How messages name the speaker; "speaker LABEL" by default (a recorded table: its label). */
  readonly name?: string;
  /** Requests in flight for lookupAll. */
  readonly concurrency?: number;
  readonly fail?: ErrorFactory;
  readonly watch?: FollowOptions;
}

/** The speaker's API (docs/api.md) over any transport: the one client of every face. */
export class SpeakerClient implements RouteSource {
  readonly name: string;
  private readonly concurrency: number;
  private readonly fail: ErrorFactory;

  constructor(
    readonly transport: SpeakerTransport,
    private readonly options: SpeakerClientOptions = {},
  ) {
    this.name = options.name ?? (transport.recorded ? transport.label : `speaker ${transport.label}`);
    this.concurrency = options.concurrency ?? 16;
    this.fail = options.fail ?? speakerError;
  }

  get label(): string {
    return this.transport.label;
  }

  async lookup(ip: string): Promise<Route | undefined> {
    return (await this.get<LookupResult>(lookupQuery(ip))).route;
  }

  async lookupAll(ips: readonly string[]): Promise<Map<string, Route | undefined>> {
    const results = new Map<string, Route | undefined>();
    let next = 0;
    let failure: unknown;
    // The first failure stops every worker: an unreachable speaker costs one refused
    // connection per worker, not one per address.
    const worker = async () => {
      while (failure === undefined && next < ips.length) {
        const ip = ips[next++] ?? '';
        try {
          results.set(ip, await this.lookup(ip));
        } catch (e) {
          failure ??= e;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, ips.length) }, worker));
    if (failure !== undefined) throw failure;
    return results;
  }

  async routesExact(prefix: string): Promise<Route[]> {
    return [...(await this.get<RoutesResponse>(routesQuery({ exact: prefix }))).routes];
  }

  async routesWithin(prefix: string, limit: number, after?: string): Promise<WithinPage> {
    const answer = await this.get<RoutesResponse>(routesQuery({ within: prefix, limit, after }));
    const routes = [...answer.routes];
    const truncated = answer.truncated === true;
    // A speaker from before paging sends no cursor: the last prefix is the cursor.
    const next = truncated ? (answer.next ?? routes[routes.length - 1]?.prefix) : undefined;
    return next === undefined ? { routes, truncated } : { routes, truncated, next };
  }

  /**
   * Every route within the prefix, page by page (`pageSize` routes a request, the API's maximum
   * by default): memory on both sides is one page, however large the table.
   */
  async *routesWithinAll(prefix: string, pageSize: number = maxRouteLimit): AsyncGenerator<Route[]> {
    let after: string | undefined;
    for (;;) {
      const page = await this.routesWithin(prefix, pageSize, after);
      if (page.routes.length > 0) yield page.routes;
      if (!page.truncated || page.next === undefined) return;
      after = page.next;
    }
  }

  async peers(): Promise<PeerStatus[] | undefined> {
    if (this.transport.recorded) return undefined;
    return [...(await this.get<PeersResponse>(peersQuery())).peers];
  }

  async summary(): Promise<SourceSummary> {
    if (this.transport.recorded) return { peers: undefined, prefixes: await this.transport.recorded.prefixCount() };
    const peers = (await this.peers()) ?? [];
    // `received` counts what each peer sent, so a prefix two peers announce counts twice: the
    // API has no total, and this is the figure an operator compares with the routers.
    const prefixes = peers.reduce((sum, p) => sum + Object.values(p.received).reduce((a, n) => a + (n ?? 0), 0), 0);
    return { peers, prefixes };
  }

  watch(handlers: WatchHandlers): WatchSubscription | undefined {
    const stream = this.transport.stream?.bind(this.transport);
    return stream ? followWatch({ label: this.name, stream }, handlers, this.options.watch) : undefined;
  }

  private async get<T>(target: string): Promise<T> {
    const { status, text } = await this.transport.get(target);
    const { path } = splitTarget(target);
    if (status < 200 || status > 299) {
      let message = text.trim().slice(0, 200);
      try {
        message = (JSON.parse(text) as { error?: string }).error ?? message;
      } catch {
        /* not JSON */
      }
      throw this.fail(`${this.name} answered ${status} for ${path}: ${message}`);
    }
    try {
      return JSON.parse(text) as T;
    } catch {
      throw this.fail(
        `${this.name} sent something that is not JSON for ${path}; is that URL a kube-routes-speaker API?`,
      );
    }
  }
}
