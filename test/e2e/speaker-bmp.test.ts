import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Frr, GoBgp, SpeakerProcess, freePort, tempDir, waitFor, type LogEntry } from '@kube-routes/test/support';
import type { PeerStatus, Route } from '@kube-routes/server/engine';

// The speaker's BMP station (RFC 7854) against real routers on loopback (addresses 127.0.12.x,
// this file only). The speaker has no BGP peers: everything it knows comes over BMP.
//
//   GoBGP feeder (AS65123, 127.0.12.3) --BGP--> FRR (AS65122, 127.0.12.2) --BGP--> GoBGP (AS65124, 127.0.12.4)
//                                                    |  BMP pre+post-policy              |  BMP route-monitoring-policy "all"
//                                                    +--------------> speaker <----------+   (pre+post-policy and its Loc-RIB)
//
// FRR monitors its peer the feeder; GoBGP monitors its peer FRR. FRR's import policy adds
// community 65122:1, so its post-policy routes differ from its pre-policy ones. The routers
// connect to the station from 127.0.0.1 (neither can choose its source address), so their peers
// are told apart by address, and routers by the sysName of their BMP Initiation.

const SPEAKER = '127.0.12.1';
const frrNode = { address: '127.0.12.2', asn: 65122, port: 0 };
const feederNode = { address: '127.0.12.3', asn: 65123, port: 0 };
const gobgpNode = { address: '127.0.12.4', asn: 65124, port: 0 };
const FRR_SYSNAME = 'frr-10.0.12.2';
const GOBGP_SYSNAME = 'GoBGP';

const dir = tempDir('kube-routes-bmp-');
const speaker = new SpeakerProcess({ dir: join(dir, 'speaker'), address: SPEAKER, peers: [], bmp: true });

let feeder: GoBgp;
let frr: Frr;
let gobgp: GoBgp;

before(async () => {
  for (const n of [frrNode, feederNode, gobgpNode]) n.port = await freePort(n.address);
  // The station first, so the routers' first BMP connection finds it listening.
  await speaker.start();
  const station = { host: SPEAKER, port: speaker.bmpPort };
  const spec = (name: string, n: typeof frrNode, neighbors: { name: string; n: typeof frrNode }[]) => ({
    dir: join(dir, name),
    address: n.address,
    port: n.port,
    asn: n.asn,
    routerId: `10.0.12.${n.address.split('.')[3]}`,
    neighbors: neighbors.map((x) => ({ name: x.name, address: x.n.address, port: x.n.port, asn: x.n.asn })),
  });
  feeder = new GoBgp(spec('feeder', feederNode, [{ name: 'frr', n: frrNode }]), '10.0.12.3');
  frr = new Frr(
    spec('frr', frrNode, [
      { name: 'feeder', n: feederNode },
      { name: 'gobgp', n: gobgpNode },
    ]),
    [],
    '10.0.12.2',
    {
      importCommunities: ['65122:1'],
      bmp: { ...station, policies: ['pre-policy', 'post-policy'] },
    },
  );
  gobgp = new GoBgp(spec('gobgp', gobgpNode, [{ name: 'frr', n: frrNode }]), '10.0.12.4', {
    bmp: { ...station, policy: 'all', statisticsTimeout: 15 },
  });
  frr.start();
  await Promise.all([feeder.start(), gobgp.start()]);
  await waitFor('the feeder GoBGP API', () => (feeder.gobgp('global').code === 0 ? true : undefined));
  for (const [prefix, ...extra] of [['10.12.1.0/24', 'community', '65123:1'], ['10.12.2.0/24']] as const) {
    const run = feeder.gobgp('global', 'rib', '-a', 'ipv4', 'add', prefix, ...extra);
    assert.equal(run.code, 0, `gobgp global rib add ${prefix}: ${run.out}`);
  }
});

after(async () => {
  await speaker.stop('SIGKILL');
  await Promise.all([feeder?.stop(), frr?.stop(), gobgp?.stop()]);
});

/** Adds the routers' and the speaker's output to a failure. */
async function explain<T>(what: Promise<T>): Promise<T> {
  return what.catch((e: Error) =>
    assert.fail(
      `${e.message}\n--- FRR ---\n${frr.log}\n--- GoBGP ---\n${gobgp.log}\n--- speaker ---\n${speaker.output}`,
    ),
  );
}

/** The BMP rows of one monitored peer, pre-policy first. */
async function bmpRows(address: string): Promise<PeerStatus[]> {
  return (await speaker.peers()).filter((p) => p.source === 'bmp' && p.address === address);
}

/** Waits until the monitored peer has a row per policy and all of them satisfy check. */
function waitForRows(
  address: string,
  policies: readonly string[],
  check: (p: PeerStatus) => boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<PeerStatus[]> {
  return explain(
    waitFor(
      `${what} (${address})`,
      async () => {
        const rows = await bmpRows(address);
        return rows.map((p) => p.policy).join() === policies.join() && rows.every(check) ? rows : undefined;
      },
      timeoutMs,
    ),
  );
}

/** The router address the station logged for a sysName (the BMP connection's source). */
async function routerOf(sysName: string): Promise<LogEntry> {
  return speaker.waitForLog('bmp-router-up', (e) => e.sysName === sysName, 60_000);
}

const pathOf = (route: Route | undefined, peer: string) => route?.paths.find((p) => p.peer === peer);

describe('BMP station with FRR and GoBGP', () => {
  test('FRR: its BGP peer appears in /v1/peers with source bmp, the router, pre- and post-policy', async () => {
    const up = await routerOf(FRR_SYSNAME);
    assert.match(String(up.sysDescr), /^FRRouting/);
    const rows = await waitForRows(
      feederNode.address,
      ['pre-policy', 'post-policy'],
      (p) => p.state === 'Established' && (p.received['ipv4-unicast'] ?? 0) === 2,
      'FRR to report the feeder with its two routes',
    );
    for (const row of rows) {
      assert.equal(row.router, up.router);
      assert.equal(row.asn, feederNode.asn);
      assert.ok(row.capabilities.includes('4-octet-as'), row.capabilities.join());
      assert.equal(row.lastError, undefined);
    }
  });

  test("FRR: /v1/lookup finds the routes in both views; only post-policy carries the import policy's community", async () => {
    const router = (await routerOf(FRR_SYSNAME)).router;
    const pre = `${feederNode.address} (bmp ${router} pre-policy)`;
    const post = `${feederNode.address} (bmp ${router} post-policy)`;
    const route = await explain(
      waitFor(
        '10.12.1.0/24 from FRR in both views',
        async () => {
          const r = (await speaker.get<{ route?: Route }>('/v1/lookup?ip=10.12.1.7')).body.route;
          return pathOf(r, pre) && pathOf(r, post) ? r : undefined;
        },
        60_000,
      ),
    );
    assert.equal(route.prefix, '10.12.1.0/24');
    assert.deepEqual(pathOf(route, pre)?.communities, ['65123:1']);
    assert.deepEqual(pathOf(route, post)?.communities, ['65122:1', '65123:1']);
    for (const p of [pathOf(route, pre), pathOf(route, post)]) {
      assert.equal(p?.originAs, feederNode.asn);
      assert.equal(p?.nextHop, '10.0.12.3', "the feeder's next hop, as FRR received it");
    }
  });

  test('GoBGP: its BGP peer (FRR) appears with source bmp, pre- and post-policy; its Loc-RIB is the loc-rib view', async () => {
    const up = await routerOf(GOBGP_SYSNAME);
    const rows = await waitForRows(
      frrNode.address,
      ['pre-policy', 'post-policy'],
      (p) => p.state === 'Established' && (p.received['ipv4-unicast'] ?? 0) === 2,
      'GoBGP to report FRR with its two routes',
    );
    for (const row of rows) {
      assert.equal(row.router, up.router);
      assert.equal(row.asn, frrNode.asn);
    }
    const router = up.router;
    const route = await speaker.lookup('10.12.2.9');
    const path = pathOf(route, `${frrNode.address} (bmp ${router} pre-policy)`);
    assert.deepEqual(path?.asPath, [frrNode.asn, feederNode.asn], "FRR passed the feeder's route on");
    assert.equal(path?.nextHop, '10.0.12.2');
    assert.ok(pathOf(route, `${frrNode.address} (bmp ${router} post-policy)`));
    // GoBGP sends its best paths as a Loc-RIB (RFC 9069 peer type 3, named by its router ID):
    // kept apart, read with view=loc-rib, never in the default Adj-RIB-In.
    const loc = `10.0.12.4 (bmp ${router} loc-rib)`;
    const best = await explain(
      waitFor('10.12.2.0/24 in GoBGP Loc-RIB', async () => pathOf(await speaker.lookup('10.12.2.9', 'loc-rib'), loc)),
    );
    assert.deepEqual(best.asPath, [frrNode.asn, feederNode.asn]);
    assert.equal(pathOf(route, loc), undefined, 'not in the Adj-RIB-In');
    const [row] = await bmpRows('10.0.12.4');
    assert.deepEqual(
      [row?.view, row?.policy, row?.filtered, row?.asn, row?.router, row?.received['ipv4-unicast']],
      ['loc-rib', undefined, false, gobgpNode.asn, router, 2],
    );
    assert.deepEqual(speaker.logs('bmp-ignored'), [], 'nothing GoBGP sends is ignored');
  });

  test('a withdrawal on the monitored peer removes the route from every view', async () => {
    await explain(
      waitFor(
        '10.12.2.0/24 in four views',
        async () => ((await speaker.route('10.12.2.0/24'))?.paths.length === 4 ? true : undefined),
        60_000,
      ),
    );
    const run = feeder.gobgp('global', 'rib', '-a', 'ipv4', 'del', '10.12.2.0/24');
    assert.equal(run.code, 0, run.out);
    await explain(speaker.waitForNoRoute('10.12.2.0/24', 60_000));
    assert.equal((await speaker.lookup('10.12.2.9'))?.prefix, undefined);
    await explain(
      waitFor('10.12.2.0/24 to leave the Loc-RIB', async () =>
        (await speaker.route('10.12.2.0/24', 'loc-rib')) === undefined ? true : undefined,
      ),
    );
    assert.equal((await speaker.route('10.12.1.0/24'))?.paths.length, 4, 'the other route stays');
    await waitForRows(
      feederNode.address,
      ['pre-policy', 'post-policy'],
      (p) => p.received['ipv4-unicast'] === 1,
      'the counts to drop',
    );
  });

  test("stopping GoBGP removes its peers and their routes; FRR's stay", async () => {
    const down = speaker.waitForLog('bmp-router-down', (e) => e.sysName === GOBGP_SYSNAME, 60_000);
    await gobgp.stop();
    const entry = await down;
    assert.equal(entry.peers, 2, 'its peer FRR and its Loc-RIB');
    assert.deepEqual(await bmpRows(frrNode.address), []);
    assert.equal(await speaker.route('10.12.1.0/24', 'loc-rib'), undefined);
    const route = await speaker.route('10.12.1.0/24');
    assert.deepEqual(
      route?.paths.map((p) => p.peer.split(' ')[0]),
      [feederNode.address, feederNode.address],
      "only FRR's views remain",
    );
  });

  test('FRR shuts its session with the feeder: Peer Down, the rows go Idle with the reason, the routes go', async () => {
    frr.configure(`router bgp ${frrNode.asn}`, `neighbor ${feederNode.address} shutdown`);
    const rows = await waitForRows(
      feederNode.address,
      ['pre-policy', 'post-policy'],
      (p) => p.state === 'Idle',
      'the feeder to be down',
    );
    for (const row of rows) {
      assert.match(row.lastError ?? '', /^the (router|peer) /);
      assert.deepEqual(row.received, { 'ipv4-unicast': 0, 'ipv6-unicast': 0 });
      assert.equal(row.uptimeSeconds, 0);
    }
    await speaker.waitForLog('bmp-peer-down', (e) => e.peer === feederNode.address);
    assert.equal(await speaker.route('10.12.1.0/24'), undefined);
  });

  test('stopping FRR removes its peers', async () => {
    assert.equal((await bmpRows(feederNode.address)).length, 2);
    const down = speaker.waitForLog('bmp-router-down', (e) => e.sysName === FRR_SYSNAME, 60_000);
    await frr.stop();
    await down;
    assert.deepEqual(
      (await speaker.peers()).filter((p) => p.source === 'bmp'),
      [],
    );
    assert.equal((await speaker.get('/healthz')).status, 200, 'the speaker itself carries on');
    assert.deepEqual(
      [...speaker.logs('bmp-malformed'), ...speaker.logs('malformed-update')],
      [],
      'every message of the real routers decoded',
    );
    if (process.env.BMP_E2E_LOG) console.log(speaker.output);
  });
});
