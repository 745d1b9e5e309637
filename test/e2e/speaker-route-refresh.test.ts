import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { BgpMessage } from '@kube-routes/server/bgp';
import { RawPeer, SpeakerProcess, announce4, tempDir } from '@kube-routes/test/support';

// Route refresh on demand (SIGUSR1) and enhanced route refresh (RFC 7313) against a scripted
// peer (addresses 127.0.7.x, this file only).

const SPEAKER = '127.0.7.1';
const PEER = { address: '127.0.7.2', asn: 65072 };
const dir = tempDir('kube-routes-refresh-');
const speaker = new SpeakerProcess({ dir: join(dir, 'speaker'), address: SPEAKER, peers: [PEER] });
let peer: RawPeer | undefined;

before(() => speaker.start());
after(async () => {
  peer?.close();
  await speaker.stop('SIGKILL');
});

test('SIGUSR1 asks the peer for its routes; paths not re-sent between BoRR and EoRR are withdrawn', async () => {
  peer = await RawPeer.connect(SPEAKER, speaker.port, PEER.address);
  await peer.establish({
    asn: PEER.asn,
    holdTime: 30,
    bgpId: 0x0a000702,
    capabilities: [
      { type: 'multiprotocol', afi: 1, safi: 1 },
      { type: 'route-refresh' },
      { type: 'enhanced-route-refresh' },
    ],
  });
  await speaker.waitForPeer(PEER.address);
  peer.send(announce4(['10.7.1.0/24', '10.7.2.0/24'], [PEER.asn]));
  await speaker.waitForRoute('10.7.2.0/24');

  const pid = speaker.pid;
  assert.ok(pid);
  process.kill(pid, 'SIGUSR1');
  const request = await peer.waitForMessage<Extract<BgpMessage, { type: 'ROUTE-REFRESH' }>>(
    'a ROUTE-REFRESH request',
    (m) => m.type === 'ROUTE-REFRESH',
  );
  assert.deepEqual([request.afi, request.safi, request.subtype], [1, 1, 0]);
  await speaker.waitForLog('refresh-requested');

  // The answer re-sends only 10.7.1.0/24: 10.7.2.0/24 is gone after EoRR.
  peer.send({ type: 'ROUTE-REFRESH', afi: 1, safi: 1, subtype: 1 });
  peer.send(announce4(['10.7.1.0/24'], [PEER.asn]));
  peer.send({ type: 'ROUTE-REFRESH', afi: 1, safi: 1, subtype: 2 });
  await speaker.waitForNoRoute('10.7.2.0/24');
  const kept = await speaker.route('10.7.1.0/24');
  assert.equal(kept?.paths[0]?.stale, false);
  const swept = await speaker.waitForLog('stale-swept', (e) => e.why === 'enhanced route refresh');
  assert.equal(swept.paths, 1);
});
