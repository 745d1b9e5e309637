import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  RawPeer,
  SpeakerProcess,
  announce4,
  lspConfigYaml,
  serviceYaml,
  startWorkspace,
  tempDir,
} from '@kube-routes/test/support';

// The editor follows a real speaker's /v1/watch: with polling off, a route announced by a peer
// reaches the diagnostics through the change stream alone (addresses 127.0.13.x, this file only).

const SPEAKER = '127.0.13.1';
const PEER = { address: '127.0.13.2', asn: 64512 };

test('a route announced after the file was checked clears route-missing through /v1/watch', async () => {
  const speaker = new SpeakerProcess({
    dir: join(tempDir('kube-routes-lsp-watch-'), 'speaker'),
    address: SPEAKER,
    asn: 65000,
    peers: [PEER],
  });
  await speaker.start();
  const peer = await RawPeer.connect(SPEAKER, speaker.port, PEER.address);
  after(async () => {
    peer.close();
    await speaker.stop('SIGKILL');
  });
  await peer.establish({ asn: PEER.asn, holdTime: 30, bgpId: 0x0a000d02 });
  await speaker.waitForPeer(PEER.address);

  const web = serviceYaml({ name: 'web', region: 'nyc3', clusterIP: '172.25.0.10' });
  const client = await startWorkspace(
    { 'kube-routes.yaml': lspConfigYaml, 'web.yaml': web },
    { settings: { speakerUrl: `http://${SPEAKER}:${speaker.apiPort}`, routeRefreshSeconds: 0 } },
  );
  await client.open('web.yaml', web);
  const before = await client.waitForDiagnostics('web.yaml', (d) => d.some((x) => x.code === 'route-missing'));
  assert.deepEqual(
    before.map((d) => d.code),
    ['route-missing'],
  );

  peer.send(announce4(['172.25.0.10/32'], [PEER.asn]));
  const after2 = await client.waitForDiagnostics('web.yaml', (d) => !d.some((x) => x.code === 'route-missing'));
  assert.deepEqual(after2, [], "announced by nyc3's own AS: nothing to report");
});
