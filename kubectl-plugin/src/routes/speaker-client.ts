import type { LookupResult, PeerStatus, Route } from '@kube-routes/server/engine';
import { UsageError } from '../cli/io';

/** How requests reach the speaker's API: plain HTTP, or the Kubernetes API service proxy. */
export interface SpeakerTransport {
  /** Where the speaker is, for messages: "http://127.0.0.1:8179". */
  readonly label: string;
  /** GETs an API path (with query); throws a one-line error when the speaker cannot be reached. */
  get(path: string): Promise<{ status: number; text: string }>;
}

function httpTransport(base: URL): SpeakerTransport {
  return {
    label: base.origin,
    async get(path) {
      let response: Response;
      try {
        response = await fetch(new URL(path, base), { signal: AbortSignal.timeout(10_000) });
      } catch (e) {
        const cause = (e as { cause?: { code?: string; message?: string } }).cause;
        const why = cause?.code ?? cause?.message ?? (e instanceof Error ? e.message : String(e));
        throw new UsageError(`cannot reach the speaker at ${base.origin}: ${why}; is kube-routes-speaker running (see --speaker)?`);
      }
      return { status: response.status, text: await response.text() };
    },
  };
}

/** Reads a running kube-routes-speaker's HTTP API (docs/api.md). */
export class SpeakerClient {
  private readonly transport: SpeakerTransport;

  constructor(url: string | SpeakerTransport) {
    if (typeof url !== 'string') {
      this.transport = url;
      return;
    }
    let base: URL;
    try {
      base = new URL(url.includes('://') ? url : `http://${url}`);
    } catch {
      throw new UsageError(`invalid --speaker "${url}": expected a URL like http://127.0.0.1:8179`);
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new UsageError(`invalid --speaker "${url}": only http:// and https:// are supported`);
    this.transport = httpTransport(base);
  }

  /** Where the speaker is, for messages. */
  get label(): string {
    return this.transport.label;
  }

  async lookup(ip: string): Promise<Route | undefined> {
    return (await this.get<LookupResult>(`/v1/lookup?ip=${encodeURIComponent(ip)}`)).route;
  }

  async peers(): Promise<PeerStatus[]> {
    return (await this.get<{ peers: PeerStatus[] }>('/v1/peers')).peers;
  }

  /** The route of exactly this prefix, if any. */
  async routesExact(prefix: string): Promise<Route[]> {
    return (await this.get<{ routes: Route[] }>(`/v1/routes?prefix=${encodeURIComponent(prefix)}`)).routes;
  }

  /** The prefix and every more specific route, in address order, at most limit. */
  async routesWithin(prefix: string, limit: number): Promise<{ routes: Route[]; truncated: boolean }> {
    const answer = await this.get<{ routes: Route[]; truncated?: boolean }>(`/v1/routes?within=${encodeURIComponent(prefix)}&limit=${limit}`);
    return { routes: answer.routes, truncated: answer.truncated === true };
  }

  /** Looks up many addresses, a few requests at a time. */
  async lookupAll(ips: readonly string[], concurrency = 16): Promise<Map<string, Route | undefined>> {
    const results = new Map<string, Route | undefined>();
    let next = 0;
    const worker = async () => {
      while (next < ips.length) {
        const ip = ips[next++] ?? '';
        results.set(ip, await this.lookup(ip));
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, ips.length) }, worker));
    return results;
  }

  private async get<T>(path: string): Promise<T> {
    const { status, text } = await this.transport.get(path);
    const pathname = path.split('?')[0];
    if (status < 200 || status > 299) {
      let message = text.trim();
      try { message = (JSON.parse(text) as { error?: string }).error ?? message; } catch { /* not JSON */ }
      throw new UsageError(`the speaker at ${this.label} answered ${status} for ${pathname}: ${message}`);
    }
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new UsageError(`the speaker at ${this.label} sent something that is not JSON for ${pathname}; is that URL a kube-routes-speaker API?`);
    }
  }
}
