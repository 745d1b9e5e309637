import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  allowedRegions,
  AnycastRegions,
  checkManifests,
  clusterRangeOwner,
  inferRegion,
  liveAddresses,
  liveServiceRegion,
  manifestAddresses,
  manifestRegion,
  memberships,
  parseConfig,
  parseIpAddress,
  poolOwner,
  readManifestFile,
  regionOfAsn,
  regionOfContext,
  RouteIndex,
  routeTableOf,
  routeVerdict,
  unreadRegions,
  type IpAddress,
  type Route,
  type RouteVerdict,
} from '@kube-routes/server/engine';
import { Random, parsedConfig, routePath as path } from '@kube-routes/test/support';

const route = (prefix: string, ...paths: Route['paths'][number][]): Route => ({ prefix, paths });

// The engine's region policy, address table, longest match and route verdict, one case a row.

const config = parsedConfig([
  'externalIPPools: [172.30.0.0/24]',
  'regions:',
  '  nyc3: {asns: [64512], clusterIPRanges: [172.25.0.0/20], externalIPPools: [172.30.14.0/24], contexts: [nyc3-prod]}',
  '  sgp1: {asns: [64513], clusterIPRanges: [172.25.144.0/20], externalIPPools: [172.30.15.0/24], contexts: [sgp1-prod, sgp1-dr]}',
]);

function ip(text: string): IpAddress {
  const address = parseIpAddress(text);
  assert.ok(address, text);
  return address;
}

test('the region of an ASN and of a context', () => {
  const cases: [number, string | undefined][] = [
    [64512, 'nyc3'],
    [64513, 'sgp1'],
    [65000, undefined],
  ];
  for (const [asn, region] of cases) assert.equal(regionOfAsn(config, asn), region, `AS${asn}`);
  const contexts: [string, string | undefined][] = [
    ['nyc3-prod', 'nyc3'],
    ['sgp1-dr', 'sgp1'],
    ['kind-local', undefined],
  ];
  for (const [context, region] of contexts) assert.equal(regionOfContext(config, context), region, context);
});

test('the region of a live Service: its context first, else its first configured region label', () => {
  const cases: { context: string; labels: Record<string, string>; want: string | undefined }[] = [
    { context: 'nyc3-prod', labels: { region: 'sgp1' }, want: 'nyc3' },
    { context: 'kind-local', labels: { 'topology.kubernetes.io/region': 'sgp1' }, want: 'sgp1' },
    { context: 'kind-local', labels: { region: 'mars' }, want: 'mars' },
    { context: 'kind-local', labels: {}, want: undefined },
  ];
  for (const c of cases) assert.equal(liveServiceRegion(config, c), c.want, JSON.stringify(c));
});

test('the region of a manifest: the first configured label, with the region it names', () => {
  const [service] = readManifestFile({
    path: 'svc.yaml',
    text: 'kind: Service\nmetadata:\n  name: web\n  labels:\n    topology.kubernetes.io/region: nyc3\n    region: mars\n',
  }).services;
  assert.ok(service);
  const found = manifestRegion(config, service);
  assert.equal(found?.key, 'region');
  assert.equal(found?.value.value, 'mars');
  assert.equal(found?.region, undefined);
});

test('which region owns an address: cluster ranges, region-only pools, shared pools', () => {
  const cases: { address: string; memberships: string[]; cluster?: string; pool?: string }[] = [
    { address: '172.25.0.10', memberships: ['cluster-range nyc3 172.25.0.0/20'], cluster: 'nyc3' },
    { address: '172.25.144.1', memberships: ['cluster-range sgp1 172.25.144.0/20'], cluster: 'sgp1' },
    { address: '172.30.15.9', memberships: ['region-pool sgp1 172.30.15.0/24'], pool: 'sgp1' },
    { address: '172.30.0.9', memberships: ['shared-pool - 172.30.0.0/24'] },
    { address: '192.0.2.1', memberships: [] },
  ];
  for (const c of cases) {
    const address = ip(c.address);
    assert.deepEqual(
      memberships(config, address).map((m) => `${m.kind} ${m.region?.name ?? '-'} ${m.range.cidr}`),
      c.memberships,
      c.address,
    );
    assert.equal(clusterRangeOwner(config, address)?.region.name, c.cluster, c.address);
    assert.equal(poolOwner(config, address)?.region.name, c.pool, c.address);
  }
});

test('inferRegion: cluster ranges before region-only pools, shared pools say nothing', () => {
  assert.equal(inferRegion(config, [ip('172.30.15.9'), ip('172.25.0.10')])?.name, 'nyc3');
  assert.equal(inferRegion(config, [ip('172.30.0.9'), ip('172.30.15.9')])?.name, 'sgp1');
  assert.equal(inferRegion(config, [ip('172.30.0.9')]), undefined);
});

test("a manifest's addresses: every field of the table in order, with kind and index", () => {
  const [service] = readManifestFile({
    path: 'svc.yaml',
    text: [
      'kind: Service',
      'metadata: {name: web}',
      'spec:',
      '  clusterIP: 172.25.0.10',
      '  clusterIPs: [172.25.0.10, fd00:25::10]',
      '  externalIPs: [172.30.0.5, ""]',
      '  loadBalancerIP: 172.30.14.1',
      '',
    ].join('\n'),
  }).services;
  assert.ok(service);
  assert.deepEqual(
    manifestAddresses(service).map(
      (a) => `${a.field}${a.index === undefined ? '' : `[${a.index}]`} ${a.kind} ${JSON.stringify(a.literal.value)}`,
    ),
    [
      'clusterIP cluster "172.25.0.10"',
      'clusterIPs[0] cluster "172.25.0.10"',
      'clusterIPs[1] cluster "fd00:25::10"',
      'externalIPs[0] external "172.30.0.5"',
      'externalIPs[1] external ""',
      'loadBalancerIP external "172.30.14.1"',
    ],
  );
});

test("a live Service's addresses: a load balancer IP already listed as an external IP is not repeated", () => {
  const addresses = liveAddresses({
    clusterIPs: ['172.25.0.10'],
    externalIPs: ['172.30.0.5'],
    loadBalancerIPs: ['172.30.0.5', '172.30.14.1'],
  });
  assert.deepEqual(
    addresses.map((a) => `${a.field} ${a.kind} ${a.ip}`),
    ['clusterIP cluster 172.25.0.10', 'externalIP external 172.30.0.5', 'loadBalancerIP external 172.30.14.1'],
  );
});

test('RouteIndex: the longest matching route of each family', () => {
  const routes: Route[] = [
    route('172.25.0.0/16'),
    route('172.25.0.0/24'),
    route('172.25.0.128/25'),
    route('fd00:25::/64'),
    route('not a prefix'),
  ];
  const index = new RouteIndex(routes);
  const cases: [string, string | undefined][] = [
    ['172.25.0.10', '172.25.0.0/24'],
    ['172.25.0.200', '172.25.0.128/25'],
    ['172.25.9.1', '172.25.0.0/16'],
    ['172.26.0.1', undefined],
    ['fd00:25::1', 'fd00:25::/64'],
    ['fd00:26::1', undefined],
  ];
  for (const [address, prefix] of cases) assert.equal(index.longestMatch(ip(address))?.prefix, prefix, address);
  assert.equal(routeTableOf(routes, 'test').lookup(ip('172.25.0.10'))?.prefix, '172.25.0.0/24');
});

test('routeVerdict: announced, missing, conflict, stale; anycast through the allowed regions', () => {
  const nyc3 = path(64512);
  const sgp1 = path(64513, { peer: '10.0.0.2' });
  const outside = path(65000, { peer: '10.0.0.3' });
  const cases: {
    name: string;
    route: Route | undefined;
    allowed: string[] | undefined;
    state: RouteVerdict;
    wrong: number[];
  }[] = [
    { name: 'no route', route: undefined, allowed: ['nyc3'], state: 'missing', wrong: [] },
    { name: 'own region', route: route('172.25.0.0/24', nyc3), allowed: ['nyc3'], state: 'announced', wrong: [] },
    {
      name: 'iBGP path only',
      route: route('172.25.0.0/24', path(undefined)),
      allowed: ['nyc3'],
      state: 'announced',
      wrong: [],
    },
    {
      name: 'another region',
      route: route('172.25.0.0/24', nyc3, sgp1),
      allowed: ['nyc3'],
      state: 'conflict',
      wrong: [64513],
    },
    {
      name: 'anycast in both regions',
      route: route('172.30.0.0/24', nyc3, sgp1),
      allowed: ['nyc3', 'sgp1'],
      state: 'announced',
      wrong: [],
    },
    {
      name: 'anycast and an AS of no region',
      route: route('172.30.0.0/24', nyc3, sgp1, outside),
      allowed: ['nyc3', 'sgp1'],
      state: 'conflict',
      wrong: [65000],
    },
    {
      name: 'region unknown: only an AS of no region is wrong',
      route: route('172.30.0.0/24', sgp1, outside),
      allowed: undefined,
      state: 'conflict',
      wrong: [65000],
    },
    {
      name: 'every path stale',
      route: route('172.25.0.0/24', path(64512, { stale: true })),
      allowed: ['nyc3'],
      state: 'stale',
      wrong: [],
    },
  ];
  for (const c of cases) {
    const verdict = routeVerdict(config, c.route, c.allowed && new Set(c.allowed));
    assert.equal(verdict.state, c.state, c.name);
    assert.deepEqual(
      verdict.wrongPaths.map((p) => p.originAs),
      c.wrong,
      c.name,
    );
  }
  const noRegions = parseConfig('', 'empty.yaml').config;
  assert.ok(noRegions);
  assert.equal(
    routeVerdict(noRegions, route('172.25.0.0/24', outside), undefined).state,
    'announced',
    'without regions no origin is wrong',
  );
});

test('allowed regions: own only for a cluster IP; anycast partners and unread regions for an external IP', () => {
  const anycast = new AnycastRegions([
    { service: 'shop/web', region: 'nyc3', kind: 'external', key: '4:1' },
    { service: 'shop/web', region: 'sgp1', kind: 'external', key: '4:1' },
    { service: 'shop/other', region: 'fra1', kind: 'external', key: '4:1' },
    { service: 'shop/web', region: 'fra1', kind: 'cluster', key: '4:1' },
  ]);
  assert.deepEqual([...anycast.regions('shop/web', '4:1')], ['nyc3', 'sgp1']);
  assert.deepEqual(
    [...allowedRegions('nyc3', 'cluster', anycast.regions('shop/web', '4:1'), new Set(['fra1']))],
    ['nyc3'],
  );
  assert.deepEqual(
    [...allowedRegions('sgp1', 'external', anycast.regions('shop/web', '4:1'), new Set(['fra1']))],
    ['sgp1', 'nyc3', 'fra1'],
  );
  assert.deepEqual([...unreadRegions(config, ['nyc3-prod', 'sgp1-prod'])], ['sgp1']);
  assert.deepEqual([...unreadRegions(config, ['nyc3-prod', 'sgp1-prod', 'sgp1-dr'])], []);
});

test('findings name their subject: the Service, its region, and the field, index and value of an address', () => {
  const text = [
    'apiVersion: v1',
    'kind: Service',
    'metadata: {name: web, namespace: shop, labels: {region: nyc3}}',
    'spec: {clusterIP: 172.25.144.9, externalIPs: [172.30.0.5, nope]}',
    '---',
    'apiVersion: v1',
    'kind: Service',
    'metadata: {name: bare, namespace: shop}',
    '---',
    'kind: Service',
    'metadata: [',
    '',
  ].join('\n');
  const { findings } = checkManifests([readManifestFile({ path: 'svc.yaml', text })], config, {
    routes: routeTableOf([route('172.30.0.0/24', path(64513))], 'test'),
  });
  assert.deepEqual(
    findings.map((f) => `${f.rule} ${JSON.stringify(f.subject ?? null)}`),
    [
      'cluster-ip-outside-region {"service":"shop/web","region":"nyc3","field":"clusterIP","address":"172.25.144.9"}',
      'route-missing {"service":"shop/web","region":"nyc3","field":"clusterIP","address":"172.25.144.9"}',
      'route-origin-mismatch {"service":"shop/web","region":"nyc3","field":"externalIPs","index":0,"address":"172.30.0.5"}',
      'route-single-path {"service":"shop/web","region":"nyc3","field":"externalIPs","index":0,"address":"172.30.0.5"}',
      'invalid-ip {"service":"shop/web","region":"nyc3","field":"externalIPs","index":1,"address":"nope"}',
      'missing-region-label {"service":"shop/bare"}',
      'yaml-syntax null',
    ],
  );
});

test('IPv4 addresses read in one ip-num pass agree with its validator, odd spellings included', async () => {
  const { IPv4, Validator } = await import('ip-num');
  const viaIpNum = (text: string) =>
    Validator.isValidIPv4String(text)[0] ? { family: 4, value: IPv4.fromString(text).value } : undefined;
  const samples = ['0.0.0.0', '255.255.255.255', '10.0.0.1', '172.25.0.10', '192.168.1.255', '1.2.3.4'];
  const r = new Random(4);
  for (let i = 0; i < 2000; i++) samples.push([0, 0, 0, 0].map(() => r.int(256)).join('.'));
  samples.push('256.1.1.1', '01.2.3.4', '1.2.3', '1.2.3.4.5', '1.2.3.-1', ' 1.2.3.4', '1.2.3.4 ', '１.2.3.4', '1..3.4');
  for (const text of samples) {
    const read = parseIpAddress(text);
    assert.deepEqual(read && { family: read.family, value: read.value }, viaIpNum(text), text);
  }
});
