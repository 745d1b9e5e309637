import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Bird, SpeakerProcess, freePort, tempDir, waitFor } from '@kube-routes/test/support';

// ADD-PATH (RFC 7911) with real daemons (addresses 127.0.2.x, this file only): two BIRD routers
// originate the same anycast /32; a BIRD route server between them and the speaker keeps both
// and sends all paths ("add paths on", next hops kept). The speaker peers with addPath: true.

const SPEAKER = '127.0.2.1';
const ANYCAST = '192.0.2.53/32';
const rs = { address: '127.0.2.2', asn: 65001, port: 0 };
const origin1 = { address: '127.0.2.3', asn: 65021, port: 0, nextHop: '10.0.2.21' };
const origin2 = { address: '127.0.2.4', asn: 65022, port: 0, nextHop: '10.0.2.22' };

const dir = tempDir('kube-routes-addpath-');
const speaker = new SpeakerProcess({
  dir: join(dir, 'speaker'),
  address: SPEAKER,
  peers: [{ address: rs.address, asn: rs.asn, addPath: true }],
});
let server: Bird;
let originators: Bird[] = [];

before(async () => {
  speaker.port = await freePort(SPEAKER);
  for (const n of [rs, origin1, origin2]) n.port = await freePort(n.address);
  await speaker.start();
  server = new Bird(
    {
      dir: join(dir, 'route-server'),
      address: rs.address,
      port: rs.port,
      asn: rs.asn,
      routerId: '10.0.2.2',
      neighbors: [
        { name: 'ts', address: SPEAKER, port: speaker.port, asn: 65000, addPath: true },
        { name: 'origin1', address: origin1.address, port: origin1.port, asn: origin1.asn, active: false },
        { name: 'origin2', address: origin2.address, port: origin2.port, asn: origin2.asn, active: false },
      ],
    },
    { nextHopKeep: true },
  );
  originators = [origin1, origin2].map(
    (o, i) =>
      new Bird(
        {
          dir: join(dir, `origin${i + 1}`),
          address: o.address,
          port: o.port,
          asn: o.asn,
          routerId: `10.0.2.${21 + i}`,
          neighbors: [{ name: 'rsrv', address: rs.address, port: rs.port, asn: rs.asn }],
        },
        { ipv4: [{ prefix: ANYCAST, communities: [`${o.asn}:53`] }], nextHop4: o.nextHop },
      ),
  );
  server.start();
  for (const o of originators) o.start();
});

after(async () => {
  await speaker.stop('SIGKILL');
  await Promise.all([server?.stop(), ...originators.map((o) => o.stop())]);
});

test('ADD-PATH: /v1/lookup shows both paths of an anycast /32 announced by two routers', async () => {
  const status = await speaker.waitForPeer(rs.address);
  assert.ok(
    status.capabilities.includes('add-path ipv4-unicast receive'),
    `capabilities: ${status.capabilities.join(', ')}`,
  );
  const route = await waitFor(
    'two paths for the anycast address',
    async () => {
      const r = await speaker.lookup('192.0.2.53');
      return r && r.paths.length >= 2 ? r : undefined;
    },
    30_000,
  ).catch((e: Error) => assert.fail(`${e.message}\n${server.birdc('show', 'route', 'all')}\n${speaker.output}`));
  assert.equal(route.prefix, ANYCAST);
  assert.equal(route.paths.length, 2);
  const [a, b] = route.paths;
  assert.ok(a && b);
  assert.notEqual(a.pathId, b.pathId, 'distinct path identifiers');
  assert.ok(a.pathId !== 0 && b.pathId !== 0, 'path identifiers come from the route server');
  assert.deepEqual(
    route.paths.map((p) => p.peer),
    [rs.address, rs.address],
    'both paths arrive on the one session',
  );
  const byOrigin = new Map(route.paths.map((p) => [p.originAs, p]));
  assert.deepEqual([...byOrigin.keys()].sort(), [origin1.asn, origin2.asn]);
  for (const o of [origin1, origin2]) {
    const p = byOrigin.get(o.asn);
    assert.equal(p?.nextHop, o.nextHop, "the route server keeps each originator's next hop");
    assert.deepEqual(p?.asPath, [rs.asn, o.asn]);
    assert.deepEqual(p?.communities, [`${o.asn}:53`]);
  }
  // The route server's own view: two routes for the prefix, one per originator.
  const rsView = server.birdc('show', 'route', ANYCAST, 'all');
  assert.equal([...rsView.matchAll(/BGP\.as_path: (\d+)/g)].length, 2, rsView);
  assert.equal((await speaker.peer(rs.address)).received['ipv4-unicast'], 2, 'paths counted per path');
});

test('ADD-PATH: a withdrawal removes only the path it names', async () => {
  await waitFor('two paths', async () => ((await speaker.lookup('192.0.2.53'))?.paths.length === 2 ? true : undefined));
  const [first] = originators;
  assert.ok(first);
  assert.match(first.birdc('disable', 'routes4'), /disabled/);
  const route = await waitFor(
    'one path left',
    async () => {
      const r = await speaker.lookup('192.0.2.53');
      return r?.paths.length === 1 ? r : undefined;
    },
    30_000,
  );
  assert.equal(route.paths[0]?.originAs, origin2.asn);
  assert.equal(route.paths[0]?.nextHop, origin2.nextHop);
  first.birdc('enable', 'routes4');
  const again = await waitFor(
    'both paths again',
    async () => {
      const r = await speaker.lookup('192.0.2.53');
      return r?.paths.length === 2 ? r : undefined;
    },
    30_000,
  );
  assert.deepEqual(again.paths.map((p) => p.originAs).sort(), [origin1.asn, origin2.asn]);
});
