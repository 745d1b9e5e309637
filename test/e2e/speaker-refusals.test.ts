import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Bird, Frr, SpeakerProcess, freePort, tempDir, waitFor } from '@kube-routes/test/support';

// Sessions the speaker refuses, or that refuse it, seen from both sides: the speaker's
// /v1/peers and log, and the real daemon's own state and log (addresses 127.0.5.x, this file only).

const SPEAKER = '127.0.5.1';
const wrongAsBird = { address: '127.0.5.2', configuredAsn: 65051, actualAsn: 65099 };
const frrExpectsOther = { address: '127.0.5.3', asn: 65053, expects: 65098 };
const stranger = { address: '127.0.5.4', asn: 65054 };
const tooMany = { address: '127.0.5.5', asn: 65055, maxPrefixes: 10, routes: 12 };

const dir = tempDir('kube-routes-refusals-');
const speaker = new SpeakerProcess({
  dir: join(dir, 'speaker'),
  address: SPEAKER,
  peers: [
    { address: wrongAsBird.address, asn: wrongAsBird.configuredAsn },
    { address: frrExpectsOther.address, asn: frrExpectsOther.asn },
    { address: tooMany.address, asn: tooMany.asn, maxPrefixes: tooMany.maxPrefixes },
  ],
});
let birdWrongAs: Bird;
let birdStranger: Bird;
let birdTooMany: Bird;
let frr: Frr;

before(async () => {
  speaker.port = await freePort(SPEAKER);
  await speaker.start();
  const towardsSpeaker = { name: 'ts', address: SPEAKER, port: speaker.port, asn: 65000 };
  const spec = async (name: string, address: string, asn: number, neighborAsn = 65000) => ({
    dir: join(dir, name),
    address,
    port: await freePort(address),
    asn,
    routerId: `10.0.5.${address.split('.')[3]}`,
    neighbors: [{ ...towardsSpeaker, asn: neighborAsn }],
  });
  birdWrongAs = new Bird(await spec('bird-wrong-as', wrongAsBird.address, wrongAsBird.actualAsn));
  birdStranger = new Bird(await spec('bird-stranger', stranger.address, stranger.asn), {
    ipv4: [{ prefix: '10.5.4.0/24' }],
  });
  birdTooMany = new Bird(await spec('bird-too-many', tooMany.address, tooMany.asn), {
    ipv4: Array.from({ length: tooMany.routes }, (_, i) => ({ prefix: `10.5.${100 + i}.0/24` })),
  });
  frr = new Frr(await spec('frr', frrExpectsOther.address, frrExpectsOther.asn, frrExpectsOther.expects), [
    '10.5.3.0/24',
  ]);
  for (const b of [birdWrongAs, birdStranger, birdTooMany]) b.start();
  frr.start();
});

after(async () => {
  await speaker.stop('SIGKILL');
  await Promise.all([birdWrongAs?.stop(), birdStranger?.stop(), birdTooMany?.stop(), frr?.stop()]);
});

const fileIncludes = (file: string, text: string) => () => {
  try {
    return readFileSync(file, 'utf8').includes(text) ? true : undefined;
  } catch {
    return undefined;
  }
};

describe('refusals', { concurrency: true }, () => {
  test('a peer announcing another ASN gets OPEN Message Error / Bad Peer AS (2/2) from the speaker', async () => {
    const { address, configuredAsn, actualAsn } = wrongAsBird;
    await waitFor('the speaker to refuse the wrong AS', async () =>
      /Bad Peer AS/.test((await speaker.peer(address)).lastError ?? '') ? true : undefined,
    );
    const status = await speaker.peer(address);
    assert.equal(
      status.lastError,
      `sent NOTIFICATION OPEN Message Error / Bad Peer AS: peer announced AS${actualAsn}, configured AS${configuredAsn}`,
    );
    assert.notEqual(status.state, 'Established');
    await speaker.waitForLog('session-failed', (e) => e.peer === address);
    // BIRD's side: its log and its protocol's last error.
    await waitFor(
      'BIRD to log Bad peer AS',
      fileIncludes(birdWrongAs.logFile, `ts: Received: Bad peer AS: ${actualAsn}`),
    );
    assert.match(birdWrongAs.birdc('show', 'protocols', 'ts'), /Received: Bad peer AS/);
  });

  test('a peer expecting another ASN for the speaker refuses it with Bad Peer AS; /v1/peers shows what was received', async () => {
    const { address, expects } = frrExpectsOther;
    await waitFor(
      'FRR to refuse the speaker',
      async () =>
        /^received NOTIFICATION OPEN Message Error \/ Bad Peer AS/.test((await speaker.peer(address)).lastError ?? '')
          ? true
          : undefined,
      30_000,
    ).catch((e: Error) => assert.fail(`${e.message}\n${speaker.output}\n${frr.log}`));
    assert.equal((await speaker.peer(address)).state === 'Established', false);
    // FRR's side: it sent 2/2 because the speaker's OPEN carried AS 65000, not the AS it expects.
    await waitFor(
      'FRR to log the NOTIFICATION it sent',
      fileIncludes(frr.logFile, `%NOTIFICATION: sent to neighbor ${SPEAKER} 2/2 (OPEN Message Error/Bad Peer AS)`),
    );
    assert.match(frr.vtysh(`show bgp neighbors ${SPEAKER}`), new RegExp(`remote AS ${expects}`));
    assert.equal(await speaker.route('10.5.3.0/24'), undefined);
  });

  test('an unconfigured address gets Cease / Connection Rejected (6/5) and a connection-refused line', async () => {
    const line = await speaker.waitForLog('connection-refused', (e) => e.remote === stranger.address);
    assert.equal(line.reason, 'not a configured peer');
    await waitFor(
      'BIRD to log Connection rejected',
      fileIncludes(birdStranger.logFile, 'ts: Received: Connection rejected'),
    );
    assert.match(birdStranger.birdc('show', 'protocols', 'ts'), /Received: Connection rejected/);
    assert.equal(
      (await speaker.peers()).some((p) => p.address === stranger.address),
      false,
    );
    assert.equal(await speaker.route('10.5.4.0/24'), undefined, 'nothing learned from a stranger');
  });

  test('max-prefix: a peer sending more than maxPrefixes gets Cease / Maximum Number of Prefixes Reached (6/1)', async () => {
    const { address, maxPrefixes, routes } = tooMany;
    const line = await speaker.waitForLog('max-prefixes', (e) => e.peer === address);
    assert.equal(line.limit, maxPrefixes);
    assert.ok(Number(line.count) > maxPrefixes);
    await waitFor('lastError', async () =>
      /Maximum Number of Prefixes Reached/.test((await speaker.peer(address)).lastError ?? '') ? true : undefined,
    );
    assert.match(
      (await speaker.peer(address)).lastError ?? '',
      new RegExp(
        `^sent NOTIFICATION Cease / Maximum Number of Prefixes Reached: ${routes} ipv4-unicast prefixes exceed maxPrefixes ${maxPrefixes}`,
      ),
    );
    // BIRD's side, with the RFC 4486 data: AFI 1, SAFI 1, limit 10.
    await waitFor(
      'BIRD to log the Cease',
      fileIncludes(birdTooMany.logFile, 'ts: Received: Maximum number of prefixes reached: 0001010000000a'),
    );
    // The session's routes went with it (polled: BIRD reconnects and is cut off again, over and over).
    await waitFor('no routes from the peer', async () =>
      (await speaker.routesWithin('10.5.0.0/16')).length === 0 &&
      (await speaker.peer(address)).received['ipv4-unicast'] === 0
        ? true
        : undefined,
    );
  });
});
