import type { RouteStateSource } from './answer';
import type { ApiReply } from './responses';

// A `within` answer as JSON text produced piece by piece, so a server can write it as it goes:
// memory is one small page of routes, whatever the limit or the size of the routes' attributes.

/** Routes read from the source per step, at most; fewer when routes are large (see stepBytes). */
const stepRoutes = 256;
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
  const read = textPages(source);
  // The first step is small: it also checks the prefixes, and routes may be huge.
  const first = read(request.within, Math.min(4, request.limit), request.after);
  if (!first) return malformedWithin(request);
  return pieces(read, request, first);
}

type TextPage = { routes: string[]; last: string | undefined; truncated: boolean };
type ReadPage = (prefix: string, limit: number, after: string | undefined) => TextPage | undefined;

/** Pages of route texts: from the source's own writer when it has one, else JSON.stringify. */
function textPages(source: RouteStateSource): ReadPage {
  if (source.routesWithinJson) return source.routesWithinJson.bind(source);
  return (prefix, limit, after) => {
    const page = source.routesWithin(prefix, limit, after);
    if (!page) return undefined;
    return {
      routes: page.routes.map((r) => JSON.stringify(r)),
      last: page.routes[page.routes.length - 1]?.prefix,
      truncated: page.truncated,
    };
  };
}

function* pieces(read: ReadPage, request: WithinRequest, first: TextPage): Generator<string> {
  let page: TextPage | undefined = first;
  let sent = 0;
  let last: string | undefined;
  let step = stepRoutes;
  yield '{"routes":[';
  while (page) {
    let bytes = 0;
    for (const route of page.routes) {
      const text = sent++ === 0 ? route : `,${route}`;
      bytes += text.length;
      yield text;
    }
    last = page.last ?? last;
    step = Math.max(1, Math.min(stepRoutes, Math.floor((page.routes.length * stepBytes) / Math.max(1, bytes))));
    if (!page.truncated || last === undefined) break;
    if (sent >= request.limit) {
      yield `],"truncated":true,"next":${JSON.stringify(last)}}\n`;
      return;
    }
    page = read(request.within, Math.min(step, request.limit - sent), last);
  }
  yield ']}\n';
}
