import { apiPaths, endpointList } from './paths';
import { encodeQuery, splitTarget } from './query-string';

// Requests of the speaker's API as data: builders for the clients (-> path and query) and the
// server's parse of the same (-> the request, or an error reply as data, never a throw).

/** At most this many routes per `within` answer when the client names no limit. */
export const defaultRouteLimit = 10_000;

/** The most routes one `within` answer may ask for; more is read page by page with `after`. */
export const maxRouteLimit = 100_000;

/**
 * Which RIB a route query reads: the Adj-RIB-In (the default: the speaker's BGP peers and the
 * Adj-RIB-In views of BMP-monitored peers), or, from BMP routers, their Loc-RIB (RFC 9069) or
 * the Adj-RIB-Out of their peers (RFC 8671).
 */
export const ribViews = ['adj-rib-in', 'loc-rib', 'adj-rib-out'] as const;
export type RibViewName = (typeof ribViews)[number];
export const defaultRibView: RibViewName = 'adj-rib-in';

/** The `view` query parameter, left out for the default. */
const viewParam = (view: RibViewName | undefined): RibViewName | undefined =>
  view === defaultRibView ? undefined : view;

export type RoutesQuery =
  /** The route of exactly this prefix. */
  (
    | { readonly exact: string }
    /**
     * The prefix and everything more specific, in address order, at most limit; with `after` (the
     * `next` of the previous answer), only routes ordered after that prefix.
     */
    | { readonly within: string; readonly limit?: number; readonly after?: string }
  ) & { readonly view?: RibViewName };

export type ApiRequest =
  | { readonly endpoint: 'health' }
  | { readonly endpoint: 'peers' }
  | { readonly endpoint: 'lookup'; readonly ip: string; readonly view: RibViewName }
  | { readonly endpoint: 'routes'; readonly exact: string; readonly view: RibViewName }
  | {
      readonly endpoint: 'routes';
      readonly within: string;
      readonly limit: number;
      readonly after: string | undefined;
      readonly view: RibViewName;
    }
  | { readonly endpoint: 'watch'; readonly lastEventId: string | undefined }
  | { readonly endpoint: 'snapshot' }
  | { readonly endpoint: 'metrics' };

/** A request the API refuses, with the status and the `{"error"}` body it answers with. */
export interface ApiRequestError {
  readonly status: 400 | 404 | 405;
  readonly error: string;
}

export const healthQuery = (): string => apiPaths.health;
export const peersQuery = (): string => apiPaths.peers;
export const lookupQuery = (ip: string, view?: RibViewName): string =>
  `${apiPaths.lookup}${encodeQuery({ ip, view: viewParam(view) })}`;
export const snapshotQuery = (): string => apiPaths.snapshot;
export const metricsQuery = (): string => apiPaths.metrics;

export function routesQuery(q: RoutesQuery): string {
  const view = viewParam(q.view);
  return `${apiPaths.routes}${'exact' in q ? encodeQuery({ prefix: q.exact, view }) : encodeQuery({ within: q.within, limit: q.limit, after: q.after, view })}`;
}

/** Resuming after an event is better done with the Last-Event-ID header; the query is for clients that cannot set headers. */
export function watchQuery(options: { readonly lastEventId?: string } = {}): string {
  return `${apiPaths.watch}${encodeQuery({ lastEventId: options.lastEventId })}`;
}

const bad = (error: string): ApiRequestError => ({ status: 400, error });

/** An absolute-form target (RFC 9112 section 3.2.2): http(s), a host or [IPv6], a port, then the path. */
const absoluteTarget = /^https?:\/\/(?:[\w.~%!$&'()*+,;=:-]*@)?(?:\[[0-9a-f:.]+\]|[\w.~%-]+)(?::\d{1,5})?(?:[/?#]|$)/i;

export function isApiRequestError(r: ApiRequest | ApiRequestError): r is ApiRequestError {
  return 'error' in r;
}

/**
 * The server's reading of a request target. `lastEventIdHeader` (Last-Event-ID) wins over the
 * `lastEventId` query parameter. Whether an address or prefix is well formed is the route
 * source's to say (it parses them anyway); what is checked here is the shape of the query.
 */
export function parseApiRequest(
  method: string,
  target: string,
  lastEventIdHeader?: string,
): ApiRequest | ApiRequestError {
  if (method !== 'GET' && method !== 'HEAD')
    return { status: 405, error: `${method} is not allowed: the API is read-only` };
  if (!target.startsWith('/') && !absoluteTarget.test(target))
    return bad(
      `malformed request target ${JSON.stringify(target.slice(0, 100))}: expected a path like ${apiPaths.peers}`,
    );
  const { path, query } = splitTarget(target);
  const viewText = query.get('view') ?? defaultRibView;
  const view = ribViews.find((v) => v === viewText);
  if (view === undefined && (path === apiPaths.lookup || path === apiPaths.routes))
    return bad(`"view" is one of ${ribViews.join(', ')} (default ${defaultRibView}), not ${JSON.stringify(viewText)}`);
  const rib = view ?? defaultRibView;
  switch (path) {
    case apiPaths.health:
      return { endpoint: 'health' };
    case apiPaths.peers:
      return { endpoint: 'peers' };
    case apiPaths.lookup: {
      const ip = query.get('ip');
      if (!ip) return bad(`missing query parameter "ip", e.g. ${lookupQuery('172.30.0.10')}`);
      return { endpoint: 'lookup', ip, view: rib };
    }
    case apiPaths.routes: {
      const prefix = query.get('prefix');
      const within = query.get('within');
      if ((prefix === undefined) === (within === undefined))
        return bad('pass exactly one of "prefix" (exact match) or "within" (the prefix and everything more specific)');
      if (prefix !== undefined) return { endpoint: 'routes', exact: prefix, view: rib };
      const limitText = query.get('limit');
      const limit = limitText === undefined ? defaultRouteLimit : Number(limitText);
      if (!/^\d+$/.test(limitText ?? '1') || !Number.isSafeInteger(limit) || limit < 1)
        return bad('"limit" must be a positive integer');
      if (limit > maxRouteLimit)
        return bad(
          `"limit" is at most ${maxRouteLimit}; read more page by page, passing each answer's "next" as "after"`,
        );
      const after = query.get('after');
      if (after === '') return bad('"after" must be a prefix: the "next" of the previous answer');
      return { endpoint: 'routes', within: within ?? '', limit, after, view: rib };
    }
    case apiPaths.watch:
      return { endpoint: 'watch', lastEventId: lastEventIdHeader ?? query.get('lastEventId') };
    case apiPaths.snapshot:
      return { endpoint: 'snapshot' };
    case apiPaths.metrics:
      return { endpoint: 'metrics' };
    default:
      return { status: 404, error: `no such endpoint ${path}; see ${endpointList}` };
  }
}
