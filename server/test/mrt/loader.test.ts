/**
 * The RIB loader: BGP4MP streams applied in order, session ends, peers and their ids across
 * files, attribute sets interned once per distinct set, statistics.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type Capability,
  type Nlri,
  type PathAttribute,
  type SessionContext,
  createOpenMessage,
  encodeMessage,
  type BgpMessage,
} from '../../src/bgp';
import {
  type MrtAddress,
  MrtPeerTable,
  MrtRibLoader,
  encodeBgp4mpMessage,
  encodeBgp4mpStateChange,
  encodePeerIndexTable,
  encodeRibRecord,
  loadMrtIntoRib,
  loadMrtIntoRibSync,
  readMrt,
  canonicalToMrtAttributes,
  encodeCanonical,
} from '../../src/mrt';
import { Rib } from '../../src/rib';
import { concat, ip4, ip6, prefix, ribLines } from './helpers';

const CTX: SessionContext = { fourOctetAs: true, extendedMessage: false, addPath: [] };
const CTX_ADDPATH: SessionContext = {
  fourOctetAs: true,
  extendedMessage: false,
  addPath: [
    { afi: 1, safi: 1 },
    { afi: 2, safi: 1 },
  ],
};
const A: MrtAddress = { family: 4, address: ip4('192.0.2.1') };
const B: MrtAddress = { family: 4, address: ip4('192.0.2.2') };
const LOCAL: MrtAddress = { family: 4, address: ip4('192.0.2.254') };

function attrs(asns: number[], nextHop = '192.0.2.1'): PathAttribute[] {
  return [
    { type: 'origin', flags: 0x40, origin: 0 },
    { type: 'as-path', flags: 0x40, segments: [{ type: 2, asns }] },
    { type: 'next-hop', flags: 0x40, address: ip4(nextHop) },
  ];
}

function bgp(message: BgpMessage, context = CTX): Uint8Array {
  const r = encodeMessage(message, context);
  assert.ok(r.ok, r.ok ? '' : r.reason);
  return r.bytes;
}

function update(withdrawn: Nlri[], nlri: Nlri[], attributes: PathAttribute[] = [], context = CTX): Uint8Array {
  return bgp({ type: 'UPDATE', withdrawn, nlri, attributes: nlri.length ? attributes : [] }, context);
}

function message(
  peer: MrtAddress,
  peerAsn: number,
  bytes: Uint8Array,
  timestamp: number,
  extra: { local?: boolean; addPath?: boolean } = {},
): Uint8Array {
  return encodeBgp4mpMessage({
    timestamp,
    peerAsn,
    localAsn: 65100,
    peerAddress: peer,
    localAddress: LOCAL,
    as4: true,
    message: bytes,
    ...extra,
  });
}

function state(peer: MrtAddress, peerAsn: number, oldState: number, newState: number): Uint8Array {
  return encodeBgp4mpStateChange({
    timestamp: 99,
    peerAsn,
    localAsn: 65100,
    peerAddress: peer,
    localAddress: LOCAL,
    as4: true,
    oldState,
    newState,
  });
}

describe('loading BGP4MP streams', () => {
  it('applies announcements and withdrawals in order, per peer', () => {
    const bytes = concat([
      message(A, 65001, update([], [prefix('10.0.0.0/8'), prefix('10.1.0.0/16')], attrs([65001])), 10),
      message(B, 65002, update([], [prefix('10.0.0.0/8')], attrs([65002, 65010], '192.0.2.2')), 11),
      message(A, 65001, update([prefix('10.1.0.0/16')], [prefix('10.2.0.0/16')], attrs([65001, 65003])), 12),
      message(A, 65001, update([], [prefix('10.0.0.0/8')], attrs([65001, 65004])), 13), // replaces A's path
      message(B, 65002, update([prefix('10.9.0.0/16')], []), 14), // withdraws nothing known
    ]);
    const rib = new Rib();
    const stats = loadMrtIntoRibSync(readMrt(bytes), rib);
    assert.deepEqual(ribLines(rib), [
      '10.0.0.0/8 peer 0 path-id 0 at 13: ORIGIN IGP | AS_PATH 65001 65004 | NEXT_HOP 192.0.2.1',
      '10.0.0.0/8 peer 1 path-id 0 at 11: ORIGIN IGP | AS_PATH 65002 65010 | NEXT_HOP 192.0.2.2',
      '10.2.0.0/16 peer 0 path-id 0 at 12: ORIGIN IGP | AS_PATH 65001 65003 | NEXT_HOP 192.0.2.1',
    ]);
    assert.deepEqual([stats.records, stats.routes, stats.paths, stats.withdrawn, stats.errorCount], [5, 5, 5, 1, 0]);
    assert.deepEqual(stats.peers, [
      { id: 0, address: '192.0.2.1', asn: 65001, bgpId: '0.0.0.0' },
      { id: 1, address: '192.0.2.2', asn: 65002, bgpId: '0.0.0.0' },
    ]);
    assert.equal(rib.attributeSets.size, 3, 'sets no path uses any more are freed');
  });

  it('handles MP_REACH/MP_UNREACH and ADD-PATH path ids', () => {
    const reach = (nlri: Nlri[]): PathAttribute => ({
      type: 'mp-reach-nlri',
      flags: 0x80,
      afi: 2,
      safi: 1,
      nextHop: { family: 6, address: ip6('2001:db8::1') },
      nlri,
    });
    const base = attrs([65001]).slice(0, 2);
    const p = prefix('2001:db8:1::/48');
    const bytes = concat([
      message(
        A,
        65001,
        bgp(
          {
            type: 'UPDATE',
            withdrawn: [],
            nlri: [],
            attributes: [
              reach([
                { ...p, pathId: 1 },
                { ...p, pathId: 2 },
              ]),
              ...base,
            ],
          },
          CTX_ADDPATH,
        ),
        1,
        { addPath: true },
      ),
      message(
        A,
        65001,
        bgp(
          {
            type: 'UPDATE',
            withdrawn: [],
            nlri: [],
            attributes: [{ type: 'mp-unreach-nlri', flags: 0x80, afi: 2, safi: 1, withdrawn: [{ ...p, pathId: 1 }] }],
          },
          CTX_ADDPATH,
        ),
        2,
        { addPath: true },
      ),
    ]);
    const rib = new Rib();
    const stats = loadMrtIntoRibSync(readMrt(bytes), rib);
    assert.deepEqual(ribLines(rib), [
      '2001:db8:1::/48 peer 0 path-id 2 at 1: MP_REACH_NLRI ipv6-unicast next-hop 2001:db8::1 nlri [] | ORIGIN IGP | AS_PATH 65001',
    ]);
    assert.deepEqual([stats.paths, stats.withdrawn], [2, 1]);
  });

  it("learns the BGP Identifier from the peer's OPEN", () => {
    const capabilities: Capability[] = [{ type: 'multiprotocol', afi: 1, safi: 1 }];
    const open = bgp(createOpenMessage({ asn: 65001, holdTime: 90, bgpId: ip4('10.0.0.1'), capabilities }));
    const stats = loadMrtIntoRibSync(
      readMrt(
        concat([message(A, 65001, open, 1), message(A, 65001, update([], [prefix('10.0.0.0/8')], attrs([65001])), 2)]),
      ),
      new Rib(),
    );
    assert.deepEqual(stats.peers, [{ id: 0, address: '192.0.2.1', asn: 65001, bgpId: '10.0.0.1' }]);
  });

  it("removes the peer's paths when its session leaves Established or a NOTIFICATION is sent", () => {
    const announceBoth = concat([
      message(A, 65001, update([], [prefix('10.0.0.0/8'), prefix('10.1.0.0/16')], attrs([65001])), 1),
      message(B, 65002, update([], [prefix('10.0.0.0/8')], attrs([65002])), 1),
    ]);
    const cases: [string, Uint8Array, number][] = [
      ['Established -> Idle', state(A, 65001, 6, 1), 2],
      ['OpenConfirm -> Established (no effect)', state(A, 65001, 5, 6), 0],
      [
        'NOTIFICATION from the peer',
        message(A, 65001, bgp({ type: 'NOTIFICATION', code: 6, subcode: 2, data: new Uint8Array(0) }), 2),
        2,
      ],
      [
        'NOTIFICATION sent to the peer',
        message(A, 65001, bgp({ type: 'NOTIFICATION', code: 6, subcode: 2, data: new Uint8Array(0) }), 2, {
          local: true,
        }),
        2,
      ],
    ];
    for (const [what, record, removed] of cases) {
      const rib = new Rib();
      const stats = loadMrtIntoRibSync(readMrt(concat([announceBoth, record])), rib);
      assert.equal(stats.withdrawn, removed, what);
      assert.equal(rib.pathCount(0, 4), 2 - removed, what);
      assert.equal(rib.pathCount(1, 4), 1, `${what}: the other peer keeps its path`);
    }
  });

  it('notes (and does not load) UPDATEs the recording speaker sent', () => {
    const rib = new Rib();
    const stats = loadMrtIntoRibSync(
      readMrt(message(A, 65001, update([], [prefix('10.0.0.0/8')], attrs([65100])), 1, { local: true })),
      rib,
    );
    assert.equal(rib.totalPaths, 0);
    assert.deepEqual(
      stats.notes.map((n) => n.reason),
      ['UPDATE sent by the local speaker (_LOCAL subtype) is not loaded'],
    );
  });
});

describe('peers and ids', () => {
  const peerTable = (t: number) =>
    encodePeerIndexTable(t, ip4('10.0.0.254'), 'v', [
      { bgpId: ip4('10.0.0.1'), address: A, asn: 65001, as4: true },
      { bgpId: ip4('10.0.0.2'), address: B, asn: 65002, as4: false },
    ]);
  const entry = (peerIndex: number, asns: number[]) => ({
    peerIndex,
    originatedTime: 5,
    pathId: 0,
    attributes: canonicalToMrtAttributes(encodeCanonical(attrs(asns))!) as Uint8Array,
  });

  it('a table dump and a later update file share ids through one MrtPeerTable', async () => {
    const peers = new MrtPeerTable({ firstId: 10 });
    const rib = new Rib();
    const dump = concat([
      peerTable(1),
      encodeRibRecord(1, 1, false, 0, prefix('10.0.0.0/8'), [entry(0, [65001]), entry(1, [65002])]),
    ]);
    const first = await loadMrtIntoRib(readMrt(dump), rib, peers);
    assert.deepEqual(
      first.peers.map((p) => p.id),
      [10, 11],
    );
    const updates = concat([
      message(B, 65002, update([], [prefix('10.0.0.0/8')], attrs([65002, 65020])), 7),
      message({ family: 4, address: ip4('192.0.2.3') }, 65003, update([], [prefix('10.3.0.0/16')], attrs([65003])), 8),
    ]);
    const second = await loadMrtIntoRib(readMrt(updates), rib, peers);
    assert.deepEqual(
      second.peers.map((p) => `${p.id} ${p.address} ${p.bgpId}`),
      ['10 192.0.2.1 10.0.0.1', '11 192.0.2.2 10.0.0.2', '12 192.0.2.3 0.0.0.0'],
    );
    assert.deepEqual(ribLines(rib), [
      '10.0.0.0/8 peer 10 path-id 0 at 5: ORIGIN IGP | AS_PATH 65001 | NEXT_HOP 192.0.2.1',
      '10.0.0.0/8 peer 11 path-id 0 at 7: ORIGIN IGP | AS_PATH 65002 65020 | NEXT_HOP 192.0.2.1',
      '10.3.0.0/16 peer 12 path-id 0 at 8: ORIGIN IGP | AS_PATH 65003 | NEXT_HOP 192.0.2.1',
    ]);
  });

  it('the same peer in two PEER_INDEX_TABLEs keeps its id; peers passed in keep theirs', () => {
    const dump = concat([
      peerTable(1),
      encodeRibRecord(1, 1, false, 0, prefix('10.0.0.0/8'), [entry(1, [65002])]),
      peerTable(2),
      encodeRibRecord(2, 1, false, 0, prefix('10.1.0.0/16'), [entry(1, [65002])]),
    ]);
    const stats = loadMrtIntoRibSync(readMrt(dump), new Rib(), [
      { id: 500, address: '192.0.2.2', asn: 65002, bgpId: '10.0.0.2' },
    ]);
    assert.deepEqual(
      stats.peers.map((p) => p.id),
      [500, 501],
    );
  });

  it('RIB records after a PEER_INDEX_TABLE that does not decode are errors, not paths of an older table', () => {
    const broken = Uint8Array.from(peerTable(2));
    const view = new DataView(broken.buffer);
    view.setUint16(12 + 4 + 2 + 1, 3);
    const dump = concat([
      peerTable(1),
      encodeRibRecord(1, 1, false, 0, prefix('10.0.0.0/8'), [entry(1, [65002])]),
      broken,
      encodeRibRecord(2, 1, false, 0, prefix('10.1.0.0/16'), [entry(1, [65002])]),
    ]);
    const rib = new Rib();
    const stats = loadMrtIntoRibSync(readMrt(dump), rib);
    assert.deepEqual(
      stats.errors.map((e) => e.reason),
      ['PEER_INDEX_TABLE: peer 2 of 3 is missing', '10.1.0.0/16: no valid PEER_INDEX_TABLE before this RIB record'],
    );
    assert.equal(rib.totalPaths, 1);
  });

  it('two peers with the same address and AS but different BGP Identifiers are distinct', () => {
    const table = new MrtPeerTable();
    const x = table.resolve('192.0.2.1', 65001, '10.0.0.1');
    const y = table.resolve('192.0.2.1', 65001, '10.0.0.2');
    const z = table.resolve('192.0.2.1', 65001);
    assert.deepEqual([x.id, y.id, z.id], [0, 1, 0]);
    assert.throws(() => table.add({ id: 1, address: 'x', asn: 1, bgpId: '0.0.0.0' }), /already taken/);
    assert.throws(() => new MrtPeerTable({ firstId: 70000 }).resolve('192.0.2.1', 1), /no peer id left/);
  });
});

describe('attribute sets and statistics', () => {
  it('identical entries share one attribute set, canonicalised once; the loader keeps no references', () => {
    const attributes = canonicalToMrtAttributes(encodeCanonical(attrs([65001]))!) as Uint8Array;
    const records = [encodePeerIndexTable(1, 1, '', [{ bgpId: 1, address: A, asn: 65001, as4: true }])];
    for (let i = 0; i < 1000; i++)
      records.push(
        encodeRibRecord(1, 1, false, i, { family: 4, address: (0x0a000000 + i * 256) >>> 0, length: 24 }, [
          { peerIndex: 0, originatedTime: 1, pathId: 0, attributes },
        ]),
      );
    const rib = new Rib();
    const loader = new MrtRibLoader(rib);
    for (const r of readMrt(concat(records))) loader.apply(r);
    assert.equal(rib.attributeSets.size, 1);
    assert.equal(rib.attributeSets.refCount(0), 1001, 'the paths plus the loader cache');
    const stats = loader.finish();
    assert.equal(rib.attributeSets.refCount(0), 1000);
    assert.deepEqual([stats.routes, stats.paths, stats.attributeSets], [1000, 1000, 1]);
    assert.throws(() => loader.apply({ ok: false, error: { offset: 0, reason: '', fatal: false } }), /after finish/);
  });

  it('keeps at most maxIssues errors but counts them all', () => {
    const results = Array.from({ length: 50 }, (_, k) => ({
      ok: false as const,
      error: { offset: k, reason: `e${k}`, fatal: false },
    }));
    const stats = loadMrtIntoRibSync(results, new Rib(), new MrtPeerTable(), { maxIssues: 5 });
    assert.deepEqual([stats.errors.length, stats.errorCount, stats.errors[4]?.offset], [5, 50, 4]);
  });

  it('accepts async iterables', async () => {
    async function* records() {
      yield* readMrt(message(A, 65001, update([], [prefix('10.0.0.0/8')], attrs([65001])), 1));
    }
    const rib = new Rib();
    const stats = await loadMrtIntoRib(records(), rib);
    assert.deepEqual([stats.records, rib.totalPaths], [1, 1]);
  });
});
