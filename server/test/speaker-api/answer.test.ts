import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LookupResult, PeerStatus, Route } from '../../src/engine';
import {
  answerApiRequest,
  healthQuery,
  lookupQuery,
  metricsQuery,
  peersQuery,
  routesQuery,
  snapshotQuery,
  watchQuery,
  type RouteStateSource,
} from '../../src/speaker-api';

// The JSON answers, as the speaker and the in-process MRT transport both give them.

const route: Route = { prefix: '10.0.0.0/24', paths: [] };
const peer: PeerStatus = {
  address: '192.0.2.1',
  asn: 65001,
  description: undefined,
  source: 'bgp',
  state: 'Established',
  uptimeSeconds: 1,
  received: {},
  capabilities: [],
  lastError: undefined,
};
const isPrefix = (p: string) => /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(p);

const source: RouteStateSource = {
  peers: () => [peer],
  lookup: (ip): LookupResult | undefined =>
    /^\d+\.\d+\.\d+\.\d+$/.test(ip) ? { ip, route: ip.startsWith('10.0.0.') ? route : undefined } : undefined,
  routesExact: (prefix) => (isPrefix(prefix) ? (prefix === route.prefix ? [route] : []) : undefined),
  routesWithin: (prefix, limit) =>
    isPrefix(prefix) ? { routes: [route].slice(0, limit), truncated: false } : undefined,
};

const cases: readonly { readonly target: string; readonly status: number; readonly body: unknown }[] = [
  { target: healthQuery(), status: 200, body: { status: 'ok' } },
  { target: peersQuery(), status: 200, body: { peers: [peer] } },
  { target: lookupQuery('10.0.0.9'), status: 200, body: { ip: '10.0.0.9', route } },
  { target: lookupQuery('172.16.0.1'), status: 200, body: { ip: '172.16.0.1', route: undefined } },
  { target: lookupQuery('not-an-ip'), status: 400, body: { error: '"not-an-ip" is not an IP address' } },
  { target: routesQuery({ exact: '10.0.0.0/24' }), status: 200, body: { routes: [route] } },
  { target: routesQuery({ exact: '10.9.0.0/24' }), status: 200, body: { routes: [] } },
  {
    target: routesQuery({ exact: '10.0.0/24' }),
    status: 400,
    body: { error: '"10.0.0/24" is not a prefix like 10.0.0.0/24' },
  },
  { target: routesQuery({ within: '10.0.0.0/8', limit: 5 }), status: 200, body: { routes: [route], truncated: false } },
  { target: routesQuery({ within: 'ten' }), status: 400, body: { error: '"ten" is not a prefix like 10.0.0.0/8' } },
  // Streamed endpoints are served by the HTTP server itself, when it has them.
  {
    target: watchQuery(),
    status: 404,
    body: {
      error:
        'no such endpoint /v1/watch; see /v1/peers, /v1/lookup, /v1/routes, /v1/watch, /v1/snapshot, /metrics, /healthz',
    },
  },
  {
    target: snapshotQuery(),
    status: 404,
    body: {
      error:
        'no such endpoint /v1/snapshot; see /v1/peers, /v1/lookup, /v1/routes, /v1/watch, /v1/snapshot, /metrics, /healthz',
    },
  },
  {
    target: metricsQuery(),
    status: 404,
    body: {
      error:
        'no such endpoint /metrics; see /v1/peers, /v1/lookup, /v1/routes, /v1/watch, /v1/snapshot, /metrics, /healthz',
    },
  },
];

test('each endpoint answers from the source; a bad query is a 400 naming it', () => {
  for (const { target, status, body } of cases)
    assert.deepEqual(answerApiRequest(source, 'GET', target), { status, body }, target);
});

test('a refused request is answered without asking the source', () => {
  const asked: string[] = [];
  const spy: RouteStateSource = {
    peers: () => {
      asked.push('peers');
      return [];
    },
    lookup: (ip) => {
      asked.push('lookup');
      return source.lookup(ip);
    },
    routesExact: (p) => {
      asked.push('exact');
      return source.routesExact(p);
    },
    routesWithin: (p, l) => {
      asked.push('within');
      return source.routesWithin(p, l);
    },
  };
  assert.equal(answerApiRequest(spy, 'PUT', peersQuery()).status, 405);
  assert.equal(answerApiRequest(spy, 'GET', '/v1/routes?within=10.0.0.0/8&limit=-1').status, 400);
  assert.deepEqual(asked, []);
});
