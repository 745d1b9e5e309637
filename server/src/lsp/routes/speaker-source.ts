import type { LookupResult, PeerStatus, Route } from '@kube-routes/server/engine';
import type { RouteSource, SourceSummary } from './route-source';
import { WatchStream } from './watch-stream';

/** Reads a running kube-routes-speaker's HTTP API (docs/api.md), as the kubectl plugin does. */
export class SpeakerRouteSource implements RouteSource {
  readonly name: string;
  private readonly base: URL;

  constructor(url: string, private readonly timeoutMs = 5_000, private readonly concurrency = 16) {
    this.base = new URL(url.includes('://') ? url : `http://${url}`);
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:') throw new Error(`speaker URL "${url}" must be http:// or https://`);
    this.name = `speaker ${this.base.origin}`;
  }

  async lookup(addresses: readonly string[]): Promise<Map<string, Route | undefined>> {
    const results = new Map<string, Route | undefined>();
    let next = 0;
    let failure: unknown;
    // A few requests at a time; the first failure stops every worker, so an unreachable
    // speaker costs one refused connection per worker, not one per address.
    const worker = async () => {
      while (failure === undefined && next < addresses.length) {
        const ip = addresses[next++] ?? '';
        try {
          results.set(ip, (await this.get<LookupResult>(`/v1/lookup?ip=${encodeURIComponent(ip)}`)).route);
        } catch (e) {
          failure ??= e;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, addresses.length) }, worker));
    if (failure !== undefined) throw failure;
    return results;
  }

  follow(onChange: () => void): { close(): void } {
    return new WatchStream(new URL('/v1/watch', this.base), onChange);
  }

  async routesWithin(prefix: string): Promise<readonly Route[]> {
    return (await this.get<{ routes: Route[] }>(`/v1/routes?within=${encodeURIComponent(prefix)}&limit=10000`)).routes;
  }

  async summary(): Promise<SourceSummary> {
    const { peers } = await this.get<{ peers: PeerStatus[] }>('/v1/peers');
    // `received` counts what each peer sent, so a prefix two peers announce counts twice: the
    // speaker's API has no total, and this is the figure an operator compares with the routers.
    const prefixes = peers.reduce((sum, p) => sum + Object.values(p.received).reduce((a, n) => a + (n ?? 0), 0), 0);
    return { peers, prefixes };
  }

  private async get<T>(path: string): Promise<T> {
    const url = new URL(path, this.base);
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new Error(`cannot reach ${this.name}: ${cause?.code ?? cause?.message ?? (e instanceof Error ? e.message : String(e))}`);
    }
    const text = await response.text();
    if (!response.ok) throw new Error(`${this.name} answered ${response.status} for ${url.pathname}: ${text.trim().slice(0, 200)}`);
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new Error(`${this.name} sent something that is not JSON for ${url.pathname}`);
    }
  }
}
