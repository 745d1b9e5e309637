import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { freePort, tempDir, writeTree, type CliRun } from '@kube-routes/test/support';
import { startLiveFabric, type LiveFabric } from './live-fabric';

// What goes wrong in real fleets, each as one line naming the context (or the speaker) and what
// to do: an API server that does not answer, expired credentials (401), RBAC (403), a context
// the kubeconfig does not have, a speaker that is down. The contexts that answered are still
// shown, with a warning, and the exit code is 2. Never a stack trace.

function noStackTrace(run: CliRun): void {
  assert.doesNotMatch(run.stderr, /^\s+at .+:\d+:\d+\)?$/m, `stack trace on stderr:\n${run.stderr}`);
  assert.doesNotMatch(run.stderr, /internal error/, run.stderr);
}

/** The rows' NAMESPACE/NAME/REGION of a services table. */
function rows(stdout: string): string[] {
  return stdout
    .split('\n')
    .slice(1)
    .filter((l) => l !== '')
    .map((l) => l.split(/\s+/).slice(0, 3).join(' '));
}

const nyc3Rows = ['kube-routes speaker nyc3', 'payments ledger nyc3', 'shop cart nyc3', 'shop web nyc3'];

describe('kubectl routes: errors', () => {
  const dir = tempDir('kube-routes-live-errors-');
  let fabric: LiveFabric;
  before(async () => {
    fabric = await startLiveFabric(dir, '127.0.11');
  });
  after(() => fabric.stop());

  test('an unreachable API server: one line naming the context, the other context still shown, exit 2', async () => {
    const run = await fabric.routes(['-A', '--context', 'nyc3-prod', '--context', 'lab-gone']);
    noStackTrace(run);
    assert.equal(run.code, 2);
    assert.deepEqual(rows(run.stdout), nyc3Rows);
    const lines = run.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 2, run.stderr);
    assert.match(
      lines[0] ?? '',
      /^error: context "lab-gone": cannot reach the API server at https:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\); check that the cluster is up and reachable from here \(VPN, proxy\), or leave the context out$/,
    );
    assert.equal(lines[1], 'warning: the results are incomplete: 1 of 2 contexts answered');
  });

  test('expired credentials (401): log in again', async () => {
    const run = await fabric.routes(['-A', '--context', 'nyc3-expired', '--context', 'nyc3-prod']);
    noStackTrace(run);
    assert.equal(run.code, 2);
    assert.deepEqual(rows(run.stdout), nyc3Rows);
    assert.match(
      run.stderr,
      /^error: context "nyc3-expired": the API server at https:\/\/127\.0\.0\.1:\d+ rejected the credentials of user "nyc3-expired-user" \(401 Unauthorized\): they are missing or have expired; log in again or refresh the token in your kubeconfig$/m,
    );
  });

  test("RBAC forbidden (403): the server's reason and what to ask for; the same user can read its namespace", async () => {
    const all = await fabric.routes(['-A', '--context', 'sgp1-restricted']);
    noStackTrace(all);
    assert.equal(all.code, 2);
    assert.equal(all.stdout, '');
    assert.equal(
      all.stderr,
      'error: context "sgp1-restricted": forbidden (403): services is forbidden: User "bob" cannot list resource "services" in API group "" at the cluster scope; ask your cluster admin for RBAC permission to list and watch it, or narrow the request (-n NAMESPACE)\n',
    );
    const shop = await fabric.routes(['-n', 'shop', '--context', 'sgp1-restricted']);
    assert.equal(shop.code, 0, shop.stderr);
    // sgp1-restricted is listed under no region of kube-routes.yaml, and the Service has no region label.
    assert.deepEqual(rows(shop.stdout), ['shop web <none>']);
  });

  test('an unknown context: what the kubeconfig has, with a suggestion', async () => {
    const run = await fabric.routes(['-A', '--context', 'nyc3-prd', '--context', 'nyc3-prod']);
    noStackTrace(run);
    assert.equal(run.code, 2);
    assert.deepEqual(rows(run.stdout), nyc3Rows);
    assert.match(
      run.stderr,
      /^error: context "nyc3-prd" is not in the kubeconfig \S+kubeconfig \(did you mean "nyc3-prod"\?\); known contexts: nyc3-prod, sgp1-prod, fra1-prod, lab-gone, nyc3-expired, sgp1-restricted$/m,
    );
  });

  test('a context listed in kube-routes.yaml but not in the kubeconfig says where it is listed', async () => {
    const other = tempDir('kube-routes-live-errors-config-');
    writeTree(other, {
      'kube-routes.yaml':
        'regions:\n  nyc3: {clusterIPRanges: [172.25.0.0/20], contexts: [nyc3-prod]}\n  ams3: {clusterIPRanges: [172.25.64.0/20], contexts: [ams3-prod]}\n',
    });
    const run = await fabric.routes(['-A', '--all-contexts'], { cwd: other });
    noStackTrace(run);
    assert.equal(run.code, 2);
    assert.deepEqual(rows(run.stdout), nyc3Rows);
    assert.match(
      run.stderr,
      /^error: context "ams3-prod" \(regions\.ams3\.contexts of kube-routes\.yaml\) is not in the kubeconfig /m,
    );
  });

  test('every failure at once: each named on its own line, what answered still shown', async () => {
    const run = await fabric.routes([
      '-A',
      '--context',
      'nyc3-prod',
      '--context',
      'lab-gone',
      '--context',
      'nyc3-expired',
      '--context',
      'sgp1-restricted',
      '--context',
      'nope',
    ]);
    noStackTrace(run);
    assert.equal(run.code, 2);
    assert.deepEqual(rows(run.stdout), nyc3Rows);
    assert.deepEqual(
      run.stderr
        .trimEnd()
        .split('\n')
        .map((l) => /^(error: context "[^"]+"|warning: .*)/.exec(l)?.[1]),
      [
        'error: context "nope"',
        'error: context "lab-gone"',
        'error: context "nyc3-expired"',
        'error: context "sgp1-restricted"',
        'warning: the results are incomplete: 1 of 5 contexts answered',
      ],
    );
  });

  test('an unreachable speaker: Services still shown with ROUTE <unknown>, exit 2', async () => {
    const port = await freePort('127.0.11.1');
    const run = await fabric.routes(['-A', '--context', 'fra1-prod', '--speaker', `http://127.0.11.1:${port}`]);
    noStackTrace(run);
    assert.equal(run.code, 2);
    assert.match(run.stdout, /^payments +api +fra1 +172\.25\.32\.7 +<none> +<unknown> +<none> +<none>$/m);
    assert.equal(
      run.stderr,
      `error: cannot reach the speaker at http://127.0.11.1:${port}: ECONNREFUSED; is kube-routes-speaker running (see --speaker)?\n`,
    );
    const peers = await fabric.routes(['peers', '--speaker', `http://127.0.11.1:${port}`]);
    assert.equal(peers.code, 2);
    assert.equal(
      peers.stderr,
      `error: cannot reach the speaker at http://127.0.11.1:${port}: ECONNREFUSED; is kube-routes-speaker running (see --speaker)?\n`,
    );
  });

  test('a speaker Service behind k8s:// that does not exist, or has no endpoints', async () => {
    const missing = await fabric.routes(['-A', '--context', 'nyc3-prod', '--speaker', 'k8s://kube-routes/nope:8179']);
    noStackTrace(missing);
    assert.equal(missing.code, 2);
    assert.deepEqual(rows(missing.stdout), nyc3Rows);
    assert.equal(
      missing.stderr,
      'error: the speaker Service kube-routes/nope was not found in context "nyc3-prod" (services "nope" not found); check --speaker k8s://kube-routes/nope:8179\n',
    );
    const noEndpoints = await fabric.routes(['peers', '--context', 'nyc3-prod', '--speaker', 'k8s://shop/web:80']);
    assert.equal(noEndpoints.code, 2);
    assert.equal(
      noEndpoints.stderr,
      'error: the speaker Service shop/web in context "nyc3-prod" does not answer (no endpoints available for service "web"); is kube-routes-speaker running there?\n',
    );
    const bad = await fabric.routes(['--speaker', 'k8s://Bad Name']);
    assert.equal(bad.code, 2);
    assert.equal(
      bad.stderr,
      'error: invalid --speaker "k8s://Bad Name": expected k8s://NAMESPACE/SERVICE:PORT, e.g. k8s://kube-routes/speaker:8179\n',
    );
  });

  test('usage errors are one line and exit 2', async () => {
    for (const [args, message] of [
      [['--bgp', 'fabric.mrt'], 'error: cannot read --bgp fabric.mrt: no such file'],
      [
        ['--bgp', 'fabric.mrt', '--speaker', 'http://127.0.0.1:1'],
        'error: --speaker and --bgp both give route state; pass one of them',
      ],
      [['-o', 'xml'], 'error: invalid argument "xml" for "-o, --output" flag: must be one of: wide, json, yaml, name'],
      [['--bogus'], 'error: unknown flag: --bogus'],
      [
        ['lookup', 'not-an-ip'],
        'error: invalid address "not-an-ip": expected an IP (172.25.0.10) or a prefix (172.25.0.0/24)',
      ],
      [
        ['lookup', '172.25.0.1/20'],
        'error: invalid prefix: "172.25.0.1/20" has host bits set; the network is 172.25.0.0/20',
      ],
      [['--kubeconfig', 'nowhere/config'], 'error: cannot read the kubeconfig'],
      [
        ['--watch-interval', '1ms', '-w'],
        'error: invalid --watch-interval "1ms": use a duration of at least 100ms, e.g. 2s',
      ],
    ] as const) {
      const run = await fabric.routes([...args]);
      noStackTrace(run);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.equal(run.stdout, '', args.join(' '));
      assert.ok(run.stderr.startsWith(message), `${args.join(' ')}:\n${run.stderr}`);
    }
  });

  test('--all-contexts without contexts in the config, or without a config', async () => {
    const empty = tempDir('kube-routes-live-errors-noconfig-');
    const run = await fabric.routes(['--all-contexts'], { cwd: empty });
    assert.equal(run.code, 2);
    assert.equal(
      run.stderr,
      'error: --all-contexts: no kube-routes.yaml found in this folder or above (it lists the contexts under regions.REGION.contexts); pass --config FILE or --context NAME\n',
    );
    writeTree(empty, { 'kube-routes.yaml': 'regions:\n  nyc3: {clusterIPRanges: [172.25.0.0/20]}\n' });
    const none = await fabric.routes(['--all-contexts'], { cwd: empty });
    assert.equal(
      none.stderr,
      'error: --all-contexts: kube-routes.yaml lists no contexts; add them under regions.REGION.contexts, or pass --context NAME\n',
    );
    writeTree(empty, { 'kube-routes.yaml': 'regions:\n  nyc3: {clusterIPRanges: [172.25.0.1/20]}\n' });
    const broken = await fabric.routes([], { cwd: empty });
    assert.equal(broken.code, 2);
    assert.match(
      broken.stderr,
      /^kube-routes\.yaml:2:28: "172\.25\.0\.1\/20" has host bits set; the network is 172\.25\.0\.0\/20\nerror: the config has an error; fix it and run again\n$/,
    );
  });

  test('conflicts and check --live with a context down: partial results, exit 2', async () => {
    const conflicts = await fabric.routes(['conflicts', '--context', 'fra1-prod', '--context', 'lab-gone']);
    noStackTrace(conflicts);
    assert.equal(conflicts.code, 2, 'incomplete wins over "conflicts found"');
    assert.match(conflicts.stdout, /^service-cidr-outside-region +172\.25\.1\.0\/24 /m);
    assert.match(conflicts.stderr, /^error: context "lab-gone": cannot reach the API server/m);
    writeTree(dir, {
      'deploy-errors/new.yaml':
        'apiVersion: v1\nkind: Service\nmetadata: {name: new, namespace: shop, labels: {region: nyc3}}\nspec: {clusterIP: 172.25.0.20}\n',
    });
    const check = await fabric.routes([
      'check',
      '--live',
      '--context',
      'nyc3-prod',
      '--context',
      'nyc3-expired',
      'deploy-errors/',
    ]);
    noStackTrace(check);
    assert.equal(check.code, 2);
    assert.match(
      check.stdout,
      /cluster-ip-allocated: cluster IP 172\.25\.0\.20 is already allocated to Service payments\/ledger in context nyc3-prod/,
    );
    assert.match(check.stderr, /^error: context "nyc3-expired": the API server at \S+ rejected the credentials/m);
    assert.match(check.stderr, /^warning: the live check is incomplete: 1 of 2 contexts answered$/m);
  });

  test('check --live with the speaker down: the live rule still runs, the BGP rules are left out, exit 2', async () => {
    const port = await freePort('127.0.11.1');
    writeTree(dir, {
      'deploy-speaker-down/new.yaml':
        'apiVersion: v1\nkind: Service\nmetadata: {name: new, namespace: shop, labels: {region: nyc3}}\nspec: {clusterIP: 172.25.0.20}\n',
    });
    const check = await fabric.routes([
      'check',
      '--live',
      '--context',
      'nyc3-prod',
      '--speaker',
      `http://127.0.11.1:${port}`,
      'deploy-speaker-down/',
    ]);
    noStackTrace(check);
    assert.equal(check.code, 2);
    assert.match(
      check.stdout,
      /cluster-ip-allocated: cluster IP 172\.25\.0\.20 is already allocated to Service payments\/ledger in context nyc3-prod/,
    );
    assert.doesNotMatch(check.stdout, /route-/);
    assert.equal(
      check.stderr,
      `error: cannot reach the speaker at http://127.0.11.1:${port}: ECONNREFUSED; is kube-routes-speaker running (see --speaker)?; the BGP rules did not run\n`,
    );
  });
});
