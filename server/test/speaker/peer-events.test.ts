/**
 * Peer events from an in-process speaker, driven by scripted BGP peers on loopback: the typed
 * events themselves, and what subscribes to them (the log lines, the malformed-messages metric,
 * the watch stream's peer events).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { parseIpv4 } from '../../src/bgp';
import { RawPeer, announce4, encodeUpdate, freePort, waitFor } from '@kube-routes/test/support';
import { Speaker, memoryLogger, type PeerEvent } from '../../src/speaker';
import { MalformedCounts } from '../../src/speaker/metrics';
import { speakerConfig } from './speaker-config';

interface PeerSpec {
  readonly address: string;
  readonly asn: number;
  readonly port?: number;
  readonly maxPrefixes?: number;
}

function config(peers: readonly PeerSpec[]) {
  return speakerConfig({
    peers: peers.map((p) => ({ address: p.address, asn: p.asn, port: p.port, maxPrefixes: p.maxPrefixes ?? 100 })),
  });
}

/** A speaker with every peer event, watch publication and log line recorded. */
async function started(peers: readonly PeerSpec[]) {
  const log = memoryLogger();
  const speaker = new Speaker(config(peers), log);
  const events: PeerEvent[] = [];
  speaker.events.subscribe((e) => events.push(e));
  const published: string[] = [];
  const publish = speaker.watch.publish.bind(speaker.watch);
  speaker.watch.publish = (event, render) => {
    published.push(event);
    return publish(event, render);
  };
  await speaker.start();
  const port = speaker.bgpAddress?.port;
  assert.ok(port);
  const waitForEvent = <T extends PeerEvent['type']>(type: T, from = 0) =>
    waitFor(
      `a ${type} event`,
      () => events.slice(from).find((e): e is Extract<PeerEvent, { type: T }> => e.type === type),
      10_000,
      10,
    );
  const connect = async (spec: PeerSpec): Promise<RawPeer> => {
    const peer = await RawPeer.connect('127.0.0.1', port, spec.address);
    await peer.establish({ asn: spec.asn, holdTime: 90, bgpId: parseIpv4(spec.address)! });
    await waitForEvent('peer-up');
    return peer;
  };
  return { speaker, log, events, published, waitForEvent, connect };
}

/** The Prefix Length octet of the first NLRI entry of an encoded UPDATE (after the attributes). */
function nlriOffset(bytes: Uint8Array): number {
  const withdrawn = (bytes[19]! << 8) | bytes[20]!;
  const attributes = (bytes[21 + withdrawn]! << 8) | bytes[22 + withdrawn]!;
  return 23 + withdrawn + attributes;
}

describe('peer events', { timeout: 60_000 }, () => {
  it('up, malformed (treat-as-withdraw, then session-reset) and down with the NOTIFICATION sent; log, metrics and watch follow', async () => {
    const spec = { address: '127.0.0.2', asn: 65002 };
    const s = await started([spec]);
    after(() => s.speaker.stop());
    const peer = await s.connect(spec);
    const up = s.events[0];
    assert.ok(up?.type === 'peer-up' && up.source === 'bgp');
    assert.deepEqual([up.peer, up.asn], ['127.0.0.2', 65002]);

    const bad = announce4(['10.9.1.0/24'], [65002]);
    peer.send({ ...bad, attributes: bad.attributes.map((a) => (a.type === 'origin' ? { ...a, origin: 5 } : a)) });
    const withdraw = await s.waitForEvent('malformed');
    assert.deepEqual(
      [withdraw.source, withdraw.peer, withdraw.action, withdraw.code, withdraw.subcode, withdraw.error],
      ['bgp', '127.0.0.2', 'treat-as-withdraw', 3, 6, 'UPDATE Message Error / Invalid ORIGIN Attribute'],
    );

    const bytes = encodeUpdate(announce4(['10.9.2.0/24'], [65002]));
    bytes[nlriOffset(bytes)] = 33;
    peer.sendBytes(bytes);
    const down = await s.waitForEvent('peer-down');
    assert.deepEqual(
      s.events.map((e) => (e.type === 'malformed' ? `malformed ${e.action}` : e.type)),
      ['peer-up', 'malformed treat-as-withdraw', 'malformed session-reset', 'peer-down'],
    );
    const reset = s.events[2];
    assert.ok(reset?.type === 'malformed');
    assert.deepEqual([reset.code, reset.subcode], [3, 10]);
    assert.ok(down.source === 'bgp' && down.established);
    assert.deepEqual(down.cause, { kind: 'notification-sent', code: 3, subcode: 10 });
    assert.match(down.reason, /^sent NOTIFICATION UPDATE Message Error \/ Invalid Network Field: .*prefix length 33/);

    // The log: the documented lines, no malformed-update line for the reset (peer-down tells it).
    const lines = s.log.entries.filter((e) =>
      ['peer-up', 'malformed-update', 'peer-down', 'session-failed'].includes(e.event),
    );
    assert.deepEqual(
      lines.map((e) => [e.level, e.event]),
      [
        ['info', 'peer-up'],
        ['warn', 'malformed-update'],
        ['warn', 'peer-down'],
      ],
    );
    assert.deepEqual(lines[1]?.fields, {
      peer: '127.0.0.2',
      error: 'UPDATE Message Error / Invalid ORIGIN Attribute',
      action: 'treat-as-withdraw',
      reason: withdraw.reason,
    });
    assert.equal(lines[2]?.fields.reason, down.reason);

    // The metric counts events, whatever the log says.
    const metrics = await s.speaker.metrics.text();
    assert.match(
      metrics,
      /^kube_routes_speaker_malformed_messages_total\{peer="127\.0\.0\.2",action="treat-as-withdraw"\} 1$/m,
    );
    assert.match(
      metrics,
      /^kube_routes_speaker_malformed_messages_total\{peer="127\.0\.0\.2",action="session-reset"\} 1$/m,
    );

    // The watch stream: one peer event per state change.
    assert.equal(s.published.filter((e) => e === 'peer').length, 2);
  });

  it('max-prefix: the event, then down with Cease / Maximum Number of Prefixes Reached sent', async () => {
    const spec = { address: '127.0.0.3', asn: 65003, maxPrefixes: 2 };
    const s = await started([spec]);
    after(() => s.speaker.stop());
    const peer = await s.connect(spec);
    peer.send(announce4(['10.9.3.0/24', '10.9.4.0/24', '10.9.5.0/24'], [65003]));
    const down = await s.waitForEvent('peer-down');
    const max = s.events.find((e) => e.type === 'max-prefix');
    assert.ok(max?.type === 'max-prefix');
    assert.deepEqual([max.peer, max.afi, max.safi, max.count, max.limit], ['127.0.0.3', 1, 1, 3, 2]);
    assert.deepEqual(down.cause, { kind: 'notification-sent', code: 6, subcode: 1 });
    assert.deepEqual(
      s.log.entries.filter((e) => e.event === 'max-prefixes').map((e) => [e.level, e.fields.count, e.fields.limit]),
      [['error', 3, 2]],
    );
  });

  it('speaker shutdown: down with the cause shutdown (Cease / Administrative Shutdown), logged at info', async () => {
    const spec = { address: '127.0.0.4', asn: 65004 };
    const s = await started([spec]);
    const peer = await s.connect(spec);
    await s.speaker.stop('test over');
    const down = await s.waitForEvent('peer-down');
    assert.deepEqual(down.cause, { kind: 'shutdown', code: 6, subcode: 2 });
    assert.equal(down.reason, 'sent NOTIFICATION Cease / Administrative Shutdown: test over');
    assert.deepEqual(
      s.log.entries.filter((e) => e.event === 'peer-down').map((e) => e.level),
      ['info'],
    );
    await peer.waitForNotification();
  });

  it('a peer that does not answer: connect-failed with the target and the socket error; no down at shutdown', async () => {
    const port = await freePort('127.0.0.5');
    const s = await started([{ address: '127.0.0.5', asn: 65005, port }]);
    const failed = await s.waitForEvent('connect-failed');
    assert.equal(failed.target, `127.0.0.5:${port}`);
    assert.match(failed.error, /ECONNREFUSED/);
    const line = s.log.entries.find((e) => e.event === 'connect-failed');
    assert.equal(line?.fields.detail, `127.0.0.5:${port}: ${failed.error}`);
    assert.match(s.speaker.peers()[0]?.lastError ?? '', /^cannot connect to 127\.0\.0\.5:\d+: .*ECONNREFUSED/);
    await s.speaker.stop();
    assert.equal(
      s.events.some((e) => e.type === 'peer-down'),
      false,
    );
  });
});

describe('MalformedCounts', () => {
  it('counts malformed events per peer label and action, and nothing else', () => {
    const counts = new MalformedCounts();
    const malformed = { type: 'malformed', code: 3, subcode: 6, error: 'e', reason: 'r' } as const;
    counts.observe({ ...malformed, source: 'bgp', peer: '192.0.2.1', action: 'treat-as-withdraw' });
    counts.observe({ ...malformed, source: 'bgp', peer: '192.0.2.1', action: 'treat-as-withdraw' });
    counts.observe({
      ...malformed,
      source: 'bmp',
      peer: '192.0.2.9',
      router: '10.0.0.9',
      sysName: undefined,
      instance: undefined,
      policy: 'pre-policy',
      action: 'attribute-discard',
    });
    counts.observe({
      type: 'connect-failed',
      source: 'bgp',
      peer: '192.0.2.1',
      target: '192.0.2.1:179',
      error: 'refused',
    });
    assert.deepEqual(
      [...counts.entries()],
      [
        { peer: '192.0.2.1', action: 'treat-as-withdraw', count: 2 },
        { peer: '192.0.2.9 (bmp 10.0.0.9 pre-policy)', action: 'attribute-discard', count: 1 },
      ],
    );
  });
});
