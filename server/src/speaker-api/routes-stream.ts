import type { Route } from '@kube-routes/server/engine';
import type { RouteStateSource } from './answer';
import type { ApiReply } from './responses';

// A `within` answer as JSON text produced piece by piece, so a server can write it as it goes:
// memory is one small page of routes, whatever the limit or the size of the routes' attributes.

/** Routes read from the source per step, at most; fewer when routes are large (see stepBytes). */
const stepRoutes = 64;
/** JSON text one step aims at: a page of routes with huge attribute sets shrinks to a route or two. */
const stepBytes = 256 * 1024;

export interface WithinRequest {
  readonly within: string;
  readonly limit: number;
  readonly after: string | undefined;
}

export const malformedWithin = (request: WithinRequest): ApiReply => ({
  status: 400,
  body: {
    error:
      request.after === undefined
        ? `"${request.within}" is not a prefix like 10.0.0.0/8`
        : `"${request.within}" (within) or "${request.after}" (after) is not a prefix like 10.0.0.0/8, or the two are of different families`,
  },
});

/**
 * The answer's JSON text in pieces (`{"routes":[` ... `],"truncated":true,"next":"P"}`), or the
 * 400 reply when a prefix is malformed (found before any piece, so the status is still free).
 * Each step resumes after the last route sent, so the RIB may change between pieces.
 */
export function routesWithinText(source: RouteStateSource, request: WithinRequest): ApiReply | Iterable<string> {
  // The first step is small: it also checks the prefixes, and routes may be huge.
  const first = source.routesWithin(request.within, Math.min(4, request.limit), request.after);
  if (!first) return malformedWithin(request);
  return pieces(source, request, first);
}

function* pieces(
  source: RouteStateSource,
  request: WithinRequest,
  first: { routes: Route[]; truncated: boolean },
): Generator<string> {
  let page: { routes: Route[]; truncated: boolean } | undefined = first;
  let sent = 0;
  let last: string | undefined;
  let step = stepRoutes;
  yield '{"routes":[';
  while (page) {
    let bytes = 0;
    for (const route of page.routes) {
      const text = `${sent++ === 0 ? '' : ','}${JSON.stringify(route)}`;
      bytes += text.length;
      yield text;
      last = route.prefix;
    }
    step = Math.max(1, Math.min(stepRoutes, Math.floor((page.routes.length * stepBytes) / Math.max(1, bytes))));
    if (!page.truncated || last === undefined) break;
    if (sent >= request.limit) {
      yield `],"truncated":true,"next":${JSON.stringify(last)}}\n`;
      return;
    }
    page = source.routesWithin(request.within, Math.min(step, request.limit - sent), last);
  }
  yield ']}\n';
}
