import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { SpeakerProcess, freePort, tempDir } from '@kube-routes/test/support';

// A configured peer nobody answers for (addresses 127.0.14.x, this file only): every failed
// attempt is logged and /v1/peers says why the session is not up; shutting down adds no noise.

test('an unreachable peer: connect-failed lines, lastError in /v1/peers, a quiet shutdown', async () => {
  const port = await freePort('127.0.14.2');
  const speaker = new SpeakerProcess({
    dir: join(tempDir('kube-routes-unreachable-'), 'speaker'),
    address: '127.0.14.1',
    peers: [{ address: '127.0.14.2', asn: 65142, port }],
  });
  await speaker.start();
  after(() => speaker.stop('SIGKILL'));
  const line = await speaker.waitForLog('connect-failed');
  assert.equal(line.peer, '127.0.14.2');
  assert.match(String(line.detail), new RegExp(`^127\\.0\\.14\\.2:${port}: connect ECONNREFUSED`));
  const peer = await speaker.peer('127.0.14.2');
  assert.notEqual(peer.state, 'Established');
  assert.match(peer.lastError ?? '', /^cannot connect to 127\.0\.14\.2:\d+: connect ECONNREFUSED/);
  const exit = await speaker.stop('SIGTERM');
  assert.equal(exit.code, 0);
  assert.deepEqual(speaker.logs('session-failed'), [], 'a peer that never came up is not reported down at shutdown');
});
