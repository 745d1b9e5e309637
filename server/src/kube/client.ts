import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { ContextAccess } from './kubeconfig';
import { KubeError, statusError, transportError } from './errors';

// A small client of the Kubernetes REST API over node:http(s) with the kubeconfig's TLS and
// credentials. Lists are parsed as plain JSON (no generated model classes: 10,000 Services must
// not cost more than kubectl's own list), pages are followed, watches are streamed line by line.

export interface ListResult<T> {
  readonly items: T[];
  readonly resourceVersion: string;
}

export interface WatchEvent<T> {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  readonly object: T;
}

/** How a watch ended: the server closed it (watch again from the last version), or the version expired (list again). */
export type WatchEnd = 'closed' | 'expired';

const listPageSize = 500;
const requestTimeoutMs = 30_000;

export class KubeClient {
  /** userAgent: the face making the requests, as API server audit logs show it. */
  constructor(
    readonly access: ContextAccess,
    private readonly userAgent = 'kubectl-routes',
  ) {}

  get context(): string {
    return this.access.context;
  }

  private open(
    path: string,
    options: { timeoutMs?: number; signal?: AbortSignal; headers?: Readonly<Record<string, string>> } = {},
  ): Promise<IncomingMessage> {
    const { access } = this;
    const url = new URL(path, access.server.endsWith('/') ? access.server : `${access.server}/`);
    // Keep a path prefix of the server URL (https://host/k8s/clusters/c-1) in front of the API path.
    url.pathname = `${new URL(access.server).pathname.replace(/\/$/, '')}${path.split('?')[0]}`;
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    return new Promise((resolve, reject) => {
      const req = send(
        url,
        {
          ...access.options,
          method: 'GET',
          headers: {
            ...access.options.headers,
            accept: 'application/json',
            ...options.headers,
            'user-agent': this.userAgent,
          },
          signal: options.signal,
        },
        resolve,
      );
      if (options.timeoutMs)
        req.setTimeout(options.timeoutMs, () =>
          req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })),
        );
      req.once('error', (e) => reject(options.signal?.aborted ? e : transportError(access.context, access.server, e)));
      req.end();
    });
  }

  /** A GET whose body is read whole: status and text, errors only for transport problems. */
  async raw(path: string): Promise<{ status: number; text: string }> {
    const res = await this.open(path, { timeoutMs: requestTimeoutMs });
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    return { status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') };
  }

  /** A GET whose body is read as it arrives (a service proxy's event stream); errors only for transport problems. */
  async stream(
    path: string,
    headers: Readonly<Record<string, string>>,
    signal: AbortSignal,
  ): Promise<{ status: number; body: AsyncIterable<Uint8Array> }> {
    const res = await this.open(path, { headers, signal });
    return { status: res.statusCode ?? 0, body: res };
  }

  async getJson<T>(path: string): Promise<T> {
    const { status, text } = await this.raw(path);
    if (status < 200 || status > 299)
      throw statusError(this.access.context, this.access.server, this.access.user, status, text);
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new KubeError(
        this.access.context,
        'failed',
        `context "${this.access.context}": the API server at ${this.access.server} sent something that is not JSON for ${path}`,
      );
    }
  }

  /** Every item of a collection, following continue tokens; the version to watch from. */
  async list<T>(path: string, query: Record<string, string | undefined> = {}): Promise<ListResult<T>> {
    const items: T[] = [];
    let next: string | undefined;
    let resourceVersion = '';
    do {
      const page = await this.getJson<{
        items: T[] | null;
        metadata?: { continue?: string; resourceVersion?: string };
      }>(withQuery(path, { ...query, limit: String(listPageSize), continue: next }));
      for (const item of page.items ?? []) items.push(item);
      next = page.metadata?.continue || undefined;
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
    } while (next);
    return { items, resourceVersion };
  }

  /** Streams watch events until the server closes the watch or signal aborts it. */
  async watch<T>(
    path: string,
    query: Record<string, string | undefined>,
    onEvent: (e: WatchEvent<T>) => void,
    signal: AbortSignal,
  ): Promise<WatchEnd> {
    const res = await this.open(withQuery(path, { ...query, watch: '1', allowWatchBookmarks: 'true' }), { signal });
    if ((res.statusCode ?? 0) === 410) return 'expired';
    if ((res.statusCode ?? 0) !== 200) {
      const chunks: Buffer[] = [];
      for await (const chunk of res) chunks.push(chunk as Buffer);
      throw statusError(
        this.access.context,
        this.access.server,
        this.access.user,
        res.statusCode ?? 0,
        Buffer.concat(chunks).toString('utf8'),
      );
    }
    let buffered = '';
    let expired = false;
    try {
      for await (const chunk of res) {
        buffered += (chunk as Buffer).toString('utf8');
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline).trim();
          buffered = buffered.slice(newline + 1);
          if (!line) continue;
          const event = JSON.parse(line) as WatchEvent<T>;
          if (event.type === 'ERROR') {
            if ((event.object as { code?: number }).code === 410) expired = true;
            continue;
          }
          onEvent(event);
        }
      }
    } catch (e) {
      if (!signal.aborted) throw transportError(this.access.context, this.access.server, e);
    }
    return expired ? 'expired' : 'closed';
  }
}

export function withQuery(path: string, query: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, v);
  const text = params.toString();
  return text ? `${path}${path.includes('?') ? '&' : '?'}${text}` : path;
}
