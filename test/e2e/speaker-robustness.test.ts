import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AttributeFlag, encodeMessage, type NotificationMessage } from '@kube-routes/server/bgp';
import { RawPeer, SpeakerProcess, announce4, encodeUpdate, tempDir, waitFor } from '@kube-routes/test/support';

// The speaker against a scripted peer on a raw TCP socket (addresses 127.0.4.x, this file only):
// timers and malformed input that real routers do not send on purpose. Every case uses its own
// configured peer address, so the cases run at once against one speaker.

const SPEAKER = '127.0.4.1';
const HOLD = 3;
const peers = {
  hold: { address: '127.0.4.2', asn: 65042, holdTime: HOLD },
  badOrigin: { address: '127.0.4.3', asn: 65043 },
  attributeOverrun: { address: '127.0.4.4', asn: 65044 },
  badNlri: { address: '127.0.4.5', asn: 65045 },
  totalLength: { address: '127.0.4.6', asn: 65046 },
  badMarker: { address: '127.0.4.7', asn: 65047 },
  badLength: { address: '127.0.4.8', asn: 65048 },
  maxPrefixes: { address: '127.0.4.9', asn: 65049, maxPrefixes: 5 },
  wrongAsn: { address: '127.0.4.10', asn: 65050 },
};
const UNCONFIGURED = '127.0.4.99';

const dir = tempDir('kube-routes-robustness-');
const speaker = new SpeakerProcess({ dir: join(dir, 'speaker'), address: SPEAKER, peers: Object.values(peers) });
const connections: RawPeer[] = [];

before(() => speaker.start());
after(async () => {
  for (const c of connections) c.close();
  await speaker.stop('SIGKILL');
});

async function connect(address: string): Promise<RawPeer> {
  const peer = await RawPeer.connect(SPEAKER, speaker.port, address);
  connections.push(peer);
  return peer;
}

/** A raw peer in Established with the speaker. */
async function established(p: { address: string; asn: number }, holdTime = 30): Promise<RawPeer> {
  const peer = await connect(p.address);
  await peer.establish({ asn: p.asn, holdTime, bgpId: 0x0a000400 + Number(p.address.split('.')[3]) });
  await speaker.waitForPeer(p.address);
  return peer;
}

function assertNotification(n: NotificationMessage, code: number, subcode: number): void {
  assert.deepEqual([n.code, n.subcode], [code, subcode], `NOTIFICATION ${n.code}/${n.subcode}`);
}

/** The offset of the NLRI field in an encoded UPDATE (after the header and both length-prefixed fields). */
function nlriOffset(bytes: Uint8Array): number {
  const withdrawn = (bytes[19]! << 8) | bytes[20]!;
  const attributes = (bytes[21 + withdrawn]! << 8) | bytes[22 + withdrawn]!;
  return 23 + withdrawn + attributes;
}

/** Waits for the session to be down on the speaker's side with a lastError matching. */
async function downWith(address: string, error: RegExp): Promise<void> {
  await waitFor(`peer ${address} down with ${error}`, async () => {
    const p = await speaker.peer(address);
    return p.state !== 'Established' && error.test(p.lastError ?? '') ? true : undefined;
  });
}

describe('raw-socket peers', { concurrency: true }, () => {
  test('hold timer: a peer that goes silent gets Hold Timer Expired (4/0) after the hold time', async () => {
    const peer = await established(peers.hold, HOLD);
    const n = await peer.waitForNotification(HOLD * 1000 + 15_000);
    assertNotification(n, 4, 0);
    // The speaker restarted its hold timer when our last message arrived, after we sent it.
    const silence = Date.now() - peer.lastSentAt;
    assert.ok(silence >= HOLD * 1000 - 50, `NOTIFICATION after ${silence} ms of silence, before the hold time`);
    // The speaker kept sending KEEPALIVEs meanwhile (every hold/3 s).
    assert.ok(peer.received.filter((m) => m.type === 'KEEPALIVE').length >= 2);
    await peer.waitForClose();
    await downWith(
      peers.hold.address,
      /^sent NOTIFICATION Hold Timer Expired \/ Unspecific: no message from the peer for 3 s/,
    );
  });

  test('bad ORIGIN value: treat-as-withdraw (RFC 7606 7.1), the session stays up and a malformed-update line is logged', async () => {
    const { address, asn } = peers.badOrigin;
    const peer = await established(peers.badOrigin);
    peer.send(announce4(['10.4.3.0/24', '10.4.30.0/24'], [asn]));
    await speaker.waitForRoute('10.4.30.0/24');
    const bad = announce4(['10.4.3.0/24'], [asn]);
    peer.send({ ...bad, attributes: bad.attributes.map((a) => (a.type === 'origin' ? { ...a, origin: 5 } : a)) });
    await speaker.waitForNoRoute('10.4.3.0/24');
    const line = await speaker.waitForLog('malformed-update', (e) => e.peer === address);
    assert.equal(line.action, 'treat-as-withdraw');
    assert.equal(line.error, 'UPDATE Message Error / Invalid ORIGIN Attribute');
    assert.match(String(line.reason), /ORIGIN: undefined value 5/);
    assert.ok(await speaker.route('10.4.30.0/24'), 'other routes stay');
    // Still up: no NOTIFICATION, and the next UPDATE is taken.
    peer.send(announce4(['10.4.31.0/24'], [asn]));
    await speaker.waitForRoute('10.4.31.0/24');
    assert.equal((await speaker.peer(address)).state, 'Established');
    assert.equal(
      peer.received.some((m) => m.type === 'NOTIFICATION'),
      false,
    );
  });

  test('an attribute overrunning the path attributes: treat-as-withdraw (RFC 7606 4), the session stays up', async () => {
    const { address, asn } = peers.attributeOverrun;
    const peer = await established(peers.attributeOverrun);
    peer.send(announce4(['10.4.4.0/24'], [asn]));
    await speaker.waitForRoute('10.4.4.0/24');
    // COMMUNITIES last, its length 4 -> 40: it runs past the Total Path Attribute Length.
    const bytes = encodeUpdate(
      announce4(['10.4.4.0/24'], [asn], undefined, [
        { type: 'communities', flags: AttributeFlag.Optional | AttributeFlag.Transitive, communities: [0xfde80001] },
      ]),
    );
    const lengthAt = nlriOffset(bytes) - 5;
    assert.equal(bytes[lengthAt], 4, 'the COMMUNITIES length octet');
    bytes[lengthAt] = 40;
    peer.sendBytes(bytes);
    await speaker.waitForNoRoute('10.4.4.0/24');
    const line = await speaker.waitForLog('malformed-update', (e) => e.peer === address);
    assert.equal(line.error, 'UPDATE Message Error / Malformed Attribute List');
    assert.equal(line.action, 'treat-as-withdraw');
    assert.equal((await speaker.peer(address)).state, 'Established');
    assert.equal(
      peer.received.some((m) => m.type === 'NOTIFICATION'),
      false,
    );
  });

  test('a malformed NLRI (prefix length 33) gets UPDATE Message Error / Invalid Network Field (3/10); the session and its routes go', async () => {
    const { address, asn } = peers.badNlri;
    const peer = await established(peers.badNlri);
    peer.send(announce4(['10.4.5.0/24'], [asn]));
    await speaker.waitForRoute('10.4.5.0/24');
    const bytes = encodeUpdate(announce4(['10.4.50.0/24'], [asn]));
    bytes[nlriOffset(bytes)] = 33;
    peer.sendBytes(bytes);
    assertNotification(await peer.waitForNotification(), 3, 10);
    await peer.waitForClose();
    await downWith(address, /^sent NOTIFICATION UPDATE Message Error \/ Invalid Network Field: .*prefix length 33/);
    await speaker.waitForNoRoute('10.4.5.0/24');
  });

  test('a Total Path Attribute Length beyond the message gets UPDATE Message Error / Malformed Attribute List (3/1)', async () => {
    const { address, asn } = peers.totalLength;
    const peer = await established(peers.totalLength);
    const bytes = encodeUpdate(announce4(['10.4.6.0/24'], [asn]));
    const total = ((bytes[21]! << 8) | bytes[22]!) + 100;
    bytes[21] = total >> 8;
    bytes[22] = total & 0xff;
    peer.sendBytes(bytes);
    assertNotification(await peer.waitForNotification(), 3, 1);
    await peer.waitForClose();
    await downWith(address, /^sent NOTIFICATION UPDATE Message Error \/ Malformed Attribute List/);
    assert.equal(await speaker.route('10.4.6.0/24'), undefined);
  });

  test('a bad marker gets Message Header Error / Connection Not Synchronized (1/1)', async () => {
    const peer = await established(peers.badMarker);
    const keepalive = encodeMessage({ type: 'KEEPALIVE' });
    assert.ok(keepalive.ok);
    const bytes = keepalive.bytes.slice();
    bytes[3] = 0x00;
    peer.sendBytes(bytes);
    assertNotification(await peer.waitForNotification(), 1, 1);
    await peer.waitForClose();
    await downWith(peers.badMarker.address, /^sent NOTIFICATION Message Header Error \/ Connection Not Synchronized/);
  });

  test('a length field below 19 gets Message Header Error / Bad Message Length (1/2) with the length as data', async () => {
    const peer = await established(peers.badLength);
    const keepalive = encodeMessage({ type: 'KEEPALIVE' });
    assert.ok(keepalive.ok);
    const bytes = keepalive.bytes.slice();
    bytes[17] = 18;
    peer.sendBytes(bytes);
    const n = await peer.waitForNotification();
    assertNotification(n, 1, 2);
    assert.deepEqual([...n.data], [0, 18], 'RFC 4271 6.1: the erroneous Length field');
    await peer.waitForClose();
  });

  test('max-prefix: more than maxPrefixes gets Cease / Maximum Number of Prefixes Reached (6/1), routes removed', async () => {
    const { address, asn, maxPrefixes } = peers.maxPrefixes;
    const peer = await established(peers.maxPrefixes);
    peer.send(announce4(['10.4.9.0/24', '10.4.9.1/32', '10.4.9.2/32', '10.4.9.3/32', '10.4.9.4/32'], [asn]));
    await waitFor('5 prefixes', async () =>
      (await speaker.routesWithin('10.4.9.0/24')).length === 5 ? true : undefined,
    );
    assert.equal((await speaker.peer(address)).state, 'Established', 'exactly maxPrefixes is allowed');
    peer.send(announce4(['10.4.9.5/32'], [asn]));
    const n = await peer.waitForNotification();
    assertNotification(n, 6, 1);
    // RFC 4486 4: AFI, SAFI, the upper bound.
    assert.deepEqual([...n.data], [0, 1, 1, 0, 0, 0, maxPrefixes]);
    await peer.waitForClose();
    await downWith(
      address,
      /^sent NOTIFICATION Cease \/ Maximum Number of Prefixes Reached: 6 ipv4-unicast prefixes exceed maxPrefixes 5/,
    );
    await waitFor('the routes removed', async () =>
      (await speaker.routesWithin('10.4.9.0/24')).length === 0 ? true : undefined,
    );
    await speaker.waitForLog('max-prefixes', (e) => e.peer === address && e.limit === maxPrefixes);
  });

  test('a wrong ASN in the OPEN gets OPEN Message Error / Bad Peer AS (2/2)', async () => {
    const { address } = peers.wrongAsn;
    const peer = await connect(address);
    peer.sendOpen({ asn: 65099, holdTime: 30, bgpId: 0x0a00040a });
    const n = await peer.waitForNotification();
    assertNotification(n, 2, 2);
    assert.deepEqual([...n.data], [65099 >> 8, 65099 & 0xff], 'RFC 4271 6.2: data is the My AS field');
    await peer.waitForClose();
    await downWith(
      address,
      /^sent NOTIFICATION OPEN Message Error \/ Bad Peer AS: peer announced AS65099, configured AS65050/,
    );
  });

  test('an unconfigured source address gets Cease / Connection Rejected (6/5) and a connection-refused line', async () => {
    const peer = await connect(UNCONFIGURED);
    assertNotification(await peer.waitForNotification(), 6, 5);
    await peer.waitForClose();
    const line = await speaker.waitForLog('connection-refused', (e) => e.remote === UNCONFIGURED);
    assert.equal(line.level, 'warn');
    assert.equal(line.reason, 'not a configured peer');
    assert.equal(
      peer.received.some((m) => m.type === 'OPEN'),
      false,
      'no OPEN for strangers',
    );
  });
});

test('the speaker stayed healthy through all of it', async () => {
  assert.equal((await speaker.get('/healthz')).status, 200);
  assert.equal(
    speaker.logs().filter((e) => e.level === 'error' && e.event !== 'max-prefixes').length,
    0,
    speaker.output,
  );
  assert.doesNotMatch(speaker.output, /\n\s+at /, 'no stack trace');
});
