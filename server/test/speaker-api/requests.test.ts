import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  apiPaths,
  defaultRouteLimit,
  maxRouteLimit,
  healthQuery,
  isApiRequestError,
  lookupQuery,
  metricsQuery,
  parseApiRequest,
  peersQuery,
  routesQuery,
  snapshotQuery,
  watchQuery,
  type ApiRequest,
  type ApiRequestError,
} from '../../src/speaker-api';

// The API's requests as data: what a client builds, the server parses back to the same request.

const roundTrips: readonly { readonly name: string; readonly target: string; readonly request: ApiRequest }[] = [
  { name: 'health', target: healthQuery(), request: { endpoint: 'health' } },
  { name: 'peers', target: peersQuery(), request: { endpoint: 'peers' } },
  {
    name: 'lookup IPv4',
    target: lookupQuery('172.30.0.10'),
    request: { endpoint: 'lookup', ip: '172.30.0.10', view: 'adj-rib-in' },
  },
  {
    name: 'lookup IPv6 (colons encoded)',
    target: lookupQuery('2001:db8::1'),
    request: { endpoint: 'lookup', ip: '2001:db8::1', view: 'adj-rib-in' },
  },
  {
    name: 'lookup text with + & = %',
    target: lookupQuery('a+b&c=d%'),
    request: { endpoint: 'lookup', ip: 'a+b&c=d%', view: 'adj-rib-in' },
  },
  {
    name: 'routes exact',
    target: routesQuery({ exact: '10.0.0.0/24' }),
    request: { endpoint: 'routes', exact: '10.0.0.0/24', view: 'adj-rib-in' },
  },
  {
    name: 'routes within, default limit',
    target: routesQuery({ within: '10.0.0.0/8' }),
    request: {
      endpoint: 'routes',
      within: '10.0.0.0/8',
      limit: defaultRouteLimit,
      after: undefined,
      view: 'adj-rib-in',
    },
  },
  {
    name: 'routes within, a limit',
    target: routesQuery({ within: '2001:db8::/32', limit: 7 }),
    request: { endpoint: 'routes', within: '2001:db8::/32', limit: 7, after: undefined, view: 'adj-rib-in' },
  },
  {
    name: 'routes within, the next page',
    target: routesQuery({ within: '10.0.0.0/8', limit: maxRouteLimit, after: '10.1.0.0/24' }),
    request: {
      endpoint: 'routes',
      within: '10.0.0.0/8',
      limit: maxRouteLimit,
      after: '10.1.0.0/24',
      view: 'adj-rib-in',
    },
  },
  {
    name: 'lookup in the Loc-RIB',
    target: lookupQuery('10.0.0.1', 'loc-rib'),
    request: { endpoint: 'lookup', ip: '10.0.0.1', view: 'loc-rib' },
  },
  {
    name: 'routes exact in the Adj-RIB-Out',
    target: routesQuery({ exact: '10.0.0.0/24', view: 'adj-rib-out' }),
    request: { endpoint: 'routes', exact: '10.0.0.0/24', view: 'adj-rib-out' },
  },
  {
    name: 'routes within the Loc-RIB, the next page',
    target: routesQuery({ within: '10.0.0.0/8', limit: 5, after: '10.1.0.0/24', view: 'loc-rib' }),
    request: { endpoint: 'routes', within: '10.0.0.0/8', limit: 5, after: '10.1.0.0/24', view: 'loc-rib' },
  },
  {
    name: 'the default view named',
    target: `${lookupQuery('10.0.0.1')}&view=adj-rib-in`,
    request: { endpoint: 'lookup', ip: '10.0.0.1', view: 'adj-rib-in' },
  },
  { name: 'watch from now', target: watchQuery(), request: { endpoint: 'watch', lastEventId: undefined } },
  {
    name: 'watch after an event',
    target: watchQuery({ lastEventId: '42' }),
    request: { endpoint: 'watch', lastEventId: '42' },
  },
  { name: 'snapshot', target: snapshotQuery(), request: { endpoint: 'snapshot' } },
  { name: 'metrics', target: metricsQuery(), request: { endpoint: 'metrics' } },
];

describe("speaker API requests: builders and the server's parse agree", () => {
  for (const { name, target, request } of roundTrips) {
    test(name, () => {
      assert.deepEqual(parseApiRequest('GET', target), request);
      assert.deepEqual(parseApiRequest('HEAD', target), request, 'HEAD is read like GET');
    });
  }

  test('every path is built by some builder', () => {
    const built = new Set(roundTrips.map((r) => r.target.split('?')[0]));
    assert.deepEqual([...built].sort(), Object.values(apiPaths).sort());
  });

  test('builders produce the documented targets', () => {
    assert.equal(lookupQuery('2001:db8::1'), '/v1/lookup?ip=2001%3Adb8%3A%3A1');
    assert.equal(routesQuery({ exact: '10.0.0.0/24' }), '/v1/routes?prefix=10.0.0.0%2F24');
    assert.equal(routesQuery({ within: '10.0.0.0/8', limit: 5 }), '/v1/routes?within=10.0.0.0%2F8&limit=5');
    assert.equal(watchQuery(), '/v1/watch');
    assert.equal(lookupQuery('10.0.0.1', 'adj-rib-in'), '/v1/lookup?ip=10.0.0.1', 'the default view is left out');
    assert.equal(
      routesQuery({ exact: '10.0.0.0/24', view: 'loc-rib' }),
      '/v1/routes?prefix=10.0.0.0%2F24&view=loc-rib',
    );
  });

  test('Last-Event-ID header wins over the query parameter', () => {
    assert.deepEqual(parseApiRequest('GET', watchQuery({ lastEventId: '1' }), '9'), {
      endpoint: 'watch',
      lastEventId: '9',
    });
  });

  test('an absolute URL is read by its path', () => {
    assert.deepEqual(parseApiRequest('GET', 'http://127.0.0.1:8179/v1/lookup?ip=10.0.0.1'), {
      endpoint: 'lookup',
      ip: '10.0.0.1',
      view: 'adj-rib-in',
    });
  });
});

const refusals: readonly {
  readonly method?: string;
  readonly target: string;
  readonly status: ApiRequestError['status'];
  readonly error: RegExp;
}[] = [
  {
    target: '/v1/lookup',
    status: 400,
    error: /^missing query parameter "ip", e\.g\. \/v1\/lookup\?ip=172\.30\.0\.10$/,
  },
  { target: '/v1/lookup?ip=', status: 400, error: /^missing query parameter "ip"/ },
  { target: '/v1/lookup?address=10.0.0.1', status: 400, error: /^missing query parameter "ip"/ },
  { target: '/v1/routes', status: 400, error: /^pass exactly one of "prefix" \(exact match\) or "within"/ },
  { target: '/v1/routes?prefix=10.0.0.0/24&within=10.0.0.0/8', status: 400, error: /^pass exactly one of/ },
  { target: '/v1/routes?within=10.0.0.0/8&limit=0', status: 400, error: /^"limit" must be a positive integer$/ },
  { target: '/v1/routes?within=10.0.0.0/8&limit=1.5', status: 400, error: /^"limit" must be a positive integer$/ },
  { target: '/v1/routes?within=10.0.0.0/8&limit=', status: 400, error: /^"limit" must be a positive integer$/ },
  { target: '/v1/routes?within=10.0.0.0/8&limit=1e3', status: 400, error: /^"limit" must be a positive integer$/ },
  {
    target: '/v1/routes?within=0.0.0.0/0&limit=2000000',
    status: 400,
    error: /^"limit" is at most 100000; read more page by page, passing each answer's "next" as "after"$/,
  },
  {
    target: '/v1/routes?within=0.0.0.0/0&limit=99999999999999999999',
    status: 400,
    error: /^"limit" must be a positive integer$/,
  },
  { target: '/v1/routes?within=0.0.0.0/0&after=', status: 400, error: /^"after" must be a prefix/ },
  {
    target: '/v1/routes?within=0.0.0.0/0&view=rib-in',
    status: 400,
    error: /^"view" is one of adj-rib-in, loc-rib, adj-rib-out \(default adj-rib-in\), not "rib-in"$/,
  },
  { target: '/v1/lookup?ip=10.0.0.1&view=', status: 400, error: /^"view" is one of/ },
  {
    target: '/v2/peers',
    status: 404,
    error:
      /^no such endpoint \/v2\/peers; see \/v1\/peers, \/v1\/lookup, \/v1\/routes, \/v1\/watch, \/v1\/snapshot, \/metrics, \/healthz$/,
  },
  { target: '/', status: 404, error: /^no such endpoint \/;/ },
  {
    target: 'http://[',
    status: 400,
    error: /^malformed request target "http:\/\/\[": expected a path like \/v1\/peers$/,
  },
  { target: 'http://', status: 400, error: /^malformed request target/ },
  { target: 'http:///v1/peers', status: 400, error: /^malformed request target/ },
  { target: 'ftp://host/v1/peers', status: 400, error: /^malformed request target/ },
  { target: '*', status: 400, error: /^malformed request target "\*"/ },
  { method: 'POST', target: '/v1/peers', status: 405, error: /^POST is not allowed: the API is read-only$/ },
  { method: 'DELETE', target: '/v1/routes?prefix=10.0.0.0/24', status: 405, error: /^DELETE is not allowed/ },
];

describe('speaker API requests: a bad request is an error as data, never a throw', () => {
  for (const { method = 'GET', target, status, error } of refusals) {
    test(`${method} ${target} -> ${status}`, () => {
      const parsed = parseApiRequest(method, target);
      assert.ok(isApiRequestError(parsed), JSON.stringify(parsed));
      assert.equal(parsed.status, status);
      assert.match(parsed.error, error);
    });
  }

  test('a malformed percent escape is taken as written, not thrown', () => {
    assert.deepEqual(parseApiRequest('GET', '/v1/lookup?ip=10.0.0.1%'), {
      endpoint: 'lookup',
      ip: '10.0.0.1%',
      view: 'adj-rib-in',
    });
  });
});
