import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { matchSnapshot, repoRoot, tempDir, writeTree, type CliRun } from '@kube-routes/test/support';
import { normalizeTable, startLiveFabric, type LiveFabric } from './live-fabric';

// `kubectl routes` and its commands through kubectl's own plugin discovery, against three
// Kubernetes API test clusters and route state from real BIRD routers through a real
// kube-routes-speaker (see live-fabric.ts for what is planted where).

const snapshots = join(repoRoot, 'test/e2e/snapshots/kubectl-routes');
const snap = (name: string) => join(snapshots, name);

function ok(run: CliRun): void {
  assert.equal(run.code, 0, `exit ${run.code}\n${run.stderr}`);
  assert.doesNotMatch(run.stderr, /^\s+at .+:\d+:\d+\)?$/m, 'stack trace');
}

interface ItemJson {
  context: string;
  region: string;
  namespace: string;
  name: string;
  route: string;
  addresses: {
    ip: string;
    field: string;
    route: string;
    prefix?: string;
    paths?: { peer: string; originAs: number; communities: string[] }[];
    wrongOrigins?: string[];
  }[];
}

describe('kubectl routes: live views over three clusters and BIRD', () => {
  const dir = tempDir('kube-routes-live-');
  let fabric: LiveFabric;
  before(async () => {
    fabric = await startLiveFabric(dir, '127.0.9');
  });
  after(() => fabric.stop());

  test('every Service of every cluster, joined with the routes the speaker learned', async () => {
    const run = await fabric.routes(['-A', '--all-contexts']);
    ok(run);
    assert.equal(run.stderr, '');
    matchSnapshot(run.stdout, snap('services.txt'));
  });

  test('-o wide adds the context, next hops, AS paths, communities and the route age', async () => {
    const run = await fabric.routes(['-A', '--all-contexts', '-o', 'wide']);
    ok(run);
    assert.match(
      run.stdout,
      /^shop +web +nyc3 .* 10\.1\.0\.11,10\.2\.0\.11 +64512,64513 +64512:1:2,64512:100,64512:300,64513:300 +\d+s$/m,
    );
    matchSnapshot(normalizeTable(run.stdout, ['AGE']), snap('services-wide.txt'));
  });

  test('-o json: each address with its route, paths and verdict', async () => {
    const run = await fabric.routes(['-A', '--all-contexts', '-o', 'json']);
    ok(run);
    const list = JSON.parse(run.stdout) as { apiVersion: string; kind: string; items: ItemJson[]; errors: string[] };
    assert.deepEqual([list.apiVersion, list.kind, list.errors], ['kube-routes/v1', 'ServiceRouteList', []]);
    assert.deepEqual(
      list.items.map((i) => `${i.context} ${i.namespace}/${i.name} ${i.route}`),
      [
        'fra1-prod billing/invoices missing',
        'nyc3-prod kube-routes/speaker announced',
        'fra1-prod payments/api announced',
        'nyc3-prod payments/ledger conflict',
        'nyc3-prod shop/cart missing',
        'nyc3-prod shop/web announced',
        'sgp1-prod shop/web announced',
      ],
    );
    const ledger = list.items.find((i) => i.name === 'ledger');
    assert.deepEqual(
      ledger?.addresses.map((a) => [a.ip, a.prefix, a.wrongOrigins]),
      [['172.25.0.20', '172.25.0.20/32', ['AS64513 (region sgp1)']]],
    );
    const web = list.items.find((i) => i.name === 'web' && i.region === 'sgp1');
    assert.deepEqual(
      web?.addresses.map((a) => [a.field, a.ip, a.route, a.paths?.map((p) => p.originAs).sort()]),
      [
        ['clusterIP', '172.25.144.2', 'announced', [64513]],
        ['loadBalancerIP', '172.30.0.10', 'announced', [64512, 64513]],
      ],
    );
    // fra1 announces only an aggregate covering its whole range: found by the covering lookup.
    assert.equal(list.items.find((i) => i.name === 'api')?.addresses[0]?.prefix, '172.25.32.0/19');
  });

  test('-o yaml and -o name', async () => {
    const yaml = await fabric.routes(['-A', '--context', 'fra1-prod', '-o', 'yaml']);
    ok(yaml);
    assert.match(yaml.stdout, /^kind: ServiceRouteList$/m);
    assert.match(
      yaml.stdout,
      /^ {2}- context: fra1-prod\n {4}region: fra1\n {4}namespace: billing\n {4}name: invoices$/m,
    );
    const name = await fabric.routes(['-A', '--all-contexts', '-o', 'name']);
    ok(name);
    assert.equal(
      name.stdout,
      [
        'service/invoices',
        'service/speaker',
        'service/api',
        'service/ledger',
        'service/cart',
        'service/web',
        'service/web',
        '',
      ].join('\n'),
    );
  });

  test('the current context and its namespace by default; -n, -l, names, --context twice, --no-headers', async () => {
    const empty = await fabric.routes([]);
    ok(empty);
    assert.equal(empty.stdout, '');
    assert.equal(empty.stderr, 'No Services found in namespace default of context nyc3-prod.\n');
    const shop = await fabric.routes(['-n', 'shop']);
    ok(shop);
    assert.deepEqual(
      shop.stdout
        .split('\n')
        .slice(1, -1)
        .map((l) => l.split(/\s+/).slice(0, 3).join(' ')),
      ['shop cart nyc3', 'shop web nyc3'],
    );
    const byLabel = await fabric.routes([
      '-n',
      'shop',
      '-l',
      'app=web',
      '--context',
      'nyc3-prod',
      '--context',
      'sgp1-prod',
      '--no-headers',
    ]);
    ok(byLabel);
    assert.match(
      byLabel.stdout,
      /^shop +web +nyc3 +172\.25\.0\.10 +172\.30\.0\.10 +announced +1,2 +64512,64513\nshop +web +sgp1 +172\.25\.144\.2 +172\.30\.0\.10 +announced +1,2 +64512,64513\n$/,
    );
    const typo = await fabric.routes(['chek']);
    assert.equal(typo.code, 2);
    assert.match(
      typo.stderr,
      /^error: service "chek" not found in the context's namespace of context nyc3-prod \(did you mean "kubectl routes check"\?\)$/m,
    );
    const inNamespace = await fabric.routes(['nope', '-n', 'shop']);
    assert.match(inNamespace.stderr, /^error: service "nope" not found in namespace "shop" of context nyc3-prod$/m);
    const named = await fabric.routes(['ledger', 'invoices', '-A', '--all-contexts', '-o', 'name']);
    ok(named);
    assert.equal(named.stdout, 'service/invoices\nservice/ledger\n');
  });

  test('a single context still honours anycast: an external IP announced from an unread region is not a conflict', async () => {
    const run = await fabric.routes(['-n', 'shop', 'web']);
    ok(run);
    assert.match(run.stdout, /^shop +web +nyc3 +172\.25\.0\.10 +172\.30\.0\.10 +announced /m);
  });

  test('route state through the Kubernetes API service proxy: --speaker k8s://NAMESPACE/SERVICE:PORT', async () => {
    const nyc3 = fabric.fleet.cluster('nyc3-prod');
    const before = nyc3.requests.length;
    const run = await fabric.routes(['-A', '--all-contexts', '--speaker', 'k8s://kube-routes/speaker:8179']);
    ok(run);
    matchSnapshot(run.stdout, snap('services.txt'));
    assert.ok(
      nyc3.requests
        .slice(before)
        .some(
          (r) =>
            r.path.startsWith('/api/v1/namespaces/kube-routes/services/speaker:8179/proxy/v1/routes?within=') &&
            r.status === 200,
        ),
    );
  });

  test('route state from a recorded MRT table: --bgp FILE.mrt', async () => {
    const mrt = join(repoRoot, 'examples/fabric.mrt');
    const run = await fabric.routes(['-A', '--all-contexts', '--bgp', mrt]);
    ok(run);
    // examples/fabric.mrt was recorded from other routers: 172.25.0.20 comes from nyc3 and, planted, fra1.
    assert.match(run.stdout, /^payments +ledger +nyc3 +172\.25\.0\.20 +<none> +conflict +2 +64512,64514$/m);
    const lookup = await fabric.routes(['lookup', '172.25.0.20', '--bgp', mrt, '-o', 'json']);
    ok(lookup);
    assert.equal((JSON.parse(lookup.stdout) as { source: string }).source, `MRT ${mrt}`);
    const peers = await fabric.routes(['peers', '--bgp', mrt]);
    assert.equal(peers.code, 2);
    assert.equal(
      peers.stderr,
      `error: --bgp ${mrt} is a recorded table, it has no BGP sessions; peers shows a speaker's sessions: pass --speaker URL\n`,
    );
  });

  test("peers: the speaker's BGP sessions with the region of each ASN", async () => {
    const run = await fabric.routes(['peers']);
    ok(run);
    matchSnapshot(normalizeTable(run.stdout, ['UPTIME']), snap('peers.txt'));
    const json = await fabric.routes(['peers', '-o', 'json']);
    ok(json);
    const peers = JSON.parse(json.stdout) as {
      kind: string;
      items: { address: string; asn: number; region: string; state: string; received: Record<string, number> }[];
    };
    assert.equal(peers.kind, 'PeerList');
    assert.deepEqual(
      peers.items.map((p) => [p.address, p.asn, p.region, p.state, p.received['ipv4-unicast']]),
      [
        ['127.0.9.2', 64512, 'nyc3', 'Established', 3],
        ['127.0.9.3', 64513, 'sgp1', 'Established', 3],
        ['127.0.9.4', 64514, 'fra1', 'Established', 1],
      ],
    );
  });

  test('lookup IP: the longest match, every path, and the Services owning the address', async () => {
    const run = await fabric.routes(['lookup', '172.25.0.20']);
    ok(run);
    matchSnapshot(normalizeTable(run.stdout, ['AGE']), snap('lookup-ip.txt'));
    const anycast = await fabric.routes(['lookup', '172.30.0.10', '-o', 'json']);
    ok(anycast);
    const result = JSON.parse(anycast.stdout) as {
      route: string;
      prefix: string;
      paths: { originAs: number }[];
      services: { context: string; field: string }[];
    };
    assert.deepEqual(
      [result.route, result.prefix, result.paths.map((p) => p.originAs).sort()],
      ['announced', '172.30.0.10/32', [64512, 64513]],
    );
    assert.deepEqual(
      result.services.map((s) => `${s.context} ${s.field}`),
      ['nyc3-prod externalIP', 'sgp1-prod loadBalancerIP'],
    );
  });

  test('lookup PREFIX: the route of exactly that prefix, and every Service with an address in it', async () => {
    const run = await fabric.routes(['lookup', '172.25.0.0/24', '-o', 'wide']);
    ok(run);
    assert.match(run.stdout, /^172\.25\.0\.0\/24 +announced +172\.25\.0\.0\/24 +1$/m);
    assert.match(
      run.stdout,
      /^PEER +NEXT-HOP +AS-PATH +ORIGIN-AS +REGION +COMMUNITIES +STALE +AGE +PATH-ID +ORIGIN +MED +LOCAL-PREF +EXT-COMMUNITIES$/m,
    );
    assert.deepEqual(
      [...run.stdout.matchAll(/^nyc3-prod +nyc3 +(\S+) +(\S+) +clusterIP/gm)].map((m) => `${m[1]}/${m[2]}`),
      ['kube-routes/speaker', 'payments/ledger', 'shop/web'],
    );
    const missing = await fabric.routes(['lookup', '172.25.1.5']);
    ok(missing);
    assert.match(missing.stdout, /^172\.25\.1\.5 +missing +<none> +0$/m);
  });

  test('conflicts: every planted conflict across the clusters, exit 1', async () => {
    const run = await fabric.routes(['conflicts']);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.stderr, '');
    matchSnapshot(run.stdout, snap('conflicts.txt'));
    const json = await fabric.routes(['conflicts', '-o', 'json']);
    assert.equal(json.code, 1);
    const list = JSON.parse(json.stdout) as {
      kind: string;
      contexts: string[];
      items: { kind: string; address: string; services: string[] }[];
    };
    assert.deepEqual(list.contexts, ['nyc3-prod', 'sgp1-prod', 'fra1-prod']);
    assert.deepEqual(
      list.items.map((c) => `${c.kind} ${c.address} ${c.services.join(',')}`),
      [
        'duplicate-cluster-ip 172.25.1.5 fra1-prod/billing/invoices,nyc3-prod/shop/cart',
        'service-cidr-outside-region 172.25.1.0/24 ',
        'unowned-route 172.25.7.0/24 ',
        'wrong-origin 172.25.0.20 nyc3-prod/payments/ledger',
      ],
    );
  });

  test('conflicts of one cluster only: routes of regions not read are not called unowned', async () => {
    const run = await fabric.routes(['conflicts', '--context', 'fra1-prod']);
    assert.equal(run.code, 1, run.stderr);
    assert.deepEqual(
      run.stdout
        .split('\n')
        .slice(1, -1)
        .map((l) => l.split(/\s+/)[0]),
      ['service-cidr-outside-region'],
    );
  });

  test('check --live: a cluster IP already allocated in a live cluster, naming the context and Service', async () => {
    writeTree(dir, {
      'deploy/new.yaml':
        'apiVersion: v1\nkind: Service\nmetadata: {name: new, namespace: shop, labels: {region: nyc3}}\nspec: {clusterIP: 172.25.0.20}\n',
      'deploy/ledger.yaml':
        'apiVersion: v1\nkind: Service\nmetadata: {name: ledger, namespace: payments, labels: {region: nyc3}}\nspec: {clusterIP: 172.25.0.20}\n',
    });
    const run = await fabric.routes(['check', '--live', 'deploy/new.yaml']);
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stdout,
      /^deploy\/new\.yaml:4:19: error cluster-ip-allocated: cluster IP 172\.25\.0\.20 is already allocated to Service payments\/ledger in context nyc3-prod \(region nyc3\): applying this manifest there fails \("provided IP is already allocated"\)\. Pick a free address in region nyc3's clusterIP range \(172\.25\.0\.0\/20\)\.$/m,
    );
    // The config names a speaker: the BGP rules ran too.
    assert.match(run.stdout, /^deploy\/new\.yaml:4:19: error route-origin-mismatch: .*AS64513 \(region sgp1\)/m);
    const own = await fabric.routes(['check', '--live', '--context', 'nyc3-prod', 'deploy/ledger.yaml']);
    assert.doesNotMatch(own.stdout, /cluster-ip-allocated/, "the Service's own manifest is not a conflict");
    const without = await fabric.routes(['check', 'deploy/new.yaml']);
    assert.equal(without.code, 0, 'without --live the live rule does not run');
  });

  test('-h for every command, kubectl style', async () => {
    for (const [args, usage] of [
      [['-h'], 'kubectl routes [SERVICE...] [flags] | kubectl routes [command] [flags]'],
      [['peers', '-h'], 'kubectl routes peers [flags]'],
      [['lookup', '--help'], 'kubectl routes lookup IP|PREFIX [flags]'],
      [['conflicts', '-h'], 'kubectl routes conflicts [flags]'],
      [['check', '-h'], 'kubectl routes check [flags] PATH... | -'],
    ] as const) {
      const run = await fabric.routes([...args]);
      ok(run);
      assert.match(run.stdout, /^Examples:\n {2}# /m, args.join(' '));
      assert.ok(run.stdout.includes(`Usage:\n  ${usage}\n`), `${args.join(' ')}:\n${run.stdout}`);
    }
    const root = await fabric.routes(['-h']);
    for (const flag of [
      '-n, --namespace=',
      '-A, --all-namespaces=false',
      '-l, --selector=',
      '--context=[]',
      '--all-contexts=false',
      '--kubeconfig=',
      '-o, --output=',
      '--no-headers=',
      '-w, --watch=false',
      '--speaker=',
      '--bgp=',
    ]) {
      assert.ok(root.stdout.includes(`    ${flag}`), `root help lacks ${flag}`);
    }
  });

  test('colour only on a terminal or with FORCE_COLOR: the ROUTE column', async () => {
    const plain = await fabric.routes(['-A', '--all-contexts']);
    assert.doesNotMatch(plain.stdout, /\u001b\[/);
    const coloured = await fabric.routes(['-A', '--all-contexts'], { env: { FORCE_COLOR: '1' } });
    assert.match(coloured.stdout, /\u001b\[1;31mconflict\u001b\[0m/);
    assert.match(coloured.stdout, /\u001b\[32mannounced\u001b\[0m/);
    // Alignment counts the text, not the escape codes.
    assert.equal(coloured.stdout.replace(/\u001b\[[\d;]*m/g, ''), plain.stdout);
  });
});
