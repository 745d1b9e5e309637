import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AttributeFlag } from '@kube-routes/server/bgp';
import { RawPeer, SpeakerProcess, announce4, tempDir } from '@kube-routes/test/support';

// LOCAL_PREF is for internal peers only (RFC 4271 5.1.5): the speaker (AS65000) ignores it from an
// external peer, and discards a malformed one instead of withdrawing the routes (RFC 7606 7.5).
// Scripted peers on raw sockets, addresses 127.0.61.x (this file only).

const SPEAKER = '127.0.61.1';
const peers = {
  external: { address: '127.0.61.2', asn: 65061 },
  internal: { address: '127.0.61.3', asn: 65000 },
};

const dir = tempDir('kube-routes-local-pref-');
const speaker = new SpeakerProcess({ dir: join(dir, 'speaker'), address: SPEAKER, peers: Object.values(peers) });
const connections: RawPeer[] = [];

before(() => speaker.start());
after(async () => {
  for (const c of connections) c.close();
  await speaker.stop('SIGKILL');
});

async function established(p: { address: string; asn: number }): Promise<RawPeer> {
  const peer = await RawPeer.connect(SPEAKER, speaker.port, p.address);
  connections.push(peer);
  await peer.establish({ asn: p.asn, holdTime: 30, bgpId: 0x0a003d00 + Number(p.address.split('.')[3]) });
  await speaker.waitForPeer(p.address);
  return peer;
}

const WELL_KNOWN = AttributeFlag.Transitive;
const localPref = (value: number) => ({ type: 'local-pref', flags: WELL_KNOWN, value }) as const;
/** LOCAL_PREF with a 3-octet value: malformed (RFC 7606 7.5). */
const shortLocalPref = { type: 'unknown', code: 5, flags: WELL_KNOWN, value: Uint8Array.of(0, 0, 200) } as const;

describe('LOCAL_PREF by peer type', () => {
  test('from an external peer: ignored when well-formed, discarded (routes kept) when malformed', async () => {
    const { asn, address } = peers.external;
    const peer = await established(peers.external);
    peer.send(announce4(['10.61.1.0/24'], [asn], undefined, [localPref(200)]));
    peer.send(announce4(['10.61.2.0/24'], [asn], undefined, [shortLocalPref]));
    peer.send(announce4(['10.61.9.0/24'], [asn]));
    const last = await speaker.waitForRoute('10.61.9.0/24');
    assert.ok(last);
    const ignored = await speaker.route('10.61.1.0/24');
    assert.ok(ignored, 'the route with LOCAL_PREF is served');
    assert.deepEqual(
      ignored.paths.map((p) => p.localPref),
      [undefined],
    );
    const kept = await speaker.route('10.61.2.0/24');
    assert.ok(kept, 'a malformed LOCAL_PREF from an external peer does not withdraw the route');
    assert.deepEqual(
      kept.paths.map((p) => p.localPref),
      [undefined],
    );
    assert.equal((await speaker.peer(address)).state, 'Established');
    assert.equal(
      peer.received.some((m) => m.type === 'NOTIFICATION'),
      false,
    );
  });

  test('from an internal peer: used, and a malformed one still withdraws the routes', async () => {
    const peer = await established(peers.internal);
    peer.send(announce4(['10.61.3.0/24', '10.61.4.0/24'], [65010], undefined, [localPref(200)]));
    await speaker.waitForRoute('10.61.4.0/24');
    const route = await speaker.route('10.61.3.0/24');
    assert.deepEqual(
      route?.paths.map((p) => p.localPref),
      [200],
    );
    peer.send(announce4(['10.61.4.0/24'], [65010], undefined, [shortLocalPref]));
    await speaker.waitForNoRoute('10.61.4.0/24');
  });
});
