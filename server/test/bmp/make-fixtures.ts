/**
 * Writes the synthetic fixtures of fixtures/ (and turns raw captures into commented hex):
 *
 *   node server/dist/test/bmp/make-fixtures.js                      # every synthetic fixture
 *   node server/dist/test/bmp/make-fixtures.js capture.bin NAME "title" ...   # a capture as valid/NAME.hex
 *
 * Not a test: the fixtures are committed, and fixtures.test.ts compares what the codec reads from
 * them with the expected JSON beside each. The `@expect-errors` / `@expect-fatal` offsets of the
 * malformed fixtures come from here (where the broken messages were put), not from the decoder.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  AddPathMode,
  AsPathSegmentType,
  AttributeFlag,
  type Capability,
  type BgpMessage,
  type OpenMessage,
  type PathAttribute,
  type UpdateMessage,
  createEndOfRib,
  createOpenMessage,
  createShutdownNotification,
  encodeMessage,
  parseIpv4,
  parseIpv6,
  parsePrefix,
  toHex,
  type Nlri,
  type SessionContext,
} from '../../src/bgp';
import {
  type BmpAddress,
  type BmpMessageInput,
  type BmpPeerHeaderInput,
  BmpPeerFlag,
  BmpPeerType,
  PeerDownReason,
  encodeBmpMessage,
  formatBmpResult,
  readBmp,
} from '../../src/bmp';
import { FIXTURES_DIR, commentedHex, concat } from './helpers';

const ip4 = (text: string): number => parseIpv4(text)!;
const v4 = (text: string): BmpAddress => ({ family: 4, address: ip4(text) });
const v6 = (text: string): BmpAddress => ({ family: 6, address: parseIpv6(text)! });
const nlri = (text: string, pathId?: number): Nlri => ({
  ...parsePrefix(text)!,
  ...(pathId === undefined ? {} : { pathId }),
});

const WK = AttributeFlag.Transitive;
const OPT_T = AttributeFlag.Optional | AttributeFlag.Transitive;
const OPT = AttributeFlag.Optional;

function attrs(asPath: readonly number[], extra: readonly PathAttribute[] = [], nextHop = '10.0.0.1'): PathAttribute[] {
  return [
    { type: 'origin', flags: WK, origin: 0 },
    {
      type: 'as-path',
      flags: WK,
      segments: asPath.length ? [{ type: AsPathSegmentType.AsSequence, asns: asPath }] : [],
    },
    { type: 'next-hop', flags: WK, address: ip4(nextHop) },
    ...extra,
  ];
}

function announce(prefixes: readonly (string | Nlri)[], attributes: readonly PathAttribute[]): UpdateMessage {
  return {
    type: 'UPDATE',
    withdrawn: [],
    attributes,
    nlri: prefixes.map((p) => (typeof p === 'string' ? nlri(p) : p)),
  };
}

function withdraw(prefixes: readonly (string | Nlri)[]): UpdateMessage {
  return {
    type: 'UPDATE',
    withdrawn: prefixes.map((p) => (typeof p === 'string' ? nlri(p) : p)),
    attributes: [],
    nlri: [],
  };
}

function open(asn: number, bgpId: string, capabilities: readonly Capability[]): OpenMessage {
  return createOpenMessage({ asn, holdTime: 90, bgpId: ip4(bgpId), capabilities });
}

const unicast4: Capability = { type: 'multiprotocol', afi: 1, safi: 1 };
const unicast6: Capability = { type: 'multiprotocol', afi: 2, safi: 1 };

function bytesOf(input: BmpMessageInput): Uint8Array {
  const r = encodeBmpMessage(input);
  if (!r.ok) throw new Error(`cannot encode ${input.type}: ${r.reason}`);
  return r.bytes;
}

function pduOf(message: BgpMessage, context?: SessionContext): Uint8Array {
  const r = encodeMessage(message, context);
  if (!r.ok) throw new Error(r.reason);
  return r.bytes;
}

/** One part of a fixture stream: its bytes and what it is (a comment line or more). */
interface Part {
  readonly bytes: Uint8Array;
  readonly note: readonly string[];
  /** The decoder must report an error at this part's offset. */
  readonly error?: 'error' | 'fatal';
}

const part = (note: string | readonly string[], bytes: Uint8Array, error?: 'error' | 'fatal'): Part => ({
  bytes,
  note: typeof note === 'string' ? [note] : note,
  ...(error ? { error } : {}),
});

/** Writes NAME.hex: title, directives, then each part: its note, how the reader renders it, its octets. */
function writeParts(file: string, title: readonly string[], parts: readonly Part[]): void {
  const whole = concat(parts.map((p) => p.bytes));
  const results = readBmp(whole);
  const rendered = new Map<number, string[]>();
  for (const r of results) {
    const offset = r.ok ? r.message.offset : r.error.offset;
    rendered.set(offset, [...(rendered.get(offset) ?? []), ...formatBmpResult(r).split('\n')]);
  }
  const lines = title.map((t) => `# ${t}`.trimEnd());
  const offsets: number[] = [];
  let o = 0;
  for (const p of parts) {
    offsets.push(o);
    o += p.bytes.length;
  }
  const errors = parts.flatMap((p, k) => (p.error === 'error' ? [offsets[k]!] : []));
  const fatal = parts.flatMap((p, k) => (p.error === 'fatal' ? [offsets[k]!] : []));
  if (errors.length) lines.push(`# @expect-errors ${errors.join(' ')}`);
  if (fatal.length) lines.push(`# @expect-fatal ${fatal[0]}`);
  parts.forEach((p, k) => {
    const at = offsets[k]!;
    lines.push('', ...p.note.map((n) => `# ${n}`), ...(rendered.get(at) ?? []).map((l) => `#   ${l}`));
    const b = p.bytes;
    if (b.length >= 6)
      lines.push(
        `${toHex(b.subarray(0, 1))} ${toHex(b.subarray(1, 5))} ${toHex(b.subarray(5, 6))}   # @${at} common header`,
      );
    for (let i = b.length >= 6 ? 6 : 0; i < b.length; i += 16)
      lines.push(toHex(b.subarray(i, Math.min(b.length, i + 16))).replace(/(.{8})(?!$)/g, '$1 '));
  });
  writeFileSync(file, `${lines.join('\n')}\n`);
}

// ---- peers and sessions ----

const T = 1700000000;
const peerA: BmpPeerHeaderInput = {
  address: v4('192.0.2.1'),
  asn: 65001,
  bgpId: ip4('10.0.0.1'),
  timestamp: T,
  microseconds: 1,
};
const peerApost: BmpPeerHeaderInput = { ...peerA, flags: BmpPeerFlag.PostPolicy };
const routerOpen = open(65000, '10.0.0.100', [unicast4, unicast6, { type: 'route-refresh' }]);
const peerAOpen = open(65001, '10.0.0.1', [unicast4, { type: 'route-refresh' }]);

function peerUp(
  peer: BmpPeerHeaderInput,
  sent: OpenMessage,
  received: OpenMessage,
  information: { type: number; text: string }[] = [],
): Uint8Array {
  const local = peer.address.family === 4 ? v4('192.0.2.100') : v6('2001:db8::100');
  return bytesOf({
    type: 'peer-up',
    peer,
    localAddress: local,
    localPort: 179,
    remotePort: 40001,
    sentOpen: sent,
    receivedOpen: received,
    information,
  });
}

const initiation = (sysName: string, sysDescr: string, extra: { type: number; text: string }[] = []): Uint8Array =>
  bytesOf({ type: 'initiation', information: [{ type: 1, text: sysDescr }, { type: 2, text: sysName }, ...extra] });

function allMessageTypes(): Part[] {
  const communities: PathAttribute = { type: 'communities', flags: OPT_T, communities: [65001 * 65536 + 100] };
  const large: PathAttribute = {
    type: 'large-communities',
    flags: OPT_T,
    communities: [{ globalAdministrator: 65001, localData1: 1, localData2: 2 }],
  };
  return [
    part(
      'Initiation: sysDescr, sysName and a free-form string',
      initiation('edge-1', 'Synthetic router 1.0', [{ type: 0, text: 'rack A, row 3 – ünïcode' }]),
    ),
    part(
      'Peer Up: 192.0.2.1 AS65001, with a string TLV',
      peerUp(peerA, routerOpen, peerAOpen, [{ type: 0, text: 'uplink to AS65001' }]),
    ),
    part(
      'Route Monitoring, pre-policy: two prefixes with communities',
      bytesOf({
        type: 'route-monitoring',
        peer: peerA,
        update: announce(['198.51.100.0/24', '203.0.113.0/25'], attrs([65001], [communities, large])),
      }),
    ),
    part(
      'Route Monitoring, post-policy (L flag): the import policy set LOCAL_PREF',
      bytesOf({
        type: 'route-monitoring',
        peer: peerApost,
        update: announce(
          ['198.51.100.0/24'],
          attrs([65001], [{ type: 'local-pref', flags: WK, value: 200 }, communities]),
        ),
      }),
    ),
    part(
      'Route Monitoring, pre-policy: 203.0.113.0/25 withdrawn',
      bytesOf({ type: 'route-monitoring', peer: peerA, update: withdraw(['203.0.113.0/25']) }),
    ),
    part(
      'Route Monitoring, pre-policy: End-of-RIB for IPv4 unicast',
      bytesOf({ type: 'route-monitoring', peer: peerA, update: createEndOfRib(1, 1) }),
    ),
    part(
      'Statistics Report: every kind of counter (32-bit counter, 64-bit gauge, per-AFI/SAFI gauge) and a type without a descriptor',
      bytesOf({
        type: 'statistics-report',
        peer: peerA,
        statistics: [
          { type: 0, value: 3 },
          { type: 7, value: 2n },
          { type: 8, value: 0x1_0000_0001n },
          { type: 9, afi: 1, safi: 1, value: 2n },
          { type: 10, afi: 2, safi: 1, value: 0n },
          { type: 11, value: 1 },
          { type: 14, value: 5n },
          { type: 17, afi: 1, safi: 1, value: 4n },
          { type: 65531, raw: Uint8Array.of(0, 0, 0, 7) },
        ],
      }),
    ),
    part(
      'Route Mirroring: a verbatim BGP message and "messages lost"',
      bytesOf({
        type: 'route-mirroring',
        peer: peerA,
        tlvs: [
          { type: 0, value: pduOf(announce(['192.0.2.0/24'], attrs([65001]))) },
          { type: 1, value: Uint8Array.of(0, 1) },
        ],
      }),
    ),
    part(
      'Peer Down reason 1: the router sent Cease / Administrative Shutdown with a shutdown communication',
      bytesOf({
        type: 'peer-down',
        peer: peerA,
        reason: PeerDownReason.LocalNotification,
        notification: createShutdownNotification(2, 'maintenance window'),
      }),
    ),
    part('Peer Up again', peerUp(peerA, routerOpen, peerAOpen)),
    part(
      'Peer Down reason 2: the router closed the session, FSM event 18',
      bytesOf({ type: 'peer-down', peer: peerA, reason: PeerDownReason.LocalNoNotification, fsmEvent: 18 }),
    ),
    part('Peer Up again', peerUp(peerA, routerOpen, peerAOpen)),
    part(
      'Peer Down reason 3: the peer sent Hold Timer Expired',
      bytesOf({
        type: 'peer-down',
        peer: peerA,
        reason: PeerDownReason.RemoteNotification,
        notification: { type: 'NOTIFICATION', code: 4, subcode: 0, data: new Uint8Array(0) },
      }),
    ),
    part('Peer Up again', peerUp(peerA, routerOpen, peerAOpen)),
    part(
      'Peer Down reason 4: the peer closed the session',
      bytesOf({ type: 'peer-down', peer: peerA, reason: PeerDownReason.RemoteNoNotification }),
    ),
    part('Peer Up again', peerUp(peerA, routerOpen, peerAOpen)),
    part(
      'Peer Down reason 5: de-configured',
      bytesOf({ type: 'peer-down', peer: peerA, reason: PeerDownReason.PeerDeconfigured }),
    ),
    part(
      'Termination: reason 0 (administratively closed) and a string',
      bytesOf({
        type: 'termination',
        information: [
          { type: 0, text: 'router reload' },
          { type: 1, value: Uint8Array.of(0, 0) },
        ],
      }),
    ),
  ];
}

function addPathAndAs2(): Part[] {
  // ADD-PATH: the router asked to receive paths (receive), the peer offered to send (send).
  const addPathRouter = open(65000, '10.0.0.100', [
    unicast4,
    unicast6,
    {
      type: 'add-path',
      families: [
        { afi: 1, safi: 1, mode: AddPathMode.Receive },
        { afi: 2, safi: 1, mode: AddPathMode.Both },
      ],
    },
  ]);
  const addPathPeer = open(65002, '10.0.0.2', [
    unicast4,
    unicast6,
    {
      type: 'add-path',
      families: [
        { afi: 1, safi: 1, mode: AddPathMode.Send },
        { afi: 2, safi: 1, mode: AddPathMode.Send },
      ],
    },
  ]);
  const peerB: BmpPeerHeaderInput = { address: v4('192.0.2.2'), asn: 65002, bgpId: ip4('10.0.0.2'), timestamp: T + 10 };
  const addPathContext: SessionContext = {
    fourOctetAs: true,
    extendedMessage: true,
    addPath: [
      { afi: 1, safi: 1 },
      { afi: 2, safi: 1 },
    ],
  };
  // A peer with a 4-octet ASN reported in the 2-octet AS_PATH format (A flag): AS_TRANS + AS4_PATH.
  const peerC: BmpPeerHeaderInput = {
    address: v4('192.0.2.3'),
    asn: 4200000003,
    bgpId: ip4('10.0.0.3'),
    flags: BmpPeerFlag.LegacyAsPath,
    timestamp: T + 20,
  };
  // Built by hand: createOpenMessage always adds the 4-octet AS capability.
  const as2Router: OpenMessage = {
    type: 'OPEN',
    version: 4,
    myAs: 65000,
    holdTime: 90,
    bgpId: ip4('10.0.0.100'),
    parameters: [{ capabilities: [unicast4] }],
    extendedParameters: false,
  };
  const as2Context: SessionContext = { fourOctetAs: false, extendedMessage: true, addPath: [] };
  const as4Path: PathAttribute = {
    type: 'as4-path',
    flags: OPT_T,
    segments: [{ type: AsPathSegmentType.AsSequence, asns: [4200000003, 4200000009] }],
  };
  const as4Aggregator: PathAttribute = {
    type: 'as4-aggregator',
    flags: OPT_T,
    asn: 4200000009,
    address: ip4('10.0.0.9'),
  };
  const aggregator: PathAttribute = { type: 'aggregator', flags: OPT_T, asn: 23456, address: ip4('10.0.0.9') };
  return [
    part('Initiation', initiation('rr-2', 'Synthetic route reflector')),
    part(
      'Peer Up: 192.0.2.2, ADD-PATH negotiated for IPv4 and IPv6 unicast (router receive, peer send)',
      peerUp(peerB, addPathRouter, addPathPeer),
    ),
    part(
      'Route Monitoring with Path Identifiers: two paths of one prefix',
      bytesOf({
        type: 'route-monitoring',
        peer: peerB,
        context: addPathContext,
        update: announce([nlri('198.51.100.0/24', 1), nlri('198.51.100.0/24', 2)], attrs([65002, 65020])),
      }),
    ),
    part(
      'Route Monitoring with Path Identifiers, IPv6 (MP_REACH_NLRI)',
      bytesOf({
        type: 'route-monitoring',
        peer: peerB,
        context: addPathContext,
        update: announce(
          [],
          [
            { type: 'origin', flags: WK, origin: 0 },
            { type: 'as-path', flags: WK, segments: [{ type: AsPathSegmentType.AsSequence, asns: [65002] }] },
            {
              type: 'mp-reach-nlri',
              flags: OPT,
              afi: 2,
              safi: 1,
              nextHop: { family: 6, address: parseIpv6('2001:db8::2')! },
              nlri: [nlri('2001:db8:2::/48', 7)],
            },
          ],
        ),
      }),
    ),
    part(
      'Route Monitoring with Path Identifiers: path 1 withdrawn',
      bytesOf({
        type: 'route-monitoring',
        peer: peerB,
        context: addPathContext,
        update: withdraw([nlri('198.51.100.0/24', 1)]),
      }),
    ),
    part(
      'Peer Up: 192.0.2.3 AS4200000003, no 4-octet AS capability on the router (the A flag is set on its messages)',
      peerUp({ ...peerC, flags: 0 }, as2Router, open(4200000003, '10.0.0.3', [unicast4])),
    ),
    part(
      'Route Monitoring, A flag: 2-octet AS_PATH with AS_TRANS, AS4_PATH and AS4_AGGREGATOR (merged per RFC 6793)',
      bytesOf({
        type: 'route-monitoring',
        peer: peerC,
        context: as2Context,
        update: announce(['203.0.113.0/24'], [...attrs([23456, 23456]), aggregator, as4Path, as4Aggregator]),
      }),
    ),
  ];
}

function instancesAndViews(): Part[] {
  const peer6: BmpPeerHeaderInput = {
    address: v6('2001:db8::5'),
    asn: 65005,
    bgpId: ip4('10.0.0.5'),
    timestamp: T + 30,
  };
  const rd0: BmpPeerHeaderInput = {
    peerType: BmpPeerType.RdInstance,
    distinguisher: (0n << 48n) | (65000n << 32n) | 1n,
    address: v4('192.0.2.6'),
    asn: 65006,
    bgpId: ip4('10.0.0.6'),
    timestamp: T + 40,
  };
  const rd1: BmpPeerHeaderInput = { ...rd0, distinguisher: (1n << 48n) | (BigInt(ip4('192.0.2.99')) << 16n) | 7n };
  const rd2: BmpPeerHeaderInput = { ...rd0, distinguisher: (2n << 48n) | (4200000000n << 16n) | 9n };
  const local: BmpPeerHeaderInput = {
    peerType: BmpPeerType.LocalInstance,
    distinguisher: 42n,
    address: v4('192.0.2.7'),
    asn: 65007,
    bgpId: ip4('10.0.0.7'),
    timestamp: T + 50,
  };
  const locRib: BmpPeerHeaderInput = {
    peerType: BmpPeerType.LocRib,
    flags: BmpPeerFlag.Filtered,
    address: v4('0.0.0.0'),
    asn: 65000,
    bgpId: ip4('10.0.0.100'),
    timestamp: T + 60,
  };
  const adjOutPre: BmpPeerHeaderInput = { ...peer6, flags: BmpPeerFlag.Ipv6 | BmpPeerFlag.AdjRibOut };
  const adjOutPost: BmpPeerHeaderInput = {
    ...peer6,
    flags: BmpPeerFlag.Ipv6 | BmpPeerFlag.AdjRibOut | BmpPeerFlag.PostPolicy,
  };
  const peer6Open = open(65005, '10.0.0.5', [unicast6]);
  const mp6 = (prefix: string, nextHop: string): UpdateMessage =>
    announce(
      [],
      [
        { type: 'origin', flags: WK, origin: 2 },
        { type: 'as-path', flags: WK, segments: [{ type: AsPathSegmentType.AsSequence, asns: [65005] }] },
        {
          type: 'mp-reach-nlri',
          flags: OPT,
          afi: 2,
          safi: 1,
          nextHop: { family: 6, address: parseIpv6(nextHop)!, linkLocal: parseIpv6('fe80::5')! },
          nlri: [nlri(prefix)],
        },
      ],
    );
  return [
    part('Initiation with only a sysName', bytesOf({ type: 'initiation', information: [{ type: 2, text: 'pe-3' }] })),
    part('Peer Up: IPv6 peer 2001:db8::5 (V flag)', peerUp(peer6, routerOpen, peer6Open)),
    part(
      'Route Monitoring: IPv6 prefix with a link-local next hop',
      bytesOf({ type: 'route-monitoring', peer: peer6, update: mp6('2001:db8:5::/48', '2001:db8::5') }),
    ),
    part(
      'Route Monitoring: IPv6 withdrawal (MP_UNREACH_NLRI)',
      bytesOf({
        type: 'route-monitoring',
        peer: peer6,
        update: {
          type: 'UPDATE',
          withdrawn: [],
          nlri: [],
          attributes: [{ type: 'mp-unreach-nlri', flags: OPT, afi: 2, safi: 1, withdrawn: [nlri('2001:db8:6::/48')] }],
        },
      }),
    ),
    part(
      'Route Monitoring, Adj-RIB-Out pre-policy (O flag, RFC 8671)',
      bytesOf({ type: 'route-monitoring', peer: adjOutPre, update: mp6('2001:db8:50::/48', '2001:db8::100') }),
    ),
    part(
      'Route Monitoring, Adj-RIB-Out post-policy (O and L flags)',
      bytesOf({ type: 'route-monitoring', peer: adjOutPost, update: mp6('2001:db8:50::/48', '2001:db8::100') }),
    ),
    part(
      'Peer Up: RD instance, type 0 distinguisher 65000:1',
      peerUp(rd0, routerOpen, open(65006, '10.0.0.6', [unicast4])),
    ),
    part(
      'Route Monitoring: RD instance, type 0 distinguisher',
      bytesOf({ type: 'route-monitoring', peer: rd0, update: announce(['10.6.0.0/16'], attrs([65006])) }),
    ),
    part(
      'Peer Up: RD instance, type 1 distinguisher 192.0.2.99:7 (same address, another instance)',
      peerUp(rd1, routerOpen, open(65006, '10.0.0.6', [unicast4])),
    ),
    part(
      'Peer Up: RD instance, type 2 distinguisher 4200000000:9',
      peerUp(rd2, routerOpen, open(65006, '10.0.0.6', [unicast4])),
    ),
    part('Peer Up: local instance 42', peerUp(local, routerOpen, open(65007, '10.0.0.7', [unicast4]))),
    part(
      'Route Monitoring: Loc-RIB (peer type 3, RFC 9069) with the F flag',
      bytesOf({ type: 'route-monitoring', peer: locRib, update: announce(['10.6.0.0/16'], attrs([65006])) }),
    ),
    part(
      'Peer Down reason 6 (RFC 9069): the Loc-RIB closed, with a VRF/table name TLV',
      bytesOf({
        type: 'peer-down',
        peer: locRib,
        reason: PeerDownReason.LocalSystemClosedTlv,
        information: [{ type: 3, text: 'default' }],
      }),
    ),
    part(
      'Peer Down: the IPv6 peer, reason 4',
      bytesOf({ type: 'peer-down', peer: peer6, reason: PeerDownReason.RemoteNoNotification }),
    ),
  ];
}

function malformedBodies(): Part[] {
  const rm = (update: Uint8Array, peer: BmpPeerHeaderInput = peerA) =>
    bytesOf({ type: 'route-monitoring', peer, update });
  const good = pduOf(announce(['198.51.100.0/24'], attrs([65001])), {
    fourOctetAs: true,
    extendedMessage: true,
    addPath: [],
  });
  const overrun = good.slice();
  overrun[17] = overrun[17]! + 10; // BGP length 10 octets beyond the BMP message
  const badMarker = good.slice();
  badMarker[0] = 0;
  const keepalive = pduOf({ type: 'KEEPALIVE' });
  // ORIGIN with value 7: RFC 7606 treat-as-withdraw, a message with errors rather than a failure.
  const badOrigin = pduOf(
    announce(['203.0.113.0/24'], [{ type: 'origin', flags: WK, origin: 7 }, ...attrs([65001]).slice(1)]),
    { fourOctetAs: true, extendedMessage: true, addPath: [] },
  );
  const withTrailer = concat([rm(good).slice(), Uint8Array.of(0xde, 0xad)]);
  setLength(withTrailer);
  const statistics = bytesOf({
    type: 'statistics-report',
    peer: peerA,
    statistics: [
      { type: 0, value: 1 },
      { type: 1, value: 2 },
    ],
  });
  const countTooHigh = statistics.slice();
  countTooHigh[6 + 42 + 3] = 3; // Stats Count 3, two follow
  // an unknown statistic type (0x7fff) rewritten to declare 4 octets where 2 follow
  const counterBytes = bytesOf({
    type: 'statistics-report',
    peer: peerA,
    statistics: [{ type: 0x7fff, raw: Uint8Array.of(1, 2) }],
  });
  counterBytes[6 + 42 + 6] = 0; // the Stat Length of the first statistic (after Stats Count and Stat Type)
  counterBytes[6 + 42 + 7] = 4;
  const unknownType = bytesOf({ type: 'initiation', information: [{ type: 0, text: 'x' }] });
  unknownType[5] = 9;
  const unknownPeerType = rm(good);
  unknownPeerType[6] = 7;
  const tlvOverrun = bytesOf({ type: 'initiation', information: [{ type: 2, text: 'edge-9' }] });
  tlvOverrun[6 + 3] = 40;
  const badReason = bytesOf({ type: 'termination', information: [{ type: 1, value: Uint8Array.of(0, 0, 1) }] });
  const peerUpTruncated = peerUp(peerA, routerOpen, peerAOpen).slice(0, 6 + 42 + 20 + 30);
  setLength(peerUpTruncated);
  const peerUpNotOpen = bytesOf({
    type: 'peer-up',
    peer: peerA,
    localAddress: v4('192.0.2.100'),
    localPort: 179,
    remotePort: 1,
    sentOpen: keepalive,
    receivedOpen: peerAOpen,
  });
  const peerDownBadNotification = bytesOf({
    type: 'peer-down',
    peer: peerA,
    reason: PeerDownReason.RemoteNotification,
    data: keepalive,
  });
  const shortPeerHeader = bytesOf({ type: 'initiation', information: [] });
  shortPeerHeader[5] = 0; // a Route Monitoring of 6 octets: no per-peer header
  return [
    part('Initiation', initiation('edge-9', 'Synthetic router with bugs')),
    part('Peer Up', peerUp(peerA, routerOpen, peerAOpen)),
    part('BAD: Route Monitoring whose BGP length runs 10 octets past the message', rm(overrun), 'error'),
    part('BAD: Route Monitoring whose UPDATE has a broken marker (a BGP header error)', rm(badMarker), 'error'),
    part('BAD: Route Monitoring carrying a KEEPALIVE', rm(keepalive), 'error'),
    part('BAD: Route Monitoring with 2 octets after the UPDATE', withTrailer, 'error'),
    part('Route Monitoring with ORIGIN 7: RFC 7606 treat-as-withdraw, read as a message with an error', rm(badOrigin)),
    part('BAD: Statistics Report declaring 3 statistics, carrying 2', countTooHigh, 'error'),
    part('BAD: Statistics Report with rejected-prefixes (a 32-bit counter) of 6 octets', withStatLength(), 'error'),
    part('BAD: Statistics Report whose unknown statistic declares 4 octets, 2 follow', counterBytes, 'error'),
    part('BAD: message type 9', unknownType, 'error'),
    part('BAD: peer type 7', unknownPeerType, 'error'),
    part('BAD: Initiation TLV of 40 octets in a 6-octet value', tlvOverrun, 'error'),
    part('BAD: Termination Reason TLV of 3 octets', badReason, 'error'),
    part('BAD: Peer Up cut inside the sent OPEN', peerUpTruncated, 'error'),
    part('BAD: Peer Up whose sent OPEN is a KEEPALIVE', peerUpNotOpen, 'error'),
    part('BAD: a Route Monitoring of 6 octets (no per-peer header)', shortPeerHeader, 'error'),
    part(
      'Peer Down reason 3 whose data is a KEEPALIVE: read, with a data error (the peer is down all the same)',
      peerDownBadNotification,
    ),
    part('Peer Up: the stream goes on after the errors', peerUp(peerA, routerOpen, peerAOpen)),
    part('Route Monitoring: fine', rm(good)),
  ];
}

function withStatLength(): Uint8Array {
  const b = bytesOf({ type: 'statistics-report', peer: peerA, statistics: [{ type: 0x7fff, raw: new Uint8Array(6) }] });
  b[6 + 42 + 4] = 0; // the Stat Type of the first statistic (after Stats Count): 0, rejected-prefixes
  b[6 + 42 + 5] = 0;
  return b;
}

function setLength(message: Uint8Array): void {
  const n = message.length;
  message[1] = n >>> 24;
  message[2] = (n >>> 16) & 0xff;
  message[3] = (n >>> 8) & 0xff;
  message[4] = n & 0xff;
}

function badVersion(): Part[] {
  const v1 = initiation('x', 'y');
  v1[0] = 1;
  return [
    part('Initiation', initiation('edge-10', 'Synthetic router')),
    part('Peer Up', peerUp(peerA, routerOpen, peerAOpen)),
    part('BAD: version 1: the stream cannot be framed from here on', v1, 'fatal'),
    part(
      'A valid Route Monitoring that is never read',
      bytesOf({ type: 'route-monitoring', peer: peerA, update: announce(['198.51.100.0/24'], attrs([65001])) }),
    ),
  ];
}

function shortLength(): Part[] {
  const short = initiation('x', 'y');
  setLengthTo(short, 5);
  return [
    part('Initiation', initiation('edge-11', 'Synthetic router')),
    part('BAD: Message Length 5, shorter than the common header', short, 'fatal'),
  ];
}

function hugeLength(): Part[] {
  const huge = initiation('x', 'y');
  setLengthTo(huge, 0x7fffffff);
  return [
    part('Initiation', initiation('edge-12', 'Synthetic router')),
    part('BAD: Message Length 2147483647, above the 1 MiB limit', huge, 'fatal'),
  ];
}

function truncatedAtEnd(): Part[] {
  const rm = bytesOf({ type: 'route-monitoring', peer: peerA, update: announce(['198.51.100.0/24'], attrs([65001])) });
  return [
    part('Initiation', initiation('edge-13', 'Synthetic router')),
    part('Peer Up', peerUp(peerA, routerOpen, peerAOpen)),
    part('Route Monitoring', rm),
    part('BAD: the connection closed 20 octets into a Route Monitoring', rm.slice(0, 20), 'fatal'),
  ];
}

function setLengthTo(message: Uint8Array, n: number): void {
  message[1] = n >>> 24;
  message[2] = (n >>> 16) & 0xff;
  message[3] = (n >>> 8) & 0xff;
  message[4] = n & 0xff;
}

function main(argv: readonly string[]): void {
  if (argv.length >= 2) {
    const [capture, name, ...title] = argv;
    const bytes = new Uint8Array(readFileSync(capture!));
    writeFileSync(path.join(FIXTURES_DIR, 'valid', `${name}.hex`), commentedHex(bytes, title));
    return;
  }
  const synthetic = 'Synthetic (encodeBmpMessage + encodeMessage, server/test/bmp/make-fixtures.ts).';
  writeParts(
    path.join(FIXTURES_DIR, 'valid', 'all-message-types.hex'),
    [
      'Every BMP message type: Initiation, Peer Up, Route Monitoring pre/post-policy, Statistics',
      'Report, Route Mirroring, Peer Down with each RFC 7854 reason, Termination.',
      synthetic,
    ],
    allMessageTypes(),
  );
  writeParts(
    path.join(FIXTURES_DIR, 'valid', 'addpath-and-as2.hex'),
    [
      'Sessions that change how UPDATEs decode: ADD-PATH negotiated in the Peer Up OPENs, and the A flag',
      '(2-octet AS_PATH with AS4_PATH / AS4_AGGREGATOR).',
      synthetic,
    ],
    addPathAndAs2(),
  );
  writeParts(
    path.join(FIXTURES_DIR, 'valid', 'instances-and-views.hex'),
    [
      'Peer types and RIB views: IPv6 peer, RD instances (distinguisher types 0, 1, 2), local instance,',
      'Loc-RIB (RFC 9069) with Peer Down reason 6, Adj-RIB-Out (RFC 8671).',
      synthetic,
    ],
    instancesAndViews(),
  );
  writeParts(
    path.join(FIXTURES_DIR, 'malformed', 'bad-bodies.hex'),
    [
      'Messages that frame but do not decode: each is reported with its offset and skipped; the stream',
      'goes on. RFC 7606 errors inside an UPDATE and a Peer Down with bad data are messages, not failures.',
      synthetic,
    ],
    malformedBodies(),
  );
  writeParts(
    path.join(FIXTURES_DIR, 'malformed', 'bad-version.hex'),
    ['A version-1 header: BMP has no marker to resynchronise on, so reading stops (fatal).', synthetic],
    badVersion(),
  );
  writeParts(
    path.join(FIXTURES_DIR, 'malformed', 'length-below-header.hex'),
    ['A Message Length below 6: fatal.', synthetic],
    shortLength(),
  );
  writeParts(
    path.join(FIXTURES_DIR, 'malformed', 'length-above-limit.hex'),
    ['A Message Length of 2 GiB: fatal (the reader refuses to buffer it).', synthetic],
    hugeLength(),
  );
  writeParts(
    path.join(FIXTURES_DIR, 'malformed', 'truncated-at-end.hex'),
    ['The stream ends inside a message: fatal at its offset.', synthetic],
    truncatedAtEnd(),
  );
}

main(process.argv.slice(2));
