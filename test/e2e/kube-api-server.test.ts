import assert from 'node:assert/strict';
import { request } from 'node:https';
import { createServer as createHttpServer } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { runCliAsync, startCli, startFleet, tempDir, type Fleet, type KubeObject } from '@kube-routes/test/support';

// The Kubernetes API test server is only worth its tests if real clients cannot tell it from a
// real API server: here the real kubectl (v1.32) discovers, lists, pages, watches, proxies and is
// refused by it, over TLS verified through certificate-authority-data, with three clusters as
// contexts of one kubeconfig. One cluster's certificates come from the Node fallback generator.

interface ListJson {
  kind: string;
  items: KubeObject[];
}

describe('Kubernetes API test server, seen by the real kubectl', () => {
  // Made here, not in before(): tempDir's cleanup belongs to the context that calls it.
  const dir = tempDir();
  let fleet: Fleet;
  let kubectl: (args: readonly string[]) => ReturnType<typeof runCliAsync>;

  before(async () => {
    fleet = await startFleet(dir, [
      {
        context: 'nyc3-prod',
        serviceCidr: '172.25.0.0/20',
        users: { 'expired-token': { name: 'carol' } },
        tlsGenerator: 'openssl',
      },
      {
        context: 'sgp1-prod',
        serviceCidr: '172.25.144.0/20',
        tlsGenerator: 'node',
        users: {
          'shop-only': {
            name: 'bob',
            rules: [{ verbs: ['get', 'list', 'watch'], resources: ['services'], namespaces: ['shop'] }],
          },
        },
      },
      { context: 'fra1-prod', serviceCidr: '172.25.32.0/20' },
    ]);
    kubectl = (args) => runCliAsync('kubectl', args, { env: fleet.env });
    const nyc3 = fleet.cluster('nyc3-prod');
    nyc3.addService({
      name: 'web',
      namespace: 'shop',
      labels: { region: 'nyc3', app: 'web' },
      clusterIP: '172.25.0.10',
      externalIPs: ['172.30.0.10'],
      selector: { app: 'web' },
    });
    nyc3.addService({ name: 'ledger', namespace: 'payments', labels: { region: 'nyc3' }, clusterIP: '172.25.0.20' });
    fleet.cluster('sgp1-prod').addService({
      name: 'web',
      namespace: 'shop',
      labels: { region: 'sgp1', app: 'web' },
      type: 'LoadBalancer',
      loadBalancerIngress: ['172.30.0.10'],
    });
    fleet.cluster('fra1-prod').addService({
      name: 'api',
      namespace: 'payments',
      labels: { region: 'fra1' },
      clusterIP: '172.25.32.7',
      ports: [{ port: 443, name: 'https' }],
    });
  });
  after(() => fleet.stop());

  test('kubectl get svc -A -o json lists every Service of each context, as v1 Services', async () => {
    const expected: Record<string, string[]> = {
      'nyc3-prod': ['payments/ledger 172.25.0.20', 'shop/web 172.25.0.10'],
      'sgp1-prod': ['shop/web 172.25.144.2'],
      'fra1-prod': ['payments/api 172.25.32.7'],
    };
    for (const [context, services] of Object.entries(expected)) {
      const run = await kubectl(['--context', context, 'get', 'svc', '-A', '-o', 'json']);
      assert.equal(run.code, 0, run.stderr);
      const list = JSON.parse(run.stdout) as ListJson;
      assert.equal(list.kind, 'List');
      assert.ok(list.items.every((s) => s.kind === 'Service' && s.apiVersion === 'v1'));
      const spec = (s: KubeObject) => s.spec as { clusterIP: string };
      assert.deepEqual(
        list.items.map((s) => `${s.metadata.namespace}/${s.metadata.name} ${spec(s).clusterIP}`),
        services,
        context,
      );
    }
  });

  test('the table kubectl prints comes from server-side Table output', async () => {
    const run = await kubectl(['--context', 'sgp1-prod', 'get', 'svc', '-A', '-o', 'wide']);
    assert.equal(run.code, 0, run.stderr);
    const [header, row] = run.stdout.trimEnd().split('\n');
    assert.match(header ?? '', /^NAMESPACE\s+NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\s+SELECTOR$/);
    assert.match(
      row ?? '',
      /^shop\s+web\s+LoadBalancer\s+172\.25\.144\.2\s+172\.30\.0\.10\s+80:\d+\/TCP\s+\d+s\s+<none>$/,
    );
  });

  test('label selectors, field selectors and -o name', async () => {
    const byLabel = await kubectl(['--context', 'nyc3-prod', 'get', 'svc', '-A', '-l', 'app=web', '-o', 'name']);
    assert.equal(byLabel.stdout, 'service/web\n', byLabel.stderr);
    const setBased = await kubectl([
      '--context',
      'nyc3-prod',
      'get',
      'svc',
      '-A',
      '-l',
      'region in (nyc3),!app',
      '-o',
      'name',
    ]);
    assert.equal(setBased.stdout, 'service/ledger\n', setBased.stderr);
    const byField = await kubectl([
      '--context',
      'nyc3-prod',
      'get',
      'svc',
      '-A',
      '--field-selector',
      'metadata.namespace=payments',
      '-o',
      'name',
    ]);
    assert.equal(byField.stdout, 'service/ledger\n', byField.stderr);
    const badField = await kubectl(['--context', 'nyc3-prod', 'get', 'svc', '-A', '--field-selector', 'spec.nope=1']);
    assert.equal(badField.code, 1);
    assert.match(badField.stderr, /BadRequest|is not a known field selector/);
  });

  test('kubectl pages through a long list with limit and continue', async () => {
    const fra1 = fleet.cluster('fra1-prod');
    for (let i = 0; i < 1203; i++) fra1.addService({ name: `bulk-${String(i).padStart(4, '0')}`, namespace: 'bulk' });
    const before = fra1.requests.length;
    const run = await kubectl(['--context', 'fra1-prod', 'get', 'svc', '-n', 'bulk', '-o', 'json']);
    assert.equal(run.code, 0, run.stderr);
    const list = JSON.parse(run.stdout) as ListJson;
    assert.equal(list.items.length, 1203);
    assert.equal(
      new Set(list.items.map((s) => (s.spec as { clusterIP: string }).clusterIP)).size,
      1203,
      'allocated cluster IPs are unique',
    );
    const pages = fra1.requests.slice(before).filter((r) => r.path.startsWith('/api/v1/namespaces/bulk/services'));
    assert.equal(pages.length, 3, pages.map((p) => p.path).join('\n'));
    assert.ok(pages.slice(1).every((p) => p.path.includes('continue=')));
  });

  test('kubectl get svc -w prints a Service created, changed and deleted after the watch started', async () => {
    const nyc3 = fleet.cluster('nyc3-prod');
    const watch = startCli('kubectl', ['--context', 'nyc3-prod', 'get', 'svc', '-n', 'shop', '-w'], { env: fleet.env });
    await watch.waitForOutput(/^web\s+ClusterIP\s+172\.25\.0\.10\s/m);
    const mark = watch.stdout.length;
    nyc3.addService({ name: 'cart', namespace: 'shop', clusterIP: '172.25.0.30' });
    await watch.waitForOutput(/^cart\s+ClusterIP\s+172\.25\.0\.30\s+<none>\s+80\/TCP\s/m, mark);
    nyc3.addService({ name: 'cart', namespace: 'shop', clusterIP: '172.25.0.30', externalIPs: ['172.30.0.30'] });
    await watch.waitForOutput(/^cart\s+ClusterIP\s+172\.25\.0\.30\s+172\.30\.0\.30\s/m, mark);
    nyc3.addService({ name: 'elsewhere', namespace: 'other', clusterIP: '172.25.0.31' });
    nyc3.deleteService('shop', 'cart');
    // kubectl prints the deleted Service's last state as a third row.
    await watch.waitForOutput(/(^cart\s[^\n]*\n[\s\S]*){3}/m, mark);
    await watch.stop();
    assert.doesNotMatch(watch.stdout, /elsewhere/, 'a watch of namespace shop shows nothing of namespace other');
    const watches = nyc3.requests.filter((r) => r.path.includes('watch=true'));
    assert.ok(
      watches.some((r) => /resourceVersion=\d+/.test(r.path)),
      'kubectl watched from the resourceVersion of its list',
    );
  });

  test('ServiceCIDRs and IPAddresses record the allocations', async () => {
    const cidrs = await kubectl(['--context', 'nyc3-prod', 'get', 'servicecidrs', '-o', 'json']);
    assert.deepEqual(
      (JSON.parse(cidrs.stdout) as ListJson).items.map((c) => (c.spec as { cidrs: string[] }).cidrs),
      [['172.25.0.0/20']],
      cidrs.stderr,
    );
    const ips = await kubectl([
      '--context',
      'nyc3-prod',
      'get',
      'ipaddresses.networking.k8s.io',
      '172.25.0.20',
      '-o',
      'json',
    ]);
    assert.equal(ips.code, 0, ips.stderr);
    assert.deepEqual((JSON.parse(ips.stdout) as KubeObject).spec, {
      parentRef: { group: '', resource: 'services', namespace: 'payments', name: 'ledger' },
    });
  });

  test("the service proxy forwards to the Service's endpoint", async () => {
    const backend = createHttpServer((req, res) => res.end(JSON.stringify({ path: req.url })));
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
    after(() => new Promise<void>((r) => backend.close(() => r())));
    const port = (backend.address() as { port: number }).port;
    fleet.cluster('fra1-prod').setServiceProxy('payments', 'api', 'https', `http://127.0.0.1:${port}`);
    const run = await kubectl([
      '--context',
      'fra1-prod',
      'get',
      '--raw',
      '/api/v1/namespaces/payments/services/api:https/proxy/v1/peers?x=1',
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), { path: '/v1/peers?x=1' });
    const missing = await kubectl([
      '--context',
      'fra1-prod',
      'get',
      '--raw',
      '/api/v1/namespaces/payments/services/nope:80/proxy/',
    ]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /services "nope" not found/);
  });

  test('an unknown token is 401: kubectl asks to log in', async () => {
    // (kubectl words it after the Status body, or after the 401 itself when discovery fails first)
    fleet.cluster('nyc3-prod').setUser('expired-token', undefined);
    const run = await runCliAsync(
      'kubectl',
      ['--token', 'expired-token', '--context', 'nyc3-prod', 'get', 'svc', '-A'],
      { env: fleet.env },
    );
    assert.equal(run.code, 1);
    assert.match(
      run.stderr,
      /^error: You must be logged in to the server \((Unauthorized|the server has asked for the client to provide credentials)\)$/m,
    );
  });

  test('RBAC: a user limited to one namespace is forbidden cluster-wide', async () => {
    const env = { ...fleet.env };
    const all = await runCliAsync('kubectl', ['--token', 'shop-only', '--context', 'sgp1-prod', 'get', 'svc', '-A'], {
      env,
    });
    assert.equal(all.code, 1);
    assert.match(
      all.stderr,
      /Error from server \(Forbidden\): services is forbidden: User "bob" cannot list resource "services" in API group "" at the cluster scope/,
    );
    const shop = await runCliAsync(
      'kubectl',
      ['--token', 'shop-only', '--context', 'sgp1-prod', 'get', 'svc', '-n', 'shop', '-o', 'name'],
      { env },
    );
    assert.equal(shop.stdout, 'service/web\n', shop.stderr);
  });

  test("TLS is verified: kubectl refuses a server whose CA is not the kubeconfig's", async () => {
    const dir = tempDir();
    const other = await startFleet(dir, [{ context: 'impostor', serviceCidr: '10.0.0.0/24' }]);
    after(() => other.stop());
    // The kubeconfig of the fleet, but pointing nyc3-prod's name at the impostor's address.
    const run = await kubectl(['--context', 'nyc3-prod', '--server', other.cluster('impostor').url, 'get', 'svc']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /certificate signed by unknown authority/);
  });

  test('a watch from a compacted resourceVersion ends with a 410 Expired event', async () => {
    const nyc3 = fleet.cluster('nyc3-prod');
    nyc3.store.compact();
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(
        `${nyc3.url}/api/v1/services?watch=1&resourceVersion=1`,
        { ca: nyc3.tls.caCert, headers: { authorization: 'Bearer test-token' } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
      req.end();
    });
    const event = JSON.parse(body.trim()) as { type: string; object: { code: number; reason: string } };
    assert.deepEqual([event.type, event.object.code, event.object.reason], ['ERROR', 410, 'Expired']);
  });
});
