import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Route } from '../../src/engine';
import {
  answerApiRequest,
  routesQuery,
  routesWithinText,
  type RoutesResponse,
  type RouteStateSource,
} from '../../src/speaker-api';

// A `within` answer written piece by piece: the same JSON as the whole answer, read by pages of
// the source, and paged across requests with `next` / `after`.

const routes: Route[] = Array.from({ length: 200 }, (_, i) => ({ prefix: `10.0.${i}.0/24`, paths: [] }));
const order = (prefix: string) => Number(prefix.split('.')[2]);
const isPrefix = (p: string) => /^10\.0\.\d+\.0\/24$|^10\.0\.0\.0\/8$/.test(p);
let largestAsk = 0;

const source: RouteStateSource = {
  peers: () => [],
  lookup: () => undefined,
  routesExact: () => [],
  routesWithin: (prefix, limit, after) => {
    if (!isPrefix(prefix) || (after !== undefined && !isPrefix(after))) return undefined;
    largestAsk = Math.max(largestAsk, limit);
    const rest = routes.filter((r) => after === undefined || order(r.prefix) > order(after));
    return { routes: rest.slice(0, limit), truncated: rest.length > limit };
  },
};

function streamed(within: string, limit: number, after?: string): RoutesResponse {
  const text = routesWithinText(source, { within, limit, after });
  assert.ok(Symbol.iterator in text, 'a stream, not an error');
  return JSON.parse([...text].join('')) as RoutesResponse;
}

for (const limit of [1, 63, 64, 65, 199, 200, 201, 100_000]) {
  test(`limit ${limit}: the streamed text is the whole answer, read a page at a time`, () => {
    const whole = answerApiRequest(source, 'GET', routesQuery({ within: '10.0.0.0/8', limit }));
    largestAsk = 0;
    const answer = streamed('10.0.0.0/8', limit);
    assert.deepEqual(answer.routes, (whole.body as RoutesResponse).routes);
    assert.equal(answer.routes.length, Math.min(limit, 200));
    assert.equal(answer.truncated === true, limit < 200);
    assert.equal(answer.next, limit < 200 ? `10.0.${limit - 1}.0/24` : undefined);
    assert.equal((whole.body as RoutesResponse).next, answer.next);
    assert.ok(largestAsk <= 256, `asked the source for ${largestAsk} routes at once`);
  });
}

test('paging with next as after reads every route once, in order', () => {
  const seen: string[] = [];
  let after: string | undefined;
  for (let page = 0; page < 10; page++) {
    const answer = streamed('10.0.0.0/8', 70, after);
    seen.push(...answer.routes.map((r) => r.prefix));
    if (!answer.truncated) break;
    after = answer.next;
  }
  assert.deepEqual(
    seen,
    routes.map((r) => r.prefix),
  );
});

test('a malformed prefix or cursor is a 400 before any text', () => {
  assert.deepEqual(routesWithinText(source, { within: 'ten', limit: 5, after: undefined }), {
    status: 400,
    body: { error: '"ten" is not a prefix like 10.0.0.0/8' },
  });
  const reply = routesWithinText(source, { within: '10.0.0.0/8', limit: 5, after: 'x' });
  assert.equal((reply as { status: number }).status, 400);
});
