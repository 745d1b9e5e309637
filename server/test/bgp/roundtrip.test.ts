/**
 * decode(encode(v)) equals v for constructed values, and constructed values
 * encode to the bytes the RFCs prescribe.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AS_TRANS,
  AsPathSegmentType,
  type BgpMessage,
  type Capability,
  CeaseSubcode,
  DEFAULT_SESSION,
  type NotificationMessage,
  type OpenMessage,
  type PathAttribute,
  type SessionContext,
  type UpdateMessage,
  createEndOfRib,
  createOpenMessage,
  createShutdownNotification,
  decodeMessage,
  effectiveAsPathInfo,
  encodeMessage,
  formatAsPath,
  parseIpv4,
  parseIpv6,
  parsePrefix,
  splitAs4Path,
  toHex,
  type Nlri,
} from '../../src/bgp';

function ip4(text: string): number {
  const value = parseIpv4(text);
  assert.ok(value !== undefined, text);
  return value;
}

function ip6(text: string): bigint {
  const value = parseIpv6(text);
  assert.ok(value !== undefined, text);
  return value;
}

function nlri(text: string, pathId?: number): Nlri {
  const prefix = parsePrefix(text);
  assert.ok(prefix !== undefined, text);
  return pathId === undefined ? prefix : { ...prefix, pathId };
}

function encodeOk(message: BgpMessage, context: SessionContext): Uint8Array {
  const encoded = encodeMessage(message, context);
  assert.ok(encoded.ok, encoded.ok ? '' : encoded.reason);
  return encoded.bytes;
}

function roundTrip(message: BgpMessage, context: SessionContext = DEFAULT_SESSION): Uint8Array {
  const bytes = encodeOk(message, context);
  const decoded = decodeMessage(bytes, context);
  assert.ok(decoded.ok, decoded.ok ? '' : decoded.error.toString());
  assert.deepEqual(decoded.errors, []);
  assert.deepEqual(decoded.message, message);
  return bytes;
}

const FOUR_OCTET: SessionContext = { ...DEFAULT_SESSION, fourOctetAs: true };

const EVERY_CAPABILITY: Capability[] = [
  { type: 'multiprotocol', afi: 1, safi: 1 },
  { type: 'multiprotocol', afi: 2, safi: 1 },
  { type: 'route-refresh' },
  { type: 'enhanced-route-refresh' },
  { type: 'extended-message' },
  { type: 'extended-next-hop', entries: [{ afi: 1, safi: 1, nextHopAfi: 2 }] },
  { type: 'graceful-restart', flags: 0x8 | 0x4, restartTime: 4095, families: [{ afi: 1, safi: 1, flags: 0x80 }] },
  {
    type: 'add-path',
    families: [
      { afi: 1, safi: 1, mode: 3 },
      { afi: 2, safi: 1, mode: 1 },
    ],
  },
  { type: 'four-octet-as', asn: 4200000001 },
  { type: 'unknown', code: 73, value: Uint8Array.of(4, 0x6e, 0x6f, 0x64, 0x65, 0) },
];

describe('OPEN round trips', () => {
  it('with every capability, in one parameter', () => {
    const open = createOpenMessage({
      asn: 4200000001,
      holdTime: 90,
      bgpId: ip4('192.0.2.1'),
      capabilities: EVERY_CAPABILITY,
    });
    assert.equal(open.myAs, AS_TRANS, 'a 4-octet ASN puts AS_TRANS in My AS (RFC 6793)');
    assert.equal(open.parameters.length, 1);
    assert.equal(open.extendedParameters, false);
    roundTrip(open);
  });

  it('with one parameter per capability', () => {
    const open = createOpenMessage({
      asn: 65001,
      holdTime: 180,
      bgpId: ip4('10.0.0.1'),
      capabilities: [{ type: 'multiprotocol', afi: 1, safi: 1 }, { type: 'route-refresh' }],
      parameterPerCapability: true,
    });
    assert.equal(open.myAs, 65001);
    assert.deepEqual(
      open.parameters.map((p) => p.capabilities.map((c) => c.type)),
      [['multiprotocol'], ['route-refresh'], ['four-octet-as']],
    );
    roundTrip(open);
  });

  it('switches to the RFC 9072 encoding when the parameters exceed 255 octets', () => {
    const many: Capability[] = Array.from({ length: 70 }, (_, i) => ({
      type: 'multiprotocol',
      afi: 1,
      safi: (i % 250) + 1,
    }));
    const open = createOpenMessage({ asn: 65001, holdTime: 90, bgpId: 1, capabilities: many });
    assert.equal(open.extendedParameters, true);
    const bytes = roundTrip(open);
    assert.equal(bytes[28], 255, 'Non-Ext OP Len');
    assert.equal(bytes[29], 255, 'Non-Ext OP Type');
  });

  it('refuses oversized parameters without the RFC 9072 encoding', () => {
    const many: Capability[] = Array.from({ length: 70 }, () => ({ type: 'route-refresh' }));
    const open: OpenMessage = {
      ...createOpenMessage({ asn: 65001, holdTime: 90, bgpId: 1, capabilities: [] }),
      parameters: [{ capabilities: many }, { capabilities: many }],
    };
    const encoded = encodeMessage(open);
    assert.equal(encoded.ok, false);
    assert.match(encoded.ok ? '' : encoded.reason, /extendedParameters/);
  });
});

const EVERY_ATTRIBUTE: PathAttribute[] = [
  { type: 'origin', flags: 0x40, origin: 2 },
  {
    type: 'as-path',
    flags: 0x50,
    segments: [
      { type: AsPathSegmentType.AsConfedSequence, asns: [65010] },
      { type: AsPathSegmentType.AsConfedSet, asns: [65011, 65012] },
      { type: AsPathSegmentType.AsSequence, asns: [65001, 4200000001] },
      { type: AsPathSegmentType.AsSet, asns: [65100, 65101] },
    ],
  },
  { type: 'next-hop', flags: 0x40, address: ip4('192.0.2.1') },
  { type: 'multi-exit-disc', flags: 0x80, value: 4294967295 },
  { type: 'local-pref', flags: 0x40, value: 100 },
  { type: 'atomic-aggregate', flags: 0x40 },
  { type: 'aggregator', flags: 0xc0, asn: 4200000001, address: ip4('192.0.2.254') },
  { type: 'communities', flags: 0xe0, communities: [0xfde80001, 0xffffff01] },
  { type: 'originator-id', flags: 0x80, originatorId: ip4('10.0.0.9') },
  { type: 'cluster-list', flags: 0x80, clusterIds: [ip4('10.255.255.1')] },
  { type: 'extended-communities', flags: 0xc0, communities: [0x0002fde800000064n, 0xffffffffffffffffn] },
  {
    type: 'large-communities',
    flags: 0xc0,
    communities: [{ globalAdministrator: 4200000001, localData1: 0, localData2: 4294967295 }],
  },
  { type: 'as4-aggregator', flags: 0xc0, asn: 4200000001, address: ip4('192.0.2.254') },
  { type: 'as4-path', flags: 0xc0, segments: [{ type: AsPathSegmentType.AsSequence, asns: [4200000001] }] },
  { type: 'unknown', code: 200, flags: 0xc0, value: Uint8Array.of(1, 2, 3) },
  { type: 'unknown', code: 201, flags: 0x90, value: new Uint8Array(300).fill(7) },
];

describe('UPDATE round trips', () => {
  it('with every attribute', () => {
    const update: UpdateMessage = {
      type: 'UPDATE',
      withdrawn: [nlri('172.16.0.0/12'), nlri('0.0.0.0/0')],
      attributes: EVERY_ATTRIBUTE,
      nlri: [nlri('10.0.0.0/8'), nlri('10.1.2.3/32'), nlri('10.128.0.0/9')],
    };
    roundTrip(update, FOUR_OCTET);
  });

  it('with IPv6 MP_REACH_NLRI and MP_UNREACH_NLRI, global and link-local next hops', () => {
    const update: UpdateMessage = {
      type: 'UPDATE',
      withdrawn: [],
      attributes: [
        {
          type: 'mp-reach-nlri',
          flags: 0x90,
          afi: 2,
          safi: 1,
          nextHop: { family: 6, address: ip6('2001:db8::1'), linkLocal: ip6('fe80::1') },
          nlri: [nlri('2001:db8::/32'), nlri('::/0'), nlri('2001:db8::1/128'), nlri('2001:db8:8000::/33')],
        },
        { type: 'mp-unreach-nlri', flags: 0x80, afi: 2, safi: 1, withdrawn: [nlri('2001:db8:ffff::/48')] },
        { type: 'origin', flags: 0x40, origin: 0 },
        { type: 'as-path', flags: 0x40, segments: [{ type: AsPathSegmentType.AsSequence, asns: [65001] }] },
      ],
      nlri: [],
    };
    roundTrip(update, FOUR_OCTET);
  });

  it('with IPv4 NLRI over an IPv6 next hop (RFC 8950)', () => {
    const update: UpdateMessage = {
      type: 'UPDATE',
      withdrawn: [],
      attributes: [
        {
          type: 'mp-reach-nlri',
          flags: 0x80,
          afi: 1,
          safi: 1,
          nextHop: { family: 6, address: ip6('2001:db8::a') },
          nlri: [nlri('192.0.2.0/24')],
        },
        { type: 'origin', flags: 0x40, origin: 0 },
        { type: 'as-path', flags: 0x40, segments: [] },
      ],
      nlri: [],
    };
    const bytes = roundTrip(update, FOUR_OCTET);
    // flags, type, length, AFI(2), SAFI(1), then the next hop length: 16.
    assert.equal(bytes[23 + 3 + 3], 16);
  });

  it('with ADD-PATH identifiers in the NLRI field and in MP_REACH_NLRI', () => {
    const context: SessionContext = {
      ...FOUR_OCTET,
      addPath: [
        { afi: 1, safi: 1 },
        { afi: 2, safi: 1 },
      ],
    };
    const update: UpdateMessage = {
      type: 'UPDATE',
      withdrawn: [nlri('10.9.0.0/16', 0)],
      attributes: [
        {
          type: 'mp-reach-nlri',
          flags: 0x80,
          afi: 2,
          safi: 1,
          nextHop: { family: 6, address: ip6('2001:db8::1') },
          nlri: [nlri('2001:db8::/32', 1), nlri('2001:db8::/32', 2)],
        },
        { type: 'origin', flags: 0x40, origin: 0 },
        { type: 'as-path', flags: 0x40, segments: [{ type: AsPathSegmentType.AsSequence, asns: [65001] }] },
        { type: 'next-hop', flags: 0x40, address: ip4('192.0.2.1') },
      ],
      nlri: [nlri('10.0.0.0/24', 1), nlri('10.0.0.0/24', 4294967295)],
    };
    roundTrip(update, context);
  });

  it('refuses a pathId on a session without ADD-PATH, and a missing pathId with it', () => {
    const update: UpdateMessage = { type: 'UPDATE', withdrawn: [nlri('10.0.0.0/8', 1)], attributes: [], nlri: [] };
    assert.equal(encodeMessage(update, FOUR_OCTET).ok, false);
    assert.equal(
      encodeMessage({ ...update, withdrawn: [nlri('10.0.0.0/8')] }, { ...FOUR_OCTET, addPath: [{ afi: 1, safi: 1 }] })
        .ok,
      false,
    );
  });

  it('with a 2-octet AS path and AS4_PATH, merged back as RFC 6793 4.2.3 says', () => {
    const realPath = [{ type: AsPathSegmentType.AsSequence, asns: [65001, 4200000001, 4200000002, 65002] }];
    const { asPath, as4Path } = splitAs4Path(realPath);
    assert.equal(formatAsPath(asPath), `65001 ${AS_TRANS} ${AS_TRANS} 65002`);
    assert.ok(as4Path !== undefined);
    const update: UpdateMessage = {
      type: 'UPDATE',
      withdrawn: [],
      attributes: [
        { type: 'origin', flags: 0x40, origin: 0 },
        { type: 'as-path', flags: 0x40, segments: asPath },
        { type: 'next-hop', flags: 0x40, address: ip4('192.0.2.1') },
        { type: 'aggregator', flags: 0xc0, asn: AS_TRANS, address: ip4('10.0.0.1') },
        { type: 'as4-path', flags: 0xc0, segments: as4Path },
        { type: 'as4-aggregator', flags: 0xc0, asn: 4200000002, address: ip4('10.0.0.1') },
      ],
      nlri: [nlri('203.0.113.0/24')],
    };
    const bytes = roundTrip(update, DEFAULT_SESSION);
    const decoded = decodeMessage(bytes, DEFAULT_SESSION);
    assert.ok(decoded.ok && decoded.message.type === 'UPDATE');
    const effective = effectiveAsPathInfo(decoded.message.attributes, DEFAULT_SESSION);
    assert.deepEqual(effective.asPath, realPath);
    assert.deepEqual(effective.aggregator, { asn: 4200000002, address: ip4('10.0.0.1') });
  });

  it('refuses 4-octet ASNs on a 2-octet session instead of truncating them', () => {
    const update: UpdateMessage = {
      type: 'UPDATE',
      withdrawn: [],
      attributes: [
        { type: 'as-path', flags: 0x40, segments: [{ type: AsPathSegmentType.AsSequence, asns: [4200000001] }] },
      ],
      nlri: [],
    };
    const encoded = encodeMessage(update, DEFAULT_SESSION);
    assert.equal(encoded.ok, false);
    assert.match(encoded.ok ? '' : encoded.reason, /4-octet/);
  });

  it('End-of-RIB markers for IPv4 and IPv6 unicast', () => {
    assert.equal(toHex(roundTrip(createEndOfRib(1, 1), FOUR_OCTET)), `${'ff'.repeat(16)}00170200000000`);
    roundTrip(createEndOfRib(2, 1), FOUR_OCTET);
  });

  it('sets the Extended Length bit when a value outgrows one octet of length', () => {
    const update: UpdateMessage = {
      type: 'UPDATE',
      withdrawn: [],
      attributes: [{ type: 'communities', flags: 0xc0, communities: Array.from({ length: 100 }, (_, i) => i) }],
      nlri: [],
    };
    const bytes = encodeOk(update, FOUR_OCTET);
    const decoded = decodeMessage(bytes, FOUR_OCTET);
    assert.ok(decoded.ok && decoded.message.type === 'UPDATE');
    assert.equal(decoded.message.attributes[0].flags, 0xd0);
    assert.deepEqual(decoded.message.attributes[0], { ...update.attributes[0], flags: 0xd0 });
  });

  it('a long AS_SEQUENCE is split into segments of at most 255 ASNs', () => {
    const asns = Array.from({ length: 300 }, (_, i) => 64512 + i);
    const update: UpdateMessage = {
      type: 'UPDATE',
      withdrawn: [],
      attributes: [{ type: 'as-path', flags: 0x50, segments: [{ type: AsPathSegmentType.AsSequence, asns }] }],
      nlri: [],
    };
    const decoded = decodeMessage(encodeOk(update, FOUR_OCTET), FOUR_OCTET);
    assert.ok(decoded.ok && decoded.message.type === 'UPDATE');
    const attribute = decoded.message.attributes[0];
    assert.ok(attribute.type === 'as-path');
    assert.deepEqual(
      attribute.segments.map((s) => s.asns.length),
      [255, 45],
    );
    assert.deepEqual(
      attribute.segments.flatMap((s) => s.asns),
      asns,
    );
  });

  it('refuses an UPDATE larger than 4096 octets unless Extended Message is negotiated', () => {
    const many = Array.from({ length: 1200 }, (_, i) => nlri(`10.${i >> 8}.${i & 0xff}.0/24`));
    const update: UpdateMessage = { type: 'UPDATE', withdrawn: many, attributes: [], nlri: [] };
    const small = encodeMessage(update, FOUR_OCTET);
    assert.equal(small.ok, false);
    assert.match(small.ok ? '' : small.reason, /4096/);
    roundTrip(update, { ...FOUR_OCTET, extendedMessage: true });
  });
});

describe('NOTIFICATION round trips', () => {
  it('with a shutdown communication (RFC 9003)', () => {
    const notification = createShutdownNotification(
      CeaseSubcode.AdministrativeShutdown,
      'Upgrading to BIRD 3 — back in 10 min ✓',
    );
    assert.equal(notification.data[0], notification.data.length - 1);
    roundTrip(notification);
  });

  it('truncates a shutdown communication to 255 octets without splitting a character', () => {
    const notification = createShutdownNotification(CeaseSubcode.AdministrativeReset, '€'.repeat(100)); // 300 octets of UTF-8
    assert.equal(notification.data[0], 255);
    assert.equal(notification.shutdownCommunication, '€'.repeat(85));
    roundTrip(notification);
  });

  it('with arbitrary data', () => {
    const notification: NotificationMessage = {
      type: 'NOTIFICATION',
      code: 3,
      subcode: 5,
      data: Uint8Array.of(0x40, 1, 2, 0, 0),
    };
    roundTrip(notification);
  });
});

describe('ROUTE-REFRESH and KEEPALIVE round trips', () => {
  it('every ROUTE-REFRESH subtype', () => {
    for (const subtype of [0, 1, 2]) roundTrip({ type: 'ROUTE-REFRESH', afi: 2, safi: 1, subtype });
  });

  it('KEEPALIVE is exactly the 19-octet header', () => {
    assert.equal(toHex(roundTrip({ type: 'KEEPALIVE' })), `${'ff'.repeat(16)}001304`);
  });
});

describe('encodeMessage never throws', () => {
  it('reports out-of-range and ill-typed values as data', () => {
    const bad: BgpMessage[] = [
      { type: 'ROUTE-REFRESH', afi: 70000, safi: 1, subtype: 0 },
      { type: 'NOTIFICATION', code: 256, subcode: 0, data: new Uint8Array(0) },
      { type: 'UPDATE', withdrawn: [{ family: 4, address: 0, length: 33 }], attributes: [], nlri: [] },
      { type: 'UPDATE', withdrawn: [], attributes: [{ type: 'med' as 'origin', flags: 0x80, origin: 0 }], nlri: [] },
      { type: 'UPDATE', withdrawn: [], attributes: [{ type: 'next-hop', flags: 0x40, address: -1 }], nlri: [] },
      {
        type: 'UPDATE',
        withdrawn: [],
        attributes: [{ type: 'extended-communities', flags: 0xc0, communities: [1 as unknown as bigint] }],
        nlri: [],
      },
      { type: 'BOGUS' } as unknown as BgpMessage,
    ];
    for (const message of bad) {
      const result = encodeMessage(message, FOUR_OCTET);
      assert.equal(
        result.ok,
        false,
        JSON.stringify(message, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)),
      );
      assert.equal(typeof (result.ok ? '' : result.reason), 'string');
    }
  });
});
