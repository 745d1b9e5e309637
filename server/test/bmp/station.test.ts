/**
 * The BMP station (server/src/speaker/bmp-station.ts) against a fake router on loopback: BMP
 * messages written to a TCP socket, their effect read from the RIB, the station's peers and its
 * log. Every wait is for a log line the station writes after handling the message (a Statistics
 * Report is the barrier: it is handled after everything sent before it).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  AsPathSegmentType,
  AttributeFlag,
  type Capability,
  type OpenMessage,
  type PathAttribute,
  type UpdateMessage,
  createOpenMessage,
  parseIpv4,
  parsePrefix,
} from '../../src/bgp';
import {
  type BmpMessageInput,
  type BmpPeerHeaderInput,
  BmpPeerFlag,
  BmpPeerType,
  PeerDownReason,
  encodeBmpMessage,
} from '../../src/bmp';
import { readMrt } from '../../src/mrt';
import {
  answerApiRequest,
  lookupQuery,
  peersQuery,
  routesQuery,
  routesWithinChunks,
  type RoutesResponse,
} from '../../src/speaker-api';
import { Rib } from '../../src/rib';
import { RibRouteTable } from '../../src/rib-view';
import { Speaker } from '../../src/speaker';
import { BmpStation } from '../../src/speaker/bmp-station';
import type { LogFields, Logger, LogLevel } from '../../src/speaker/log';
import { logPeerEvent } from '../../src/speaker/peer-event-log';
import type { PeerEvent } from '../../src/speaker/peer-events';
import { listFixtures } from './helpers';

interface Entry {
  readonly level: LogLevel;
  readonly event: string;
  readonly fields: LogFields;
}

/** A logger whose lines can be awaited: `next` resolves with the first matching line logged after the call. */
class AwaitableLog implements Logger {
  readonly entries: Entry[] = [];
  private waiters: { event: string; match: (f: LogFields) => boolean; resolve: (e: Entry) => void }[] = [];

  log(level: LogLevel, event: string, fields: LogFields = {}): void {
    const entry = { level, event, fields };
    this.entries.push(entry);
    for (const w of [...this.waiters]) {
      if (w.event === event && w.match(fields)) {
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve(entry);
      }
    }
  }

  next(event: string, match: (f: LogFields) => boolean = () => true, timeoutMs = 30_000): Promise<Entry> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `no "${event}" log line within ${timeoutMs} ms; log:\n${this.entries.map((e) => JSON.stringify(e)).join('\n')}`,
            ),
          ),
        timeoutMs,
      );
      this.waiters.push({
        event,
        match,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  }

  events(event: string): Entry[] {
    return this.entries.filter((e) => e.event === event);
  }
}

const ip4 = (t: string) => parseIpv4(t)!;
const T = 1700000000;
const peerA: BmpPeerHeaderInput = {
  address: { family: 4, address: ip4('192.0.2.1') },
  asn: 65001,
  bgpId: ip4('10.0.0.1'),
  timestamp: T,
};
const unicast: Capability[] = [
  { type: 'multiprotocol', afi: 1, safi: 1 },
  { type: 'multiprotocol', afi: 2, safi: 1 },
  { type: 'route-refresh' },
];
const open = (asn: number, id: string): OpenMessage =>
  createOpenMessage({ asn, holdTime: 90, bgpId: ip4(id), capabilities: unicast });

function attributes(asPath: number[], extra: PathAttribute[] = []): PathAttribute[] {
  return [
    { type: 'origin', flags: AttributeFlag.Transitive, origin: 0 },
    {
      type: 'as-path',
      flags: AttributeFlag.Transitive,
      segments: [{ type: AsPathSegmentType.AsSequence, asns: asPath }],
    },
    { type: 'next-hop', flags: AttributeFlag.Transitive, address: ip4('10.0.0.1') },
    ...extra,
  ];
}
const announce = (prefixes: string[], attrs: PathAttribute[]): UpdateMessage => ({
  type: 'UPDATE',
  withdrawn: [],
  attributes: attrs,
  nlri: prefixes.map((p) => parsePrefix(p)!),
});
const withdraw = (prefixes: string[]): UpdateMessage => ({
  type: 'UPDATE',
  withdrawn: prefixes.map((p) => parsePrefix(p)!),
  attributes: [],
  nlri: [],
});

function bmp(...messages: BmpMessageInput[]): Buffer {
  return Buffer.concat(
    messages.map((m) => {
      const r = encodeBmpMessage(m);
      assert.ok(r.ok, r.ok ? '' : r.reason);
      return r.bytes;
    }),
  );
}

const initiation = (sysName: string): BmpMessageInput => ({
  type: 'initiation',
  information: [
    { type: 1, text: 'fake router' },
    { type: 2, text: sysName },
  ],
});
const peerUp = (peer: BmpPeerHeaderInput = peerA): BmpMessageInput => ({
  type: 'peer-up',
  peer,
  localAddress: { family: 4, address: ip4('192.0.2.100') },
  localPort: 179,
  remotePort: 40000,
  sentOpen: open(65000, '10.0.0.100'),
  receivedOpen: open(peer.asn, '10.0.0.1'),
});
const rm = (update: UpdateMessage, peer: BmpPeerHeaderInput = peerA): BmpMessageInput => ({
  type: 'route-monitoring',
  peer,
  update,
});

let barrierCount = 0;
/** Sends a Statistics Report and waits until the station has handled it (and so everything before). */
async function barrier(log: AwaitableLog, socket: Socket): Promise<void> {
  const n = ++barrierCount;
  const handled = log.next(
    'bmp-statistics',
    (f) => (f.statistics as readonly string[] | undefined)?.includes(`rejected-prefixes ${n}`) === true,
  );
  socket.write(
    bmp({
      type: 'statistics-report',
      peer: { ...peerA, address: { family: 4, address: ip4('203.0.113.254') } },
      statistics: [{ type: 0, value: n }],
    }),
  );
  await handled;
}

interface Harness {
  readonly log: AwaitableLog;
  readonly rib: Rib;
  readonly station: BmpStation;
  readonly routes: RibRouteTable;
  /** Every peer event the station emitted, in order (they are also logged, as the speaker does). */
  readonly events: PeerEvent[];
  nextId: number;
}

function harness(firstId = 3, maxPrefixes?: number): Harness {
  const log = new AwaitableLog();
  const rib = new Rib();
  const events: PeerEvent[] = [];
  const h = { log, rib, events, nextId: firstId } as { -readonly [K in keyof Harness]: Harness[K] };
  const sink = {
    emit: (e: PeerEvent) => {
      events.push(e);
      logPeerEvent(log, e);
    },
  };
  h.station = new BmpStation({ rib, log, events: sink, now: () => T + 100, newPeerId: () => h.nextId++, maxPrefixes });
  h.routes = new RibRouteTable(rib, (id) => h.station.peerName(id) ?? `peer-${id}`, 'test');
  return h;
}

async function router(h: Harness, sysName = 'edge-1'): Promise<Socket> {
  const address = h.station.address;
  assert.ok(address);
  const up = h.log.next('bmp-router-up', (f) => f.sysName === sysName);
  const socket = connect({ host: address.host, port: address.port });
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  socket.write(bmp(initiation(sysName)));
  await up;
  return socket;
}

async function closeRouter(h: Harness, socket: Socket): Promise<Entry> {
  const down = h.log.next('bmp-router-down');
  socket.end();
  return down;
}

describe('BMP station', { timeout: 120_000 }, () => {
  const h = harness();
  before(() => h.station.start('127.0.0.1', 0));
  after(() => h.station.stop());

  it("a router up, its peer up, routes pre- and post-policy in the RIB under ids after the BGP peers'", async () => {
    const socket = await router(h);
    const upLogged = h.log.next('bmp-peer-up');
    socket.write(
      bmp(
        peerUp(),
        rm(announce(['198.51.100.0/24', '203.0.113.0/25'], attributes([65001]))),
        rm(
          announce(
            ['198.51.100.0/24'],
            attributes([65001], [{ type: 'local-pref', flags: AttributeFlag.Transitive, value: 200 }]),
          ),
          { ...peerA, flags: BmpPeerFlag.PostPolicy },
        ),
      ),
    );
    const up = await upLogged;
    assert.deepEqual(
      [up.fields.router, up.fields.peer, up.fields.asn, up.fields.sysName],
      ['127.0.0.1', '192.0.2.1', 65001, 'edge-1'],
    );
    await barrier(h.log, socket);

    const rows = h.station.peers();
    assert.deepEqual(
      rows.map((p) => [p.address, p.source, p.router, p.policy, p.state, p.received['ipv4-unicast']]),
      [
        ['192.0.2.1', 'bmp', '127.0.0.1', 'pre-policy', 'Established', 2],
        ['192.0.2.1', 'bmp', '127.0.0.1', 'post-policy', 'Established', 1],
      ],
    );
    assert.ok(
      rows[0]!.capabilities.includes('multiprotocol ipv4-unicast') && rows[0]!.capabilities.includes('4-octet-as'),
      rows[0]!.capabilities.join(),
    );
    assert.equal(rows[0]!.uptimeSeconds, 0);
    assert.equal(rows[0]!.lastError, undefined);

    const route = h.routes.lookupText('198.51.100.7')?.route;
    assert.deepEqual(
      route?.paths.map((p) => [p.peer, p.localPref, p.asPath, p.receivedAt]),
      [
        ['192.0.2.1 (bmp 127.0.0.1 pre-policy)', undefined, [65001], new Date(T * 1000).toISOString()],
        ['192.0.2.1 (bmp 127.0.0.1 post-policy)', 200, [65001], new Date(T * 1000).toISOString()],
      ],
    );
    const ids = h.rib.exact(parsePrefix('198.51.100.0/24')!)!.paths.map((p) => p.peer);
    assert.deepEqual(ids, [3, 4], "ids from the speaker's counter, after the configured BGP peers");

    // A withdrawal on the monitored peer removes the path.
    socket.write(bmp(rm(withdraw(['203.0.113.0/25']))));
    await barrier(h.log, socket);
    assert.equal(h.routes.lookupText('203.0.113.9')?.route, undefined);

    // Peer Down: the rows stay, Idle with the reason; the routes go.
    const down = h.log.next('bmp-peer-down');
    socket.write(
      bmp({
        type: 'peer-down',
        peer: peerA,
        reason: PeerDownReason.RemoteNotification,
        notification: { type: 'NOTIFICATION', code: 6, subcode: 2, data: Uint8Array.of(4, 0x62, 0x79, 0x65, 0x21) },
      }),
    );
    assert.equal((await down).fields.paths, 2);
    assert.deepEqual(
      h.station.peers().map((p) => [p.policy, p.state, p.received['ipv4-unicast'], p.lastError, p.capabilities.length]),
      [
        ['pre-policy', 'Idle', 0, 'the peer sent NOTIFICATION Cease / Administrative Shutdown "bye!"', 0],
        ['post-policy', 'Idle', 0, 'the peer sent NOTIFICATION Cease / Administrative Shutdown "bye!"', 0],
      ],
    );
    assert.equal(h.routes.lookupText('198.51.100.7')?.route, undefined);
    // A late UPDATE after the Peer Down changes nothing: the peer stays down, without routes.
    socket.write(bmp(rm(announce(['198.51.100.0/24'], attributes([65001])))));
    await barrier(h.log, socket);
    assert.deepEqual(
      h.station.peers().map((p) => [p.state, p.received['ipv4-unicast']]),
      [
        ['Idle', 0],
        ['Idle', 0],
      ],
    );
    assert.equal(h.routes.lookupText('198.51.100.7')?.route, undefined);

    // Up again, with its routes; then the router goes: every peer and route with it.
    socket.write(bmp(peerUp(), rm(announce(['198.51.100.0/24'], attributes([65001])))));
    await barrier(h.log, socket);
    assert.deepEqual(
      h.station.peers().map((p) => [p.state, p.lastError]),
      [
        ['Established', undefined],
        ['Established', undefined],
      ],
    );
    const gone = await closeRouter(h, socket);
    assert.deepEqual(
      [gone.fields.router, gone.fields.sysName, gone.fields.reason, gone.fields.peers, gone.fields.paths],
      ['127.0.0.1', 'edge-1', 'connection closed by the router', 1, 1],
    );
    assert.deepEqual(h.station.peers(), []);
    assert.equal(h.rib.pathCount(3, 4) + h.rib.pathCount(4, 4), 0);
    assert.equal(h.station.peerName(3), undefined);
  });

  it('a reconnecting router gets freed ids back; two routers keep their peers apart', async () => {
    const before = h.nextId;
    const a = await router(h, 'edge-a');
    const b = await router(h, 'edge-b');
    a.write(bmp(peerUp(), rm(announce(['198.51.100.0/24'], attributes([65001])))));
    b.write(bmp(peerUp(), rm(announce(['198.51.100.0/24'], attributes([65001, 65009])))));
    await barrier(h.log, a);
    await barrier(h.log, b);
    assert.equal(h.nextId, before, 'both took ids freed by the first router');
    const paths = h.routes.lookupText('198.51.100.1')?.route?.paths ?? [];
    assert.equal(paths.length, 2);
    assert.deepEqual(paths.map((p) => p.asPath).sort(), [[65001], [65001, 65009]]);
    await closeRouter(h, a);
    assert.deepEqual(
      h.routes.lookupText('198.51.100.1')?.route?.paths.map((p) => p.asPath),
      [[65001, 65009]],
      "the other router's route stays",
    );
    assert.equal(h.station.peers().length, 1);
    await closeRouter(h, b);
  });

  it('Termination: its reason is the router-down reason', async () => {
    const socket = await router(h, 'edge-t');
    const down = h.log.next('bmp-router-down', (f) => f.sysName === 'edge-t');
    socket.end(
      bmp({
        type: 'termination',
        information: [
          { type: 1, value: Uint8Array.of(0, 3) },
          { type: 0, text: 'standby takes over' },
        ],
      }),
    );
    assert.equal((await down).fields.reason, 'Termination: redundant connection "standby takes over"');
  });

  it('a malformed message is logged and skipped; a stream that cannot be framed closes the session', async () => {
    const socket = await router(h, 'edge-m');
    const bad = bmp(rm(announce(['198.51.100.0/24'], attributes([65001]))));
    bad[6] = 9; // peer type 9
    const malformed = h.log.next('bmp-malformed', (f) => f.fatal === false);
    socket.write(Buffer.concat([bmp(peerUp()), bad, bmp(rm(announce(['192.0.2.0/24'], attributes([65001]))))]));
    const m = await malformed;
    assert.match(String(m.fields.reason), /unknown peer type 9/);
    await barrier(h.log, socket);
    assert.ok(h.routes.lookupText('192.0.2.1')?.route, 'the message after the bad one is applied');

    const closed = once(socket, 'close');
    const down = h.log.next('bmp-router-down', (f) => f.sysName === 'edge-m');
    socket.write(Buffer.from([1, 0, 0, 0, 6, 4]));
    assert.match(String((await down).fields.reason), /^malformed BMP stream at offset \d+: BMP version 1/);
    await closed;
    assert.equal(h.routes.lookupText('192.0.2.1')?.route, undefined);
  });

  it("emits typed peer events: up, malformed with its RFC 7606 action and policy view, down with the router's reason", async () => {
    const socket = await router(h, 'edge-e');
    const from = h.events.length;
    const badOrigin = announce(
      ['198.51.100.0/24'],
      [{ type: 'origin', flags: AttributeFlag.Transitive, origin: 9 }, ...attributes([65001]).slice(1)],
    );
    socket.write(bmp(peerUp(), rm(badOrigin, { ...peerA, flags: BmpPeerFlag.PostPolicy })));
    await barrier(h.log, socket);
    const down = h.log.next('bmp-peer-down');
    socket.write(
      bmp({
        type: 'peer-down',
        peer: peerA,
        reason: PeerDownReason.RemoteNotification,
        notification: { type: 'NOTIFICATION', code: 6, subcode: 2, data: new Uint8Array(0) },
      }),
    );
    await down;
    const events = h.events.slice(from);
    assert.deepEqual(
      events.map((e) => [
        e.type,
        e.source,
        e.peer,
        e.source === 'bmp' ? e.router : '',
        e.source === 'bmp' ? e.sysName : '',
      ]),
      [
        ['peer-up', 'bmp', '192.0.2.1', '127.0.0.1', 'edge-e'],
        ['malformed', 'bmp', '192.0.2.1', '127.0.0.1', 'edge-e'],
        ['peer-down', 'bmp', '192.0.2.1', '127.0.0.1', 'edge-e'],
      ],
    );
    const [up, malformed, gone] = events;
    assert.ok(up?.type === 'peer-up' && up.source === 'bmp' && !up.implicit && up.asn === 65001);
    assert.ok(malformed?.type === 'malformed' && malformed.source === 'bmp');
    assert.deepEqual(
      [malformed.action, malformed.code, malformed.subcode, malformed.policy],
      ['treat-as-withdraw', 3, 6, 'post-policy'],
    );
    assert.ok(gone?.type === 'peer-down' && gone.source === 'bmp');
    assert.deepEqual(gone.cause, { kind: 'bmp-peer-down', reason: PeerDownReason.RemoteNotification });
    assert.equal(gone.pathsRemoved, 0, 'its only UPDATE was treated as withdraw');
    await closeRouter(h, socket);
  });

  it('a station given no RIBs for them keeps no Loc-RIB or Adj-RIB-Out, and says so once; RFC 7606 errors are logged', async () => {
    const socket = await router(h, 'edge-v');
    const loc: BmpPeerHeaderInput = {
      peerType: BmpPeerType.LocRib,
      address: { family: 4, address: 0 },
      asn: 65000,
      bgpId: ip4('10.0.0.100'),
    };
    const badOrigin = announce(
      ['198.51.100.0/24'],
      [{ type: 'origin', flags: AttributeFlag.Transitive, origin: 9 }, ...attributes([65001]).slice(1)],
    );
    socket.write(
      bmp(
        peerUp(),
        rm(announce(['10.9.0.0/16'], attributes([65001])), loc),
        rm(announce(['10.9.0.0/16'], attributes([65001])), loc),
        rm(announce(['10.8.0.0/16'], attributes([65001])), { ...peerA, flags: BmpPeerFlag.AdjRibOut }),
        rm(badOrigin),
      ),
    );
    await barrier(h.log, socket);
    assert.deepEqual(
      h.log
        .events('bmp-ignored')
        .filter((e) => e.fields.sysName === 'edge-v')
        .map((e) => e.fields.what),
      ['loc-rib', 'adj-rib-out'],
    );
    assert.equal(h.routes.lookupText('10.9.0.1')?.route, undefined);
    assert.equal(h.routes.lookupText('10.8.0.1')?.route, undefined);
    const malformed = h.log.events('malformed-update').at(-1);
    assert.deepEqual(
      [malformed?.fields.peer, malformed?.fields.action],
      ['192.0.2.1 (bmp 127.0.0.1 pre-policy)', 'treat-as-withdraw'],
    );
    await closeRouter(h, socket);
  });

  it('RD instances: one row per distinguisher, labelled in the description and the path names', async () => {
    const socket = await router(h, 'pe-1');
    const rd = (n: bigint): BmpPeerHeaderInput => ({
      ...peerA,
      peerType: BmpPeerType.RdInstance,
      distinguisher: (65000n << 32n) | n,
    });
    socket.write(
      bmp(
        peerUp(rd(1n)),
        peerUp(rd(2n)),
        rm(announce(['10.1.0.0/16'], attributes([65001])), rd(1n)),
        rm(announce(['10.1.0.0/16'], attributes([65001])), rd(2n)),
      ),
    );
    await barrier(h.log, socket);
    assert.deepEqual(
      h.station.peers().map((p) => [p.address, p.description, p.policy]),
      [
        ['192.0.2.1', 'rd 65000:1', 'pre-policy'],
        ['192.0.2.1', 'rd 65000:2', 'pre-policy'],
      ],
    );
    assert.deepEqual(
      h.routes
        .lookupText('10.1.2.3')
        ?.route?.paths.map((p) => p.peer)
        .sort(),
      ['192.0.2.1 (bmp 127.0.0.1 rd 65000:1 pre-policy)', '192.0.2.1 (bmp 127.0.0.1 rd 65000:2 pre-policy)'],
    );
    await closeRouter(h, socket);
  });

  it('routes without a Peer Up: the peer is taken as up; a Peer Down for an unknown peer changes nothing', async () => {
    const socket = await router(h, 'edge-x');
    const other: BmpPeerHeaderInput = { ...peerA, address: { family: 4, address: ip4('192.0.2.77') } };
    socket.write(
      bmp(
        { type: 'peer-down', peer: other, reason: PeerDownReason.LocalNoNotification, fsmEvent: 0 },
        rm(announce(['10.7.0.0/16'], attributes([65001]))),
      ),
    );
    await barrier(h.log, socket);
    assert.deepEqual(
      h.station.peers().map((p) => [p.address, p.state, p.received['ipv4-unicast']]),
      [['192.0.2.1', 'Established', 1]],
    );
    await closeRouter(h, socket);
  });

  it('replays the ADD-PATH / 2-octet-AS fixture: path ids and the merged AS4_PATH reach the RIB', async () => {
    const fixture = listFixtures('valid').find((f) => f.name === 'valid/addpath-and-as2')!;
    const socket = await router(h, 'edge-replay');
    socket.write(fixture.bytes);
    await barrier(h.log, socket);
    assert.deepEqual(
      h.routes.lookupText('198.51.100.1')?.route?.paths.map((p) => [p.peer, p.pathId]),
      [['192.0.2.2 (bmp 127.0.0.1 pre-policy)', 2]],
    );
    assert.deepEqual(
      h.routes.lookupText('2001:db8:2::1')?.route?.paths.map((p) => [p.pathId, p.nextHop]),
      [[7, '2001:db8::2']],
    );
    assert.deepEqual(
      h.routes.lookupText('203.0.113.1')?.route?.paths.map((p) => [p.asPath, p.originAs]),
      [[[4200000003, 4200000009], 4200000009]],
    );
    assert.deepEqual(
      h.station
        .peers()
        .map((p) => [p.address, p.asn, p.capabilities.filter((c) => c.startsWith('add-path') || c === '4-octet-as')]),
      [
        ['192.0.2.2', 65002, ['4-octet-as', 'add-path ipv4-unicast receive', 'add-path ipv6-unicast receive']],
        ['192.0.2.3', 4200000003, []],
      ],
    );
    await closeRouter(h, socket);
  });

  it('replays the real captures: FRR ends with its peer down, GoBGP with routes pre- and post-policy', async () => {
    const [frr, gobgp] = ['valid/frr-8.4.4', 'valid/gobgp-3.10'].map(
      (name) => listFixtures('valid').find((f) => f.name === name)!,
    );
    const a = await router(h, 'frr-bmp');
    a.write(frr!.bytes);
    await barrier(h.log, a);
    assert.deepEqual(
      h.station.peers().map((p) => [p.address, p.policy, p.state, p.lastError]),
      [
        ['127.0.12.3', 'pre-policy', 'Idle', 'the router closed the session (FSM event 0)'],
        ['127.0.12.3', 'post-policy', 'Idle', 'the router closed the session (FSM event 0)'],
      ],
    );
    await closeRouter(h, a);
    const b = await router(h, 'GoBGP');
    b.write(gobgp!.bytes);
    await barrier(h.log, b);
    assert.deepEqual(
      h.station.peers().map((p) => [p.address, p.asn, p.policy, p.received]),
      [
        ['127.0.12.3', 65123, 'pre-policy', { 'ipv4-unicast': 1, 'ipv6-unicast': 1 }],
        ['127.0.12.3', 65123, 'post-policy', { 'ipv4-unicast': 0, 'ipv6-unicast': 1 }],
      ],
    );
    assert.equal(h.routes.lookupText('10.12.1.1')?.route, undefined, 'withdrawn');
    // GoBGP withdrew 10.12.99.0/24 post-policy only as it shut down (the capture's last message).
    assert.deepEqual(
      h.routes.lookupText('10.12.99.1')?.route?.paths.map((p) => p.peer),
      ['127.0.12.3 (bmp 127.0.0.1 pre-policy)'],
    );
    assert.deepEqual(
      h.routes.lookupText('2001:db8:12::1')?.route?.paths.map((p) => [p.peer, p.nextHop]),
      [
        ['127.0.12.3 (bmp 127.0.0.1 pre-policy)', '::ffff:10.0.12.3'],
        ['127.0.12.3 (bmp 127.0.0.1 post-policy)', '::ffff:10.0.12.3'],
      ],
    );
    assert.ok(h.log.events('bmp-ignored').some((e) => e.fields.sysName === 'GoBGP' && e.fields.what === 'loc-rib'));
    // stop() closes the session: routes and peers go.
    const down = h.log.next('bmp-router-down', (f) => f.sysName === 'GoBGP');
    const closed = once(b, 'close');
    await h.station.stop('test over');
    assert.equal((await down).fields.reason, 'test over');
    await closed;
    assert.deepEqual(h.station.peers(), []);
    assert.equal(h.routes.lookupText('10.12.99.1')?.route, undefined);
  });
});

describe('BMP station with maxPrefixes', { timeout: 60_000 }, () => {
  const h = harness(3, 2);
  before(() => h.station.start('127.0.0.1', 0));
  after(() => h.station.stop());

  it("a monitored peer over maxPrefixes loses that view's routes until its next Peer Up", async () => {
    const socket = await router(h);
    const over = h.log.next('bmp-max-prefixes');
    socket.write(
      bmp(
        peerUp(),
        rm(announce(['198.51.100.0/24', '198.51.101.0/24'], attributes([65001]))),
        rm(announce(['198.51.102.0/24'], attributes([65001]))),
        rm(announce(['198.51.103.0/24'], attributes([65001]))),
      ),
    );
    const logged = await over;
    assert.deepEqual(
      [logged.fields.peer, logged.fields.policy, logged.fields.count, logged.fields.limit, logged.fields.pathsRemoved],
      ['192.0.2.1', 'pre-policy', 3, 2, 3],
    );
    await barrier(h.log, socket);
    const [row] = h.station.peers();
    assert.deepEqual(
      [row?.received['ipv4-unicast'], row?.lastError],
      [
        0,
        '3 ipv4-unicast prefixes (pre-policy) exceed bmp.maxPrefixes 2: its routes are dropped until its next Peer Up',
      ],
    );
    socket.write(bmp(peerUp(), rm(announce(['198.51.100.0/24'], attributes([65001])))));
    await barrier(h.log, socket);
    const [again] = h.station.peers();
    assert.deepEqual([again?.received['ipv4-unicast'], again?.lastError], [1, undefined]);
    await closeRouter(h, socket);
  });
});

describe('Speaker with speaker.bmp', { timeout: 60_000 }, () => {
  it('lists BMP peers after its own, names their paths, snapshots them, and stops the station', async () => {
    const log = new AwaitableLog();
    const config = {
      asn: 65000,
      routerId: '10.0.0.1',
      routerIdValue: ip4('10.0.0.1'),
      listen: { host: '127.0.0.1', port: 0 },
      api: { host: '127.0.0.1', port: 0 },
      holdTime: 90,
      peers: [
        {
          address: { family: 4, value: BigInt(ip4('192.0.2.50')), key: `4:${ip4('192.0.2.50')}` },
          addressText: '192.0.2.50',
          asn: 65050,
          port: undefined,
          description: undefined,
          addPath: false,
          maxPrefixes: 10,
          holdTime: 90,
          gracefulRestart: false,
          password: undefined,
        },
      ],
      dynamicPeers: [],
      bmp: { listen: { host: '127.0.0.1', port: 0 }, maxPrefixes: 100 },
    } as unknown as ConstructorParameters<typeof Speaker>[0];
    const speaker = new Speaker(config, log);
    await speaker.start();
    let stopped = false;
    try {
      const started = log.events('speaker-started')[0];
      assert.match(String(started?.fields.bmp), /^127\.0\.0\.1:0$/);
      const address = speaker.bmp?.address;
      assert.ok(address && address.port > 0);
      const socket = connect({ host: address.host, port: address.port });
      socket.on('error', () => undefined);
      await once(socket, 'connect');
      socket.write(bmp(initiation('edge-s'), peerUp(), rm(announce(['198.51.100.0/24'], attributes([65001])))));
      await barrier(log, socket);
      assert.deepEqual(
        speaker.peers().map((p) => [p.address, p.source, p.router ?? null]),
        [
          ['192.0.2.50', 'bgp', null],
          ['192.0.2.1', 'bmp', '127.0.0.1'],
        ],
      );
      assert.deepEqual(
        speaker.lookup('198.51.100.1')?.route?.paths.map((p) => p.peer),
        ['192.0.2.1 (bmp 127.0.0.1 pre-policy)'],
      );
      const records = [...readMrt(Buffer.concat([...speaker.snapshot()]))];
      assert.deepEqual(
        records.filter((r) => !r.ok),
        [],
      );
      const index = records.find((r) => r.ok && r.record.kind === 'peer-index-table');
      assert.ok(index?.ok && index.record.kind === 'peer-index-table');
      assert.deepEqual(
        index.record.peers.map((p) => p.asn),
        [65050, 65001],
      );
      assert.ok(
        records.some((r) => r.ok && r.record.kind === 'rib' && r.record.entries.length === 1),
        'the BMP path is in the snapshot',
      );
      const closed = once(socket, 'close');
      stopped = true;
      await speaker.stop('test over');
      await closed;
      assert.deepEqual(
        log.events('bmp-router-down').map((e) => e.fields.reason),
        ['test over'],
      );
    } finally {
      if (!stopped) await speaker.stop();
    }
  });
});

/** A speaker with a BMP station on loopback and no BGP peers, for the views tests. */
async function bmpSpeaker(log: AwaitableLog, maxPrefixes = 100): Promise<Speaker> {
  const config = {
    asn: 65000,
    routerId: '10.0.0.1',
    routerIdValue: ip4('10.0.0.1'),
    listen: { host: '127.0.0.1', port: 0 },
    api: { host: '127.0.0.1', port: 0 },
    holdTime: 90,
    peers: [],
    dynamicPeers: [],
    bmp: { listen: { host: '127.0.0.1', port: 0 }, maxPrefixes },
  } as unknown as ConstructorParameters<typeof Speaker>[0];
  const speaker = new Speaker(config, log);
  await speaker.start();
  return speaker;
}

async function routerOf(speaker: Speaker, log: AwaitableLog, sysName: string): Promise<Socket> {
  const address = speaker.bmp?.address;
  assert.ok(address);
  const up = log.next('bmp-router-up', (f) => f.sysName === sysName);
  const socket = connect({ host: address.host, port: address.port });
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  socket.write(bmp(initiation(sysName)));
  await up;
  return socket;
}

/** The peers of a path found in one view through the API, as the clients see them. */
function pathPeers(speaker: Speaker, ip: string, view?: 'adj-rib-in' | 'loc-rib' | 'adj-rib-out'): string[] {
  const reply = answerApiRequest(speaker, 'GET', lookupQuery(ip, view));
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  const body = reply.body as { route?: { paths: { peer: string }[] } };
  return body.route?.paths.map((p) => p.peer) ?? [];
}

describe('BMP views: Loc-RIB (RFC 9069) and Adj-RIB-Out (RFC 8671) kept apart, selected by view', {
  timeout: 60_000,
}, () => {
  it('routes of each view go to its own RIB, peers list their view, Peer Down and the end of the session remove them', async () => {
    const log = new AwaitableLog();
    const speaker = await bmpSpeaker(log);
    try {
      const socket = await routerOf(speaker, log, 'edge-views');
      const loc: BmpPeerHeaderInput = {
        peerType: BmpPeerType.LocRib,
        address: { family: 4, address: 0 },
        asn: 65000,
        bgpId: ip4('10.0.0.100'),
        timestamp: T,
      };
      const locFiltered: BmpPeerHeaderInput = { ...loc, flags: BmpPeerFlag.Filtered };
      const outPre: BmpPeerHeaderInput = { ...peerA, flags: BmpPeerFlag.AdjRibOut };
      const outPost: BmpPeerHeaderInput = { ...peerA, flags: BmpPeerFlag.AdjRibOut | BmpPeerFlag.PostPolicy };
      socket.write(
        bmp(
          peerUp(),
          peerUp(loc),
          rm(announce(['198.51.100.0/24'], attributes([65001]))),
          rm(announce(['10.9.0.0/16', '10.10.0.0/16'], attributes([65001])), locFiltered),
          rm(announce(['10.8.0.0/16'], attributes([65000]))),
          rm(announce(['10.8.0.0/16'], attributes([65000])), outPre),
          rm(announce(['10.8.0.0/16'], attributes([65000, 65000])), outPost),
          rm(withdraw(['10.10.0.0/16']), locFiltered),
        ),
      );
      await barrier(log, socket);

      // Each view answers only its own routes; the default is the Adj-RIB-In, as before.
      assert.deepEqual(pathPeers(speaker, '10.9.0.1'), []);
      assert.deepEqual(pathPeers(speaker, '10.9.0.1', 'loc-rib'), ['10.0.0.100 (bmp 127.0.0.1 loc-rib filtered)']);
      assert.deepEqual(pathPeers(speaker, '10.10.0.1', 'loc-rib'), [], 'withdrawn from the Loc-RIB');
      assert.deepEqual(pathPeers(speaker, '10.8.0.1'), ['192.0.2.1 (bmp 127.0.0.1 pre-policy)']);
      assert.deepEqual(pathPeers(speaker, '10.8.0.1', 'adj-rib-out'), [
        '192.0.2.1 (bmp 127.0.0.1 adj-rib-out pre-policy)',
        '192.0.2.1 (bmp 127.0.0.1 adj-rib-out post-policy)',
      ]);
      assert.deepEqual(pathPeers(speaker, '198.51.100.1', 'adj-rib-out'), []);
      const out = answerApiRequest(speaker, 'GET', routesQuery({ exact: '10.8.0.0/16', view: 'adj-rib-out' }));
      assert.deepEqual(
        (out.body as RoutesResponse).routes[0]?.paths.map((p) => p.asPath),
        [[65000], [65000, 65000]],
      );
      // The streamed answer reads the view too, with the same JSON.
      const chunks = routesWithinChunks(speaker, { within: '0.0.0.0/0', limit: 10, after: undefined, view: 'loc-rib' });
      assert.ok('next' in chunks);
      const parts: Buffer[] = [];
      for (let c = chunks.next(); c !== undefined; c = chunks.next()) parts.push(Buffer.from(c));
      const whole = answerApiRequest(speaker, 'GET', routesQuery({ within: '0.0.0.0/0', view: 'loc-rib' }));
      assert.equal(
        Buffer.concat(parts).toString(),
        `{"routes":[${(whole.body as RoutesResponse).routes.map((r) => JSON.stringify(r)).join(',')}]}\n`,
      );

      const peers = (answerApiRequest(speaker, 'GET', peersQuery()).body as { peers: PeerStatusRow[] }).peers;
      assert.deepEqual(
        peers.map((p) => [p.address, p.asn, p.view, p.policy ?? null, p.filtered ?? null, p.received['ipv4-unicast']]),
        [
          ['192.0.2.1', 65001, 'adj-rib-in', 'pre-policy', null, 2],
          ['192.0.2.1', 65001, 'adj-rib-out', 'pre-policy', null, 1],
          ['192.0.2.1', 65001, 'adj-rib-out', 'post-policy', null, 1],
          ['10.0.0.100', 65000, 'loc-rib', null, true, 1],
        ],
      );
      // The snapshot is the Adj-RIB-In only: the other views' peers are not in its index.
      const index = [...readMrt(Buffer.concat([...speaker.snapshot()]))].find(
        (r) => r.ok && r.record.kind === 'peer-index-table',
      );
      assert.ok(index?.ok && index.record.kind === 'peer-index-table');
      assert.equal(index.record.peers.length, 1);

      // Peer Down of the Loc-RIB instance removes its routes only.
      const down = log.next('bmp-peer-down');
      socket.write(
        bmp({
          type: 'peer-down',
          peer: loc,
          reason: PeerDownReason.PeerDeconfigured,
        }),
      );
      await down;
      await barrier(log, socket);
      assert.deepEqual(pathPeers(speaker, '10.9.0.1', 'loc-rib'), []);
      assert.equal(pathPeers(speaker, '10.8.0.1', 'adj-rib-out').length, 2);
      // The end of the session removes every view.
      const gone = log.next('bmp-router-down');
      socket.end();
      await gone;
      assert.deepEqual(pathPeers(speaker, '10.8.0.1', 'adj-rib-out'), []);
      assert.deepEqual(pathPeers(speaker, '10.8.0.1'), []);
      assert.deepEqual(log.events('bmp-ignored'), [], 'nothing ignored');
    } finally {
      await speaker.stop();
    }
  });

  it('GoBGP 3.10 capture: its Loc-RIB routes (peer type 3, no Peer Up) are the loc-rib view', async () => {
    const log = new AwaitableLog();
    const speaker = await bmpSpeaker(log);
    try {
      const gobgp = listFixtures('valid').find((f) => f.name === 'valid/gobgp-3.10');
      assert.ok(gobgp);
      const socket = await routerOf(speaker, log, 'GoBGP');
      socket.write(gobgp.bytes);
      await barrier(log, socket);
      assert.deepEqual(pathPeers(speaker, '10.12.99.1', 'loc-rib'), ['10.0.12.4 (bmp 127.0.0.1 loc-rib)']);
      assert.deepEqual(pathPeers(speaker, '2001:db8:12::1', 'loc-rib'), ['10.0.12.4 (bmp 127.0.0.1 loc-rib)']);
      assert.deepEqual(pathPeers(speaker, '10.12.1.1', 'loc-rib'), [], 'withdrawn');
      assert.deepEqual(pathPeers(speaker, '10.12.99.1'), ['127.0.12.3 (bmp 127.0.0.1 pre-policy)']);
      const loc = speaker.peers().find((p) => p.view === 'loc-rib');
      assert.deepEqual(
        [loc?.address, loc?.asn, loc?.state, loc?.filtered, loc?.received],
        ['10.0.12.4', 65124, 'Established', false, { 'ipv4-unicast': 1, 'ipv6-unicast': 1 }],
      );
      socket.end();
    } finally {
      await speaker.stop();
    }
  });

  it('instances-and-views fixture: Adj-RIB-Out pre/post (O flag) and a filtered Loc-RIB, then their Peer Downs', async () => {
    const log = new AwaitableLog();
    const speaker = await bmpSpeaker(log);
    try {
      const fixture = listFixtures('valid').find((f) => f.name === 'valid/instances-and-views');
      assert.ok(fixture);
      const socket = await routerOf(speaker, log, 'edge-fixture');
      // Up to the two Peer Downs at offset 1489.
      socket.write(fixture.bytes.subarray(0, 1489));
      await barrier(log, socket);
      assert.deepEqual(pathPeers(speaker, '2001:db8:50::1', 'adj-rib-out'), [
        '2001:db8::5 (bmp 127.0.0.1 adj-rib-out pre-policy)',
        '2001:db8::5 (bmp 127.0.0.1 adj-rib-out post-policy)',
      ]);
      assert.deepEqual(pathPeers(speaker, '2001:db8:50::1'), [], 'not in the Adj-RIB-In');
      assert.deepEqual(pathPeers(speaker, '10.6.0.1', 'loc-rib'), ['10.0.0.100 (bmp 127.0.0.1 loc-rib filtered)']);
      assert.deepEqual(pathPeers(speaker, '10.6.0.1'), ['192.0.2.6 (bmp 127.0.0.1 rd 65000:1 pre-policy)']);
      socket.write(fixture.bytes.subarray(1489));
      await barrier(log, socket);
      assert.deepEqual(pathPeers(speaker, '10.6.0.1', 'loc-rib'), [], 'the Loc-RIB went down (reason 6)');
      assert.deepEqual(pathPeers(speaker, '2001:db8:50::1', 'adj-rib-out'), [], 'its peer went down');
      assert.deepEqual(pathPeers(speaker, '10.6.0.1'), ['192.0.2.6 (bmp 127.0.0.1 rd 65000:1 pre-policy)']);
      socket.end();
    } finally {
      await speaker.stop();
    }
  });

  it('maxPrefixes holds per view: a Loc-RIB over it loses its routes, the Adj-RIB-In keeps its own', async () => {
    const log = new AwaitableLog();
    const speaker = await bmpSpeaker(log, 1);
    try {
      const socket = await routerOf(speaker, log, 'edge-max');
      const loc: BmpPeerHeaderInput = {
        peerType: BmpPeerType.LocRib,
        address: { family: 4, address: 0 },
        asn: 65000,
        bgpId: ip4('10.0.0.100'),
        timestamp: T,
      };
      const over = log.next('bmp-max-prefixes');
      socket.write(
        bmp(
          peerUp(),
          rm(announce(['198.51.100.0/24'], attributes([65001]))),
          rm(announce(['10.9.0.0/16', '10.10.0.0/16'], attributes([65001])), loc),
        ),
      );
      assert.equal((await over).fields.policy, 'loc-rib');
      await barrier(log, socket);
      assert.deepEqual(pathPeers(speaker, '10.9.0.1', 'loc-rib'), []);
      assert.deepEqual(pathPeers(speaker, '198.51.100.1'), ['192.0.2.1 (bmp 127.0.0.1 pre-policy)']);
      assert.match(
        String(speaker.peers().find((p) => p.view === 'loc-rib')?.lastError),
        /\(loc-rib\) exceed bmp\.maxPrefixes 1/,
      );
      socket.end();
    } finally {
      await speaker.stop();
    }
  });

  it('a source without the view answers 400; an unknown view is 400', () => {
    const rib = new Rib();
    const table = new RibRouteTable(rib, () => 'p', 'test');
    const source = {
      peers: () => [],
      lookup: (ip: string) => table.lookupText(ip),
      routesExact: (p: string) => table.exact(p),
      routesWithin: (p: string, limit: number, after?: string) => table.within(p, limit, after),
    };
    const reply = answerApiRequest(source, 'GET', lookupQuery('10.0.0.1', 'loc-rib'));
    assert.deepEqual(reply, {
      status: 400,
      body: { error: 'this source keeps no loc-rib view: only adj-rib-in (leave out "view")' },
    });
    assert.equal(answerApiRequest(source, 'GET', '/v1/routes?within=0.0.0.0/0&view=local').status, 400);
  });
});

type PeerStatusRow = ReturnType<Speaker['peers']>[number];
