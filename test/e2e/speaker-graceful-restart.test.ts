import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  Bird,
  RawPeer,
  SpeakerProcess,
  announce4,
  announce6,
  endOfRib,
  freePort,
  rawCapabilities,
  tempDir,
  waitFor,
  type DaemonSpec,
  type LogEntry,
} from '@kube-routes/test/support';

// Graceful restart (RFC 4724), the speaker as receiving speaker (addresses 127.0.3.x, this file
// only). BIRD is killed with SIGKILL (its TCP session drops without a NOTIFICATION) and comes
// back, or does not. Raw-socket peers cover what BIRD cannot be made to send: capabilities that
// keep only some families, and a NOTIFICATION during the restart.

const SPEAKER = '127.0.3.1';
const restarts = { address: '127.0.3.2', asn: 65031, port: 0 };
const expires = { address: '127.0.3.3', asn: 65032, port: 0 };
const notPreserved = { address: '127.0.3.4', asn: 65033, port: 0 };
const raw = {
  noFamilies: { address: '127.0.3.5', asn: 65035 },
  notification: { address: '127.0.3.6', asn: 65036 },
  perFamily: { address: '127.0.3.7', asn: 65037 },
};

const dir = tempDir('kube-routes-gr-');
const speaker = new SpeakerProcess({
  dir: join(dir, 'speaker'),
  address: SPEAKER,
  // All passive: the restarted BIRD reconnects at once instead of waiting for our retry backoff.
  peers: [restarts, expires, notPreserved, ...Object.values(raw)].map((p) => ({ address: p.address, asn: p.asn })),
});
const birds: Bird[] = [];
const rawPeers: RawPeer[] = [];

function birdSpec(name: string, n: { address: string; asn: number; port: number }, restartTime: number): DaemonSpec {
  return {
    dir: join(dir, name),
    address: n.address,
    port: n.port,
    asn: n.asn,
    routerId: `10.0.3.${n.address.split('.')[3]}`,
    neighbors: [{ name: 'ts', address: SPEAKER, port: speaker.port, asn: 65000, gracefulRestart: true, restartTime }],
  };
}

function startBird(spec: DaemonSpec, prefixes4: string[], prefixes6: string[], recovery = false): Bird {
  const bird = new Bird(spec, {
    ipv4: prefixes4.map((prefix) => ({ prefix })),
    ipv6: prefixes6.map((prefix) => ({ prefix })),
    nextHop6: '2001:db8::3',
  });
  birds.push(bird);
  bird.start({ recovery });
  return bird;
}

async function connectRaw(address: string): Promise<RawPeer> {
  const peer = await RawPeer.connect(SPEAKER, speaker.port, address);
  rawPeers.push(peer);
  return peer;
}

const isStale = (stale: boolean) => (r: { paths: readonly { stale: boolean }[] }) =>
  r.paths.length === 1 && r.paths[0]?.stale === stale;
const logsOf = (peer: string, event: string) => speaker.logs(event).filter((e: LogEntry) => e.peer === peer);

before(async () => {
  speaker.port = await freePort(SPEAKER);
  for (const n of [restarts, expires, notPreserved]) n.port = await freePort(n.address);
  await speaker.start();
});

after(async () => {
  for (const p of rawPeers) p.close();
  await speaker.stop('SIGKILL');
  await Promise.all(birds.map((b) => b.stop('SIGKILL')));
});

describe('graceful restart', { concurrency: true }, () => {
  test('BIRD killed and restarted with its forwarding state: routes stay stale, End-of-RIB refreshes them and sweeps the withdrawn one', async () => {
    const spec = birdSpec('restarts', restarts, 30);
    const first = startBird(spec, ['10.3.2.0/24', '10.3.20.0/24'], ['2001:db8:32::/48']);
    for (const prefix of ['10.3.2.0/24', '10.3.20.0/24', '2001:db8:32::/48'])
      await speaker.waitForRoute(prefix, isStale(false));
    const status = await speaker.peer(restarts.address);
    assert.ok(status.capabilities.includes('graceful-restart 30s'), status.capabilities.join(', '));

    await first.stop('SIGKILL');
    for (const prefix of ['10.3.2.0/24', '10.3.20.0/24', '2001:db8:32::/48'])
      await speaker.waitForRoute(prefix, isStale(true));
    assert.equal((await speaker.lookup('10.3.20.9'))?.paths[0]?.stale, true, '/v1/lookup shows the stale flag');
    const begun = await speaker.waitForLog('graceful-restart', (e) => e.peer === restarts.address);
    assert.equal(begun.stalePaths, 3);
    assert.equal(begun.restartSeconds, 30);
    assert.notEqual((await speaker.peer(restarts.address)).state, 'Established');

    // Back (bird -R: graceful restart recovery, F bit set), without 10.3.20.0/24.
    startBird(spec, ['10.3.2.0/24'], ['2001:db8:32::/48'], true);
    await speaker.waitForNoRoute('10.3.20.0/24');
    await speaker.waitForRoute('10.3.2.0/24', isStale(false));
    await speaker.waitForRoute('2001:db8:32::/48', isStale(false));
    // The restart ends with the last End-of-RIB (the line without a family).
    await speaker.waitForLog('stale-swept', (e) => e.peer === restarts.address && e.family === undefined);
    const sweeps = logsOf(restarts.address, 'stale-swept');
    assert.ok(sweeps.length >= 1 && sweeps.every((e) => e.why === 'end-of-rib'), JSON.stringify(sweeps));
    assert.deepEqual(
      sweeps.map((e) => e.paths).reduce((a, b) => Number(a) + Number(b), 0),
      1,
      'exactly the route withdrawn while down was swept',
    );
    assert.deepEqual((await speaker.peer(restarts.address)).received, { 'ipv4-unicast': 1, 'ipv6-unicast': 1 });
  });

  test('BIRD killed and not restarted: its stale routes go when its restart time (5 s) ends', async () => {
    const bird = startBird(birdSpec('expires', expires, 5), ['10.3.3.0/24'], ['2001:db8:33::/48']);
    await speaker.waitForRoute('10.3.3.0/24', isStale(false));
    await speaker.waitForRoute('2001:db8:33::/48', isStale(false));
    await bird.stop('SIGKILL');
    // The stale phase is short here: read it from the log rather than race it over the API.
    const begun = await speaker.waitForLog('graceful-restart', (e) => e.peer === expires.address);
    assert.equal(begun.restartSeconds, 5, 'the restart time BIRD advertised');
    assert.equal(begun.stalePaths, 2);
    await speaker.waitForNoRoute('10.3.3.0/24', 30_000);
    await speaker.waitForNoRoute('2001:db8:33::/48', 30_000);
    const swept = await speaker.waitForLog('stale-swept', (e) => e.peer === expires.address);
    assert.equal(swept.why, 'restart-time-expired');
    assert.equal(swept.paths, 2);
    const kept = Date.parse(String(swept.time)) - Date.parse(String(begun.time));
    assert.ok(kept >= 5000 - 10, `stale routes kept ${kept} ms, less than the restart time`);
    const status = await speaker.peer(expires.address);
    assert.deepEqual(status.received, { 'ipv4-unicast': 0, 'ipv6-unicast': 0 });
    assert.match(status.lastError ?? '', /connection/);
  });

  test('BIRD restarted without its forwarding state (no -R): stale routes go as soon as it is back', async () => {
    const spec = birdSpec('not-preserved', notPreserved, 30);
    const first = startBird(spec, ['10.3.4.0/24', '10.3.40.0/24'], []);
    await speaker.waitForRoute('10.3.40.0/24', isStale(false));
    await first.stop('SIGKILL');
    await speaker.waitForRoute('10.3.40.0/24', isStale(true));
    startBird(spec, ['10.3.4.0/24'], []);
    const swept = await speaker.waitForLog('stale-swept', (e) => e.peer === notPreserved.address);
    assert.equal(swept.why, 'forwarding state not preserved');
    assert.equal(swept.paths, 2);
    await speaker.waitForRoute('10.3.4.0/24', isStale(false));
    assert.equal(await speaker.route('10.3.40.0/24'), undefined);
  });

  test('a peer whose graceful-restart capability lists no family keeps nothing: its routes go with the connection', async () => {
    const { address, asn } = raw.noFamilies;
    const peer = await connectRaw(address);
    await peer.establish({
      asn,
      holdTime: 30,
      bgpId: 0x0a000305,
      capabilities: rawCapabilities({ gracefulRestart: { restartTime: 60, families: [] } }),
    });
    peer.send(announce4(['10.3.5.0/24'], [asn]));
    await speaker.waitForRoute('10.3.5.0/24');
    peer.close();
    await speaker.waitForNoRoute('10.3.5.0/24');
    assert.equal(logsOf(address, 'graceful-restart').length, 0, 'no graceful restart began');
  });

  test('a NOTIFICATION from the re-established peer ends the restart: stale and fresh routes go', async () => {
    const { address, asn } = raw.notification;
    const open = {
      asn,
      holdTime: 30,
      bgpId: 0x0a000306,
      capabilities: rawCapabilities({
        gracefulRestart: { restartTime: 120, families: [{ family: 4, preserved: true }] },
      }),
    };
    const before = await connectRaw(address);
    await before.establish(open);
    before.send(announce4(['10.3.6.0/24'], [asn]));
    await speaker.waitForRoute('10.3.6.0/24', isStale(false));
    before.close();
    await speaker.waitForRoute('10.3.6.0/24', isStale(true));

    const again = await connectRaw(address);
    await again.establish(open);
    again.send(announce4(['10.3.60.0/24'], [asn]));
    await speaker.waitForRoute('10.3.60.0/24', isStale(false));
    assert.equal((await speaker.route('10.3.6.0/24'))?.paths[0]?.stale, true, 'still stale: no End-of-RIB yet');
    again.send({ type: 'NOTIFICATION', code: 6, subcode: 4, data: new Uint8Array(0) });
    await speaker.waitForNoRoute('10.3.60.0/24');
    await speaker.waitForNoRoute('10.3.6.0/24');
    assert.match((await speaker.peer(address)).lastError ?? '', /received NOTIFICATION Cease \/ Administrative Reset/);
  });

  test('per family: a family missing from the capability goes at once, End-of-RIB sweeps the family it ends', async () => {
    const { address, asn } = raw.perFamily;
    const capabilities = rawCapabilities({
      gracefulRestart: { restartTime: 120, families: [{ family: 4, preserved: true }] },
    });
    const first = await connectRaw(address);
    await first.establish({ asn, holdTime: 30, bgpId: 0x0a000307, capabilities });
    first.send(announce4(['10.3.7.0/24', '10.3.70.0/24'], [asn]));
    first.send(announce6(['2001:db8:37::/48'], [asn]));
    await speaker.waitForRoute('10.3.70.0/24');
    await speaker.waitForRoute('2001:db8:37::/48');
    first.close();
    // IPv4 is kept stale; IPv6 was not in the capability.
    await speaker.waitForRoute('10.3.7.0/24', isStale(true));
    await speaker.waitForNoRoute('2001:db8:37::/48');

    const second = await connectRaw(address);
    await second.establish({ asn, holdTime: 30, bgpId: 0x0a000307, capabilities });
    second.send(announce4(['10.3.7.0/24'], [asn]));
    await speaker.waitForRoute('10.3.7.0/24', isStale(false));
    assert.equal((await speaker.route('10.3.70.0/24'))?.paths[0]?.stale, true, 'kept until End-of-RIB');
    second.send(endOfRib(4));
    await speaker.waitForNoRoute('10.3.70.0/24');
    await speaker.waitForLog('stale-swept', (e) => e.peer === address && e.why === 'end-of-rib');
    const sweeps = logsOf(address, 'stale-swept');
    assert.deepEqual(
      sweeps.map((e) => e.why),
      ['family not in the graceful restart capability', 'end-of-rib'],
    );
    assert.equal((await speaker.peer(address)).state, 'Established');
    assert.deepEqual(second.decodeErrors, []);
    // The speaker's own End-of-RIB markers arrived on the raw session too.
    const eors = second.received.filter((m) => m.type === 'UPDATE');
    assert.equal(eors.length, 2, 'End-of-RIB for IPv4 and IPv6');
    await waitFor('still established', async () =>
      (await speaker.peer(address)).state === 'Established' ? true : undefined,
    );
  });
});
