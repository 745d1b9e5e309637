import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  answerApiRequest,
  answerParsed,
  isApiRequestError,
  parseApiRequest,
  type ApiReply,
  type RouteStateSource,
} from '@kube-routes/server/speaker-api';
import type { WatchHub } from './watch';

// The speaker's HTTP server: paths, queries and JSON answers are declared in speaker-api, shared
// with the clients; this file adds Node's HTTP and the streamed endpoints.

export { defaultRouteLimit, type RouteStateSource } from '@kube-routes/server/speaker-api';

/** Routes one request to a reply; pure apart from reading the source. See docs/api.md. */
export function handleApiRequest(source: RouteStateSource, method: string, rawUrl: string): ApiReply {
  return answerApiRequest(source, method, rawUrl);
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

export function startApiServer(
  source: RouteStateSource,
  host: string,
  port: number,
  streams: StreamingEndpoints = {},
): Promise<Server> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    const last = req.headers['last-event-id'];
    const request = parseApiRequest(method, req.url ?? '/', Array.isArray(last) ? last[0] : last);
    if (method === 'GET' && !isApiRequestError(request)) {
      if (request.endpoint === 'watch' && streams.watch) {
        streams.watch.subscribe(res, request.lastEventId);
        return;
      }
      if (request.endpoint === 'metrics' && streams.metrics) {
        const metrics = streams.metrics;
        metrics.text().then(
          (text) => send(res, 200, text, metrics.contentType, false),
          (e: unknown) =>
            send(
              res,
              500,
              `${JSON.stringify({ error: `metrics: ${e instanceof Error ? e.message : String(e)}` })}\n`,
              'application/json',
              false,
            ),
        );
        return;
      }
      if (request.endpoint === 'snapshot' && streams.snapshot) {
        streamChunks(res, streams.snapshot());
        return;
      }
    }
    let reply: ApiReply;
    try {
      reply = isApiRequestError(request)
        ? { status: request.status, body: { error: request.error } }
        : answerParsed(source, request);
    } catch (e) {
      reply = { status: 500, body: { error: `internal error: ${e instanceof Error ? e.message : String(e)}` } };
    }
    send(res, reply.status, `${JSON.stringify(reply.body)}\n`, 'application/json', method === 'HEAD');
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
  res.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-disposition': 'attachment; filename="kube-routes.mrt"',
  });
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
