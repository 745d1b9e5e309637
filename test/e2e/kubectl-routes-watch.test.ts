import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startCli, tempDir, waitFor, type RunningCli } from '@kube-routes/test/support';
import { birdRoutes, startLiveFabric, type LiveFabric } from './live-fabric';

// `kubectl routes -w`: Service changes through each cluster's watch, route changes from the
// routers (followed through the speaker's /v1/watch), deletions; and a router dying with graceful restart, whose
// routes stay as stale.

/** Runs a shell command under script(1), so its stdout is a terminal. */
function startTty(fabric: LiveFabric, command: string): RunningCli {
  return startCli('script', ['-qfec', command, '/dev/null'], {
    cwd: fabric.dir,
    env: { ...fabric.env, TERM: 'xterm' },
    unsetEnv: ['NO_COLOR'],
  });
}

describe('kubectl routes: watch and stale routes', () => {
  const dir = tempDir('kube-routes-live-watch-');
  let fabric: LiveFabric;
  before(async () => {
    fabric = await startLiveFabric(dir, '127.0.12');
  });
  after(() => fabric.stop());

  test('-w prints new Services, route changes and deletions as they happen', async () => {
    const watch = fabric.startRoutes(['-A', '--all-contexts', '-w']);
    await watch.waitForOutput(/^shop +web +sgp1 .*\n/m);
    assert.match(watch.stdout, /^NAMESPACE +NAME +REGION +CLUSTER-IP +EXTERNAL-IPS +ROUTE +PATHS +ORIGIN-AS\n/);

    let mark = watch.stdout.length;
    fabric.fleet.cluster('sgp1-prod').addService({ name: 'checkout', namespace: 'shop', clusterIP: '172.25.144.9' });
    await watch.waitForOutput(/^shop +checkout +sgp1 +172\.25\.144\.9 +<none> +announced +1 +64513$/m, mark);

    // nyc3 starts announcing 172.25.1.0/24: its shop/cart becomes announced, and fra1's
    // billing/invoices, which holds the same address, sees a route from the wrong region.
    mark = watch.stdout.length;
    await fabric.setRoutes('nyc3', [...birdRoutes.nyc3, { prefix: '172.25.1.0/24' }]);
    await watch.waitForOutput(/^shop +cart +nyc3 +172\.25\.1\.5 +<none> +announced +1 +64512$/m, mark);
    await watch.waitForOutput(/^billing +invoices +fra1 +172\.25\.1\.5 +<none> +conflict +1 +64512$/m, mark);

    mark = watch.stdout.length;
    fabric.fleet.cluster('nyc3-prod').deleteService('shop', 'cart');
    await watch.waitForOutput(/^shop +cart +nyc3 +172\.25\.1\.5 +<none> +deleted +/m, mark);

    const unchanged = watch.stdout.slice(mark);
    assert.doesNotMatch(unchanged, /^payments +api /m, 'only changed rows are printed');
    const run = await watch.stop();
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
    const watches = fabric.fleet.cluster('sgp1-prod').requests.filter((r) => r.path.includes('watch=1'));
    assert.ok(
      watches.some((r) => /resourceVersion=\d+/.test(r.path)),
      "watched from the list's resourceVersion",
    );
    await fabric.setRoutes('nyc3', birdRoutes.nyc3);
  });

  test('on a terminal: colour by default, and -w redraws the whole table', async () => {
    // script(1) gives the command a pseudo-terminal, as an operator's shell does.
    const command = 'kubectl routes -n payments --context fra1-prod -w';
    const tty = startTty(fabric, command);
    await tty.waitForOutput(/\u001b\[32mannounced\u001b\[0m/);
    const mark = tty.stdout.length;
    fabric.fleet.cluster('fra1-prod').addService({ name: 'payouts', namespace: 'payments', clusterIP: '172.25.32.10' });
    // The redraw clears the screen and prints the header and every row again.
    const redraw = await tty.waitForOutput(/\u001b\[H\u001b\[2J(NAMESPACE[^\n]*\n(?:[^\n]*\n){2})/, mark);
    assert.match(redraw[1] ?? '', /^NAMESPACE .*\r?\npayments +api +.*\r?\npayments +payouts +fra1 +172\.25\.32\.10 /);
    await tty.stop();
  });

  test('-w -o json prints each change as an object', async () => {
    const watch = fabric.startRoutes(['-n', 'payments', '--context', 'fra1-prod', '-w', '-o', 'json']);
    await watch.waitForOutput(/"kind": "ServiceRouteList"[\s\S]*\n}\n/);
    const mark = watch.stdout.length;
    fabric.fleet.cluster('fra1-prod').addService({ name: 'refunds', namespace: 'payments', clusterIP: '172.25.32.8' });
    await watch.waitForOutput(
      /^{\n {2}"context": "fra1-prod",\n {2}"region": "fra1",\n {2}"namespace": "payments",\n {2}"name": "refunds",[\s\S]*?"route": "announced"/m,
      mark,
    );
    await watch.stop();
  });

  test('a watch whose resourceVersion expired lists again and carries on', async () => {
    const fra1 = fabric.fleet.cluster('fra1-prod');
    const watch = fabric.startRoutes(['-A', '--context', 'fra1-prod', '-w']);
    await watch.waitForOutput(/^payments +api +fra1 /m);
    // The watch must be open before it is cut.
    await waitFor(
      'kubectl routes to watch fra1-prod',
      () =>
        fra1.requests.some((r) => r.path.startsWith('/api/v1/services?') && r.path.includes('watch=1'))
          ? true
          : undefined,
      20_000,
      20,
    );
    const listsBefore = fra1.requests.filter(
      (r) => r.path.startsWith('/api/v1/services?') && !r.path.includes('watch=1'),
    ).length;
    const mark = watch.stdout.length;
    fra1.addService({ name: 'ledger2', namespace: 'payments', clusterIP: '172.25.32.9' });
    fra1.store.compact();
    fra1.endWatches();
    await watch.waitForOutput(/^payments +ledger2 +fra1 +172\.25\.32\.9 /m, mark);
    const listsAfter = fra1.requests.filter(
      (r) => r.path.startsWith('/api/v1/services?') && !r.path.includes('watch=1'),
    ).length;
    assert.ok(listsAfter > listsBefore, 'listed again after 410 Gone');
    const run = await watch.stop();
    assert.equal(run.code, 0, run.stderr);
  });

  test('a router that dies with graceful restart leaves its routes stale', async () => {
    await fabric.birds.fra1.stop('SIGKILL');
    await fabric.speaker.waitForRoute('172.25.32.0/19', (r) => r.paths.every((p) => p.stale));
    const run = await fabric.routes(['-n', 'payments', '--context', 'fra1-prod', 'api']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^payments +api +fra1 +172\.25\.32\.7 +<none> +stale +1 +64514$/m);
    const peers = await fabric.routes(['peers']);
    assert.match(peers.stdout, /^127\.0\.12\.4 +64514 +fra1 +(Idle|Active|Connect) +<none> +1 /m);
  });
});
