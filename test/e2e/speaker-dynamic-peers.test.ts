import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  Bird,
  Frr,
  GoBgp,
  SpeakerProcess,
  freePort,
  speakerConfigYaml,
  tempDir,
  waitFor,
} from '@kube-routes/test/support';

// speaker.dynamicPeers against real daemons: any address in a group's prefix may open a session
// with an ASN of the group's ranges (addresses 127.0.21.x, this file only).

const SPEAKER = '127.0.21.1';
const birdNode = { address: '127.0.21.2', asn: 65101, prefix: '10.21.2.0/24' };
const gobgpNode = { address: '127.0.21.3', asn: 65160, prefix: '10.21.3.0/24' };
const frrWrongAs = { address: '127.0.21.4', asn: 65300 };
const stranger = { address: '127.0.21.100', asn: 65101 };
const restarting = { address: '127.0.21.5', asn: 65151, prefix: '10.21.5.0/24', restartTime: 3 };
const nodes = { name: 'nodes', prefix: '127.0.21.0/28', asns: [65101, '65150-65199'] };

const dir = tempDir('kube-routes-dynamic-');
const speaker = new SpeakerProcess({ dir: join(dir, 'speaker'), address: SPEAKER, peers: [], dynamicPeers: [nodes] });
let bird: Bird;
let gobgp: GoBgp;
let frr: Frr;
let birdStranger: Bird;
let birdRestarting: Bird;

before(async () => {
  speaker.port = await freePort(SPEAKER);
  await speaker.start();
  const towardsSpeaker = { name: 'ts', address: SPEAKER, port: speaker.port, asn: 65000 };
  const spec = async (name: string, address: string, asn: number, restartTime?: number) => ({
    dir: join(dir, name),
    address,
    port: await freePort(address),
    asn,
    routerId: `10.0.21.${address.split('.')[3]}`,
    neighbors: [{ ...towardsSpeaker, gracefulRestart: restartTime !== undefined, restartTime }],
  });
  bird = new Bird(await spec('bird', birdNode.address, birdNode.asn), { ipv4: [{ prefix: birdNode.prefix }] });
  gobgp = new GoBgp(await spec('gobgp', gobgpNode.address, gobgpNode.asn));
  frr = new Frr(await spec('frr', frrWrongAs.address, frrWrongAs.asn), ['10.21.4.0/24']);
  birdStranger = new Bird(await spec('bird-stranger', stranger.address, stranger.asn), {
    ipv4: [{ prefix: '10.21.100.0/24' }],
  });
  birdRestarting = new Bird(await spec('bird-restarting', restarting.address, restarting.asn, restarting.restartTime), {
    ipv4: [{ prefix: restarting.prefix }],
  });
  bird.start();
  birdRestarting.start();
  await gobgp.start();
  await waitFor('gobgpd to take a route', async () =>
    gobgp.gobgp('global', 'rib', 'add', '-a', 'ipv4', gobgpNode.prefix).code === 0 ? true : undefined,
  );
  frr.start();
  birdStranger.start();
});

after(async () => {
  await speaker.stop('SIGKILL');
  await Promise.all([bird?.stop(), gobgp?.stop(), frr?.stop(), birdStranger?.stop(), birdRestarting?.stop()]);
});

const established = (address: string) =>
  waitFor(`${address} to be Established`, async () => {
    const p = (await speaker.peers()).find((x) => x.address === address);
    return p?.state === 'Established' ? p : undefined;
  });

describe('dynamic peers', () => {
  test('any address of the prefix with an ASN of the ranges comes up, listed with its group', async () => {
    const b = await established(birdNode.address);
    const g = await established(gobgpNode.address);
    assert.deepEqual(
      [b.group, b.asn, g.group, g.asn],
      [nodes.name, birdNode.asn, nodes.name, gobgpNode.asn],
      'group and the ASN of the OPEN',
    );
    await waitFor('both routes', async () =>
      (await speaker.route(birdNode.prefix)) && (await speaker.route(gobgpNode.prefix)) ? true : undefined,
    );
  });

  test('an ASN outside the ranges gets OPEN Message Error / Bad Peer AS (2/2) and never stays in /v1/peers', async () => {
    const down = await speaker.waitForLog(
      'session-failed',
      (e) => e.peer === frrWrongAs.address && /Bad Peer AS/.test(String(e.reason)),
    );
    assert.equal(
      down.reason,
      `sent NOTIFICATION OPEN Message Error / Bad Peer AS: peer announced AS${frrWrongAs.asn}, allowed AS65101, AS65150-65199`,
    );
    await waitFor('FRR to log the NOTIFICATION it received', async () =>
      /2\/2|Bad Peer AS/i.test(readFileSync(frr.logFile, 'utf8')) ? true : undefined,
    );
    assert.equal(
      (await speaker.peers()).find((p) => p.address === frrWrongAs.address && p.state === 'Established'),
      undefined,
    );
  });

  test('an address outside every prefix and every static peer is refused as before', async () => {
    const refused = await speaker.waitForLog('connection-refused', (e) => e.remote === stranger.address);
    assert.equal(refused.reason, 'not a configured peer');
    assert.equal(
      (await speaker.peers()).find((p) => p.address === stranger.address),
      undefined,
    );
  });

  test('metrics count sessions per group', async () => {
    await established(birdNode.address);
    await established(gobgpNode.address);
    await established(restarting.address);
    const metrics = await speaker.metricsText();
    assert.match(metrics, /kube_routes_speaker_dynamic_sessions\{group="nodes",state="established"\} 3/);
    assert.match(metrics, /kube_routes_speaker_dynamic_sessions\{group="nodes",state="max"\} 4096/);
  });

  test('a session that ends removes its paths and leaves /v1/peers', async () => {
    await established(birdNode.address);
    await bird.stop();
    await waitFor('BIRD to leave /v1/peers', async () =>
      (await speaker.peers()).some((p) => p.address === birdNode.address) ? undefined : true,
    );
    assert.equal(await speaker.route(birdNode.prefix), undefined);
    assert.ok(await speaker.route(gobgpNode.prefix), 'the other session keeps its routes');
  });

  test('a lost connection with graceful restart keeps the paths stale until the restart time, then the session leaves', async () => {
    await established(restarting.address);
    await waitFor('the route', async () => ((await speaker.route(restarting.prefix)) ? true : undefined));
    await birdRestarting.stop('SIGKILL');
    await speaker.waitForLog('graceful-restart', (e) => e.peer === restarting.address);
    const stale = await speaker.route(restarting.prefix);
    assert.equal(stale?.paths[0]?.stale, true, 'kept, marked stale');
    assert.ok(
      (await speaker.peers()).some((p) => p.address === restarting.address),
      'still listed while restarting',
    );
    const swept = await speaker.waitForLog('stale-swept', (e) => e.peer === restarting.address);
    assert.equal(swept.why, 'restart-time-expired');
    assert.equal(await speaker.route(restarting.prefix), undefined);
    assert.equal(
      (await speaker.peers()).find((p) => p.address === restarting.address),
      undefined,
    );
  });

  test('SIGHUP reload: a group whose ranges change restarts its sessions under the new rules', async () => {
    await established(gobgpNode.address);
    writeFileSync(
      speaker.configFile,
      readFileSync(speaker.configFile, 'utf8').replace(/speaker: ([\s\S]*)$/, (_, json: string) => {
        const config = JSON.parse(json) as { dynamicPeers: { asns: (number | string)[] }[] };
        config.dynamicPeers = [{ ...nodes, asns: [65101] }];
        return speakerConfigYaml(config).replace(/^# .*\n/, '');
      }),
    );
    const pid = speaker.pid;
    assert.ok(pid);
    process.kill(pid, 'SIGHUP');
    const reloaded = await speaker.waitForLog('reloaded');
    assert.deepEqual([reloaded.groupsChanged, reloaded.groupsAdded, reloaded.groupsRemoved], [1, 0, 0]);
    // GoBGP reconnects with AS65160, no longer allowed.
    const down = await speaker.waitForLog(
      'session-failed',
      (e) => e.peer === gobgpNode.address && /allowed AS65101$/.test(String(e.reason)),
    );
    assert.match(String(down.reason), /Bad Peer AS: peer announced AS65160, allowed AS65101$/);
    await waitFor('the GoBGP route to go', async () =>
      (await speaker.route(gobgpNode.prefix)) === undefined ? true : undefined,
    );
  });
});
