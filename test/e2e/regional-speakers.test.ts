import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MessageType } from 'vscode-languageserver-protocol';
import {
  Bird,
  freePort,
  matchSnapshot,
  positionOf,
  repoRoot,
  runCliAsync,
  SpeakerProcess,
  startFleet,
  startWorkspace,
  tempDir,
  writeTree,
  type AsyncRunOptions,
  type CliRun,
  type Fleet,
  type StaticRoute,
} from '@kube-routes/test/support';
import { normalizeTable } from './live-fabric';

// One speaker per region (regions.*.speaker), merged: three real kube-routes-speakers, each fed
// by its region's real BIRD router on loopback, each BIRD announcing its own region's Services.
// 172.30.0.10 is anycast (shop/web runs in nyc3 and sgp1) and announced from both with each
// region's origin AS; 172.30.0.20 (shop/api, nyc3 only) is announced by sgp1 too: a wrong
// origin seen from sgp1 only. nyc3's speaker is reached through the Kubernetes service proxy of
// its context, the others over HTTP. kubectl routes (lookup, explain, check --live, peers, the
// table) and the language server read all three. Midway, fra1's speaker stops: the editor says
// so once, the other regions still answer, and kubectl prints one error line naming fra1.

type Region = 'nyc3' | 'sgp1' | 'fra1';
const regions: readonly Region[] = ['nyc3', 'sgp1', 'fra1'];
const asn: Record<Region, number> = { nyc3: 64512, sgp1: 64513, fra1: 64514 };
const announced: Record<Region, StaticRoute[]> = {
  nyc3: [{ prefix: '172.25.0.0/24' }, { prefix: '172.30.0.10/32' }, { prefix: '172.30.0.20/32' }],
  sgp1: [{ prefix: '172.25.144.0/24' }, { prefix: '172.30.0.10/32' }, { prefix: '172.30.0.20/32' }],
  fra1: [{ prefix: '172.25.32.0/24' }],
};
const nextHop: Record<Region, string> = { nyc3: '10.1.0.11', sgp1: '10.2.0.11', fra1: '10.3.0.11' };

const snapshots = join(repoRoot, 'test/e2e/snapshots/regional-speakers');
const snap = (name: string) => join(snapshots, name);
const base = '127.0.42';

function noStackTrace(run: CliRun): void {
  assert.doesNotMatch(run.stderr, /^\s+at .+:\d+:\d+\)?$/m, `stack trace on stderr:\n${run.stderr}`);
}

describe('one speaker per region, merged', () => {
  const dir = tempDir('kube-routes-regional-');
  let fleet: Fleet;
  let config = '';
  const apiYaml = `apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop, labels: {region: nyc3}}
spec: {clusterIP: 172.25.0.11, externalIPs: [172.30.0.20]}
`;
  const speakers = {} as Record<Region, SpeakerProcess>;
  const birds = {} as Record<Region, Bird>;
  const routes = (args: readonly string[], o: AsyncRunOptions = {}) =>
    runCliAsync('kubectl', ['routes', ...args], { cwd: dir, ...o, env: { ...fleet.env, ...o.env } });

  before(async () => {
    fleet = await startFleet(dir, [
      { context: 'nyc3-prod', serviceCidr: '172.25.0.0/20' },
      { context: 'sgp1-prod', serviceCidr: '172.25.144.0/20' },
      { context: 'fra1-prod', serviceCidr: '172.25.32.0/20' },
    ]);
    const nyc3 = fleet.cluster('nyc3-prod');
    const sgp1 = fleet.cluster('sgp1-prod');
    nyc3.addService({ name: 'web', namespace: 'shop', clusterIP: '172.25.0.10', externalIPs: ['172.30.0.10'] });
    nyc3.addService({ name: 'api', namespace: 'shop', clusterIP: '172.25.0.11', externalIPs: ['172.30.0.20'] });
    sgp1.addService({ name: 'web', namespace: 'shop', clusterIP: '172.25.144.10', externalIPs: ['172.30.0.10'] });
    nyc3.addService({ name: 'speaker', namespace: 'kube-routes', clusterIP: '172.25.0.53', ports: [{ port: 8179 }] });
    fleet.cluster('fra1-prod').addService({ name: 'invoices', namespace: 'billing', clusterIP: '172.25.32.7' });

    // Per region: its speaker on .1x, its router on .2x.
    for (const [i, r] of regions.entries()) {
      const speakerAddress = `${base}.${11 + i}`;
      const routerAddress = `${base}.${21 + i}`;
      const speaker = new SpeakerProcess({
        dir: join(dir, `speaker-${r}`),
        address: speakerAddress,
        peers: [{ address: routerAddress, asn: asn[r], description: `${r} router` }],
      });
      speaker.port = await freePort(speakerAddress);
      speakers[r] = speaker;
      birds[r] = new Bird(
        {
          dir: join(dir, `bird-${r}`),
          address: routerAddress,
          port: await freePort(routerAddress),
          asn: asn[r],
          routerId: routerAddress,
          neighbors: [{ name: 'speaker', address: speakerAddress, port: speaker.port, asn: 65000 }],
        },
        { ipv4: announced[r], nextHop4: nextHop[r] },
      );
    }
    await Promise.all(regions.map((r) => speakers[r].start()));
    for (const r of regions) birds[r].start();
    for (const r of regions)
      for (const route of announced[r]) await speakers[r].waitForRoute(route.prefix, (x) => x.paths.length > 0);
    nyc3.setServiceProxy('kube-routes', 'speaker', 8179, `http://${base}.11:${speakers.nyc3.apiPort}`);

    config = `externalIPPools: [172.30.0.0/24]
regions:
  nyc3:
    asns: [64512]
    clusterIPRanges: [172.25.0.0/20]
    contexts: [nyc3-prod]
    speaker: k8s://kube-routes/speaker:8179
  sgp1:
    asns: [64513]
    clusterIPRanges: [172.25.144.0/20]
    contexts: [sgp1-prod]
    speaker: http://${base}.12:${speakers.sgp1.apiPort}
  fra1:
    asns: [64514]
    clusterIPRanges: [172.25.32.0/20]
    contexts: [fra1-prod]
    speaker: http://${base}.13:${speakers.fra1.apiPort}
`;
    writeTree(dir, { 'kube-routes.yaml': config, 'manifests/api.yaml': apiYaml });
  });
  after(async () => {
    await Promise.all(regions.map((r) => birds[r]?.stop()));
    await Promise.all(regions.map((r) => speakers[r]?.stop()));
    await fleet?.stop();
  });

  test('lookup of an anycast address: what each region sees, each with its own origin', async () => {
    const run = await routes(['lookup', '172.30.0.10']);
    noStackTrace(run);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
    assert.match(run.stdout, /^nyc3 +announced +172\.30\.0\.10\/32 +1 +64512$/m);
    assert.match(run.stdout, /^sgp1 +announced +172\.30\.0\.10\/32 +1 +64513$/m);
    assert.match(run.stdout, /^fra1 +missing +<none> +0 +<none>$/m);
    matchSnapshot(normalizeTable(run.stdout, ['AGE']), snap('lookup-anycast.txt'));

    const json = await routes(['lookup', '172.30.0.10', '-o', 'json']);
    assert.equal(json.code, 0, json.stderr);
    const parsed = JSON.parse(json.stdout) as {
      route: string;
      paths: { vantage: string; originAs: number }[];
      vantages: { region: string; route: string; paths: { originAs: number }[] }[];
    };
    assert.equal(parsed.route, 'announced');
    assert.deepEqual(parsed.paths.map((p) => [p.vantage, p.originAs]).sort(), [
      ['nyc3', 64512],
      ['sgp1', 64513],
    ]);
    assert.deepEqual(
      parsed.vantages.map((v) => [v.region, v.route, v.paths.map((p) => p.originAs)]),
      [
        ['nyc3', 'announced', [64512]],
        ['sgp1', 'announced', [64513]],
        ['fra1', 'missing', []],
      ],
    );
  });

  test('route-origin-mismatch per vantage: sgp1 sees its own AS originate an address of nyc3', async () => {
    const lookup = await routes(['lookup', '172.30.0.20']);
    assert.equal(lookup.code, 0, lookup.stderr);
    assert.match(lookup.stdout, /^172\.30\.0\.20 +conflict +172\.30\.0\.20\/32 +2$/m);
    assert.match(lookup.stdout, /^nyc3 +announced /m);
    assert.match(lookup.stdout, /^sgp1 +conflict /m);

    const explain = await routes(['explain', 'shop/api']);
    noStackTrace(explain);
    assert.equal(explain.code, 0, explain.stderr);
    matchSnapshot(explain.stdout.replace(/(127\.0\.42\.\d+):\d+/g, '$1:PORT'), snap('explain-api.txt'));
    assert.match(explain.stdout, /^ {4}seen from region sgp1: conflict via 172\.30\.0\.20\/32$/m);

    const check = await routes(['check', '--live', 'manifests/']);
    noStackTrace(check);
    assert.equal(check.code, 1, check.stderr);
    assert.match(
      check.stdout,
      /manifests\/api\.yaml:4:46: error route-origin-mismatch: externalIPs\[0\] 172\.30\.0\.20 of region nyc3 is seen from region sgp1, covered by 172\.30\.0\.20\/32, originated by AS64513 \(region sgp1\)/,
    );
    assert.doesNotMatch(check.stdout, /seen from region nyc3/);

    const conflicts = await routes(['conflicts']);
    noStackTrace(conflicts);
    assert.equal(conflicts.code, 1, conflicts.stderr);
    assert.match(
      conflicts.stdout,
      /^wrong-origin +172\.30\.0\.20 +nyc3-prod\/shop\/api +covered by 172\.30\.0\.20\/32, originated by AS64513 \(region sgp1\) via 10\.2\.0\.11 from peer 127\.0\.42\.22 \(seen from region sgp1\)/m,
    );
  });

  test('the language server reads every region too: the mismatch seen from sgp1, and fra1 down is one message', async () => {
    const client = await startWorkspace(
      { 'kube-routes.yaml': config, 'manifests/api.yaml': apiYaml },
      { settings: { repositorySources: 'allow', kubeconfig: fleet.kubeconfig, routeRefreshSeconds: 0.2 } },
    );
    await client.open('manifests/api.yaml', apiYaml);
    const d = await client.waitForDiagnostics('manifests/api.yaml', (x) =>
      x.some((f) => f.code === 'route-origin-mismatch'),
    );
    const mismatch = d.find((f) => f.code === 'route-origin-mismatch');
    assert.deepEqual(mismatch?.range.start, positionOf(apiYaml, '172.30.0.20'));
    assert.match(mismatch?.message ?? '', /of region nyc3 is seen from region sgp1, covered by 172\.30\.0\.20\/32/);
    // 172.25.0.11 is announced in nyc3 only, whose speaker is reached through the service proxy.
    assert.ok(!d.some((f) => f.code === 'route-missing'), JSON.stringify(d.map((f) => f.code)));

    await speakers.fra1.stop();
    const warning = await client.waitFor('the outage message', () =>
      client.messages.find((m) => m.type === MessageType.Warning),
    );
    assert.match(warning.message, /^kube-routes: region fra1: cannot reach speaker http:\/\/127\.0\.42\.13:\d+/);
    assert.equal(client.messages.length, 1, JSON.stringify(client.messages));
  });

  test('a region whose speaker stops: the others still answer, one error line names it, exit 2', async () => {
    await speakers.fra1.stop(); // already stopped by the editor's test; stop() then returns at once
    const lookup = await routes(['lookup', '172.25.0.10']);
    noStackTrace(lookup);
    assert.equal(lookup.code, 2);
    assert.match(lookup.stdout, /^nyc3 +announced +172\.25\.0\.0\/24 +1 +64512$/m);
    assert.match(lookup.stdout, /^sgp1 +missing +<none> +0 +<none>$/m);
    assert.match(lookup.stdout, /^fra1 +unreachable +<none> +0 +<none>$/m);
    assert.equal(
      lookup.stderr,
      `error: region fra1: cannot reach the speaker at http://${base}.13:${speakers.fra1.apiPort}: ECONNREFUSED; is kube-routes-speaker running (see regions.fra1.speaker of kube-routes.yaml)?\n`,
    );
    matchSnapshot(normalizeTable(lookup.stdout, ['AGE']), snap('lookup-fra1-down.txt'));

    const explain = await routes(['explain', 'shop/web']);
    noStackTrace(explain);
    assert.equal(explain.code, 2);
    assert.match(explain.stdout, /^ {4}seen from region fra1: unreachable$/m);
    assert.match(explain.stdout, /^ {4}seen from region nyc3: announced via 172\.30\.0\.10\/32$/m);
    assert.equal(explain.stderr.trimEnd().split('\n').length, 1, explain.stderr);
    assert.match(explain.stderr, /^error: region fra1: cannot reach the speaker at /);

    const check = await routes(['check', '--live', 'manifests/']);
    noStackTrace(check);
    assert.equal(check.code, 2, check.stderr);
    assert.match(check.stdout, /error route-origin-mismatch: .* seen from region sgp1/);
    assert.equal(check.stderr.trimEnd().split('\n').length, 1, check.stderr);
    assert.match(check.stderr, /^error: region fra1: cannot reach the speaker at /);

    const peers = await routes(['peers']);
    noStackTrace(peers);
    assert.equal(peers.code, 2);
    assert.match(peers.stdout, /^VANTAGE +PEER +ASN +REGION +STATE/);
    assert.match(peers.stdout, /^nyc3 +127\.0\.42\.21 +64512 +nyc3 +Established /m);
    assert.match(peers.stdout, /^sgp1 +127\.0\.42\.22 +64513 +sgp1 +Established /m);
    assert.doesNotMatch(peers.stdout, /^fra1/m);
    assert.match(peers.stderr, /^error: region fra1: cannot reach the speaker at [^\n]+\n$/);

    // The whole table still comes from the regions that answer.
    const table = await routes(['-A']);
    noStackTrace(table);
    assert.equal(table.code, 2);
    assert.match(table.stdout, /^shop +web +nyc3 +172\.25\.0\.10 +172\.30\.0\.10 +announced/m);
    assert.equal(table.stderr.trimEnd().split('\n').length, 1, table.stderr);
  });
});
