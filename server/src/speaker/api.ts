import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  answerApiRequest,
  answerParsed,
  isApiRequestError,
  parseApiRequest,
  routesWithinChunks,
  type AnswerChunks,
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
  readonly snapshot?: () => AnswerChunks;
}

export function startApiServer(
  source: RouteStateSource,
  host: string,
  port: number,
  streams: StreamingEndpoints = {},
): Promise<Server> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    // Nothing a request does may throw past here: the speaker's sessions share this process.
    try {
      handle(source, streams, req, res);
    } catch (e) {
      fail(res, e);
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

function handle(
  source: RouteStateSource,
  streams: StreamingEndpoints,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const method = req.method ?? 'GET';
  const last = req.headers['last-event-id'];
  const request = parseApiRequest(method, req.url ?? '/', Array.isArray(last) ? last[0] : last);
  if (isApiRequestError(request)) {
    sendJson(res, { status: request.status, body: { error: request.error } }, method === 'HEAD');
    return;
  }
  if (method === 'GET' && request.endpoint === 'watch' && streams.watch) {
    streams.watch.subscribe(res, request.lastEventId);
    return;
  }
  if (method === 'GET' && request.endpoint === 'metrics' && streams.metrics) {
    const metrics = streams.metrics;
    metrics.text().then(
      (text) => send(res, 200, text, metrics.contentType, false),
      (e: unknown) => fail(res, e),
    );
    return;
  }
  if (method === 'GET' && request.endpoint === 'snapshot' && streams.snapshot) {
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-disposition': 'attachment; filename="kube-routes.mrt"',
    });
    pump(res, streams.snapshot());
    return;
  }
  if (request.endpoint === 'routes' && 'within' in request) {
    // Written as produced: memory is a page of routes, whatever the limit or the attributes' size.
    const chunks = routesWithinChunks(source, request);
    if (!('next' in chunks)) {
      sendJson(res, chunks, method === 'HEAD');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    if (method === 'HEAD') {
      chunks.close();
      res.end();
    } else pump(res, chunks);
    return;
  }
  sendJson(res, answerParsed(source, request), method === 'HEAD');
}

/** A 500 with one line, or (once the body has begun) a cut connection, which the client sees as an incomplete answer. */
function fail(res: ServerResponse, e: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(
    res,
    { status: 500, body: { error: `internal error: ${e instanceof Error ? e.message : String(e)}` } },
    false,
  );
}

function sendJson(res: ServerResponse, reply: ApiReply, headOnly: boolean): void {
  send(res, reply.status, `${JSON.stringify(reply.body)}\n`, 'application/json', headOnly);
}

function send(res: ServerResponse, status: number, body: string, contentType: string, headOnly: boolean): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(headOnly ? undefined : body);
}

/**
 * Bytes an answer may have queued in Node before it waits for the client: enough that a client
 * the scheduler runs late is not waited for after every write, small enough to stay flat.
 */
const maxQueuedBytes = 1024 * 1024;

/**
 * Writes the chunks as they are produced, with backpressure (a slow client never makes the
 * speaker buffer the answer), yielding to the event loop after every chunk so BGP timers and
 * sessions run during a long answer. A written chunk's buffer goes back to its producer for
 * reuse, so a whole-table answer runs in a few buffers. A chunk that throws cuts the connection.
 */
function pump(res: ServerResponse, chunks: AnswerChunks): void {
  let closed = false;
  res.on('close', () => {
    if (closed) return;
    closed = true;
    chunks.close();
  });
  res.on('error', () => undefined);
  const step = (): void => {
    if (closed) return;
    try {
      const chunk = chunks.next();
      if (chunk === undefined) {
        closed = true;
        res.end();
        return;
      }
      if (typeof chunk === 'string') res.write(chunk);
      else res.write(chunk, () => chunks.release(chunk));
      if (res.writableLength < maxQueuedBytes) setImmediate(step);
      else res.once('drain', step);
    } catch (e) {
      closed = true;
      chunks.close();
      fail(res, e);
    }
  };
  step();
}
