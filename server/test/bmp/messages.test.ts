/**
 * Targeted decoding rules: the session context of Route Monitoring (ADD-PATH from the Peer Up,
 * send direction for Adj-RIB-Out, the A flag), peer identity, Peer Down data, the statistics
 * table, formatting helpers and encoder refusals.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AddPathMode,
  AsPathSegmentType,
  AttributeFlag,
  type Capability,
  type OpenMessage,
  type UpdateMessage,
  createOpenMessage,
  formatNlri,
  parseIpv4,
  parsePrefix,
} from '../../src/bgp';
import {
  type BmpDecodeResult,
  type BmpPeerHeaderInput,
  BmpPeerFlag,
  BmpPeerType,
  BmpStreamDecoder,
  PeerDownReason,
  STATISTIC_DESCRIPTORS,
  STATISTIC_LENGTH,
  bmpPeerKey,
  decodeBmpMessage,
  describePeerDown,
  encodeBmpMessage,
  formatDistinguisher,
} from '../../src/bmp';
import { concat } from './helpers';

const ip4 = (t: string) => parseIpv4(t)!;
const peer: BmpPeerHeaderInput = {
  address: { family: 4, address: ip4('192.0.2.1') },
  asn: 65001,
  bgpId: ip4('10.0.0.1'),
  timestamp: 1,
};
const open = (asn: number, capabilities: Capability[]): OpenMessage =>
  createOpenMessage({ asn, holdTime: 90, bgpId: ip4(`10.0.0.${asn % 200}`), capabilities });
const unicast4: Capability = { type: 'multiprotocol', afi: 1, safi: 1 };
const update: UpdateMessage = {
  type: 'UPDATE',
  withdrawn: [],
  attributes: [
    { type: 'origin', flags: AttributeFlag.Transitive, origin: 0 },
    {
      type: 'as-path',
      flags: AttributeFlag.Transitive,
      segments: [{ type: AsPathSegmentType.AsSequence, asns: [65001] }],
    },
    { type: 'next-hop', flags: AttributeFlag.Transitive, address: ip4('10.0.0.1') },
  ],
  nlri: [{ ...parsePrefix('198.51.100.0/24')!, pathId: 5 }],
};
const addPath = { fourOctetAs: true, extendedMessage: true, addPath: [{ afi: 1, safi: 1 }] };

function bytes(input: Parameters<typeof encodeBmpMessage>[0]): Uint8Array {
  const r = encodeBmpMessage(input);
  assert.ok(r.ok, r.ok ? '' : r.reason);
  return r.bytes;
}

function readAll(...messages: Uint8Array[]): BmpDecodeResult[] {
  const stream = new BmpStreamDecoder();
  stream.push(concat(messages));
  const out: BmpDecodeResult[] = [];
  for (let r = stream.read(); r !== undefined; r = stream.read()) out.push(r);
  return out;
}

function nlriOf(r: BmpDecodeResult | undefined): string[] | string {
  if (!r) return 'nothing';
  if (!r.ok) return `error: ${r.error.reason}`;
  return r.message.type === 'route-monitoring' ? r.message.update.nlri.map(formatNlri) : r.message.type;
}

describe('Route Monitoring session context', () => {
  const routerReceives = open(65000, [
    unicast4,
    { type: 'add-path', families: [{ afi: 1, safi: 1, mode: AddPathMode.Receive }] },
  ]);
  const peerSends = open(65001, [
    unicast4,
    { type: 'add-path', families: [{ afi: 1, safi: 1, mode: AddPathMode.Send }] },
  ]);
  const up = (sent: OpenMessage, received: OpenMessage) =>
    bytes({
      type: 'peer-up',
      peer,
      localAddress: { family: 4, address: 1 },
      localPort: 179,
      remotePort: 2,
      sentOpen: sent,
      receivedOpen: received,
    });
  const rm = (flags = 0) => bytes({ type: 'route-monitoring', peer: { ...peer, flags }, update, context: addPath });

  it('Path Identifiers come from the ADD-PATH the Peer Up OPENs negotiated', () => {
    const results = readAll(up(routerReceives, peerSends), rm());
    assert.deepEqual(nlriOf(results[1]), ['198.51.100.0/24 path-id 5']);
    const r = results[1]!;
    assert.ok(r.ok && r.message.type === 'route-monitoring');
    assert.deepEqual(r.message.context.addPath, [{ afi: 1, safi: 1 }]);
  });

  it('without a Peer Up, or after a Peer Down, the same bytes decode without Path Identifiers', () => {
    assert.notDeepEqual(nlriOf(readAll(rm())[0]), ['198.51.100.0/24 path-id 5']);
    const down = bytes({ type: 'peer-down', peer, reason: PeerDownReason.RemoteNoNotification });
    const results = readAll(up(routerReceives, peerSends), down, rm());
    assert.notDeepEqual(nlriOf(results[2]), ['198.51.100.0/24 path-id 5']);
  });

  it('Adj-RIB-Out (O flag) uses the send direction: Path Identifiers when the router sends them', () => {
    const routerSends = open(65000, [
      unicast4,
      { type: 'add-path', families: [{ afi: 1, safi: 1, mode: AddPathMode.Send }] },
    ]);
    const peerReceives = open(65001, [
      unicast4,
      { type: 'add-path', families: [{ afi: 1, safi: 1, mode: AddPathMode.Receive }] },
    ]);
    const results = readAll(up(routerSends, peerReceives), rm(BmpPeerFlag.AdjRibOut), rm(0));
    assert.deepEqual(nlriOf(results[1]), ['198.51.100.0/24 path-id 5']);
    assert.notDeepEqual(nlriOf(results[2]), ['198.51.100.0/24 path-id 5'], 'Adj-RIB-In of that session has none');
  });

  it('the A flag means 2-octet AS_PATH, whatever the session', () => {
    const as2 = { fourOctetAs: false, extendedMessage: true, addPath: [] };
    const longPath: UpdateMessage = {
      ...update,
      nlri: [parsePrefix('198.51.100.0/24')!],
      attributes: [
        update.attributes[0]!,
        {
          type: 'as-path',
          flags: AttributeFlag.Transitive,
          segments: [{ type: AsPathSegmentType.AsSequence, asns: [65001, 65002, 65003] }],
        },
        update.attributes[2]!,
      ],
    };
    const withA = decodeBmpMessage(
      bytes({
        type: 'route-monitoring',
        peer: { ...peer, flags: BmpPeerFlag.LegacyAsPath },
        update: longPath,
        context: as2,
      }),
    );
    assert.ok(withA.ok && withA.message.type === 'route-monitoring');
    assert.equal(withA.message.context.fourOctetAs, false);
    assert.deepEqual(withA.message.update.attributes[1], longPath.attributes[1]);
    // The same 2-octet bytes without the A flag are read as 4-octet ASNs: a different path (or an error).
    const frame = bytes({
      type: 'route-monitoring',
      peer: { ...peer, flags: BmpPeerFlag.LegacyAsPath },
      update: longPath,
      context: as2,
    });
    frame[7] = 0;
    const withoutA = decodeBmpMessage(frame);
    assert.ok(
      !withoutA.ok ||
        (withoutA.message.type === 'route-monitoring' &&
          JSON.stringify(withoutA.message.update.attributes[1]) !== JSON.stringify(longPath.attributes[1])),
    );
  });
});

describe('peer identity and headers', () => {
  const header = (input: BmpPeerHeaderInput) => {
    const r = decodeBmpMessage(bytes({ type: 'peer-down', peer: input, reason: 4 }));
    assert.ok(r.ok && r.message.type === 'peer-down');
    return r.message.peer;
  };

  it('bmpPeerKey: pre/post-policy and Adj-RIB-Out views share a key; distinguisher and address do not', () => {
    const base = bmpPeerKey(header(peer));
    assert.equal(bmpPeerKey(header({ ...peer, flags: BmpPeerFlag.PostPolicy })), base);
    assert.equal(bmpPeerKey(header({ ...peer, flags: BmpPeerFlag.AdjRibOut | BmpPeerFlag.PostPolicy })), base);
    assert.notEqual(bmpPeerKey(header({ ...peer, peerType: BmpPeerType.RdInstance, distinguisher: 1n })), base);
    assert.notEqual(bmpPeerKey(header({ ...peer, address: { family: 4, address: ip4('192.0.2.2') } })), base);
    assert.notEqual(
      bmpPeerKey(header({ ...peer, address: { family: 6, address: BigInt(ip4('192.0.2.1')) } })),
      base,
      'an IPv6 peer is another peer',
    );
  });

  it('flags: V/L/A/O for BGP peers, F for the Loc-RIB (where 0x80 is not V)', () => {
    const h = header({ ...peer, address: { family: 6, address: 1n }, flags: 0xf0 });
    assert.deepEqual(
      [h.ipv6, h.postPolicy, h.legacyAsPath, h.adjRibOut, h.filtered, h.rib],
      [true, true, true, true, false, 'adj-rib-out-post'],
    );
    const loc = header({ ...peer, peerType: BmpPeerType.LocRib, address: { family: 4, address: 0 }, flags: 0x80 });
    assert.deepEqual([loc.ipv6, loc.postPolicy, loc.filtered, loc.rib], [false, false, true, 'loc-rib']);
  });

  it('formatDistinguisher: RFC 4364 text for RD instances, decimal otherwise', () => {
    assert.equal(formatDistinguisher(1, (65000n << 32n) | 1n), '65000:1');
    assert.equal(formatDistinguisher(1, (1n << 48n) | (BigInt(ip4('192.0.2.1')) << 16n) | 7n), '192.0.2.1:7');
    assert.equal(formatDistinguisher(1, (2n << 48n) | (4200000000n << 16n) | 9n), '4200000000:9');
    assert.equal(formatDistinguisher(1, 9n << 48n), '0x0009000000000000');
    assert.equal(formatDistinguisher(2, 42n), '42');
  });
});

describe('Peer Down', () => {
  const down = (reason: number, extra: object = {}) => {
    const r = decodeBmpMessage(bytes({ type: 'peer-down', peer, reason, ...extra }));
    assert.ok(r.ok && r.message.type === 'peer-down');
    return r.message;
  };

  it('says why, per reason', () => {
    assert.equal(
      describePeerDown(
        down(1, { notification: { type: 'NOTIFICATION', code: 6, subcode: 4, data: new Uint8Array(0) } }),
      ),
      'the router sent NOTIFICATION Cease / Administrative Reset',
    );
    assert.equal(describePeerDown(down(2, { fsmEvent: 18 })), 'the router closed the session (FSM event 18)');
    assert.equal(
      describePeerDown(
        down(3, { notification: { type: 'NOTIFICATION', code: 4, subcode: 0, data: new Uint8Array(0) } }),
      ),
      'the peer sent NOTIFICATION Hold Timer Expired / Unspecific',
    );
    assert.equal(describePeerDown(down(4)), 'the peer closed the session');
    assert.equal(describePeerDown(down(5)), 'the peer was de-configured on the router');
    assert.equal(
      describePeerDown(down(6, { information: [{ type: 3, text: 'blue' }] })),
      'the router closed the Loc-RIB',
    );
    assert.equal(describePeerDown(down(99, { data: Uint8Array.of(1) })), 'Peer Down reason 99');
  });

  it('data that does not fit the reason is a dataError on a message that still reads', () => {
    assert.match(
      down(2, { data: Uint8Array.of(1, 2, 3) }).dataError ?? '',
      /3 octets where the FSM event code \(2\) belongs/,
    );
    assert.match(down(4, { data: Uint8Array.of(1) }).dataError ?? '', /1 octets of data where none belong/);
    assert.match(down(1, { data: Uint8Array.of(1, 2) }).dataError ?? '', /NOTIFICATION/);
    assert.equal(down(4).dataError, undefined);
  });
});

describe('statistics table', () => {
  it('one row per type, unique names, every kind with its value length', () => {
    assert.equal(new Set(STATISTIC_DESCRIPTORS.map((d) => d.type)).size, STATISTIC_DESCRIPTORS.length);
    assert.equal(new Set(STATISTIC_DESCRIPTORS.map((d) => d.name)).size, STATISTIC_DESCRIPTORS.length);
    assert.deepEqual(
      STATISTIC_DESCRIPTORS.map((d) => d.type),
      STATISTIC_DESCRIPTORS.map((_, k) => k),
      'types 0..17 without gaps',
    );
    assert.deepEqual(STATISTIC_LENGTH, { counter: 4, gauge: 8, 'family-gauge': 11 });
  });

  it('every descriptor round-trips through encode and decode', () => {
    const statistics = STATISTIC_DESCRIPTORS.map((d) =>
      d.kind === 'counter'
        ? { type: d.type, value: 4294967295 }
        : d.kind === 'gauge'
          ? { type: d.type, value: 18446744073709551615n }
          : { type: d.type, afi: 2, safi: 1, value: 7n },
    );
    const r = decodeBmpMessage(bytes({ type: 'statistics-report', peer, statistics }));
    assert.ok(r.ok && r.message.type === 'statistics-report');
    assert.deepEqual(
      r.message.statistics.map((s) => [s.type, s.name, s.value, s.afi, s.safi]),
      statistics.map((s, k) => [
        s.type,
        STATISTIC_DESCRIPTORS[k]!.name,
        s.value,
        'afi' in s ? s.afi : undefined,
        'safi' in s ? s.safi : undefined,
      ]),
    );
  });
});

describe('encodeBmpMessage refusals are data', () => {
  const cases: [string, Parameters<typeof encodeBmpMessage>[0], RegExp][] = [
    [
      'V flag on an IPv4 peer',
      { type: 'peer-down', peer: { ...peer, flags: BmpPeerFlag.Ipv6 }, reason: 4 },
      /disagree with an IPv4/,
    ],
    ['an AS number above 32 bits', { type: 'peer-down', peer: { ...peer, asn: 2 ** 32 }, reason: 4 }, /peer AS/],
    [
      'a TLV longer than 65535 octets',
      { type: 'initiation', information: [{ type: 0, value: new Uint8Array(65536) }] },
      /TLV length/,
    ],
    ['an unknown message type', { type: 'keepalive' } as never, /unknown BMP message type/],
    [
      'an unencodable UPDATE',
      { type: 'route-monitoring', peer, update: { ...update, nlri: [{ family: 4, address: 0, length: 40 }] } },
      /UPDATE/,
    ],
  ];
  for (const [name, input, reason] of cases) {
    it(name, () => {
      const r = encodeBmpMessage(input);
      assert.ok(!r.ok);
      assert.match(r.reason, reason);
    });
  }
});
