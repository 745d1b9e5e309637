import {
  comparePrefixes,
  mergeRouteLists,
  mergeVantageRoutes,
  type PeerStatus,
  type Route,
  type VantageRoute,
} from '@kube-routes/server/engine';
import { speakerError, type ErrorFactory } from './errors';
import type { RouteSource, SourceSummary, WithinPage } from './route-source';
import type { WatchHandlers, WatchSubscription } from './watch-follower';

// Several regions' speakers (regions.*.speaker) as one RouteSource. Each region is a vantage
// point: an anycast address resolves to a different origin from each, so answers keep the region
// that saw each path (RoutePath.vantage), and lookupEach gives every region's own longest match.
// A region that cannot be reached is reported once and left out: the others still answer.

/** One region's speaker. */
export interface Vantage {
  readonly region: string;
  readonly source: RouteSource;
}

/** A RouteSource read from several vantage points, which can also answer per vantage. */
export interface VantageRouteSource extends RouteSource {
  /** The regions, in the config's order. */
  readonly regions: readonly string[];
  /** Regions whose speaker failed and has not answered since. */
  unreachable(): string[];
  /** Why a region's speaker is unreachable: its one-line error. */
  reason(region: string): string | undefined;
  /** Each reachable region's longest match for an address. */
  lookupEach(ip: string): Promise<VantageRoute[]>;
  /** lookupEach for many addresses, per region a few requests at a time. */
  lookupAllEach(ips: readonly string[]): Promise<Map<string, VantageRoute[]>>;
}

export function isVantageSource(source: RouteSource): source is VantageRouteSource {
  return 'lookupEach' in source && typeof (source as Partial<VantageRouteSource>).lookupEach === 'function';
}

export interface MergedRouteSourceOptions {
  /** A region's speaker failed: called once per outage, with its one-line error. */
  readonly unreachable?: (region: string, error: unknown) => void;
  /** A region that failed answers again (only with retryDown). */
  readonly reachable?: (region: string) => void;
  /**
   * Ask a region that failed again on the next request (a long-lived face: the editor); by
   * default it is left out for the rest of the run (a kubectl command), costing one timeout.
   */
  readonly retryDown?: boolean;
  /** Makes a region's failure name the region (how reports and rejections carry it); as is by default. */
  readonly annotate?: (region: string, error: unknown) => unknown;
  readonly fail?: ErrorFactory;
}

export class MergedRouteSource implements VantageRouteSource {
  readonly label: string;
  readonly name: string;
  readonly regions: readonly string[];
  /** Regions whose speaker failed and has not answered since, with the failure. */
  private readonly down = new Map<string, unknown>();
  private readonly fail: ErrorFactory;

  constructor(
    readonly vantages: readonly Vantage[],
    private readonly options: MergedRouteSourceOptions = {},
  ) {
    this.regions = vantages.map((v) => v.region);
    this.label = vantages.map((v) => `${v.region}=${v.source.label}`).join(', ');
    this.name = `the speakers of region${vantages.length === 1 ? '' : 's'} ${this.regions.join(', ')}`;
    this.fail = options.fail ?? speakerError;
  }

  /** Regions whose speaker failed and has not answered since. */
  unreachable(): string[] {
    return [...this.down.keys()];
  }

  reason(region: string): string | undefined {
    if (!this.down.has(region)) return undefined;
    const e = this.down.get(region);
    return e instanceof Error ? e.message : String(e);
  }

  async lookup(ip: string): Promise<Route | undefined> {
    return mergeVantageRoutes(await this.lookupEach(ip));
  }

  async lookupEach(ip: string): Promise<VantageRoute[]> {
    return (await this.each((s) => s.lookup(ip))).map(({ region, value }) => ({ vantage: region, route: value }));
  }

  async lookupAll(ips: readonly string[]): Promise<Map<string, Route | undefined>> {
    const each = await this.lookupAllEach(ips);
    return new Map([...each].map(([ip, answers]) => [ip, mergeVantageRoutes(answers)]));
  }

  async lookupAllEach(ips: readonly string[]): Promise<Map<string, VantageRoute[]>> {
    const answers = await this.each((s) => s.lookupAll(ips));
    return new Map(
      ips.map((ip) => [ip, answers.map(({ region, value }) => ({ vantage: region, route: value.get(ip) }))]),
    );
  }

  async routesExact(prefix: string): Promise<Route[]> {
    const answers = await this.each((s) => s.routesExact(prefix));
    return mergeRouteLists(answers.map(({ region, value }) => ({ vantage: region, routes: value })));
  }

  /**
   * One page of the union. Each region pages on its own; the page ends at the smallest cursor of
   * the regions that had more, and routes past it wait for the next page (asked with that cursor).
   */
  async routesWithin(prefix: string, limit: number, after?: string): Promise<WithinPage> {
    const pages = await this.each((s) => s.routesWithin(prefix, limit, after));
    const cursors = pages.flatMap(({ value }) => (value.truncated && value.next !== undefined ? [value.next] : []));
    const cut = cursors.sort(comparePrefixes)[0];
    const lists = pages.map(({ region, value }) => ({
      vantage: region,
      routes: cut === undefined ? value.routes : value.routes.filter((r) => comparePrefixes(r.prefix, cut) <= 0),
    }));
    const routes = mergeRouteLists(lists);
    const truncated = pages.some(({ value }) => value.truncated);
    return cut === undefined ? { routes, truncated } : { routes, truncated, next: cut };
  }

  async peers(): Promise<PeerStatus[] | undefined> {
    const answers = await this.each((s) => s.peers());
    if (answers.every(({ value }) => value === undefined)) return undefined;
    return answers.flatMap(({ region, value }) => (value ?? []).map((p) => ({ ...p, vantage: region })));
  }

  async summary(): Promise<SourceSummary> {
    const answers = await this.each((s) => s.summary());
    const prefixes = answers.reduce((sum, { value }) => sum + value.prefixes, 0);
    if (answers.every(({ value }) => value.peers === undefined)) return { peers: undefined, prefixes };
    const peers = answers.flatMap(({ region, value }) => (value.peers ?? []).map((p) => ({ ...p, vantage: region })));
    return { peers, prefixes };
  }

  /**
   * Follows every region's change stream; undefined when none can push. A region's lost stream
   * is passed on once per outage, naming the region; one without a stream makes the face poll.
   */
  watch(handlers: WatchHandlers): WatchSubscription | undefined {
    const subscriptions = this.vantages.flatMap((v) => {
      let lost = false;
      const sub = v.source.watch({
        event: (e) => handlers.event(e),
        connected: () => {
          lost = false;
          handlers.connected?.();
        },
        lost: (message) => {
          if (lost) return;
          lost = true;
          const failure = this.options.annotate?.(v.region, this.fail(message));
          handlers.lost?.(failure instanceof Error ? failure.message : message);
        },
        unsupported: () => handlers.unsupported?.(),
      });
      return sub ? [sub] : [];
    });
    if (subscriptions.length === 0) return undefined;
    return { close: () => subscriptions.forEach((s) => s.close()) };
  }

  /**
   * Asks every region (that has not failed, unless retryDown) in parallel. A failure is reported
   * once and that region left out; when none answers, the first failure rejects.
   */
  private async each<T>(ask: (source: RouteSource) => Promise<T>): Promise<{ region: string; value: T }[]> {
    const asked = this.vantages.filter((v) => this.options.retryDown || !this.down.has(v.region));
    // Every region failed before: the same failure again, so a face that dedups lines shows it once.
    if (asked.length === 0) throw [...this.down.values()][0] ?? this.fail(`${this.name}: no region has a speaker`);
    const settled = await Promise.allSettled(asked.map((v) => ask(v.source)));
    const out: { region: string; value: T }[] = [];
    let firstFailure: unknown;
    settled.forEach((result, i) => {
      const region = asked[i]?.region ?? '';
      if (result.status === 'fulfilled') {
        out.push({ region, value: result.value });
        if (this.down.delete(region)) this.options.reachable?.(region);
        return;
      }
      const failure = this.options.annotate ? this.options.annotate(region, result.reason) : result.reason;
      firstFailure ??= failure;
      if (this.down.has(region)) return;
      this.down.set(region, failure);
      this.options.unreachable?.(region, failure);
    });
    if (out.length === 0) throw firstFailure;
    return out;
  }
}
