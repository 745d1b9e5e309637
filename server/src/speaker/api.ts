import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { LookupResult, PeerStatus, Route } from '@kube-routes/server/engine';
import type { WatchHub } from './watch';

/** What the HTTP API reads; the speaker implements it. */
export interface RouteStateSource {
  peers(): PeerStatus[];
  /** undefined when ip is not an IP address. */
  lookup(ip: string): LookupResult | undefined;
  /** The route of exactly this prefix, [] when none; undefined when prefix is malformed. */
  routesExact(prefix: string): Route[] | undefined;
  /** The prefix and everything more specific, up to limit; undefined when prefix is malformed. */
  routesWithin(prefix: string, limit: number): { routes: Route[]; truncated: boolean } | undefined;
}

export const defaultRouteLimit = 10_000;

interface Reply {
  readonly status: number;
  readonly body: unknown;
}

const badRequest = (message: string): Reply => ({ status: 400, body: { error: message } });

/** Routes one request to a reply; pure apart from reading the source. See docs/api.md. */
export function handleApiRequest(source: RouteStateSource, method: string, rawUrl: string): Reply {
  if (method !== 'GET' && method !== 'HEAD') return { status: 405, body: { error: `${method} is not allowed: the API is read-only` } };
  const url = new URL(rawUrl, 'http://localhost');
  const q = url.searchParams;
  switch (url.pathname) {
    case '/healthz':
      return { status: 200, body: { status: 'ok' } };
    case '/v1/peers':
      return { status: 200, body: { peers: source.peers() } };
    case '/v1/lookup': {
      const ip = q.get('ip');
      if (!ip) return badRequest('missing query parameter "ip", e.g. /v1/lookup?ip=172.30.0.10');
      const result = source.lookup(ip);
      return result ? { status: 200, body: result } : badRequest(`"${ip}" is not an IP address`);
    }
    case '/v1/routes': {
      const prefix = q.get('prefix');
      const within = q.get('within');
      if ((prefix === null) === (within === null)) return badRequest('pass exactly one of "prefix" (exact match) or "within" (the prefix and everything more specific)');
      if (prefix !== null) {
        const routes = source.routesExact(prefix);
        return routes ? { status: 200, body: { routes } } : badRequest(`"${prefix}" is not a prefix like 10.0.0.0/24`);
      }
      const limitText = q.get('limit');
      const limit = limitText === null ? defaultRouteLimit : Number(limitText);
      if (!Number.isInteger(limit) || limit < 1) return badRequest(`"limit" must be a positive integer`);
      const result = source.routesWithin(within ?? '', limit);
      return result ? { status: 200, body: result } : badRequest(`"${within}" is not a prefix like 10.0.0.0/8`);
    }
    default:
      return { status: 404, body: { error: `no such endpoint ${url.pathname}; see /v1/peers, /v1/lookup, /v1/routes, /v1/watch, /v1/snapshot, /metrics, /healthz` } };
  }
}

/** Endpoints that stream rather than answer with one JSON value. */
export interface StreamingEndpoints {
  /** GET /v1/watch: server-sent events. */
  readonly watch?: WatchHub;
  /** GET /metrics: Prometheus text. */
  readonly metrics?: { text(): Promise<string>; readonly contentType: string };
  /** GET /v1/snapshot: an MRT TABLE_DUMP_V2 of the RIB, in chunks. */
  readonly snapshot?: () => Iterable<Uint8Array>;
}

export function startApiServer(source: RouteStateSource, host: string, port: number, streams: StreamingEndpoints = {}): Promise<Server> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (req.method === 'GET' && path === '/v1/watch' && streams.watch) {
      const last = req.headers['last-event-id'];
      streams.watch.subscribe(res, Array.isArray(last) ? last[0] : last ?? new URL(req.url ?? '/', 'http://localhost').searchParams.get('lastEventId') ?? undefined);
      return;
    }
    if (req.method === 'GET' && path === '/metrics' && streams.metrics) {
      const metrics = streams.metrics;
      metrics.text().then(
        (text) => send(res, 200, text, metrics.contentType, false),
        (e: unknown) => send(res, 500, `${JSON.stringify({ error: `metrics: ${e instanceof Error ? e.message : String(e)}` })}\n`, 'application/json', false),
      );
      return;
    }
    if (req.method === 'GET' && path === '/v1/snapshot' && streams.snapshot) {
      streamChunks(res, streams.snapshot());
      return;
    }
    let reply: Reply;
    try {
      reply = handleApiRequest(source, req.method ?? 'GET', req.url ?? '/');
    } catch (e) {
      reply = { status: 500, body: { error: `internal error: ${e instanceof Error ? e.message : String(e)}` } };
    }
    send(res, reply.status, `${JSON.stringify(reply.body)}\n`, 'application/json', req.method === 'HEAD');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

function send(res: ServerResponse, status: number, body: string, contentType: string, headOnly: boolean): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(headOnly ? undefined : body);
}

/** Writes chunks with backpressure: a slow client never makes the speaker buffer the whole dump. */
function streamChunks(res: ServerResponse, chunks: Iterable<Uint8Array>): void {
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-disposition': 'attachment; filename="kube-routes.mrt"' });
  const it = chunks[Symbol.iterator]();
  const pump = (): void => {
    for (;;) {
      const next = it.next();
      if (next.done) {
        res.end();
        return;
      }
      if (!res.write(next.value)) {
        res.once('drain', pump);
        return;
      }
    }
  };
  res.on('error', () => undefined);
  pump();
}
