import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkManifests,
  comparePrefixes,
  mergeRouteLists,
  mergeVantageRoutes,
  readManifestFile,
  routeTableOf,
  vantageTable,
  vantageVerdicts,
  type Route,
  type RouteVerdict,
  type VantageRoute,
} from '@kube-routes/server/engine';
import { parsedConfig, routePath as path } from '@kube-routes/test/support';

// Route state from several vantage points (one speaker per region): the union of their answers,
// and the route verdict judged per vantage. One case a row.

const route = (prefix: string, ...paths: Route['paths'][number][]): Route => ({ prefix, paths });

const config = parsedConfig([
  'externalIPPools: [172.30.0.0/24]',
  'regions:',
  '  nyc3: {asns: [64512], clusterIPRanges: [172.25.0.0/20], contexts: [nyc3-prod], speaker: "http://127.0.0.1:1"}',
  '  sgp1: {asns: [64513], clusterIPRanges: [172.25.144.0/20], speaker: "http://127.0.0.1:2"}',
  '  ams3: {asns: [64514], clusterIPRanges: [172.25.160.0/20]}',
]);

const nyc3 = path(64512, { peer: '10.0.1.1' });
const sgp1 = path(64513, { peer: '10.0.2.1' });
const outside = path(65000, { peer: '10.0.9.1' });

test('regions.*.speaker is kept on the region', () => {
  assert.equal(config.regions.get('nyc3')?.speaker, 'http://127.0.0.1:1');
  assert.equal(config.regions.get('ams3')?.speaker, undefined);
});

test('mergeVantageRoutes: the longest prefix any vantage holds, with the paths of each vantage at that prefix, tagged', () => {
  const cases: { name: string; answers: VantageRoute[]; prefix: string | undefined; paths: [string?, number?][] }[] = [
    { name: 'no vantage answered', answers: [], prefix: undefined, paths: [] },
    {
      name: 'no route anywhere',
      answers: [
        { vantage: 'nyc3', route: undefined },
        { vantage: 'sgp1', route: undefined },
      ],
      prefix: undefined,
      paths: [],
    },
    {
      name: 'anycast: one prefix, each region its own origin',
      answers: [
        { vantage: 'nyc3', route: route('172.30.0.0/24', nyc3) },
        { vantage: 'sgp1', route: route('172.30.0.0/24', sgp1) },
      ],
      prefix: '172.30.0.0/24',
      paths: [
        ['nyc3', 64512],
        ['sgp1', 64513],
      ],
    },
    {
      name: 'a more specific route in one region wins the union',
      answers: [
        { vantage: 'nyc3', route: route('172.30.0.0/24', nyc3) },
        { vantage: 'sgp1', route: route('172.30.0.5/32', sgp1) },
      ],
      prefix: '172.30.0.5/32',
      paths: [['sgp1', 64513]],
    },
    {
      name: 'a source of no region keeps its paths untagged',
      answers: [{ vantage: undefined, route: route('172.30.0.0/24', nyc3) }],
      prefix: '172.30.0.0/24',
      paths: [[undefined, 64512]],
    },
  ];
  for (const c of cases) {
    const merged = mergeVantageRoutes(c.answers);
    assert.equal(merged?.prefix, c.prefix, c.name);
    assert.deepEqual(
      (merged?.paths ?? []).map((p) => [p.vantage, p.originAs]),
      c.paths.map(([v, as]) => [v, as]),
      c.name,
    );
  }
});

test('mergeRouteLists: one route per prefix in address order, paths of every vantage', () => {
  const merged = mergeRouteLists([
    { vantage: 'nyc3', routes: [route('172.30.0.0/24', nyc3), route('172.25.0.0/24', nyc3)] },
    { vantage: 'sgp1', routes: [route('172.30.0.0/24', sgp1), route('172.25.0.0/20', sgp1)] },
  ]);
  assert.deepEqual(
    merged.map((r) => [r.prefix, r.paths.map((p) => p.vantage)]),
    [
      ['172.25.0.0/20', ['sgp1']],
      ['172.25.0.0/24', ['nyc3']],
      ['172.30.0.0/24', ['nyc3', 'sgp1']],
    ],
  );
  assert.ok(comparePrefixes('10.0.0.0/8', '9.0.0.0/8') > 0);
  assert.ok(comparePrefixes('10.0.0.0/8', '10.0.0.0/16') < 0);
  assert.ok(comparePrefixes('10.0.0.0/8', '::/0') < 0);
});

test('vantageVerdicts: each region judged on its own answer, overall on their union', () => {
  const cases: {
    name: string;
    answers: VantageRoute[];
    allowed: string[] | undefined;
    vantages: [string | undefined, RouteVerdict][];
    overall: RouteVerdict;
  }[] = [
    {
      name: 'anycast from two regions, both allowed',
      answers: [
        { vantage: 'nyc3', route: route('172.30.0.0/24', nyc3) },
        { vantage: 'sgp1', route: route('172.30.0.0/24', sgp1) },
      ],
      allowed: ['nyc3', 'sgp1'],
      vantages: [
        ['nyc3', 'announced'],
        ['sgp1', 'announced'],
      ],
      overall: 'announced',
    },
    {
      name: 'anycast of a Service only nyc3 runs: sgp1 sees its own region originate it',
      answers: [
        { vantage: 'nyc3', route: route('172.30.0.0/24', nyc3) },
        { vantage: 'sgp1', route: route('172.30.0.0/24', sgp1) },
      ],
      allowed: ['nyc3'],
      vantages: [
        ['nyc3', 'announced'],
        ['sgp1', 'conflict'],
      ],
      overall: 'conflict',
    },
    {
      name: 'seen in one region only: missing there, announced overall',
      answers: [
        { vantage: 'nyc3', route: route('172.25.0.0/24', nyc3) },
        { vantage: 'sgp1', route: undefined },
      ],
      allowed: ['nyc3'],
      vantages: [
        ['nyc3', 'announced'],
        ['sgp1', 'missing'],
      ],
      overall: 'announced',
    },
    {
      name: 'an outside origin seen from one region',
      answers: [
        { vantage: 'nyc3', route: route('172.25.0.0/24', nyc3) },
        { vantage: 'sgp1', route: route('172.25.0.10/32', outside) },
      ],
      allowed: ['nyc3'],
      vantages: [
        ['nyc3', 'announced'],
        ['sgp1', 'conflict'],
      ],
      overall: 'conflict',
    },
    {
      name: 'one source of no region',
      answers: [{ vantage: undefined, route: undefined }],
      allowed: undefined,
      vantages: [[undefined, 'missing']],
      overall: 'missing',
    },
  ];
  for (const c of cases) {
    const v = vantageVerdicts(config, c.answers, c.allowed && new Set(c.allowed));
    assert.deepEqual(
      v.vantages.map((x) => [x.vantage, x.state]),
      c.vantages,
      c.name,
    );
    assert.equal(v.overall.state, c.overall, c.name);
  }
});

test('route-origin-mismatch is judged per vantage and names the region that sees it', () => {
  const manifest = readManifestFile({
    path: 'web.yaml',
    text: [
      'apiVersion: v1',
      'kind: Service',
      'metadata: {name: web, namespace: shop, labels: {region: nyc3}}',
      'spec: {clusterIP: 172.25.0.10, externalIPs: [172.30.0.7]}',
      '',
    ].join('\n'),
  });
  const routes = vantageTable(
    [
      {
        vantage: 'nyc3',
        table: routeTableOf([route('172.25.0.0/24', nyc3), route('172.30.0.0/24', nyc3)], 'nyc3'),
      },
      {
        vantage: 'sgp1',
        table: routeTableOf([route('172.25.0.0/24', nyc3), route('172.30.0.0/24', sgp1)], 'sgp1'),
      },
    ],
    'speakers of regions nyc3, sgp1',
  );
  const findings = checkManifests([manifest], config, { routes }).findings.filter((f) => f.rule.startsWith('route-'));
  assert.deepEqual(
    findings.map((f) => [f.rule, f.message]),
    [
      [
        'route-origin-mismatch',
        'externalIPs[0] 172.30.0.7 of region nyc3 is seen from region sgp1, covered by 172.30.0.0/24, originated by AS64513 (region sgp1): AS64513 via 10.0.0.1 from peer 10.0.2.1. Traffic to it goes to the wrong place; withdraw that announcement or fix the address or region.',
      ],
    ],
  );
});
