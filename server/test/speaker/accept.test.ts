/**
 * Incoming connections from a configured peer's address, in every state of its session: each is
 * answered (a session, a takeover, or a NOTIFICATION and a close), none stays open and silent.
 * RFC 4271 section 6.8 (collisions), RFC 4724 section 4.2 (a restart without closing TCP).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { parseIpv4, type Capability } from '../../src/bgp';
import { RawPeer, announce4, waitFor } from '@kube-routes/test/support';
import { Speaker, memoryLogger } from '../../src/speaker';
import { speakerConfig } from './speaker-config';

const ip4 = (t: string) => parseIpv4(t)!;

function config(address: string, gracefulRestart: boolean) {
  return speakerConfig({ peers: [{ address, asn: 65001, maxPrefixes: 100, gracefulRestart }] });
}

const grCapabilities: Capability[] = [
  { type: 'multiprotocol', afi: 1, safi: 1 },
  { type: 'graceful-restart', flags: 0x8, restartTime: 120, families: [{ afi: 1, safi: 1, flags: 0x80 }] },
];

async function setup(address: string, gracefulRestart: boolean) {
  const speaker = new Speaker(config(address, gracefulRestart), memoryLogger());
  await speaker.start();
  const port = speaker.bgpAddress!.port;
  const open = {
    asn: 65001,
    holdTime: 90,
    bgpId: ip4(address),
    capabilities: gracefulRestart ? grCapabilities : undefined,
  };
  const peers: RawPeer[] = [];
  const connect = async () => {
    const p = await RawPeer.connect('127.0.0.1', port, address);
    peers.push(p);
    return p;
  };
  const state = () => speaker.peers()[0]?.state;
  const received = () => speaker.peers()[0]?.received['ipv4-unicast'] ?? 0;
  const close = async () => {
    for (const p of peers) p.close();
    await speaker.stop();
  };
  return { speaker, connect, open, state, received, close };
}

describe('accepted connections', () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of cleanups) await c();
  });

  it('a first connection is answered with an OPEN and becomes the session', async () => {
    const s = await setup('127.0.0.31', false);
    cleanups.push(s.close);
    const first = await s.connect();
    await first.waitForMessage("the speaker's OPEN", (m) => m.type === 'OPEN', 5_000);
    first.send({ type: 'KEEPALIVE' });
  });

  it('a second connection while Established, without graceful restart: Cease / Connection Collision Resolution', async () => {
    const s = await setup('127.0.0.32', false);
    cleanups.push(s.close);
    const first = await s.connect();
    await first.establish(s.open);
    await waitFor('Established', () => (s.state() === 'Established' ? true : undefined), 5_000, 10);
    const second = await s.connect();
    const n = await second.waitForNotification(5_000);
    assert.deepEqual([n.code, n.subcode], [6, 7]);
    await second.waitForClose(5_000);
    assert.equal(s.state(), 'Established', 'the working session stays');
    assert.equal(first.closed, false);
  });

  it('a peer that restarts without closing TCP (graceful restart): the new connection takes over, routes kept stale', async () => {
    const s = await setup('127.0.0.33', true);
    cleanups.push(s.close);
    const first = await s.connect();
    await first.establish(s.open);
    first.send(announce4(['10.9.0.0/24', '10.9.1.0/24'], [65001]));
    await waitFor('two routes', () => (s.received() === 2 ? true : undefined), 5_000, 10);
    const second = await s.connect();
    await second.establish(s.open);
    await first.waitForClose(5_000);
    await waitFor('Established again', () => (s.state() === 'Established' ? true : undefined), 5_000, 10);
    assert.equal(s.received(), 2, 'the routes are kept (stale) through the restart');
    assert.equal(s.speaker.routesExact('10.9.0.0/24')?.[0]?.paths[0]?.stale, true);
  });

  it('surplus connections during a collision are rejected with Cease / Connection Rejected and closed', async () => {
    const s = await setup('127.0.0.34', false);
    cleanups.push(s.close);
    const first = await s.connect(); // OpenSent: no OPEN from us yet
    await first.waitForMessage("the speaker's OPEN", (m) => m.type === 'OPEN', 5_000);
    const second = await s.connect(); // the contender
    await second.waitForMessage("the speaker's OPEN", (m) => m.type === 'OPEN', 5_000);
    const extras = await Promise.all(Array.from({ length: 20 }, () => s.connect()));
    for (const extra of extras) {
      const n = await extra.waitForNotification(5_000);
      assert.deepEqual([n.code, n.subcode], [6, 5]);
      await extra.waitForClose(5_000);
    }
  });
});
