import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Route } from '@kube-routes/server/engine';
import type { ClusterService } from '@kube-routes/server/kube';
import { joinRoutes } from '../src/live/service-routes';
import { answers, config, path, svc } from './live-data';

// joinRoutes: each live Service's addresses against the route answers, one case a row. Each
// row of `want` is "context/name STATE: field ip state [wrong origins]".

const nyc3 = path(64512);
const sgp1 = path(64513, { peer: '10.0.0.2' });
const outside = path(65000, { peer: '10.0.0.3' });
const r = (prefix: string, ...paths: Route['paths'][number][]): Route => ({ prefix, paths });

interface Case {
  readonly name: string;
  readonly services: readonly ClusterService[];
  readonly routes: Readonly<Record<string, Route | undefined>> | undefined;
  readonly unread?: readonly string[];
  readonly want: readonly string[];
}

const cases: Case[] = [
  {
    name: "a cluster IP announced from its context's region",
    services: [svc('nyc3-prod', 'web', { clusterIPs: ['172.25.0.10'] })],
    routes: { '172.25.0.10': r('172.25.0.0/24', nyc3) },
    want: ['nyc3-prod/web announced: clusterIP 172.25.0.10 announced'],
  },
  {
    name: 'a cluster IP also originated by another region',
    services: [svc('nyc3-prod', 'web', { clusterIPs: ['172.25.0.10'] })],
    routes: { '172.25.0.10': r('172.25.0.0/24', nyc3, sgp1) },
    want: ['nyc3-prod/web conflict: clusterIP 172.25.0.10 conflict [AS64513]'],
  },
  {
    name: 'an anycast external IP of the same Service in both regions',
    services: [
      svc('nyc3-prod', 'web', { externalIPs: ['172.30.0.10'] }),
      svc('sgp1-prod', 'web', { externalIPs: ['172.30.0.10'] }),
    ],
    routes: { '172.30.0.10': r('172.30.0.0/24', nyc3, sgp1) },
    want: [
      'nyc3-prod/web announced: externalIP 172.30.0.10 announced',
      'sgp1-prod/web announced: externalIP 172.30.0.10 announced',
    ],
  },
  {
    name: 'an external IP originated from a region not read: allowed',
    services: [svc('nyc3-prod', 'web', { externalIPs: ['172.30.0.10'] })],
    routes: { '172.30.0.10': r('172.30.0.0/24', nyc3, sgp1) },
    unread: ['sgp1'],
    want: ['nyc3-prod/web announced: externalIP 172.30.0.10 announced'],
  },
  {
    name: 'a cluster IP originated from a region not read: still a conflict',
    services: [svc('nyc3-prod', 'web', { clusterIPs: ['172.25.0.10'] })],
    routes: { '172.25.0.10': r('172.25.0.0/24', sgp1) },
    unread: ['sgp1'],
    want: ['nyc3-prod/web conflict: clusterIP 172.25.0.10 conflict [AS64513]'],
  },
  {
    name: 'the worst verdict over the addresses; a load balancer IP listed as external IP once',
    services: [
      svc('nyc3-prod', 'web', {
        clusterIPs: ['172.25.0.10'],
        externalIPs: ['172.30.14.1'],
        loadBalancerIPs: ['172.30.14.1', '172.30.14.2'],
      }),
    ],
    routes: {
      '172.25.0.10': r('172.25.0.0/24', path(64512, { stale: true })),
      '172.30.14.1': r('172.30.14.0/24', nyc3),
      '172.30.14.2': r('172.30.14.0/24', nyc3),
    },
    want: [
      'nyc3-prod/web stale: clusterIP 172.25.0.10 stale, externalIP 172.30.14.1 announced, loadBalancerIP 172.30.14.2 announced',
    ],
  },
  {
    name: 'no route: missing',
    services: [svc('nyc3-prod', 'web', { clusterIPs: ['172.25.0.10'] })],
    routes: { '172.25.0.10': undefined },
    want: ['nyc3-prod/web missing: clusterIP 172.25.0.10 missing'],
  },
  {
    name: 'a context of no region, labelled with an unknown region: only an AS of no region is wrong',
    services: [svc('kind-local', 'web', { externalIPs: ['172.30.0.10'], labels: { region: 'mars' } })],
    routes: { '172.30.0.10': r('172.30.0.0/24', sgp1, outside) },
    want: ['kind-local/web conflict: externalIP 172.30.0.10 conflict [AS65000]'],
  },
  {
    name: 'without route state: no verdicts',
    services: [svc('nyc3-prod', 'web', { clusterIPs: ['172.25.0.10'] })],
    routes: undefined,
    want: ['nyc3-prod/web -: clusterIP 172.25.0.10 -'],
  },
];

for (const c of cases) {
  test(`joinRoutes: ${c.name}`, () => {
    const rows = joinRoutes(c.services, config, c.routes && answers(c.routes), new Set(c.unread ?? []));
    const got = rows.map((row) => {
      const addresses = row.addresses.map(
        (a) =>
          `${a.field} ${a.ip} ${a.state ?? '-'}${a.wrongPaths.length > 0 ? ` [${a.wrongPaths.map((p) => `AS${p.originAs}`).join(', ')}]` : ''}`,
      );
      return `${row.service.context}/${row.service.name} ${row.state ?? '-'}: ${addresses.join(', ')}`;
    });
    assert.deepEqual(got, c.want);
  });
}

test("joinRoutes: the region of a row is its context's, else its label", () => {
  const rows = joinRoutes(
    [
      svc('sgp1-prod', 'a', { labels: { region: 'nyc3' } }),
      svc('kind-local', 'b', { labels: { region: 'nyc3' } }),
      svc('kind-local', 'c'),
    ],
    config,
    undefined,
  );
  assert.deepEqual(
    rows.map((row) => row.region),
    ['sgp1', 'nyc3', undefined],
  );
});
