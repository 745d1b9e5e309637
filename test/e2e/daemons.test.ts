import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Bird, Frr, freePort, GoBgp, tempDir, waitFor } from '@kube-routes/test/support';

// The interop harness itself: the three real daemons peer with each other on loopback and a
// route with communities crosses them. If this fails, the speaker's interop tests cannot pass.
test('BIRD, GoBGP and FRR peer on loopback and pass a route along', async () => {
  const dir = tempDir();
  const [birdPort, gobgpPort, frrPort] = await Promise.all([
    freePort('127.0.0.2'),
    freePort('127.0.0.3'),
    freePort('127.0.0.4'),
  ]);
  const bird = new Bird(
    {
      dir: join(dir, 'bird'),
      address: '127.0.0.2',
      port: birdPort,
      asn: 65001,
      routerId: '10.0.0.2',
      neighbors: [{ name: 'gobgp', address: '127.0.0.3', port: gobgpPort, asn: 65002 }],
    },
    { ipv4: [{ prefix: '198.51.100.0/24', communities: ['65001:100'], largeCommunities: ['65001:1:2'] }] },
  );
  const gobgp = new GoBgp({
    dir: join(dir, 'gobgp'),
    address: '127.0.0.3',
    port: gobgpPort,
    asn: 65002,
    routerId: '10.0.0.3',
    neighbors: [
      { name: 'bird', address: '127.0.0.2', port: birdPort, asn: 65001 },
      { name: 'frr', address: '127.0.0.4', port: frrPort, asn: 65003 },
    ],
  });
  const frr = new Frr({
    dir: join(dir, 'frr'),
    address: '127.0.0.4',
    port: frrPort,
    asn: 65003,
    routerId: '10.0.0.4',
    neighbors: [{ name: 'gobgp', address: '127.0.0.3', port: gobgpPort, asn: 65002 }],
  });
  after(() => Promise.all([bird.stop(), gobgp.stop(), frr.stop()]));
  bird.start();
  await gobgp.start();
  frr.start();

  await waitFor('BIRD to establish with GoBGP', () =>
    bird.protocolState('gobgp') === 'Established' ? true : undefined,
  ).catch((e: Error) => assert.fail(`${e.message}\n${bird.log}`));
  const rib = await waitFor('GoBGP to learn 198.51.100.0/24', () => {
    const run = gobgp.gobgp('global', 'rib', '198.51.100.0/24');
    return run.out.includes('198.51.100.0/24') ? run.out : undefined;
  });
  assert.match(rib, /65001:100/);
  assert.match(rib, /65001:1:2/);
  const frrRoute = await waitFor(
    'FRR to learn the route through GoBGP',
    () => {
      const out = frr.vtysh('show bgp ipv4 unicast 198.51.100.0/24 json');
      return out.includes('"65002 65001"') ? out : undefined;
    },
    30_000,
  ).catch((e: Error) => assert.fail(`${e.message}\n${frr.vtysh('show bgp summary')}\n${frr.log}`));
  assert.match(frrRoute, /65001:100/);
});
