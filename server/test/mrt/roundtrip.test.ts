/**
 * Round trips: RIB -> writeTableDump -> reader -> loader -> the same RIB contents (prefixes,
 * peers, path ids, received times, byte-identical canonical attribute sets); record encoders ->
 * decoder -> the same fields.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  EncodeError,
  decodeMessage,
  encodeMessage,
  formatPrefix,
  type Prefix,
  type UpdateMessage,
} from '../../src/bgp';
import {
  Bgp4mpSubtype,
  MrtPeerTable,
  type MrtPeer,
  MrtType,
  TABLE_DUMP_CONTEXT,
  TableDumpV2Subtype,
  bgp4mpContext,
  canonicalAttributes,
  canonicalToMrtAttributes,
  copiedUpdateCanonicalView,
  decodeMrtAttributes,
  decodeCanonical,
  encodeBgp4mpMessage,
  encodeBgp4mpStateChange,
  encodeCanonical,
  loadMrtIntoRibSync,
  mrtAttributesToCanonical,
  readMrt,
  ribRoutes,
  writeTableDump,
} from '../../src/mrt';
import { Rib } from '../../src/rib';
import { Random, announce, concat, ip4, ip6, prefix, randomAttributes, ribLines } from './helpers';

const PEERS: MrtPeer[] = [
  { id: 3, address: '192.0.2.1', asn: 65001, bgpId: '10.0.0.1' },
  { id: 7, address: '2001:db8::7', asn: 4200000007, bgpId: '10.0.0.7' },
  { id: 8, address: '192.0.2.8', asn: 64512, bgpId: '10.0.0.8' },
  { id: 9, address: '192.0.2.9', asn: 65009, bgpId: '10.0.0.9' },
];

function randomPrefix(random: Random, family: 4 | 6): Prefix {
  if (family === 4) {
    const length = 8 + random.int(25);
    const address = length === 0 ? 0 : (random.u32() & (-1 << (32 - length))) >>> 0;
    return { family: 4, address, length };
  }
  const length = 16 + random.int(113);
  const full =
    (0x2001n << 112n) |
    (BigInt(random.u32()) << 80n) |
    (BigInt(random.u32()) << 48n) |
    (BigInt(random.u32()) << 16n) |
    BigInt(random.int(65536));
  const mask = ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - length)) - 1n);
  return { family: 6, address: full & mask, length };
}

/** A RIB with `routes` prefixes, 1-4 paths each from the peers, ADD-PATH ids on about a third of the prefixes. */
function randomRib(seed: number, routes: number): Rib {
  const random = new Random(seed);
  const rib = new Rib();
  const pool = {
    4: Array.from({ length: 20 }, () => randomAttributes(random, 4)),
    6: Array.from({ length: 20 }, () => randomAttributes(random, 6)),
  };
  for (let i = 0; i < routes; i++) {
    const family = random.chance(0.6) ? 4 : 6;
    const p = randomPrefix(random, family);
    const addPath = random.chance(0.3);
    const paths = 1 + random.int(4);
    for (let k = 0; k < paths; k++) {
      const peer = random.pick(PEERS).id;
      announce(
        rib,
        peer,
        p,
        addPath ? 1 + random.int(5) : 0,
        random.pick(pool[family]),
        1600000000 + random.int(100000000),
      );
    }
  }
  return rib;
}

function dump(rib: Rib, chunkSize?: number): Uint8Array {
  return concat(writeTableDump(rib, PEERS, '10.255.0.1', 'round trip', 1700000000, { chunkSize }));
}

/** The RIB as lines keyed by peer address (ids may differ between RIBs). */
function byAddress(rib: Rib, peers: readonly MrtPeer[]): string[] {
  const names = new Map(peers.map((p) => [p.id, `${p.address}/AS${p.asn}`]));
  return ribLines(rib, (id) => names.get(id) ?? `unknown ${id}`);
}

describe('TABLE_DUMP_V2 round trip', () => {
  for (const seed of [1, 2, 3, 42]) {
    it(`random RIB ${seed}: write -> read -> load gives the same RIB, byte-identical attribute sets`, () => {
      const rib = randomRib(seed, 300);
      const bytes = dump(rib, 1 + seed * 97);
      const loaded = new Rib();
      const stats = loadMrtIntoRibSync(readMrt(bytes), loaded, PEERS);
      assert.equal(stats.errorCount, 0, JSON.stringify(stats.errors));
      assert.deepEqual(ribLines(loaded), ribLines(rib));
      assert.equal(stats.routes, rib.prefixCount(4) + rib.prefixCount(6));
      assert.equal(stats.paths, rib.totalPaths);
      assert.equal(loaded.attributeSets.size, rib.attributeSets.size);
    });
  }

  it('a fresh peer table gives new ids to the same peers (by address, AS and BGP ID)', () => {
    const rib = randomRib(5, 100);
    const loaded = new Rib();
    const stats = loadMrtIntoRibSync(readMrt(dump(rib)), loaded, new MrtPeerTable({ firstId: 100 }));
    assert.deepEqual(
      stats.peers.map((p) => ({ ...p, id: p.id - 100 })),
      PEERS.map((p, k) => ({ ...p, id: k })),
    );
    assert.deepEqual(byAddress(loaded, stats.peers), byAddress(rib, PEERS));
  });

  it('chunking does not change the bytes', () => {
    const rib = randomRib(6, 200);
    const reference = dump(rib);
    for (const size of [1, 100, 5000]) {
      const chunks = [...writeTableDump(rib, PEERS, '10.255.0.1', 'round trip', 1700000000, { chunkSize: size })];
      assert.deepEqual(concat(chunks), reference);
      if (size === 5000) assert.ok(chunks.every((c, k) => k === chunks.length - 1 || c.length >= 5000));
    }
  });

  it('uses PEER_INDEX_TABLE first, consecutive sequence numbers, _ADDPATH subtypes only where a path id is non-zero', () => {
    const rib = randomRib(7, 200);
    const records = [...readMrt(dump(rib))].map((r) => {
      assert.ok(r.ok);
      return r.record;
    });
    assert.equal(records[0]!.kind, 'peer-index-table');
    assert.equal(records[0]!.header.subtype, TableDumpV2Subtype.PeerIndexTable);
    const ribs = records.slice(1);
    ribs.forEach((r, k) => {
      assert.equal(r.kind, 'rib');
      if (r.kind !== 'rib') return;
      assert.equal(r.sequence, k);
      const addPath = r.entries.some((e) => e.pathId !== 0);
      const expected =
        r.afi === 1
          ? addPath
            ? TableDumpV2Subtype.RibIpv4UnicastAddPath
            : TableDumpV2Subtype.RibIpv4Unicast
          : addPath
            ? TableDumpV2Subtype.RibIpv6UnicastAddPath
            : TableDumpV2Subtype.RibIpv6Unicast;
      assert.equal(r.header.subtype, expected, formatPrefix(r.prefix));
      assert.equal(r.header.timestamp, 1700000000);
    });
    assert.equal(ribs.length, rib.prefixCount(4) + rib.prefixCount(6));
  });

  it('walks a RIB larger than one query batch in address order, every route once', () => {
    const rib = new Rib();
    const attributes = randomAttributes(new Random(8), 4);
    // 5000 /32s, /24s and /16s under 10.0.0.0/8, plus the /8 itself: nested subtrees over the batch size.
    for (let i = 0; i < 5000; i++)
      announce(rib, 3, { family: 4, address: (0x0a000000 + i * 13) >>> 0, length: 32 }, 0, attributes, 1);
    for (let i = 0; i < 300; i++)
      announce(rib, 3, { family: 4, address: (0x0a000000 + i * 256) >>> 0, length: 24 }, 0, attributes, 1);
    announce(rib, 3, prefix('10.0.0.0/8'), 0, attributes, 1);
    announce(rib, 3, prefix('0.0.0.0/0'), 0, attributes, 1);
    const seen = [...ribRoutes(rib, 4)].map((r) => r.prefix as { address: number; length: number });
    assert.equal(seen.length, rib.prefixCount(4));
    assert.equal(new Set(seen.map((p) => `${p.address}/${p.length}`)).size, seen.length);
    for (let k = 1; k < seen.length; k++) {
      const a = seen[k - 1]!;
      const b = seen[k]!;
      assert.ok(a.address < b.address || (a.address === b.address && a.length < b.length), `order at ${k}`);
    }
    const loaded = new Rib();
    loadMrtIntoRibSync(readMrt(dump(rib)), loaded, PEERS);
    assert.deepEqual(ribLines(loaded), ribLines(rib));
  });

  it('an empty RIB is a PEER_INDEX_TABLE alone', () => {
    const results = [...readMrt(dump(new Rib()))];
    assert.equal(results.length, 1);
    assert.ok(
      results[0]!.ok && results[0]!.record.kind === 'peer-index-table' && results[0]!.record.viewName === 'round trip',
    );
  });

  it('refuses a path whose peer is not listed, and bad peer or collector fields', () => {
    const rib = new Rib();
    announce(rib, 42, prefix('10.0.0.0/8'), 0, randomAttributes(new Random(9), 4), 1);
    assert.throws(
      () => [...writeTableDump(rib, PEERS, '10.0.0.1', '', 0)],
      (e: unknown) => e instanceof EncodeError && /peer id 42/.test(e.message),
    );
    assert.throws(() => [...writeTableDump(new Rib(), PEERS, 'not-an-ip', '', 0)], EncodeError);
    assert.throws(
      () => [...writeTableDump(new Rib(), [{ ...PEERS[0]!, address: 'x' }], '10.0.0.1', '', 0)],
      EncodeError,
    );
    assert.throws(() => [...writeTableDump(new Rib(), [PEERS[0]!, PEERS[0]!], '10.0.0.1', '', 0)], /listed twice/);
  });
});

describe('attribute forms', () => {
  it('canonical -> RFC 6396 4.3.4 form -> canonical is the identity', () => {
    const random = new Random(11);
    for (let i = 0; i < 500; i++) {
      const family = random.chance(0.5) ? 4 : 6;
      const canonical = encodeCanonical(randomAttributes(random, family))!;
      const mrt = canonicalToMrtAttributes(canonical);
      assert.ok(typeof mrt !== 'string', String(mrt));
      const back = mrtAttributesToCanonical(mrt, family === 4 ? 1 : 2, 1);
      assert.ok(back.ok, back.ok ? '' : back.reason);
      assert.deepEqual(back.canonical, canonical);
    }
  });

  it('the copied canonical bytes equal decode + encodeCanonical for odd flags, extended lengths, AS4_PATH and MP_UNREACH_NLRI', () => {
    const random = new Random(12);
    /** Rewrite each attribute with random flag bits (Partial, Optional/Transitive cleared as BIRD does) and random Extended Length. */
    const mutate = (bytes: Uint8Array): Uint8Array => {
      const out: number[] = [];
      for (let i = 0; i < bytes.length; ) {
        let flags = bytes[i]!;
        const code = bytes[i + 1]!;
        const extended = (flags & 0x10) !== 0;
        const start = i + (extended ? 4 : 3);
        const end = start + (extended ? (bytes[i + 2]! << 8) | bytes[i + 3]! : bytes[i + 2]!);
        if (random.chance(0.2) && code <= 32 && code !== 14) flags &= ~0xc0 | (flags & 0x80 ? 0x80 : 0);
        if (random.chance(0.2) && flags & 0x80) flags |= 0x20;
        const toExtended = extended || random.chance(0.3);
        out.push(toExtended ? flags | 0x10 : flags, code);
        if (toExtended) out.push((end - start) >>> 8, (end - start) & 0xff);
        else out.push(end - start);
        for (let k = start; k < end; k++) out.push(bytes[k]!);
        i = end;
      }
      return Uint8Array.from(out);
    };
    let compared = 0;
    for (let i = 0; i < 1000; i++) {
      const family = random.chance(0.5) ? 4 : 6;
      const base = canonicalToMrtAttributes(encodeCanonical(randomAttributes(random, family))!) as Uint8Array;
      const extra: number[] = [];
      if (random.chance(0.3)) extra.push(0xc0, 17, 6, 2, 1, 0xfa, 0x56, 0xea, 0x01); // AS4_PATH 4200000001
      if (random.chance(0.1))
        extra.push(0x80, 15, 3, 0, family === 4 ? 1 : 2, 1); // empty MP_UNREACH_NLRI (dropped)
      // biome-ignore lint/suspicious/noDuplicateElseIf: each chance() is a new random draw
      else if (random.chance(0.1)) extra.push(0x80, 15, 3, 0, 25, 70); // MP_UNREACH_NLRI of L2VPN EVPN (kept raw)
      const bytes = mutate(concat([base, Uint8Array.from(extra)]));
      const fast = mrtAttributesToCanonical(bytes, family === 4 ? 1 : 2, 1);
      const decoded = decodeMrtAttributes(bytes, family === 4 ? 1 : 2, 1);
      assert.ok(fast.ok && decoded.ok, fast.ok ? '' : fast.reason);
      assert.deepEqual(
        fast.canonical,
        encodeCanonical(canonicalAttributes(decoded.attributes, TABLE_DUMP_CONTEXT)),
        Buffer.from(bytes).toString('hex'),
      );
      compared++;
    }
    assert.equal(compared, 1000);
  });

  it("a BGP4MP UPDATE's copied canonical bytes equal decode + encodeCanonical whenever the loader copies", () => {
    const random = new Random(13);
    const context = bgp4mpContext(true, false);
    let copied = 0;
    for (let i = 0; i < 1000; i++) {
      const attributes = canonicalToMrtAttributes(encodeCanonical(randomAttributes(random, 4))!) as Uint8Array;
      // Odd but valid wire forms: Extended Length on short values, Partial on optional transitive ones.
      const wire: number[] = [];
      for (let k = 0; k < attributes.length; ) {
        const flags = attributes[k]!;
        const extended = (flags & 0x10) !== 0;
        const start = k + (extended ? 4 : 3);
        const end = start + (extended ? (attributes[k + 2]! << 8) | attributes[k + 3]! : attributes[k + 2]!);
        let out = flags;
        if ((flags & 0xc0) === 0xc0 && random.chance(0.3)) out |= 0x20;
        const toExtended = extended || random.chance(0.3);
        wire.push(toExtended ? out | 0x10 : out, attributes[k + 1]!);
        if (toExtended) wire.push((end - start) >>> 8, (end - start) & 0xff);
        else wire.push(end - start);
        for (let j = start; j < end; j++) wire.push(attributes[j]!);
        k = end;
      }
      if (random.chance(0.3)) wire.push(0xc0, 17, 6, 2, 1, 0xfa, 0x56, 0xea, 0x01); // AS4_PATH on a 4-octet session
      const update = concat([
        new Uint8Array(16).fill(0xff),
        Uint8Array.of(0, 0, 2, 0, 0, wire.length >>> 8, wire.length & 0xff),
        Uint8Array.from(wire),
        Uint8Array.of(24, 192, 0, 2),
      ]);
      update[16] = update.length >>> 8;
      update[17] = update.length & 0xff;
      const decoded = decodeMessage(update, context);
      assert.ok(decoded.ok && decoded.message.type === 'UPDATE', Buffer.from(update).toString('hex'));
      const message = decoded.message as UpdateMessage;
      // The loader's conditions (loader.ts applyMessage).
      if (decoded.errors.length > 0 || message.attributes.some((a) => a.type.startsWith('mp-'))) continue;
      const view = copiedUpdateCanonicalView(update);
      if (view === undefined) continue;
      assert.deepEqual(
        view.slice(),
        encodeCanonical(canonicalAttributes(message.attributes, context)),
        Buffer.from(update).toString('hex'),
      );
      copied++;
    }
    assert.ok(copied > 500, `${copied} of 1000 copied`);
  });

  it('the dump form has no AFI/SAFI/NLRI in MP_REACH_NLRI and no AS4_PATH', () => {
    const canonical = encodeCanonical([
      { type: 'origin', flags: 0x40, origin: 0 },
      { type: 'as-path', flags: 0x40, segments: [{ type: 2, asns: [4200000001] }] },
      {
        type: 'mp-reach-nlri',
        flags: 0x80,
        afi: 2,
        safi: 1,
        nextHop: { family: 6, address: ip6('2001:db8::1'), linkLocal: ip6('fe80::1') },
        nlri: [],
      },
    ])!;
    const mrt = canonicalToMrtAttributes(canonical) as Uint8Array;
    // ORIGIN (4) + AS_PATH with one 4-octet ASN (3 + 2 + 4) + MP_REACH_NLRI: flags, code, length 33, next hop length 32, 32 octets.
    assert.equal(
      Buffer.from(mrt).toString('hex'),
      '40010100' +
        '4002060201fa56ea01' +
        '800e2120' +
        '20010db8000000000000000000000001' +
        'fe800000000000000000000000000001',
    );
    assert.equal(canonicalToMrtAttributes(Uint8Array.of(1, 2, 3)), 'not an UPDATE message');
  });

  it('a 2-octet-AS UPDATE and a table dump entry with the same real path intern to the same bytes', () => {
    const asTrans = encodeMessage(
      {
        type: 'UPDATE',
        withdrawn: [],
        nlri: [prefix('10.0.0.0/8')],
        attributes: [
          { type: 'origin', flags: 0x40, origin: 0 },
          { type: 'as-path', flags: 0x40, segments: [{ type: 2, asns: [65001, 23456] }] },
          { type: 'next-hop', flags: 0x40, address: ip4('192.0.2.1') },
          { type: 'as4-path', flags: 0xc0, segments: [{ type: 2, asns: [65001, 4200000001] }] },
        ],
      } satisfies UpdateMessage,
      { fourOctetAs: false, extendedMessage: false, addPath: [] },
    );
    assert.ok(asTrans.ok);
    const fromUpdate = new Rib();
    const bytes = concat([
      encodeBgp4mpMessage({
        timestamp: 5,
        peerAsn: 65001,
        localAsn: 65002,
        peerAddress: { family: 4, address: ip4('192.0.2.1') },
        localAddress: { family: 4, address: ip4('192.0.2.2') },
        as4: false,
        message: asTrans.bytes,
      }),
    ]);
    loadMrtIntoRibSync(readMrt(bytes), fromUpdate);
    const direct = new Rib();
    announce(
      direct,
      0,
      prefix('10.0.0.0/8'),
      0,
      [
        { type: 'origin', flags: 0x40, origin: 0 },
        { type: 'as-path', flags: 0x40, segments: [{ type: 2, asns: [65001, 4200000001] }] },
        { type: 'next-hop', flags: 0x40, address: ip4('192.0.2.1') },
      ],
      5,
    );
    const viaDump = new Rib();
    loadMrtIntoRibSync(
      readMrt(
        concat(
          writeTableDump(direct, [{ id: 0, address: '192.0.2.1', asn: 65001, bgpId: '0.0.0.0' }], '10.0.0.1', '', 5),
        ),
      ),
      viaDump,
    );
    assert.deepEqual(ribLines(fromUpdate), ribLines(direct));
    assert.deepEqual(ribLines(viaDump), ribLines(direct));
    assert.deepEqual(
      decodeCanonical(fromUpdate.attributeSets.bytes(0)).map((a) => a.type),
      ['origin', 'as-path', 'next-hop'],
    );
  });
});

describe('BGP4MP encoders', () => {
  const update = encodeMessage(
    { type: 'UPDATE', withdrawn: [{ ...prefix('10.0.0.0/8'), pathId: 4 }], nlri: [], attributes: [] },
    { fourOctetAs: true, extendedMessage: false, addPath: [{ afi: 1, safi: 1 }] },
  );
  const keepalive = encodeMessage({ type: 'KEEPALIVE' });
  assert.ok(update.ok && keepalive.ok);
  const v6 = {
    peerAddress: { family: 6, address: ip6('2001:db8::1') },
    localAddress: { family: 6, address: ip6('2001:db8::2') },
  } as const;
  const cases = [
    { as4: false, local: false, addPath: false, subtype: Bgp4mpSubtype.Message },
    { as4: true, local: false, addPath: false, subtype: Bgp4mpSubtype.MessageAs4 },
    { as4: false, local: true, addPath: false, subtype: Bgp4mpSubtype.MessageLocal },
    { as4: true, local: true, addPath: false, subtype: Bgp4mpSubtype.MessageAs4Local },
    { as4: false, local: false, addPath: true, subtype: Bgp4mpSubtype.MessageAddPath },
    { as4: true, local: false, addPath: true, subtype: Bgp4mpSubtype.MessageAs4AddPath },
    { as4: false, local: true, addPath: true, subtype: Bgp4mpSubtype.MessageLocalAddPath },
    { as4: true, local: true, addPath: true, subtype: Bgp4mpSubtype.MessageAs4LocalAddPath },
  ];
  for (const c of cases) {
    for (const microseconds of [undefined, 123456]) {
      it(`subtype ${c.subtype}${microseconds === undefined ? '' : ' (BGP4MP_ET)'} decodes to the fields it was written with`, () => {
        const bytes = encodeBgp4mpMessage({
          timestamp: 1700000000,
          microseconds,
          peerAsn: c.as4 ? 4200000001 : 65001,
          localAsn: 65002,
          interfaceIndex: 3,
          ...v6,
          as4: c.as4,
          local: c.local,
          addPath: c.addPath,
          message: c.addPath ? update.bytes : keepalive.bytes,
        });
        const [result] = [...readMrt(bytes)];
        assert.ok(result?.ok, result && !result.ok ? result.error.reason : '');
        const r = result.record;
        assert.equal(r.kind, 'bgp4mp-message');
        if (r.kind !== 'bgp4mp-message') return;
        assert.equal(r.header.type, microseconds === undefined ? MrtType.Bgp4mp : MrtType.Bgp4mpEt);
        assert.equal(r.header.subtype, c.subtype);
        assert.equal(r.header.microseconds, microseconds);
        assert.deepEqual(
          [r.as4, r.local, r.addPath, r.peerAsn, r.localAsn, r.interfaceIndex],
          [c.as4, c.local, c.addPath, c.as4 ? 4200000001 : 65001, 65002, 3],
        );
        assert.deepEqual([r.peerAddress, r.localAddress], [v6.peerAddress, v6.localAddress]);
        if (c.addPath) assert.deepEqual(r.message.type === 'UPDATE' && r.message.withdrawn[0]?.pathId, 4);
        else assert.equal(r.message.type, 'KEEPALIVE');
      });
    }
  }

  it('state changes round-trip with 2- and 4-octet AS numbers', () => {
    for (const as4 of [false, true]) {
      const bytes = encodeBgp4mpStateChange({
        timestamp: 9,
        peerAsn: 65001,
        localAsn: 65002,
        peerAddress: { family: 4, address: ip4('192.0.2.1') },
        localAddress: { family: 4, address: ip4('192.0.2.2') },
        as4,
        oldState: 6,
        newState: 1,
      });
      const [result] = [...readMrt(bytes)];
      assert.ok(result?.ok && result.record.kind === 'bgp4mp-state-change');
      assert.equal(result.record.header.subtype, as4 ? Bgp4mpSubtype.StateChangeAs4 : Bgp4mpSubtype.StateChange);
      assert.deepEqual([result.record.oldState, result.record.newState, result.record.as4], [6, 1, as4]);
    }
  });

  it('refuses 4-octet ASNs without as4 and mixed address families', () => {
    const base = {
      timestamp: 0,
      peerAsn: 4200000001,
      localAsn: 1,
      peerAddress: { family: 4, address: 1 },
      localAddress: { family: 4, address: 2 },
      message: new Uint8Array(19),
    } as const;
    assert.throws(() => encodeBgp4mpMessage({ ...base, as4: false }), EncodeError);
    assert.throws(
      () => encodeBgp4mpMessage({ ...base, as4: true, localAddress: { family: 6, address: 1n } }),
      EncodeError,
    );
  });
});
