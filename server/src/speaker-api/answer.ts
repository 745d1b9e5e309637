import type { LookupResult, PeerStatus, Route } from '@kube-routes/server/engine';
import { apiPaths, endpointList } from './paths';
import { defaultRibView, isApiRequestError, parseApiRequest, type ApiRequest, type RibViewName } from './requests';
import type { ApiReply } from './responses';
import { malformedWithin } from './routes-stream';

/** What the JSON endpoints read: the speaker's RIB, or an MRT file loaded in process. */
export interface RouteStateSource {
  peers(): PeerStatus[];
  /** undefined when ip is not an IP address. */
  lookup(ip: string): LookupResult | undefined;
  /** The route of exactly this prefix, [] when none; undefined when prefix is malformed. */
  routesExact(prefix: string): Route[] | undefined;
  /**
   * The prefix and everything more specific, up to limit, only those ordered after `after` when
   * given; undefined when a prefix is malformed or the two are of different families.
   */
  routesWithin(prefix: string, limit: number, after?: string): { routes: Route[]; truncated: boolean } | undefined;
  /**
   * Optional, for answers of many routes: the same routes as routesWithin written as JSON bytes
   * by a writer that resumes after the last route it wrote (see {@link RoutesJsonWriter});
   * undefined when a prefix is malformed or the two are of different families.
   */
  routesWithinWriter?(prefix: string, after?: string): RoutesJsonWriter | undefined;
  /**
   * Optional: the routes of another RIB view (`loc-rib`, `adj-rib-out`), answered the same way;
   * a source without it keeps only the Adj-RIB-In.
   */
  ribView?(view: Exclude<RibViewName, 'adj-rib-in'>): RouteStateSource | undefined;
}

/** The source of a request's view, or the 400 reply when the source does not keep that view. */
export function viewSource(source: RouteStateSource, view: RibViewName): RouteStateSource | ApiReply {
  if (view === 'adj-rib-in') return source;
  return (
    source.ribView?.(view) ?? {
      status: 400,
      body: { error: `this source keeps no ${view} view: only ${defaultRibView} (leave out "view")` },
    }
  );
}

const isReply = (s: RouteStateSource | ApiReply): s is ApiReply => 'status' in s;

/** Writes an answer's routes into buffers, a step at a time. */
export interface RoutesJsonWriter {
  /**
   * Writes up to `limit` more routes into out from `offset` (each the JSON.stringify of its
   * Route, preceded by a comma unless it is the answer's first), as many as fit; returns the
   * offset after them. When the next route does not fit even at offset 0, writes nothing and
   * sets `needs` to the bytes it takes.
   */
  write(out: Uint8Array, offset: number, limit: number): number;
  /** Routes written so far. */
  readonly written: number;
  /** No route is left after the last one written. */
  readonly done: boolean;
  readonly needs: number;
  /** The prefix of the last route written, as text. */
  readonly last: string | undefined;
}

const badRequest = (error: string): ApiReply => ({ status: 400, body: { error } });

/** The answer to a parsed request; streamed endpoints are answered by whoever serves them, 404 here. */
export function answerParsed(source: RouteStateSource, request: ApiRequest): ApiReply {
  switch (request.endpoint) {
    case 'health':
      return { status: 200, body: { status: 'ok' } };
    case 'peers':
      return { status: 200, body: { peers: source.peers() } };
    case 'lookup': {
      const viewed = viewSource(source, request.view);
      if (isReply(viewed)) return viewed;
      const result = viewed.lookup(request.ip);
      return result ? { status: 200, body: result } : badRequest(`"${request.ip}" is not an IP address`);
    }
    case 'routes': {
      const viewed = viewSource(source, request.view);
      if (isReply(viewed)) return viewed;
      if ('exact' in request) {
        const routes = viewed.routesExact(request.exact);
        return routes
          ? { status: 200, body: { routes } }
          : badRequest(`"${request.exact}" is not a prefix like 10.0.0.0/24`);
      }
      const result = viewed.routesWithin(request.within, request.limit, request.after);
      if (!result) return malformedWithin(request);
      const last = result.routes[result.routes.length - 1];
      return { status: 200, body: result.truncated && last ? { ...result, next: last.prefix } : result };
    }
    case 'watch':
    case 'snapshot':
    case 'metrics':
      return { status: 404, body: { error: `no such endpoint ${apiPaths[request.endpoint]}; see ${endpointList}` } };
  }
}

/** One request to one reply, pure apart from reading the source. See docs/api.md. */
export function answerApiRequest(source: RouteStateSource, method: string, target: string): ApiReply {
  const request = parseApiRequest(method, target);
  return isApiRequestError(request)
    ? { status: request.status, body: { error: request.error } }
    : answerParsed(source, request);
}
