/**
 * Dynamic sessions come and go for as long as the speaker runs (nodes of a cluster restart, scale,
 * roll): an ended session gives its RIB peer id back, so ids (16 bits in the RIB) are not used up.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseIpv4 } from '../../src/bgp';
import { RawPeer, announce4, waitFor } from '@kube-routes/test/support';
import { Speaker, memoryLogger } from '../../src/speaker';
import { speakerConfig } from './speaker-config';

test('an ended dynamic session frees its peer id; the next session takes it', async () => {
  const speaker = new Speaker(
    speakerConfig({ dynamicPeers: [{ name: 'nodes', prefix: '127.0.48.0/24', asns: [65101] }] }),
    memoryLogger(),
  );
  await speaker.start();
  try {
    const port = speaker.bgpAddress!.port;
    const held = () => speaker.peers().reduce((n, p) => n + (p.received['ipv4-unicast'] ?? 0), 0);
    for (const [i, address] of ['127.0.48.1', '127.0.48.2', '127.0.48.1', '127.0.48.3'].entries()) {
      const peer = await RawPeer.connect('127.0.0.1', port, address);
      await peer.establish({ asn: 65101, holdTime: 90, bgpId: parseIpv4(address)! });
      peer.send(announce4([`10.96.${i}.0/24`], [65101]));
      await waitFor('the route held', () => (held() === 1 ? true : undefined), 5_000, 10);
      assert.equal(speaker.peerIdsInUse, 1, `session ${i + 1}`);
      peer.close();
      await waitFor('the session gone', () => (speaker.peers().length === 0 ? true : undefined), 5_000, 10);
      assert.equal(held(), 0);
    }
    assert.equal(speaker.peerIdsInUse, 0, 'every id given back');
    assert.equal(speaker.peerIdCeiling, 1, 'four sessions, one after another, all had id 0');
  } finally {
    await speaker.stop();
  }
});
