import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isVantageSource } from '@kube-routes/server/speaker-client';
import { FakeSpeaker, fakeRoute, freePort, writeKubeconfig } from '@kube-routes/test/support';
import type { CliIO } from '../src/cli/io';
import type { LiveFlags } from '../src/live/flags';
import { LiveRun } from '../src/live/live-run';

// kubectl's route source from regions.*.speaker, in process: one vantage per region; a region
// whose speaker refuses, and one whose context is not in the kubeconfig, are one line each,
// naming the region, and the region that answers still does. --speaker still overrides.

test('regions.*.speaker: the regions that answer, one line per region that cannot', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kube-routes-regional-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const nyc3 = new FakeSpeaker([fakeRoute('172.25.0.0/24', [{ originAs: 64512 }])]);
  await nyc3.start();
  after(() => nyc3.stop());
  const closed = await freePort();
  const kubeconfig = writeKubeconfig(join(dir, 'kubeconfig'), [
    { context: 'other', server: 'https://127.0.0.1:1', caCert: '', token: 't' },
  ]);
  writeFileSync(
    join(dir, 'kube-routes.yaml'),
    `regions:
  nyc3: {asns: [64512], clusterIPRanges: [172.25.0.0/20], speaker: "${nyc3.url}"}
  sgp1: {asns: [64513], clusterIPRanges: [172.25.144.0/20], speaker: "http://127.0.0.1:${closed}"}
  fra1: {asns: [64514], clusterIPRanges: [172.25.32.0/20], contexts: [fra1-prod], speaker: "k8s://kube-routes/speaker:8179"}
speaker: {asn: 65000, routerId: 10.0.0.1, api: "127.0.0.1:${closed}"}
`,
  );
  let stderr = '';
  const io: CliIO = {
    cwd: dir,
    stdout: () => undefined,
    stderr: (t) => {
      stderr += t;
    },
    readStdin: async () => new Uint8Array(),
    color: false,
  };
  const flags: LiveFlags = { context: [], kubeconfig };
  const run = LiveRun.open(flags, io);
  const source = await run.routeSource();
  assert.ok(source && isVantageSource(source));
  assert.deepEqual(source.regions, ['nyc3', 'sgp1', 'fra1']);
  const answers = await source.lookupEach('172.25.0.10');
  assert.deepEqual(
    answers.map((a) => [a.vantage, a.route?.prefix]),
    [['nyc3', '172.25.0.0/24']],
  );
  await source.lookupEach('172.25.0.11'); // the regions that failed are not asked again
  assert.deepEqual(source.unreachable(), ['sgp1', 'fra1']);
  assert.equal(run.finish(0), 2);
  const lines = stderr.trimEnd().split('\n');
  assert.equal(lines.length, 2, stderr);
  assert.equal(
    lines[0],
    `error: region sgp1: cannot reach the speaker at http://127.0.0.1:${closed}: ECONNREFUSED; is kube-routes-speaker running (see regions.sgp1.speaker of kube-routes.yaml)?`,
  );
  assert.equal(
    lines[1],
    `error: region fra1: context "fra1-prod" (regions.fra1.contexts of kube-routes.yaml) is not in the kubeconfig ${kubeconfig}; known contexts: other`,
  );

  // --speaker still overrides the regions: one source of no region.
  const flagged = await LiveRun.open({ ...flags, speaker: nyc3.url }, io).routeSource();
  assert.ok(flagged);
  assert.equal(isVantageSource(flagged), false);
});
