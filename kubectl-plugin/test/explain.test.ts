import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildModel, parseConfig, readManifestFile, type Route } from '@kube-routes/server/engine';
import { routePath } from '@kube-routes/test/support';
import { explainRoutes, manifestInstances, otherOwners } from '../src/explain/explanation';

// `kubectl routes explain` joins one Service's manifests, routes and other owners; the command
// only gathers them.

const config = parseConfig(
  [
    'externalIPPools: [203.0.113.0/24]',
    'regions:',
    '  nyc3: {asns: [64512], clusterIPRanges: [172.25.0.0/20], paths: ["clusters/nyc3/**"]}',
    '  sgp1: {asns: [64513], clusterIPRanges: [172.25.144.0/20]}',
  ].join('\n'),
  'kube-routes.yaml',
).config;

const web = `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
  annotations: {metallb.io/loadBalancerIPs: "203.0.113.5, 203.0.113.6"}
spec: {type: LoadBalancer, clusterIP: 172.25.0.10}
`;
const api = `apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop, labels: {region: sgp1}}
spec: {externalIPs: [203.0.113.6]}
`;

test('explain: region by path, each address with its source and pool, routes, other owners', () => {
  assert.ok(config);
  const model = buildModel(
    [
      readManifestFile({ path: 'clusters/nyc3/web.yaml', text: web }),
      readManifestFile({ path: 'clusters/sgp1/api.yaml', text: api }),
    ],
    config,
  );
  const instances = manifestInstances(model, 'shop/web');
  assert.deepEqual(instances, [
    {
      origin: 'clusters/nyc3/web.yaml:4:9',
      region: 'nyc3',
      regionFrom: 'path clusters/nyc3/** (regions.nyc3.paths)',
      addresses: [
        {
          ip: '172.25.0.10',
          source: 'clusterIP',
          kind: 'cluster',
          at: 'clusters/nyc3/web.yaml:7:39',
          pools: ['region nyc3 clusterIP range 172.25.0.0/20'],
        },
        {
          ip: '203.0.113.5',
          source: 'metallb.io/loadBalancerIPs[0]',
          kind: 'external',
          at: 'clusters/nyc3/web.yaml:6:46',
          pools: ['global pool 203.0.113.0/24'],
        },
        {
          ip: '203.0.113.6',
          source: 'metallb.io/loadBalancerIPs[1]',
          kind: 'external',
          at: 'clusters/nyc3/web.yaml:6:59',
          pools: ['global pool 203.0.113.0/24'],
        },
      ],
    },
  ]);
  const path = (asn: number) => routePath(asn, { pathId: 1, nextHop: '10.9.0.1' });
  const routes = new Map<string, Route | undefined>([
    ['172.25.0.10', { prefix: '172.25.0.10/32', paths: [path(64513)] }],
    ['203.0.113.5', { prefix: '203.0.113.0/24', paths: [path(64512)] }],
    ['203.0.113.6', undefined],
  ]);
  const single = {
    answers: new Map([...routes].map(([ip, route]) => [ip, [{ vantage: undefined, route }]])),
    regions: [],
    unreachable: [],
  };
  assert.deepEqual(
    explainRoutes(model.config, instances, single).map((r) => [r.ip, r.verdict, r.paths.map((p) => p.originRegion)]),
    [
      ['172.25.0.10', 'conflict', ['sgp1']],
      ['203.0.113.5', 'announced', ['nyc3']],
      ['203.0.113.6', 'missing', []],
    ],
  );
  // One speaker per region: each region's answer judged on its own, an unreachable one named.
  const byRegion = {
    answers: new Map([
      [
        '203.0.113.5',
        [
          { vantage: 'nyc3', route: { prefix: '203.0.113.0/24', paths: [path(64512)] } },
          { vantage: 'sgp1', route: { prefix: '203.0.113.0/24', paths: [path(64513)] } },
        ],
      ],
    ]),
    regions: ['nyc3', 'sgp1', 'ams3'],
    unreachable: ['ams3'],
  };
  const perRegion = explainRoutes(model.config, instances, byRegion).find((r) => r.ip === '203.0.113.5');
  assert.equal(perRegion?.verdict, 'conflict');
  assert.deepEqual(
    perRegion?.vantages?.map((v) => [v.region, v.verdict, v.paths.map((p) => p.originRegion)]),
    [
      ['nyc3', 'announced', ['nyc3']],
      ['sgp1', 'conflict', ['sgp1']],
      ['ams3', 'unreachable', []],
    ],
  );
  assert.deepEqual(otherOwners('shop/web', instances, model, [], model.config), [
    { ip: '203.0.113.6', service: 'shop/api', region: 'sgp1', at: 'clusters/sgp1/api.yaml:4:22' },
  ]);
});
