import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parsePrefix } from '@kube-routes/server/bgp';
import {
  RawPeer,
  SpeakerProcess,
  announce4,
  repoRoot,
  runCli,
  speakerConfigYaml,
  tempDir,
  waitFor,
} from '@kube-routes/test/support';

// Operating the speaker (addresses 127.0.8.x, this file only): the live change stream, Prometheus
// metrics, MRT snapshots read back by bgpdump, and SIGHUP reload.

const SPEAKER = '127.0.8.1';
const A = { address: '127.0.8.2', asn: 65082 };
const B = { address: '127.0.8.3', asn: 65083 };
const C = { address: '127.0.8.4', asn: 65084 };
const dir = tempDir('kube-routes-operations-');
const speaker = new SpeakerProcess({ dir: join(dir, 'speaker'), address: SPEAKER, peers: [A, B] });
const raw: RawPeer[] = [];
/** Peer A's session, opened by the first test and used by the last (it stays up through the reload). */
let peerA: RawPeer | undefined;

before(() => speaker.start());
after(async () => {
  for (const r of raw) r.close();
  await speaker.stop('SIGKILL');
});

async function established(p: { address: string; asn: number }): Promise<RawPeer> {
  const peer = await RawPeer.connect(SPEAKER, speaker.port, p.address);
  raw.push(peer);
  await peer.establish({ asn: p.asn, holdTime: 30, bgpId: 0x0a000800 + Number(p.address.split('.')[3]) });
  await speaker.waitForPeer(p.address);
  return peer;
}

interface SseEvent {
  readonly id: string | undefined;
  readonly event: string;
  readonly data: Record<string, unknown>;
}

/** A /v1/watch client that collects events until closed. */
function watch(lastEventId?: string): { events: SseEvent[]; close: () => void } {
  const events: SseEvent[] = [];
  let buffer = '';
  const req = request(
    {
      host: SPEAKER,
      port: speaker.apiPort,
      path: '/v1/watch',
      headers: lastEventId ? { 'last-event-id': lastEventId } : {},
    },
    (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = new Map(
            block
              .split('\n')
              .filter((l) => !l.startsWith(':') && l.includes(':'))
              .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]),
          );
          if (fields.has('data'))
            events.push({
              id: fields.get('id'),
              event: fields.get('event') ?? 'message',
              data: JSON.parse(fields.get('data') ?? '{}') as Record<string, unknown>,
            });
        }
      });
    },
  );
  req.on('error', () => undefined);
  req.end();
  return { events, close: () => req.destroy() };
}

describe('speaker operations', () => {
  test('/v1/watch: route and peer events with sequence numbers; Last-Event-ID replays what was missed', async () => {
    const w = watch();
    await waitFor('hello', () => (w.events.some((e) => e.event === 'hello') ? true : undefined));
    const peer = await established(A);
    peerA = peer;
    peer.send(announce4(['10.8.1.0/24', '10.8.2.0/24'], [A.asn]));
    await waitFor('two route events', () =>
      w.events.filter((e) => e.event === 'route').length >= 2 ? true : undefined,
    );
    const added = w.events.filter((e) => e.event === 'route');
    assert.deepEqual(
      added.map((e) => [e.data.action, e.data.prefix, e.data.peer]),
      [
        ['added', '10.8.1.0/24', A.address],
        ['added', '10.8.2.0/24', A.address],
      ],
    );
    assert.ok(
      w.events.some((e) => e.event === 'peer' && e.data.address === A.address && e.data.state === 'Established'),
    );
    const lastSeen = added[1]?.id;
    assert.ok(lastSeen);
    w.close();

    // While no one watches, one more change; a reconnect from the last id gets exactly it.
    peer.send({
      type: 'UPDATE',
      withdrawn: [{ family: 4, address: 0x0a080100, length: 24 }],
      attributes: [],
      nlri: [],
    });
    await speaker.waitForNoRoute('10.8.1.0/24');
    const again = watch(lastSeen);
    await waitFor('the missed withdrawal', () => (again.events.some((e) => e.event === 'route') ? true : undefined));
    const missed = again.events.filter((e) => e.event === 'route');
    assert.deepEqual(
      missed.map((e) => [e.data.action, e.data.prefix, Number(e.id)]),
      [['withdrawn', '10.8.1.0/24', Number(lastSeen) + 1]],
    );
    again.close();

    // An id the speaker never issued gets an explicit resync, not silence.
    const bogus = watch('999999999');
    await waitFor('resync', () => (bogus.events.some((e) => e.event === 'resync') ? true : undefined));
    bogus.close();
  });

  test('/metrics: Prometheus text with sessions, prefixes, announcements and memory', async () => {
    await speaker.waitForRoute('10.8.2.0/24');
    const response = await fetch(`http://${SPEAKER}:${speaker.apiPort}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await response.text();
    assert.match(text, /^# TYPE kube_routes_speaker_sessions gauge$/m);
    assert.match(text, /^kube_routes_speaker_sessions\{state="Established",source="bgp"\} [1-9]/m);
    assert.match(
      text,
      new RegExp(
        `^kube_routes_speaker_prefixes_received\\{peer="${A.address.replace(/\./g, '\\.')}",family="ipv4-unicast",source="bgp"\\} 1$`,
        'm',
      ),
    );
    assert.match(
      text,
      new RegExp(`^kube_routes_speaker_announcements_total\\{peer="${A.address.replace(/\./g, '\\.')}"\\} 2$`, 'm'),
    );
    assert.match(
      text,
      new RegExp(`^kube_routes_speaker_withdrawals_total\\{peer="${A.address.replace(/\./g, '\\.')}"\\} 1$`, 'm'),
    );
    assert.match(text, /^kube_routes_speaker_rib_memory_bytes [1-9]\d*$/m);
    assert.match(text, /^kube_routes_speaker_watchers \d+$/m);
    assert.match(text, /^kube_routes_speaker_process_resident_memory_bytes [1-9]/m);
  });

  test('snapshot: the RIB as MRT, which bgpdump reads back with the same routes', async () => {
    const peer = raw[0];
    assert.ok(peer);
    peer.send(announce4(['10.8.3.0/24'], [A.asn, 64999], 0x0a000863));
    await speaker.waitForRoute('10.8.3.0/24');
    const file = join(dir, 'rib.mrt');
    const run = runCli('kube-routes-speaker', [
      'snapshot',
      '--api',
      `http://${SPEAKER}:${speaker.apiPort}`,
      '-o',
      file,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const dump = spawnSync('bgpdump', ['-m', file], { encoding: 'utf8' });
    const lines = dump.stdout
      .trim()
      .split('\n')
      .map((l) => l.split('|'));
    assert.deepEqual(lines.map((f) => [f[3], f[4], f[5], f[6], f[8]]).sort(), [
      [A.address, String(A.asn), '10.8.2.0/24', String(A.asn), '10.0.0.99'],
      [A.address, String(A.asn), '10.8.3.0/24', `${A.asn} 64999`, '10.0.8.99'],
    ]);
    // And kube-routes reads its own snapshot: check --bgp sees the route.
    writeFileSync(
      join(dir, 'svc.yaml'),
      'apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {clusterIP: 10.8.3.7}\n',
    );
    const check = runCli('kubectl-routes', ['check', '--bgp', file, '-o', 'json', join(dir, 'svc.yaml')], { cwd: dir });
    assert.equal(
      JSON.parse(check.stdout).findings.filter((f: { rule: string }) => f.rule === 'route-missing').length,
      0,
      check.stdout + check.stderr,
    );
    assert.equal(readFileSync(file).subarray(4, 6).readUInt16BE(0), 13, 'TABLE_DUMP_V2');
  });

  test('SIGHUP reload: added peers start, removed peers get Cease / Peer De-configured, unchanged sessions stay up', async () => {
    const b = await established(B);
    const aBefore = await speaker.peer(A.address);
    writeFileSync(
      speaker.configFile,
      readFileSync(speaker.configFile, 'utf8').replace(/speaker: ([\s\S]*)$/, (_, json: string) => {
        const config = JSON.parse(json) as { peers: { address: string; asn: number }[] };
        config.peers = [A, C];
        return speakerConfigYaml(config)
          .replace(/^# .*\n/, '')
          .replace(/^speaker: /, 'speaker: ');
      }),
    );
    const pid = speaker.pid;
    assert.ok(pid);
    process.kill(pid, 'SIGHUP');
    const n = await b.waitForNotification();
    assert.deepEqual([n.code, n.subcode], [6, 3]);
    const reloaded = await speaker.waitForLog('reloaded');
    assert.deepEqual([reloaded.added, reloaded.removed, reloaded.changed, reloaded.unchanged], [1, 1, 0, 1]);
    const peers = await speaker.peers();
    assert.deepEqual(peers.map((p) => p.address).sort(), [A.address, C.address]);
    const aAfter = await speaker.peer(A.address);
    assert.equal(aAfter.state, 'Established');
    assert.ok(aAfter.uptimeSeconds >= aBefore.uptimeSeconds, 'A kept its session');
    await established(C);
    // A broken file keeps the running configuration.
    writeFileSync(speaker.configFile, 'speaker: {asn: x}\n');
    process.kill(pid, 'SIGHUP');
    const failed = await speaker.waitForLog('reload-failed');
    assert.match(String(failed.reason), /asn must be an integer/);
    assert.equal((await speaker.peer(C.address)).state, 'Established');
    assert.ok(repoRoot);
  });
  test('/v1/watch: three watchers at once get the same stream of 3,000 changes, in order', async () => {
    // Enough events for many 16 KiB batches: watchers at the same place copy a batch one of them
    // rendered (watch.ts BatchCache), over real sockets with their own write callbacks.
    const peer = peerA;
    assert.ok(peer, 'peer A is up (the first test)');
    const watchers = [watch(), watch(), watch()];
    for (const w of watchers)
      await waitFor('hello', () => (w.events.some((e) => e.event === 'hello') ? true : undefined));
    const prefixes = Array.from({ length: 3000 }, (_, i) => `10.9.${i >> 8}.${i & 255}/32`);
    for (let i = 0; i < prefixes.length; i += 500) peer.send(announce4(prefixes.slice(i, i + 500), [A.asn]));
    for (let i = 0; i < prefixes.length; i += 500) {
      const withdrawn = prefixes.slice(i, i + 500).map((p) => parsePrefix(p)!);
      peer.send({ type: 'UPDATE', withdrawn, attributes: [], nlri: [] });
    }
    const routes = (w: { events: SseEvent[] }) => w.events.filter((e) => e.event === 'route');
    for (const w of watchers)
      await waitFor('6,000 route events', () => (routes(w).length >= 6000 ? true : undefined), 30_000);
    const lines = (w: { events: SseEvent[] }) =>
      routes(w).map((e) => `${e.id} ${String(e.data.action)} ${String(e.data.prefix)} ${String(e.data.peer)}`);
    const first = lines(watchers[0]!);
    assert.equal(first.length, 6000);
    assert.deepEqual(
      first.slice(0, 2).map((l) => l.split(' ').slice(1)),
      [
        ['added', '10.9.0.0/32', A.address],
        ['added', '10.9.0.1/32', A.address],
      ],
    );
    assert.deepEqual(first.at(-1)?.split(' ').slice(1), ['withdrawn', '10.9.11.183/32', A.address]);
    const ids = first.map((l) => Number(l.split(' ')[0]));
    assert.ok(
      ids.every((id, i) => i === 0 || id === ids[i - 1]! + 1),
      'consecutive ids',
    );
    for (const w of watchers.slice(1)) assert.deepEqual(lines(w), first);
    for (const w of watchers) w.close();
    await speaker.waitForNoRoute('10.9.11.183/32');
  });
});
