import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Bird, Frr, GoBgp, SpeakerProcess, freePort, tempDir, waitFor } from '@kube-routes/test/support';

// TCP-MD5 (RFC 2385) on loopback with real BIRD, FRR and GoBGP: the right password comes up, a
// wrong or missing one never gets past the SYN (addresses 127.0.22.x, this file only).

const SPEAKER = '127.0.22.1';
const peers = {
  bird: { address: '127.0.22.2', asn: 65221, password: 'bird-s3cret' },
  frr: { address: '127.0.22.3', asn: 65222, password: 'frr-s3cret' },
  gobgp: { address: '127.0.22.4', asn: 65223, password: 'gobgp-s3cret' },
  wrong: { address: '127.0.22.5', asn: 65225, password: 'speaker-s3cret', theirs: 'other-s3cret' },
  missing: { address: '127.0.22.6', asn: 65226, password: 'required-s3cret' },
  dynamic: { address: '127.0.22.17', asn: 65227, password: 'group-s3cret' },
};
const secrets = [...Object.values(peers).map((p) => p.password), peers.wrong.theirs];

const dir = tempDir('kube-routes-tcp-md5-');
const gobgpPasswordFile = join(dir, 'gobgp-password');
let speaker: SpeakerProcess;
const daemons: { stop(): Promise<void> }[] = [];
let wrongBird: Bird;
let missingBird: Bird;

before(async () => {
  writeFileSync(gobgpPasswordFile, `${peers.gobgp.password}\n`);
  const port = async (address: string) => freePort(address);
  const wrongPort = await port(peers.wrong.address);
  const missingPort = await port(peers.missing.address);
  speaker = new SpeakerProcess({
    dir: join(dir, 'speaker'),
    address: SPEAKER,
    peers: [
      { address: peers.bird.address, asn: peers.bird.asn, password: peers.bird.password },
      { address: peers.frr.address, asn: peers.frr.asn, password: peers.frr.password },
      { address: peers.gobgp.address, asn: peers.gobgp.asn, passwordFile: gobgpPasswordFile },
      // The speaker dials these two, so its own log can say what failed.
      { address: peers.wrong.address, asn: peers.wrong.asn, password: peers.wrong.password, port: wrongPort },
      { address: peers.missing.address, asn: peers.missing.asn, password: peers.missing.password, port: missingPort },
    ],
    dynamicPeers: [
      { name: 'signed-nodes', prefix: '127.0.22.16/28', asns: [peers.dynamic.asn], password: peers.dynamic.password },
    ],
  });
  speaker.port = await freePort(SPEAKER);
  await speaker.start();
  const towardsSpeaker = (password?: string) => ({
    name: 'ts',
    address: SPEAKER,
    port: speaker.port,
    asn: 65000,
    password,
  });
  const spec = async (name: string, p: { address: string; asn: number }, password?: string, ownPort?: number) => ({
    dir: join(dir, name),
    address: p.address,
    port: ownPort ?? (await port(p.address)),
    asn: p.asn,
    routerId: `10.0.22.${p.address.split('.')[3]}`,
    neighbors: [towardsSpeaker(password)],
  });
  const bird = new Bird(await spec('bird', peers.bird, peers.bird.password), { ipv4: [{ prefix: '10.22.2.0/24' }] });
  const frr = new Frr(await spec('frr', peers.frr, peers.frr.password), ['10.22.3.0/24']);
  const gobgp = new GoBgp(await spec('gobgp', peers.gobgp, peers.gobgp.password));
  wrongBird = new Bird(await spec('bird-wrong', peers.wrong, peers.wrong.theirs, wrongPort), {
    ipv4: [{ prefix: '10.22.5.0/24' }],
  });
  missingBird = new Bird(await spec('bird-missing', peers.missing, undefined, missingPort), {
    ipv4: [{ prefix: '10.22.6.0/24' }],
  });
  const dynamicBird = new Bird(await spec('bird-dynamic', peers.dynamic, peers.dynamic.password), {
    ipv4: [{ prefix: '10.22.17.0/24' }],
  });
  for (const b of [bird, wrongBird, missingBird, dynamicBird]) b.start();
  frr.start();
  await gobgp.start();
  daemons.push(bird, frr, gobgp, wrongBird, missingBird, dynamicBird);
});

after(async () => {
  await speaker?.stop('SIGKILL');
  await Promise.all(daemons.map((d) => d.stop()));
});

const established = (address: string) =>
  waitFor(`${address} to be Established`, async () => {
    const p = (await speaker.peers()).find((x) => x.address === address);
    return p?.state === 'Established' ? p : undefined;
  });

describe('TCP-MD5', () => {
  test('the right password comes up with BIRD, FRR and GoBGP (a passwordFile too), and for a dynamic group prefix', async () => {
    for (const p of [peers.bird, peers.frr, peers.gobgp]) {
      const status = await established(p.address);
      assert.equal(status.tcpMd5, true, p.address);
    }
    const dynamic = await established(peers.dynamic.address);
    assert.deepEqual([dynamic.group, dynamic.tcpMd5], ['signed-nodes', true]);
    await waitFor('the BIRD route', async () => ((await speaker.route('10.22.2.0/24')) ? true : undefined));
  });

  test('a wrong password stays down and the log says a mismatch is likely', async () => {
    const hint = await speaker.waitForLog('tcp-md5-mismatch-likely', (e) => e.peer === peers.wrong.address);
    assert.match(String(hint.detail), /password mismatch \(or a peer without a password\) is likely/);
    assert.notEqual((await speaker.peer(peers.wrong.address)).state, 'Established');
    assert.notEqual(wrongBird.protocolState('ts'), 'Established');
  });

  test('a peer without a password, where one is required, stays down', async () => {
    await speaker.waitForLog('tcp-md5-mismatch-likely', (e) => e.peer === peers.missing.address);
    assert.notEqual((await speaker.peer(peers.missing.address)).state, 'Established');
    assert.notEqual(missingBird.protocolState('ts'), 'Established');
  });

  test('passwords appear nowhere: not in the log, /v1/peers or /metrics', async () => {
    await established(peers.bird.address);
    const places = {
      log: speaker.output,
      peers: JSON.stringify(await speaker.peers()),
      metrics: await speaker.metricsText(),
    };
    for (const [where, text] of Object.entries(places))
      for (const secret of secrets) assert.ok(!text.includes(secret), `${where} shows a password`);
  });
});
