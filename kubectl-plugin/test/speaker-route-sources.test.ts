import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { formatIpAddress, parseIpAddress, type IpRange, type KubeRoutesConfig } from '@kube-routes/server/engine';
import { loadConfigFile } from '@kube-routes/server/node';
import type { SpeakerClient } from '@kube-routes/server/speaker-client';
import { UsageError } from '../src/cli/io';
import { openMrtFile, speakerClient } from '../src/live/open-route-source';
import { resolveRoutes } from '../src/live/route-lookup';

// kubectl's route sources over the shared client: its flags' messages, and the live views'
// batched longest match over the MRT transport (examples/fabric.mrt, in process).

const examples = resolve(__dirname, '../../../examples');

describe('kubectl --speaker: one-line usage errors', () => {
  const cases: readonly { readonly url: string; readonly message: string }[] = [
    { url: 'ftp://x', message: 'invalid --speaker "ftp://x": only http:// and https:// are supported' },
    { url: 'http://', message: 'invalid --speaker "http://": expected a URL like http://127.0.0.1:8179' },
  ];
  for (const { url, message } of cases) {
    test(url, () =>
      assert.throws(
        () => speakerClient(url),
        (e: Error) => e instanceof UsageError && e.message === message,
      ),
    );
  }

  test('a good URL names the speaker as kubectl words it', () => {
    const client = speakerClient('127.0.0.1:8179');
    assert.equal(client.label, 'http://127.0.0.1:8179');
    assert.equal(client.name, 'the speaker at http://127.0.0.1:8179');
  });
});

describe('kubectl --bgp FILE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kube-routes-plugin-mrt-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a missing file and an empty one: one line each', async () => {
    await assert.rejects(
      openMrtFile(join(dir, 'nope.mrt'), 'nope.mrt', () => undefined),
      (e: Error) => e instanceof UsageError && e.message === 'cannot read --bgp nope.mrt: no such file',
    );
    writeFileSync(join(dir, 'empty.mrt'), '');
    await assert.rejects(
      openMrtFile(join(dir, 'empty.mrt'), 'empty.mrt', () => undefined),
      (e: Error) =>
        e instanceof UsageError && e.message.startsWith('--bgp empty.mrt holds no MRT records; is it an MRT file'),
    );
  });

  test('an old RIS table (TABLE_DUMP, 2002) and a bzip2 update file are read (issue: correct on real data)', async () => {
    const realData = resolve(__dirname, '../../../server/test/mrt/real-data');
    const bview = await openMrtFile(join(realData, 'bview.20020722.2337.gz'), 'bview', () => undefined);
    const route = await bview.client.lookup('3.0.0.1');
    assert.equal(route?.prefix, '3.0.0.0/8');
    assert.deepEqual(
      route?.paths.map((p) => [p.peer, p.asPath.join(' ')]),
      [['193.203.0.1', '1853 1239 80']],
    );
    const bz2 = await openMrtFile(join(realData, 'bgpkit.updates.bz2'), 'updates.bz2', () => undefined);
    assert.ok((await bz2.client.summary()).prefixes > 0);
  });

  test('a recorded table has no peers', async () => {
    const { client } = await openMrtFile(join(examples, 'fabric.mrt'), 'fabric.mrt', () => undefined);
    assert.equal(await client.peers(), undefined);
    assert.equal(client.label, 'MRT fabric.mrt');
  });
});

describe('resolveRoutes over the MRT transport: the same answers as the table', () => {
  let config: KubeRoutesConfig;
  let table: Awaited<ReturnType<typeof openMrtFile>>['table'];
  let client: SpeakerClient;
  let zones: IpRange[];
  before(async () => {
    const parsed = loadConfigFile(join(examples, 'kube-routes.yaml'), 'kube-routes.yaml');
    assert.ok(parsed.config);
    config = parsed.config;
    zones = [...config.externalIPPools];
    for (const r of config.regions.values()) zones.push(...r.clusterIPRanges, ...r.externalIPPools);
    ({ table, client } = await openMrtFile(join(examples, 'fabric.mrt'), 'fabric.mrt', () => undefined));
  });

  test("every address of every zone's edges and routes, plus addresses outside every zone", async () => {
    const ips = new Set<string>(['198.51.100.7', '2001:db8::1', '10.0.1.1']);
    for (const z of zones) {
      ips.add(formatIpAddress(z.family, z.first));
      ips.add(formatIpAddress(z.family, z.last));
      ips.add(formatIpAddress(z.family, z.first + (z.last - z.first) / 2n));
    }
    for (const z of zones)
      for (const r of (await client.routesWithin(z.cidr, 10_000)).routes) ips.add(r.prefix.split('/')[0] ?? '');
    const answers = await resolveRoutes(client, [...ips], zones);
    let covered = 0;
    for (const ip of ips) {
      const address = parseIpAddress(ip);
      assert.ok(address, ip);
      const expected = table.lookup(address);
      assert.equal(answers.get(address.key)?.prefix, expected?.prefix, ip);
      if (expected) covered++;
    }
    assert.ok(covered > 0, 'the fabric announces some of these');
  });
});
