import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  Bird,
  Frr,
  GoBgp,
  SpeakerProcess,
  attributesOf,
  birdNextHops,
  birdRouteView,
  freePort,
  frrRouteView,
  gobgpAdjOut,
  pathFrom,
  tempDir,
  waitFor,
  type SentRouteView,
} from '@kube-routes/test/support';
import type { RoutePath } from '@kube-routes/server/engine';

// kube-routes-speaker against real BIRD, GoBGP and FRR on loopback (addresses 127.0.1.x, this
// file only). Each daemon runs twice: once passive (the speaker connects: its peer entry has a
// port) and once active (the speaker has no port for it, so only the daemon can connect).
// The "-p" instances originate routes with communities, compared with the daemon's own CLI;
// the "-a" instances withdraw routes. The last test stops the speaker with SIGTERM.

const SPEAKER = '127.0.1.1';
const SHUTDOWN_TEXT = 'kube-routes-speaker received SIGTERM';

interface Node {
  readonly address: string;
  readonly asn: number;
  port: number;
}
const birdP: Node = { address: '127.0.1.2', asn: 65001, port: 0 };
const birdA: Node = { address: '127.0.1.3', asn: 65011, port: 0 };
const gobgpP: Node = { address: '127.0.1.4', asn: 65002, port: 0 };
const gobgpA: Node = { address: '127.0.1.5', asn: 65012, port: 0 };
const frrP: Node = { address: '127.0.1.6', asn: 65003, port: 0 };
const frrA: Node = { address: '127.0.1.7', asn: 65013, port: 0 };
const nodes = [birdP, birdA, gobgpP, gobgpA, frrP, frrA];

const dir = tempDir('kube-routes-interop-');
const speaker = new SpeakerProcess({
  dir: join(dir, 'speaker'),
  address: SPEAKER,
  peers: [
    {
      address: birdP.address,
      asn: birdP.asn,
      get port() {
        return birdP.port;
      },
    },
    { address: birdA.address, asn: birdA.asn },
    {
      address: gobgpP.address,
      asn: gobgpP.asn,
      get port() {
        return gobgpP.port;
      },
    },
    { address: gobgpA.address, asn: gobgpA.asn },
    {
      address: frrP.address,
      asn: frrP.asn,
      get port() {
        return frrP.port;
      },
    },
    { address: frrA.address, asn: frrA.asn },
  ],
});
const towardsSpeaker = (active: boolean) => ({
  name: 'ts',
  address: SPEAKER,
  get port() {
    return speaker.port;
  },
  asn: 65000,
  active,
});

let bird: { p: Bird; a: Bird };
let gobgp: { p: GoBgp; a: GoBgp };
let frr: { p: Frr; a: Frr };

const birdRoutes4 = [
  {
    prefix: '10.1.2.0/24',
    communities: ['65001:100', '65001:101'],
    largeCommunities: ['65001:1:2'],
    extendedCommunities: ['rt 65001:5'],
  },
  { prefix: '10.1.20.0/24', communities: ['65001:200'], extendedCommunities: ['soo 65001:9'] },
];
const birdRoutes6 = [
  {
    prefix: '2001:db8:12::/48',
    communities: ['65001:6'],
    largeCommunities: ['65001:6:6', '65001:7:7'],
    extendedCommunities: ['rt 65001:7'],
  },
];
const frrRoutes4 = [
  {
    prefix: '10.1.6.0/24',
    communities: ['65003:1'],
    largeCommunities: ['65003:1:2'],
    extendedCommunities: ['rt 65003:5'],
  },
];
const frrRoutes6 = [
  {
    prefix: '2001:db8:16::/48',
    communities: ['65003:6', '65003:7'],
    largeCommunities: ['65003:6:6'],
    extendedCommunities: ['soo 65003:7'],
  },
];

before(async () => {
  speaker.port = await freePort(SPEAKER);
  for (const n of nodes) n.port = await freePort(n.address);
  const spec = (name: string, n: Node, active: boolean) => ({
    dir: join(dir, name),
    address: n.address,
    port: n.port,
    asn: n.asn,
    routerId: `10.0.1.${n.address.split('.')[3]}`,
    neighbors: [towardsSpeaker(active)],
  });
  bird = {
    p: new Bird(spec('bird-p', birdP, false), {
      ipv4: birdRoutes4,
      ipv6: birdRoutes6,
      nextHop4: '10.0.1.2',
      nextHop6: '2001:db8::12',
    }),
    a: new Bird(spec('bird-a', birdA, true), {
      ipv4: [{ prefix: '10.1.3.0/24' }, { prefix: '10.1.30.0/24' }],
      ipv6: [{ prefix: '2001:db8:13::/48' }],
      nextHop4: '10.0.1.3',
      nextHop6: '2001:db8::13',
    }),
  };
  gobgp = {
    p: new GoBgp(spec('gobgp-p', gobgpP, false), '10.0.1.4', { extendedCommunities: ['rt:65002:5'] }),
    a: new GoBgp(spec('gobgp-a', gobgpA, true), '10.0.1.5'),
  };
  frr = {
    p: new Frr(spec('frr-p', frrP, false), frrRoutes4, '10.0.1.6', { networks6: frrRoutes6, nextHop6: '2001:db8::16' }),
    a: new Frr(spec('frr-a', frrA, true), ['10.1.7.0/24', '10.1.70.0/24'], '10.0.1.7'),
  };
  // Daemons first, so the speaker's first connection attempts find them listening.
  bird.p.start();
  bird.a.start();
  frr.p.start();
  frr.a.start();
  await Promise.all([gobgp.p.start(), gobgp.a.start()]);
  for (const g of [gobgp.p, gobgp.a])
    await waitFor('the GoBGP API', () => (g.gobgp('global').code === 0 ? true : undefined));
  const add = (g: GoBgp, ...args: string[]) => {
    const run = g.gobgp('global', 'rib', ...args);
    assert.equal(run.code, 0, `gobgp global rib ${args.join(' ')}: ${run.out}`);
  };
  add(
    gobgp.p,
    '-a',
    'ipv4',
    'add',
    '10.1.4.0/24',
    'origin',
    'igp',
    'community',
    '65002:1,65002:2',
    'large-community',
    '65002:1:2',
  );
  add(
    gobgp.p,
    '-a',
    'ipv6',
    'add',
    '2001:db8:14::/48',
    'nexthop',
    '2001:db8::14',
    'community',
    '65002:6',
    'large-community',
    '65002:6:6,65002:6:7',
  );
  add(gobgp.a, '-a', 'ipv4', 'add', '10.1.5.0/24');
  add(gobgp.a, '-a', 'ipv6', 'add', '2001:db8:15::/48', 'nexthop', '2001:db8::15');
  await speaker.start();
});

after(async () => {
  await speaker.stop('SIGKILL');
  await Promise.all([bird?.p.stop(), bird?.a.stop(), gobgp?.p.stop(), gobgp?.a.stop(), frr?.p.stop(), frr?.a.stop()]);
});

/** Adds the daemon's log to a failure. */
async function explain<T>(what: Promise<T>, ...logs: string[]): Promise<T> {
  return what.catch((e: Error) =>
    assert.fail(`${e.message}\n--- daemon output ---\n${logs.join('\n')}\n--- speaker output ---\n${speaker.output}`),
  );
}

function compare(path: RoutePath | undefined, sent: SentRouteView | undefined, what: string): void {
  assert.ok(path, `${what}: the speaker has no path`);
  assert.ok(sent, `${what}: the daemon's CLI shows no route`);
  assert.deepEqual(
    attributesOf(path),
    {
      communities: sent.communities,
      largeCommunities: sent.largeCommunities,
      extendedCommunities: sent.extendedCommunities,
    },
    `${what}: communities`,
  );
}

describe('sessions with BIRD, GoBGP and FRR in both directions', { concurrency: true }, () => {
  const sessionCases = [
    {
      name: 'BIRD, the speaker connecting (BIRD passive)',
      node: birdP,
      daemon: () => bird.p,
      up: () => bird.p.protocolState('ts') === 'Established',
    },
    {
      name: 'BIRD, BIRD connecting (speaker passive)',
      node: birdA,
      daemon: () => bird.a,
      up: () => bird.a.protocolState('ts') === 'Established',
    },
    {
      name: 'GoBGP, the speaker connecting (GoBGP passive)',
      node: gobgpP,
      daemon: () => gobgp.p,
      up: () => gobgp.p.neighborState(SPEAKER) === 'established',
    },
    {
      name: 'GoBGP, GoBGP connecting (speaker passive)',
      node: gobgpA,
      daemon: () => gobgp.a,
      up: () => gobgp.a.neighborState(SPEAKER) === 'established',
    },
    {
      name: 'FRR, the speaker connecting (FRR passive)',
      node: frrP,
      daemon: () => frr.p,
      up: () => frr.p.neighborState(SPEAKER) === 'Established',
    },
    {
      name: 'FRR, FRR connecting (speaker passive)',
      node: frrA,
      daemon: () => frr.a,
      up: () => frr.a.neighborState(SPEAKER) === 'Established',
    },
  ];
  for (const c of sessionCases) {
    test(`session up: ${c.name}`, async () => {
      const status = await explain(speaker.waitForPeer(c.node.address), c.daemon().log);
      assert.equal(status.asn, c.node.asn);
      assert.ok(status.capabilities.includes('4-octet-as'), `capabilities: ${status.capabilities.join(', ')}`);
      assert.ok(status.capabilities.includes('multiprotocol ipv4-unicast'));
      await explain(
        waitFor(`${c.name}: the daemon to show the session Established`, () => (c.up() ? true : undefined), 30_000),
        c.daemon().log,
      );
    });
  }

  test('BIRD: IPv4 and IPv6 routes with communities, large and extended communities arrive as birdc shows them', async () => {
    for (const r of [...birdRoutes4, ...birdRoutes6]) {
      const route = await explain(speaker.waitForRoute(r.prefix), bird.p.log);
      const path = pathFrom(route, birdP.address);
      const view = birdRouteView(bird.p, r.prefix);
      compare(path, view, `BIRD ${r.prefix}`);
      // BIRD prepends its AS to its own (empty) path on the eBGP session.
      assert.deepEqual(path?.asPath, [birdP.asn, ...(view?.asPath ?? [])]);
      assert.equal(path?.originAs, birdP.asn);
      assert.equal(path?.stale, false);
    }
    // Next hops: what `show protocols all ts` says BIRD sets towards the speaker, per channel.
    const [nextHop4, nextHop6] = birdNextHops(bird.p, 'ts');
    assert.equal(pathFrom(await speaker.lookup('10.1.2.7'), birdP.address)?.nextHop, nextHop4);
    assert.equal(pathFrom(await speaker.lookup('2001:db8:12::7'), birdP.address)?.nextHop, nextHop6);
    assert.equal((await speaker.lookup('10.1.2.7'))?.prefix, '10.1.2.0/24', '/v1/lookup finds the covering route');
  });

  test('GoBGP: IPv4 and IPv6 routes with communities, large and extended communities arrive as gobgp adj-out shows them', async () => {
    for (const [family, prefix] of [
      ['ipv4', '10.1.4.0/24'],
      ['ipv6', '2001:db8:14::/48'],
    ] as const) {
      const route = await explain(speaker.waitForRoute(prefix), gobgp.p.log);
      const path = pathFrom(route, gobgpP.address);
      const sent = await waitFor(`gobgp adj-out ${prefix}`, () => gobgpAdjOut(gobgp.p, SPEAKER, family).get(prefix));
      compare(path, sent, `GoBGP ${prefix}`);
      assert.deepEqual(path?.asPath, sent.asPath);
      // GoBGP's export policy sets an IPv4 next hop on every route; on an IPv6 route it goes on the
      // wire as the IPv4-mapped IPv6 address (RFC 4291 2.5.5.2), which the speaker shows as such.
      assert.equal(path?.nextHop, family === 'ipv6' ? `::ffff:${sent.nextHop}` : sent.nextHop);
      assert.equal(path?.origin, sent.origin);
    }
    // The export policy adds the extended community, the CLI added the others.
    assert.deepEqual(pathFrom(await speaker.lookup('10.1.4.1'), gobgpP.address)?.extendedCommunities, ['rt 65002:5']);
    assert.deepEqual(pathFrom(await speaker.lookup('2001:db8:14::1'), gobgpP.address)?.largeCommunities, [
      '65002:6:6',
      '65002:6:7',
    ]);
  });

  test('FRR: IPv4 and IPv6 routes with communities, large and extended communities arrive as vtysh shows them', async () => {
    for (const [family, r] of [
      ...frrRoutes4.map((r) => ['ipv4', r] as const),
      ...frrRoutes6.map((r) => ['ipv6', r] as const),
    ]) {
      // FRR sends its first UPDATE some seconds after Established.
      const route = await explain(speaker.waitForRoute(r.prefix, undefined, 45_000), frr.p.log);
      const path = pathFrom(route, frrP.address);
      const view = frrRouteView(frr.p, family, r.prefix, SPEAKER);
      compare(path, view, `FRR ${r.prefix}`);
      assert.deepEqual(path?.asPath, [frrP.asn, ...(view?.asPath ?? [])]);
      assert.equal(path?.origin, view?.origin);
      assert.equal(path?.nextHop, view?.nextHop, `FRR ${r.prefix} next hop`);
    }
  });

  test('BIRD: disabling its static protocol withdraws the IPv4 routes; IPv6 stays', async () => {
    await explain(speaker.waitForRoute('10.1.3.0/24'), bird.a.log);
    await speaker.waitForRoute('10.1.30.0/24');
    await speaker.waitForRoute('2001:db8:13::/48');
    assert.match(bird.a.birdc('disable', 'routes4'), /disabled/);
    await speaker.waitForNoRoute('10.1.3.0/24');
    await speaker.waitForNoRoute('10.1.30.0/24');
    assert.equal(await speaker.lookup('10.1.3.1'), undefined);
    assert.ok(await speaker.route('2001:db8:13::/48'), 'the IPv6 route is not withdrawn');
    assert.equal((await speaker.peer(birdA.address)).received['ipv4-unicast'], 0);
    // And back: enabling announces them again.
    bird.a.birdc('enable', 'routes4');
    await speaker.waitForRoute('10.1.3.0/24');
  });

  test('GoBGP: gobgp global rib del withdraws IPv4 and IPv6 routes', async () => {
    await explain(speaker.waitForRoute('10.1.5.0/24'), gobgp.a.log);
    await speaker.waitForRoute('2001:db8:15::/48');
    assert.equal(gobgp.a.gobgp('global', 'rib', '-a', 'ipv4', 'del', '10.1.5.0/24').code, 0);
    await speaker.waitForNoRoute('10.1.5.0/24');
    assert.ok(await speaker.route('2001:db8:15::/48'));
    assert.equal(gobgp.a.gobgp('global', 'rib', '-a', 'ipv6', 'del', '2001:db8:15::/48').code, 0);
    await speaker.waitForNoRoute('2001:db8:15::/48');
    const status = await speaker.peer(gobgpA.address);
    assert.deepEqual(status.received, { 'ipv4-unicast': 0, 'ipv6-unicast': 0 });
    assert.equal(status.state, 'Established', 'withdrawals keep the session');
  });

  test('FRR: "no network" withdraws the route, the other stays', async () => {
    await explain(speaker.waitForRoute('10.1.7.0/24', undefined, 45_000), frr.a.log);
    await speaker.waitForRoute('10.1.70.0/24');
    frr.a.configure(`router bgp ${frrA.asn}`, 'address-family ipv4 unicast', 'no network 10.1.7.0/24');
    await explain(speaker.waitForNoRoute('10.1.7.0/24'), frr.a.vtysh('show running-config'));
    assert.ok(await speaker.route('10.1.70.0/24'));
    assert.equal((await speaker.peer(frrA.address)).received['ipv4-unicast'], 1);
  });

  test('the speaker advertises nothing: BIRD imports 0 routes from it', async () => {
    for (const [b, n] of [
      [bird.p, birdP],
      [bird.a, birdA],
    ] as const) {
      // Once the daemon's own routes have reached the speaker, the speaker's initial update is long done.
      await explain(
        waitFor(`routes from ${n.address}`, async () =>
          ((await speaker.peer(n.address)).received['ipv4-unicast'] ?? 0) > 0 ? true : undefined,
        ),
        b.log,
      );
      const protocol = b.birdc('show', 'protocols', 'all', 'ts');
      assert.match(protocol, /BGP state:\s+Established/);
      const imported = [...protocol.matchAll(/Routes:\s+(\d+) imported/g)].map((m) => Number(m[1]));
      assert.ok(imported.length >= 1, protocol);
      assert.deepEqual(
        imported,
        imported.map(() => 0),
        `BIRD ${n.address} imported routes from the speaker:\n${protocol}`,
      );
      const updates = [...protocol.matchAll(/Import updates:\s+(\d+)/g)].map((m) => Number(m[1]));
      assert.deepEqual(
        updates,
        updates.map(() => 0),
        'no route updates received from the speaker',
      );
    }
  });

  test('the speaker advertises nothing: GoBGP receives its End-of-RIB markers and 0 routes', async () => {
    for (const [g, n] of [
      [gobgp.p, gobgpP],
      [gobgp.a, gobgpA],
    ] as const) {
      await explain(speaker.waitForPeer(n.address), g.log);
      // One End-of-RIB per shared family (IPv4, IPv6) is all the speaker sends in UPDATE messages.
      const neighbor = await explain(
        waitFor(`GoBGP ${n.address} to receive the End-of-RIB markers`, () => {
          const x = g.neighbor(SPEAKER);
          return (x?.state?.messages?.received?.update ?? 0) >= 2 ? x : undefined;
        }),
        g.log,
        JSON.stringify(g.neighbor(SPEAKER)),
      );
      assert.equal(neighbor.state?.messages?.received?.update, 2);
      const families = neighbor.afi_safis ?? [];
      assert.equal(families.length, 2);
      for (const f of families) {
        assert.equal(f.state?.received ?? 0, 0, `GoBGP counted routes received from the speaker: ${JSON.stringify(f)}`);
        assert.equal(f.state?.accepted ?? 0, 0);
      }
      assert.equal(g.gobgp('neighbor', SPEAKER, 'adj-in').out.includes('/'), false, 'adj-in is empty');
    }
  });

  test('the speaker advertises nothing: FRR shows PfxRcd 0', async () => {
    for (const [f, n] of [
      [frr.p, frrP],
      [frr.a, frrA],
    ] as const) {
      await explain(
        waitFor(
          `routes from ${n.address}`,
          async () => (((await speaker.peer(n.address)).received['ipv4-unicast'] ?? 0) > 0 ? true : undefined),
          45_000,
        ),
        f.log,
      );
      const summary = JSON.parse(f.vtysh('show bgp summary json')) as Record<
        string,
        { peers: Record<string, { state: string; pfxRcd: number }> }
      >;
      const families = Object.keys(summary).filter((k) => summary[k]?.peers?.[SPEAKER]);
      assert.ok(families.includes('ipv4Unicast'), JSON.stringify(summary));
      for (const family of families) {
        const peer = summary[family]?.peers[SPEAKER];
        assert.equal(peer?.state, 'Established');
        assert.equal(peer?.pfxRcd, 0, `FRR ${n.address} ${family} PfxRcd`);
      }
    }
  });
});

test('SIGTERM: the speaker sends Cease / Administrative Shutdown with its reason to every peer and exits 0', async () => {
  for (const n of nodes) await speaker.waitForPeer(n.address);
  const exit = await speaker.stop('SIGTERM');
  assert.deepEqual(exit, { code: 0, signal: null }, speaker.output);
  const shutdown = speaker
    .logs('peer-down')
    .filter((e) => String(e.reason).startsWith(`sent NOTIFICATION Cease / Administrative Shutdown: ${SHUTDOWN_TEXT}`));
  assert.deepEqual(
    shutdown.map((e) => e.peer).sort(),
    nodes.map((n) => n.address).sort(),
    'every peer was sent the Cease',
  );
  assert.equal(speaker.logs('speaker-stopped').length, 1);

  // What each daemon saw.
  for (const b of [bird.p, bird.a]) {
    await waitFor(`BIRD ${b.spec.address} to log the shutdown`, () =>
      readFileSync(b.logFile, 'utf8').includes(`Received: Administrative shutdown: "${SHUTDOWN_TEXT}"`)
        ? true
        : undefined,
    );
  }
  for (const g of [gobgp.p, gobgp.a]) {
    await waitFor(`GoBGP ${g.spec.address} to log the NOTIFICATION`, () =>
      /received notification" Code=6 Communicated-Reason="kube-routes-speaker received SIGTERM" .*Subcode=2/.test(g.log)
        ? true
        : undefined,
    );
  }
  for (const f of [frr.p, frr.a]) {
    await waitFor(`FRR ${f.spec.address} to log the NOTIFICATION`, () => {
      const log = readFileSync(f.logFile, 'utf8');
      return log.includes(
        `%NOTIFICATION: received from neighbor ${SPEAKER} 6/2 (Cease/Administrative Shutdown) "${SHUTDOWN_TEXT}"`,
      )
        ? true
        : undefined;
    }).catch((e: Error) =>
      assert.fail(
        `${e.message}\n${readFileSync(f.logFile, 'utf8')
          .split('\n')
          .filter((l) => l.includes('127.0.1.1'))
          .join('\n')}`,
      ),
    );
  }
});
