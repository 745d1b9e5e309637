import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  freePort,
  matchSnapshot,
  repoRoot,
  runCliAsync,
  startFleet,
  tempDir,
  writeKubeconfig,
  type Fleet,
} from '@kube-routes/test/support';

// Live load balancer pools, read from each context by the real kubectl plugin: nyc3 runs MetalLB,
// sgp1 Cilium, fra1 neither (its pool CRDs answer 404: nothing, quietly) but kube-vip's
// ConfigMap. nyc3's and sgp1's pools overlap across regions; fra1's kube-vip range does not.

describe('kubectl routes: live pools of each context', () => {
  const dir = tempDir('kube-routes-live-pools-');
  let fleet: Fleet;
  const routes = (args: readonly string[]) => runCliAsync('kubectl', ['routes', ...args], { cwd: dir, env: fleet.env });

  before(async () => {
    fleet = await startFleet(dir, [
      { context: 'nyc3-prod', serviceCidr: '172.25.0.0/20', crds: ['ipaddresspools'] },
      { context: 'sgp1-prod', serviceCidr: '172.25.144.0/20', crds: ['ciliumloadbalancerippools'] },
      { context: 'fra1-prod', serviceCidr: '172.25.32.0/20' },
    ]);
    fleet.cluster('nyc3-prod').put('ipaddresspools', {
      metadata: { name: 'public', namespace: 'metallb-system' },
      spec: { addresses: ['172.30.5.0/24'] },
    });
    fleet.cluster('sgp1-prod').put('ciliumloadbalancerippools', {
      metadata: { name: 'lb' },
      spec: { blocks: [{ cidr: '172.30.5.128/25' }] },
    });
    fleet.cluster('fra1-prod').put('configmaps', {
      metadata: { name: 'kubevip', namespace: 'kube-system' },
      data: { 'range-global': '172.31.0.10-172.31.0.20' },
    });
    fleet.cluster('nyc3-prod').addService({
      name: 'web',
      namespace: 'shop',
      labels: { region: 'nyc3' },
      type: 'LoadBalancer',
      loadBalancerIngress: ['172.30.5.200'],
    });
    // The bundled fabric dump announces 172.25.0.20/32 from nyc3 (64512) and fra1 (64514).
    fleet
      .cluster('nyc3-prod')
      .addService({ name: 'ledger', namespace: 'payments', labels: {}, clusterIP: '172.25.0.20' });
    fleet
      .cluster('fra1-prod')
      .addService({ name: 'ledger', namespace: 'payments', labels: {}, clusterIP: '172.25.32.20' });
    copyFileSync(join(repoRoot, 'examples/fabric.mrt'), join(dir, 'fabric.mrt'));
    // A context whose API server is down: one error line however many reads of it fail.
    const gone = await freePort();
    writeKubeconfig(
      fleet.kubeconfig,
      [
        ...['nyc3-prod', 'sgp1-prod', 'fra1-prod'].map((context) => ({
          context,
          server: fleet.cluster(context).url,
          caCert: fleet.cluster(context).tls.caCert,
          token: 'test-token',
        })),
        {
          context: 'lab-gone',
          server: `https://127.0.0.1:${gone}`,
          caCert: fleet.cluster('nyc3-prod').tls.caCert,
          token: 'test-token',
        },
      ],
      'nyc3-prod',
    );
    writeFileSync(
      join(dir, 'kube-routes.yaml'),
      `regions:
  nyc3: {asns: [64512], clusterIPRanges: [172.25.0.0/20], contexts: [nyc3-prod]}
  sgp1: {asns: [64513], clusterIPRanges: [172.25.144.0/20], contexts: [sgp1-prod]}
  fra1: {asns: [64514], clusterIPRanges: [172.25.32.0/20], contexts: [fra1-prod]}
`,
    );
  });
  after(() => fleet.stop());

  test('conflicts: pool-overlap across regions from the engine rule, exit 1; absent CRDs say nothing', async () => {
    const run = await routes(['conflicts', '-o', 'json']);
    assert.equal(run.code, 1, run.stderr);
    assert.doesNotMatch(run.stderr, /^error/m, run.stderr);
    const list = JSON.parse(run.stdout) as { items: { kind: string; address: string; detail: string }[] };
    assert.deepEqual(
      list.items.map((c) => `${c.kind} ${c.address} ${c.detail.split(':')[0]}`),
      ['pool-overlap 172.30.5.0/24 context nyc3-prod', 'pool-overlap 172.30.5.128/25 context sgp1-prod'],
    );
    assert.match(
      list.items[0]?.detail ?? '',
      /MetalLB IPAddressPool metallb-system\/public of region nyc3 declares 172\.30\.5\.0\/24, which overlaps Cilium/,
    );
  });

  test('explain: the pool an address falls in, read from the live pools of its context', async () => {
    const run = await routes(['explain', 'shop/web', '--all-contexts']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /^ {4}loadBalancerIP 172\.30\.5\.200 at context nyc3-prod: in MetalLB IPAddressPool metallb-system\/public 172\.30\.5\.0\/24 \(region nyc3, context nyc3-prod\), /m,
    );
    // sgp1's overlapping Cilium pool is another region's: listed too, so the clash is visible here.
    assert.match(run.stdout, /Cilium\S* \S*lb 172\.30\.5\.128\/25 \(region sgp1, context sgp1-prod\)/);
  });

  test('explain --context / --all-contexts: live Services, routes from --bgp (snapshots)', async () => {
    const cases = [
      { name: 'context-nyc3-bgp', args: ['payments/ledger', '--context', 'nyc3-prod', '--bgp', 'fabric.mrt'] },
      { name: 'all-contexts-bgp', args: ['payments/ledger', '--all-contexts', '--bgp', 'fabric.mrt'] },
    ];
    for (const c of cases) {
      const run = await routes(['explain', ...c.args]);
      assert.equal(run.code, 0, run.stderr);
      matchSnapshot(
        `${run.stdout}--- stderr\n${run.stderr}`,
        join(repoRoot, `test/e2e/snapshots/explain/${c.name}.txt`),
      );
    }
  });

  test('a context that is down: one error line for explain and conflicts, exit 2', async () => {
    for (const args of [
      ['explain', 'payments/ledger', '--context', 'nyc3-prod', '--context', 'lab-gone'],
      ['conflicts', '--context', 'nyc3-prod', '--context', 'lab-gone'],
    ]) {
      const run = await routes(args);
      assert.equal(run.code, 2, run.stderr);
      assert.equal(run.stderr.match(/^error: context "lab-gone"/gm)?.length, 1, run.stderr);
    }
  });
});
