import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { MessageType, type Diagnostic, type MarkupContent } from 'vscode-languageserver-protocol';
import {
  positionOf,
  serviceYaml,
  startFleet,
  startWorkspace,
  tempDir,
  waitFor,
  type Fleet,
  type FleetClusterSpec,
  type KubeApiServer,
  type LspClient,
} from '@kube-routes/test/support';

// Live clusters in the editor: the Services of the kube contexts of kube-routes.yaml (or the
// kubeRoutes.contexts setting), read from Kubernetes API test servers speaking the real REST
// API, listed once and kept current with watches, for cluster-ip-allocated, hovers and the
// free-address code action; and what an unreachable context or bad credentials do.

const config = `regions:
  nyc3:
    asns: [64512]
    clusterIPRanges: [172.25.0.0/20]
    contexts: [nyc3-prod]
  sgp1:
    asns: [64513]
    clusterIPRanges: [172.25.144.0/20]
    contexts: [sgp1-prod]
`;

const rules = (diagnostics: readonly Diagnostic[]) => diagnostics.map((d) => d.code);
const has = (rule: string) => (d: readonly Diagnostic[]) => rules(d).includes(rule);
const lacks = (rule: string) => (d: readonly Diagnostic[]) => !rules(d).includes(rule);

async function fleetOf(contexts: readonly FleetClusterSpec[]): Promise<Fleet> {
  const fleet = await startFleet(tempDir('kube-routes-lsp-fleet-'), contexts);
  after(() => fleet.stop());
  return fleet;
}

/** The diagnostics of the document's current version, once published. */
function currentDiagnostics(client: LspClient, file: string, version: number): Promise<Diagnostic[]> {
  return client.waitFor(`diagnostics of version ${version} of ${file}`, () => {
    const p = client.diagnostics.get(client.uri(file));
    return p?.version === version ? p.diagnostics : undefined;
  });
}

const checkout = serviceYaml({ name: 'checkout', region: 'nyc3', clusterIP: '172.25.0.20' });
const cart = serviceYaml({ name: 'cart', region: 'nyc3', clusterIP: '172.25.0.30' });

const servicesWatched = (cluster: KubeApiServer) =>
  cluster.requests.some((r) => r.path.startsWith('/api/v1/services?') && r.path.includes('watch=1'));

describe('language server: live clusters through kube contexts', () => {
  test('cluster-ip-allocated names the context and the Service; watched changes re-check without reopening', async () => {
    const fleet = await fleetOf([
      { context: 'nyc3-prod', serviceCidr: '172.25.0.0/20' },
      { context: 'sgp1-prod', serviceCidr: '172.25.144.0/20' },
    ]);
    const nyc3 = fleet.cluster('nyc3-prod');
    nyc3.addService({ name: 'ledger', namespace: 'payments', labels: { region: 'nyc3' }, clusterIP: '172.25.0.20' });
    // The Service's own deployment holds its address too: that is no conflict.
    nyc3.addService({ name: 'cart', namespace: 'shop', labels: { region: 'nyc3' }, clusterIP: '172.25.0.30' });
    const client = await startWorkspace(
      { 'kube-routes.yaml': config, 'nyc3/checkout.yaml': checkout, 'nyc3/cart.yaml': cart },
      { settings: { kubeconfig: fleet.kubeconfig, repositorySources: 'allow' } },
    );
    await client.open('nyc3/checkout.yaml', checkout);
    await client.open('nyc3/cart.yaml', cart);

    const d = await client.waitForDiagnostics('nyc3/checkout.yaml', has('cluster-ip-allocated'));
    assert.deepEqual(rules(d), ['cluster-ip-allocated']);
    const finding = d[0] as Diagnostic;
    assert.deepEqual(finding.range.start, positionOf(checkout, '172.25.0.20'));
    assert.equal(finding.severity, 1);
    assert.equal(finding.source, 'kube-routes');
    // The same message as `kubectl routes check --live`.
    assert.equal(
      finding.message,
      'cluster IP 172.25.0.20 is already allocated to Service payments/ledger in context nyc3-prod (region nyc3): applying this manifest there fails ("provided IP is already allocated"). Pick a free address in region nyc3\'s clusterIP range (172.25.0.0/20).',
    );
    assert.deepEqual(rules(await client.waitForDiagnostics('nyc3/cart.yaml', () => true)), []);

    // A Service created in a cluster after start arrives through the watch: the open document is re-checked.
    await waitFor('the watch of sgp1-prod', () => (servicesWatched(fleet.cluster('sgp1-prod')) ? true : undefined));
    fleet.cluster('sgp1-prod').addService({ name: 'orders', namespace: 'billing', clusterIP: '172.25.0.30' });
    const added = await client.waitForDiagnostics('nyc3/cart.yaml', has('cluster-ip-allocated'), 'the watched Service');
    assert.match(
      added[0]?.message ?? '',
      /^cluster IP 172\.25\.0\.30 is already allocated to Service billing\/orders in context sgp1-prod \(region sgp1\): deployed too, the address would be announced from two clusters\./,
    );
    // Through the watch, not by listing again.
    const sgp1 = fleet.cluster('sgp1-prod');
    const lists = () =>
      sgp1.requests.filter((r) => r.path.startsWith('/api/v1/services?') && !r.path.includes('watch='));
    assert.equal(lists().length, 1, 'Services were listed once');

    // Deleting it clears the finding.
    sgp1.deleteService('billing', 'orders');
    await client.waitForDiagnostics('nyc3/cart.yaml', lacks('cluster-ip-allocated'), 'the deletion');

    // A watch resumed from a version compacted away meanwhile (410 Gone): listed again.
    sgp1.endWatches();
    sgp1.addService({ name: 'orders', namespace: 'billing', clusterIP: '172.25.0.30' });
    sgp1.store.compact();
    await client.waitForDiagnostics(
      'nyc3/cart.yaml',
      has('cluster-ip-allocated'),
      'the Service found by listing again',
    );
    assert.equal(lists().length, 2, 'listed again after 410 Gone');
    sgp1.deleteService('billing', 'orders');
    await client.waitForDiagnostics('nyc3/cart.yaml', lacks('cluster-ip-allocated'), 'the deletion after the new list');
    assert.deepEqual(rules(client.diagnostics.get(client.uri('nyc3/checkout.yaml'))?.diagnostics ?? []), [
      'cluster-ip-allocated',
    ]);
    assert.deepEqual(client.messages, []);
  });

  test('hover lists the live owners; the free-IP action skips addresses allocated in any live cluster', async () => {
    const fleet = await fleetOf([
      { context: 'nyc3-prod', serviceCidr: '172.25.0.0/20' },
      { context: 'sgp1-prod', serviceCidr: '172.25.144.0/20' },
    ]);
    fleet.cluster('nyc3-prod').addService({ name: 'ledger', namespace: 'payments', clusterIP: '172.25.0.20' });
    fleet.cluster('nyc3-prod').addService({ name: 'speaker', namespace: 'kube-routes', clusterIP: '172.25.0.2' });
    // Another cluster holding an address of nyc3's range counts too.
    fleet.cluster('sgp1-prod').addService({ name: 'mirror', namespace: 'shop', clusterIP: '172.25.0.3' });
    const used = serviceYaml({ name: 'web', region: 'nyc3', clusterIP: '172.25.0.4' });
    const client = await startWorkspace(
      { 'kube-routes.yaml': config, 'nyc3/checkout.yaml': checkout, 'nyc3/web.yaml': used },
      { settings: { kubeconfig: fleet.kubeconfig, repositorySources: 'allow' } },
    );
    await client.open('nyc3/checkout.yaml', checkout);
    const d = await client.waitForDiagnostics('nyc3/checkout.yaml', has('cluster-ip-allocated'));

    const hover = await client.hover('nyc3/checkout.yaml', positionOf(checkout, '172.25.0.20'));
    const markdown = (hover!.contents as MarkupContent).value;
    assert.match(
      markdown,
      /Allocated in live clusters \(`nyc3-prod` as of \S+; `sgp1-prod` as of \S+\):\n\n\| context \| region \| Service \|\n\|---\|---\|---\|\n\| nyc3-prod \| nyc3 \| payments\/ledger \|$/,
    );
    await client.open('nyc3/web.yaml', used);
    const notAllocated = await client.hover('nyc3/web.yaml', positionOf(used, '172.25.0.4'));
    assert.match(
      (notAllocated!.contents as MarkupContent).value,
      /Live clusters: not allocated \(`nyc3-prod` as of \S+; `sgp1-prod` as of \S+\)\.$/,
    );

    const diagnostic = d[0] as Diagnostic;
    const actions = await client.codeActions('nyc3/checkout.yaml', diagnostic.range, [diagnostic]);
    // .2 (nyc3-prod) and .3 (sgp1-prod) are live, .4 is used in the workspace.
    assert.deepEqual(
      actions.map((a) => a.title),
      ['Assign a free cluster IP in nyc3: 172.25.0.5', 'Disable cluster-ip-allocated for this line'],
    );
    const edits = actions[0]?.edit?.changes?.[client.uri('nyc3/checkout.yaml')] ?? [];
    const fixed = await client.applyEdits('nyc3/checkout.yaml', edits);
    assert.match(fixed, /clusterIP: 172\.25\.0\.5\n/);
    await client.waitForDiagnostics('nyc3/checkout.yaml', (x) => x.length === 0, 'the fixed document');
  });

  test('an unreachable context and bad credentials: one message each, no crash, the other contexts still checked', async () => {
    const fleet = await fleetOf([
      { context: 'nyc3-prod', serviceCidr: '172.25.0.0/20' },
      { context: 'sgp1-prod', serviceCidr: '172.25.144.0/20', token: 'expired-token' },
      { context: 'lab-gone', serviceCidr: '10.96.0.0/12' },
    ]);
    fleet.cluster('nyc3-prod').addService({ name: 'ledger', namespace: 'payments', clusterIP: '172.25.0.20' });
    fleet.cluster('sgp1-prod').addService({ name: 'orders', namespace: 'billing', clusterIP: '172.25.0.30' });
    await fleet.cluster('lab-gone').stop();
    // The setting chooses the contexts instead of the config's.
    const client = await startWorkspace(
      { 'kube-routes.yaml': config, 'nyc3/checkout.yaml': checkout, 'nyc3/cart.yaml': cart },
      {
        settings: {
          kubeconfig: fleet.kubeconfig,
          contexts: ['nyc3-prod', 'sgp1-prod', 'lab-gone'],
          routeRefreshSeconds: 0.1,
        },
      },
    );
    await client.open('nyc3/checkout.yaml', checkout);
    await client.open('nyc3/cart.yaml', cart);
    await client.waitForDiagnostics('nyc3/checkout.yaml', has('cluster-ip-allocated'));

    const warnings = () =>
      client.messages
        .filter((m) => m.type === MessageType.Warning)
        .map((m) => m.message)
        .sort();
    await client.waitFor('a warning per failing context', () => (warnings().length >= 2 ? true : undefined));
    const [gone, expired] = warnings();
    assert.match(
      gone ?? '',
      /^kube-routes: context "lab-gone": cannot reach the API server at https:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\); check that the cluster is up and reachable from here \(VPN, proxy\), or leave the context out \(the kubeRoutes\.contexts setting chooses which contexts the editor reads\); no Services read from it yet, so cluster-ip-allocated leaves it out until it answers\. Retrying in the background\.$/,
    );
    assert.match(
      expired ?? '',
      /^kube-routes: context "sgp1-prod": the API server at https:\/\/127\.0\.0\.1:\d+ rejected the credentials of user "sgp1-prod-user" \(401 Unauthorized\): they are missing or have expired; log in again or refresh the token in your kubeconfig; no Services read from it yet/,
    );

    // Retried several times, still one message per context ...
    await waitFor('several retries', () =>
      fleet.cluster('sgp1-prod').requests.filter((r) => r.status === 401).length >= 4 ? true : undefined,
    );
    const version = await client.change('nyc3/cart.yaml', `${cart}# edited\n`);
    // ... and no finding invented for the context never read (sgp1-prod holds cart's address).
    assert.deepEqual(rules(await currentDiagnostics(client, 'nyc3/cart.yaml', version)), []);
    assert.equal(warnings().length, 2);
    assert.equal(client.messages.length, 2);
    const hover = await client.hover('nyc3/cart.yaml', positionOf(cart, '172.25.0.30'));
    const markdown = (hover!.contents as MarkupContent).value;
    assert.match(
      markdown,
      /Live clusters: not allocated \(`nyc3-prod` as of \S+; \*\*stale\*\*: `sgp1-prod` cannot be read since \S+ \(context "sgp1-prod": .*401 Unauthorized.*\); last read never; \*\*stale\*\*: `lab-gone` cannot be read since \S+ \(context "lab-gone": cannot reach .*\); last read never\)\.$/,
    );
    assert.ok(client.alive);
  });

  test('a context briefly down: its last known Services still count and are marked stale; one message, then recovery', async () => {
    const fleet = await fleetOf([{ context: 'nyc3-prod', serviceCidr: '172.25.0.0/20' }]);
    const nyc3 = fleet.cluster('nyc3-prod');
    nyc3.addService({ name: 'ledger', namespace: 'payments', clusterIP: '172.25.0.20' });
    const client = await startWorkspace(
      { 'kube-routes.yaml': config, 'nyc3/checkout.yaml': checkout },
      { settings: { kubeconfig: fleet.kubeconfig, contexts: ['nyc3-prod'], routeRefreshSeconds: 0.1 } },
    );
    await client.open('nyc3/checkout.yaml', checkout);
    await client.waitForDiagnostics('nyc3/checkout.yaml', has('cluster-ip-allocated'));

    const port = nyc3.port;
    await nyc3.stop();
    const warning = await client.waitFor('the outage message', () =>
      client.messages.find((m) => m.type === MessageType.Warning),
    );
    assert.match(
      warning.message,
      /^kube-routes: context "nyc3-prod": cannot reach the API server at https:\/\/127\.0\.0\.1:\d+ \([^)]+\).*; keeping its Services last read at \S+ \(marked stale\) for cluster-ip-allocated\. Retrying in the background\.$/,
    );
    const edited = `${checkout}# edited\n`;
    const version = await client.change('nyc3/checkout.yaml', edited);
    assert.deepEqual(
      rules(await currentDiagnostics(client, 'nyc3/checkout.yaml', version)),
      ['cluster-ip-allocated'],
      'the last known Services still count',
    );
    const hover = await client.hover('nyc3/checkout.yaml', positionOf(edited, '172.25.0.20'));
    assert.match(
      (hover!.contents as MarkupContent).value,
      /Allocated in live clusters \(\*\*stale\*\*: `nyc3-prod` cannot be read since \S+ \(context "nyc3-prod": cannot reach .*\); last read \S+\):\n\n\| context \| region \| Service \|\n\|---\|---\|---\|\n\| nyc3-prod \| nyc3 \| payments\/ledger \|$/,
    );

    // Back, with the Service gone meanwhile: listed again, the finding clears.
    nyc3.deleteService('payments', 'ledger');
    await nyc3.start(port);
    const info = await client.waitFor('the recovery message', () =>
      client.messages.find((m) => m.type === MessageType.Info),
    );
    assert.equal(info.message, 'kube-routes: context "nyc3-prod" answers again; its Services are current.');
    await client.waitForDiagnostics('nyc3/checkout.yaml', lacks('cluster-ip-allocated'), 'the re-listed cluster');
    assert.equal(client.messages.length, 2);
  });

  test('a watch the API server refuses: the Services are polled instead', async () => {
    const fleet = await fleetOf([
      {
        context: 'nyc3-prod',
        serviceCidr: '172.25.0.0/20',
        token: 'list-only',
        users: { 'list-only': { name: 'lister', rules: [{ verbs: ['list'], resources: '*' }] } },
      },
    ]);
    const nyc3 = fleet.cluster('nyc3-prod');
    const client = await startWorkspace(
      { 'kube-routes.yaml': config, 'nyc3/checkout.yaml': checkout },
      { settings: { kubeconfig: fleet.kubeconfig, contexts: ['nyc3-prod'], routeRefreshSeconds: 0.1 } },
    );
    await client.open('nyc3/checkout.yaml', checkout);
    await waitFor('a refused watch', () =>
      nyc3.requests.some((r) => r.path.includes('watch=1') && r.status === 403) ? true : undefined,
    );
    nyc3.addService({ name: 'ledger', namespace: 'payments', clusterIP: '172.25.0.20' });
    const d = await client.waitForDiagnostics('nyc3/checkout.yaml', has('cluster-ip-allocated'), 'the polled Service');
    assert.match(d[0]?.message ?? '', /allocated to Service payments\/ledger in context nyc3-prod \(region nyc3\)/);
    assert.deepEqual(client.messages, [], 'a refused watch is no outage');
  });

  for (const { name, options } of [
    {
      name: 'an untrusted workspace (Restricted Mode)',
      options: { initializationOptions: { workspaceTrusted: false } },
    },
    { name: 'repositorySources "deny"', options: { settings: { repositorySources: 'deny' as const } } },
  ]) {
    test(`contexts only kube-routes.yaml names, ${name}: no cluster is contacted, offline findings kept`, async () => {
      const fleet = await fleetOf([
        { context: 'nyc3-prod', serviceCidr: '172.25.0.0/20' },
        { context: 'sgp1-prod', serviceCidr: '172.25.144.0/20' },
      ]);
      fleet.cluster('nyc3-prod').addService({ name: 'ledger', namespace: 'payments', clusterIP: '172.25.0.20' });
      const outside = serviceYaml({ name: 'outside', region: 'nyc3', clusterIP: '172.25.200.1' });
      const client = await startWorkspace(
        { 'kube-routes.yaml': config, 'nyc3/checkout.yaml': checkout, 'nyc3/outside.yaml': outside },
        { ...options, settings: { kubeconfig: fleet.kubeconfig, ...options.settings } },
      );
      await client.open('nyc3/checkout.yaml', checkout);
      await client.open('nyc3/outside.yaml', outside);
      assert.deepEqual(rules(await client.waitForDiagnostics('nyc3/outside.yaml', (d) => d.length > 0)), [
        'cluster-ip-outside-region',
      ]);
      // Nothing announces "not contacted": give a contact the time it would take, then count requests.
      await new Promise((r) => setTimeout(r, 1000));
      assert.deepEqual(rules(client.diagnostics.get(client.uri('nyc3/checkout.yaml'))?.diagnostics ?? []), []);
      for (const context of ['nyc3-prod', 'sgp1-prod'])
        assert.equal(fleet.cluster(context).requests.length, 0, `${context} got no request`);
      assert.equal(client.questions.length, 0, 'not asked either');
    });
  }

  test('without contexts nothing is read: no live source, no cluster-ip-allocated', async () => {
    const plain = config.replace(/\n {4}contexts: \[[^\]]*\]/g, '');
    const client = await startWorkspace(
      { 'kube-routes.yaml': plain, 'nyc3/checkout.yaml': checkout },
      { settings: { kubeconfig: '/nonexistent/kubeconfig' } },
    );
    await client.open('nyc3/checkout.yaml', checkout);
    assert.deepEqual(rules(await client.waitForDiagnostics('nyc3/checkout.yaml', () => true)), []);
    const hover = await client.hover('nyc3/checkout.yaml', positionOf(checkout, '172.25.0.20'));
    assert.doesNotMatch((hover!.contents as MarkupContent).value, /live clusters/i);
    assert.deepEqual(client.messages, []);
  });
});
