import type { LookupResult, PeerStatus, Route } from '@kube-routes/server/engine';
import { UsageError } from '../cli/io';

/** Reads a running kube-routes-speaker's HTTP API (docs/api.md). */
export class SpeakerClient {
  readonly base: URL;

  constructor(url: string) {
    let base: URL;
    try {
      base = new URL(url.includes('://') ? url : `http://${url}`);
    } catch {
      throw new UsageError(`invalid --speaker "${url}": expected a URL like http://127.0.0.1:8179`);
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new UsageError(`invalid --speaker "${url}": only http:// and https:// are supported`);
    this.base = base;
  }

  async lookup(ip: string): Promise<Route | undefined> {
    return (await this.get<LookupResult>(`/v1/lookup?ip=${encodeURIComponent(ip)}`)).route;
  }

  async peers(): Promise<PeerStatus[]> {
    return (await this.get<{ peers: PeerStatus[] }>('/v1/peers')).peers;
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
    const url = new URL(path, this.base);
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (e instanceof Error ? e.message : String(e));
      throw new UsageError(`cannot reach the speaker at ${this.base.origin}: ${why}; is kube-routes-speaker running (see --speaker)?`);
    }
    const text = await response.text();
    if (!response.ok) {
      let message = text.trim();
      try { message = (JSON.parse(text) as { error?: string }).error ?? message; } catch { /* not JSON */ }
      throw new UsageError(`the speaker at ${this.base.origin} answered ${response.status} for ${url.pathname}: ${message}`);
    }
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new UsageError(`the speaker at ${this.base.origin} sent something that is not JSON for ${url.pathname}; is that URL a kube-routes-speaker API?`);
    }
  }
}
