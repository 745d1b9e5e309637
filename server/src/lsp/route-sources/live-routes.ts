import { mergeVantageRoutes, type Route, type RouteTable, type VantageRoute } from '@kube-routes/server/engine';
import { isVantageSource, type RouteSource, type SourceSummary } from '@kube-routes/server/speaker-client';

export type SourceStatus =
  | { readonly kind: 'waiting' }
  | { readonly kind: 'fresh'; readonly at: Date }
  | { readonly kind: 'stale'; readonly since: Date; readonly lastAnswer: Date | undefined; readonly reason: string };

export interface LiveRoutesEvents {
  /** The answers for these addresses (engine IpAddress keys) are new or different. */
  changed(addressKeys: readonly string[]): void;
  /** Once per outage: the source stopped answering. */
  outage(message: string): void;
  /** Once, when it answers again after an outage. */
  recovered(message: string): void;
  /** The status changed kind (waiting, fresh, stale): for the editor's status bar. */
  statusChanged(): void;
}

export interface WantedAddress {
  /** The engine's IpAddress key. */
  readonly key: string;
  /** The address as written, sent to the source. */
  readonly text: string;
}

/** Routes asked for per prefix (a code action's free-address search): the speaker's default limit. */
const withinLimit = 10_000;

interface Answer {
  readonly route: Route | undefined;
  /** Per region's speaker, when the source has several (regions.*.speaker). */
  readonly each?: readonly VantageRoute[];
  readonly text: string;
  /** For telling a changed answer from a repeated one. */
  readonly json: string;
}

/**
 * The route state of one source as the editor uses it: answers per address, asked for when an
 * address first appears and refreshed on a timer. The engine looks routes up synchronously, so
 * only answered addresses count; when the source goes away the last answers are kept (stale)
 * and one outage event is raised, not one per request.
 */
export class LiveRoutes {
  status: SourceStatus = { kind: 'waiting' };
  private readonly answers = new Map<string, Answer>();
  private readonly wanted = new Map<string, string>();
  private running = false;
  private again = false;
  private refreshAll = false;
  private timer: NodeJS.Timeout | undefined;
  private lastAnswer: Date | undefined;
  private disposed = false;
  private readonly following: { close(): void } | undefined;
  private changeTimer: NodeJS.Timeout | undefined;
  /** Regions whose speaker is down (several regions' speakers): one outage and one recovery each. */
  private readonly downRegions = new Set<string>();

  constructor(
    readonly source: RouteSource,
    private readonly events: LiveRoutesEvents,
    private readonly now: () => Date = () => new Date(),
  ) {
    // With a change stream (a speaker's /v1/watch), routes are asked again right after they
    // change (a burst of changes, one refresh); polling stays as the fallback for a stream that
    // is down, and is all there is for a source that cannot push (an MRT file).
    this.following = source.watch({
      event: (e) => {
        if (e.type === 'hello' || this.changeTimer) return;
        this.changeTimer = setTimeout(() => {
          this.changeTimer = undefined;
          this.refresh();
        }, 100);
        this.changeTimer.unref();
      },
    });
  }

  /** The engine's view: routes of answered addresses (fresh or last known). */
  table(): RouteTable {
    const lookup = (address: { key: string }) => this.answers.get(address.key)?.route;
    if (!isVantageSource(this.source)) return { source: this.source.name, lookup };
    // Several regions' speakers: the BGP rules judge each region's own answer.
    return { source: this.source.name, lookup, lookupEach: (address) => this.answers.get(address.key)?.each ?? [] };
  }

  known(key: string): boolean {
    return this.answers.has(key);
  }

  route(key: string): Route | undefined {
    return this.answers.get(key)?.route;
  }

  /** Every answered route, for telling which addresses are taken when the source cannot be asked. */
  answeredRoutes(): Route[] {
    const routes: Route[] = [];
    for (const a of this.answers.values()) if (a.route) routes.push(a.route);
    return routes;
  }

  /** Routes inside a prefix, asked now with a short timeout (a code action menu must not hang); none while stale. */
  async routesWithin(prefix: string, timeoutMs = 1_500): Promise<readonly Route[]> {
    if (this.status.kind === 'stale') return [];
    return (await this.withTimeout(this.source.routesWithin(prefix, withinLimit), timeoutMs)).routes;
  }

  /** Peers and prefix count, asked now with a short timeout (a status bar must not hang either). */
  summary(timeoutMs = 1_500): Promise<SourceSummary> {
    return this.withTimeout(this.source.summary(), timeoutMs);
  }

  private async withTimeout<T>(answer: Promise<T>, timeoutMs: number): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.source.name}: no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([answer, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Asks for addresses not answered yet (in the background; `changed` reports the answers). */
  want(addresses: Iterable<WantedAddress>): void {
    let added = false;
    for (const a of addresses) {
      if (this.answers.has(a.key) || this.wanted.has(a.key)) continue;
      this.wanted.set(a.key, a.text);
      added = true;
    }
    if (added) this.kick();
  }

  /** Asks again for every address (timer, or a client's request). */
  refresh(): void {
    this.refreshAll = true;
    this.kick();
  }

  setPolling(seconds: number): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (seconds > 0 && !this.disposed) {
      this.timer = setInterval(() => this.refresh(), seconds * 1000);
      this.timer.unref();
    }
  }

  dispose(): void {
    this.disposed = true;
    this.setPolling(0);
    this.following?.close();
    if (this.changeTimer) clearTimeout(this.changeTimer);
  }

  private kick(): void {
    if (this.disposed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    // Errors are handled inside fetchOnce; the catch is for what nobody foresaw.
    void this.loop()
      .catch(() => undefined)
      .finally(() => {
        this.running = false;
      });
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      await this.fetchOnce();
    } while (this.again && !this.disposed);
  }

  private async fetchOnce(): Promise<void> {
    const batch = new Map<string, string>(this.wanted);
    if (this.refreshAll) for (const [key, a] of this.answers) batch.set(key, a.text);
    this.refreshAll = false;
    if (batch.size === 0) return;
    const texts = [...new Set(batch.values())];
    let results: Map<string, readonly VantageRoute[]>;
    try {
      results = await this.ask(texts);
    } catch (e) {
      this.failed(e instanceof Error ? e.message : String(e));
      return;
    }
    if (this.disposed) return;
    const down = this.noteRegions();
    const changed: string[] = [];
    for (const [key, text] of batch) {
      const fresh = results.get(text);
      if (!fresh) continue;
      // A region that is down keeps what it said last, as one source that is down does.
      const kept = (this.answers.get(key)?.each ?? []).filter((a) => a.vantage !== undefined && down.has(a.vantage));
      const each = [...fresh, ...kept];
      const route = mergeVantageRoutes(each);
      const json = JSON.stringify(each);
      if (this.answers.get(key)?.json !== json) changed.push(key);
      this.answers.set(key, isVantageSource(this.source) ? { route, each, text, json } : { route, text, json });
      this.wanted.delete(key);
    }
    const was = this.status.kind;
    this.lastAnswer = this.now();
    this.status = { kind: 'fresh', at: this.lastAnswer };
    if (was === 'stale') this.events.recovered(`kube-routes: ${this.source.name} answers again; route state is fresh.`);
    if (was !== 'fresh') this.events.statusChanged();
    if (changed.length > 0) this.events.changed(changed);
  }

  /** Each address's answers: per region for several regions' speakers, else the one source's. */
  private async ask(texts: readonly string[]): Promise<Map<string, readonly VantageRoute[]>> {
    if (isVantageSource(this.source)) return this.source.lookupAllEach(texts);
    const results = await this.source.lookupAll(texts);
    return new Map([...results].map(([text, route]) => [text, [{ vantage: undefined, route }]]));
  }

  /** Raises one outage per region whose speaker went down, one recovery when it answers again; the regions down now. */
  private noteRegions(): ReadonlySet<string> {
    if (!isVantageSource(this.source)) return this.downRegions;
    const now = new Set(this.source.unreachable());
    for (const region of now) {
      if (this.downRegions.has(region)) continue;
      this.downRegions.add(region);
      this.events.outage(
        `kube-routes: ${this.source.reason(region) ?? `region ${region}: no answer`}; the other regions' speakers still answer, and what region ${region} saw last is kept until it answers again.`,
      );
    }
    for (const region of [...this.downRegions]) {
      if (now.has(region)) continue;
      this.downRegions.delete(region);
      this.events.recovered(`kube-routes: the speaker of region ${region} answers again.`);
    }
    return this.downRegions;
  }

  private failed(reason: string): void {
    if (this.disposed || this.status.kind === 'stale') return;
    this.status = { kind: 'stale', since: this.now(), lastAnswer: this.lastAnswer, reason };
    const kept = this.lastAnswer
      ? `keeping the routes last received at ${this.lastAnswer.toISOString()} (marked stale)`
      : 'no route state yet, so the BGP rules wait';
    this.events.outage(
      `kube-routes: ${reason}; ${kept}. Addresses it has not answered get no BGP findings until it answers again.`,
    );
    this.events.statusChanged();
  }
}
