/**
 * The older MRT types built byte by byte from RFC 6396: TABLE_DUMP (4.2) and the deprecated BGP
 * type (Appendix B.2), with the RFC 6793 4.2.3 merge of AS4_PATH on their 2-octet AS numbers.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AS_TRANS } from '../../src/bgp';
import { type MrtReadResult, MrtReader, loadMrtIntoRibSync, readMrt } from '../../src/mrt';
import { Rib } from '../../src/rib';
import { concat, ribLines } from './helpers';

const u16 = (n: number): number[] => [n >>> 8, n & 0xff];
const u32 = (n: number): number[] => [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
const ip = (text: string): number[] => text.split('.').map(Number);

function mrt(type: number, subtype: number, body: number[], timestamp = 1000): Uint8Array {
  return Uint8Array.from([...u32(timestamp), ...u16(type), ...u16(subtype), ...u32(body.length), ...body]);
}

/** ORIGIN IGP, AS_PATH 65001 AS_TRANS (2-octet), NEXT_HOP, AGGREGATOR 65005 (not AS_TRANS), AS4_PATH 65001 4200000001. */
const ATTRIBUTES = [
  ...[0x40, 1, 1, 0],
  ...[0x40, 2, 6, 2, 2, ...u16(65001), ...u16(AS_TRANS)],
  ...[0x40, 3, 4, ...ip('192.0.2.1')],
  ...[0xc0, 7, 6, ...u16(65005), ...ip('10.0.0.1')],
  ...[0xc0, 17, 10, 2, 2, ...u32(65001), ...u32(4200000001)],
];

/** TABLE_DUMP AFI_IPv4: view, sequence, prefix, length, status, originated, peer IP, peer AS, attributes. */
function tableDump(prefix: string, length: number, attributes: number[]): Uint8Array {
  return mrt(12, 1, [
    ...u16(0),
    ...u16(7),
    ...ip(prefix),
    length,
    1,
    ...u32(900),
    ...ip('192.0.2.1'),
    ...u16(65001),
    ...u16(attributes.length),
    ...attributes,
  ]);
}

/** BGP (type 5) BGP_UPDATE: peer AS, peer IP, local AS, local IP, then the UPDATE without its header. */
function legacyUpdate(withdrawn: number[], attributes: number[], nlri: number[]): Uint8Array {
  return mrt(5, 1, [
    ...u16(65001),
    ...ip('192.0.2.1'),
    ...u16(65100),
    ...ip('192.0.2.254'),
    ...u16(withdrawn.length),
    ...withdrawn,
    ...u16(attributes.length),
    ...attributes,
    ...nlri,
  ]);
}

const MERGED = 'ORIGIN IGP | AS_PATH 65001 4200000001 | NEXT_HOP 192.0.2.1 | AGGREGATOR 65005 10.0.0.1';

describe('TABLE_DUMP (RFC 6396 4.2)', () => {
  it('each record is one path of its peer; AS4_PATH merged although AGGREGATOR is not AS_TRANS', () => {
    const rib = new Rib();
    // Host bits past the prefix length are cleared.
    const stats = loadMrtIntoRibSync(readMrt(tableDump('10.1.2.3', 16, ATTRIBUTES)), rib);
    assert.deepEqual([stats.records, stats.paths, stats.errorCount], [1, 1, 0]);
    assert.deepEqual(ribLines(rib), [`10.1.0.0/16 peer 0 path-id 0 at 900: ${MERGED}`]);
  });

  it('an attribute length that disagrees with the record is an error for that record only', () => {
    const bad = tableDump('10.0.0.0', 8, ATTRIBUTES);
    bad[bad.length - ATTRIBUTES.length - 1]! += 1; // attribute length one too many
    const results = [...readMrt(concat([bad, tableDump('10.2.0.0', 16, ATTRIBUTES)]))];
    assert.equal(results.length, 2);
    assert.ok(!results[0]!.ok && !results[0]!.error.fatal && /attribute length/.test(results[0]!.error.reason));
    assert.ok(results[1]!.ok);
  });
});

/** One TABLE_DUMP entry (no View or Sequence Number): prefix, length, status, originated, peer IP, peer AS, attributes. */
function entry(prefix: string, length: number, peer: string, attributes: number[]): number[] {
  return [...ip(prefix), length, 1, ...u32(900), ...ip(peer), ...u16(65001), ...u16(attributes.length), ...attributes];
}

/**
 * A TABLE_DUMP record batching entries after one View and Sequence Number, as RIS wrote in 2000;
 * `shortBy` 4 declares the Length as MRT Toolkit did, without View and Sequence Number.
 */
function batch(entries: number[][], shortBy = 0): Uint8Array {
  const body = [...u16(0), ...u16(7), ...entries.flat()];
  const record = mrt(12, 1, body);
  const declared = body.length - shortBy;
  record.set(u32(declared), 8);
  return record;
}

const THREE = [
  entry('10.1.0.0', 16, '192.0.2.1', ATTRIBUTES),
  entry('10.1.0.0', 16, '192.0.2.2', ATTRIBUTES),
  entry('10.2.0.0', 16, '192.0.2.1', ATTRIBUTES),
];

describe('batched TABLE_DUMP records (RIS 2000)', () => {
  for (const shortBy of [0, 4]) {
    it(`every entry is a path, the record counted once (Length ${shortBy ? '4 octets short' : 'exact'}), at every chunk split`, () => {
      const bytes = concat([batch(THREE, shortBy), tableDump('10.3.0.0', 16, ATTRIBUTES)]);
      for (let split = 0; split <= bytes.length; split++) {
        const reader = new MrtReader({ borrow: split % 2 === 0 });
        const results: MrtReadResult[] = [];
        for (const chunk of [bytes.subarray(0, split), bytes.subarray(split)]) {
          reader.push(chunk);
          for (let r = reader.read(); r !== undefined; r = reader.read()) results.push(r);
        }
        reader.end();
        for (let r = reader.read(); r !== undefined; r = reader.read()) results.push(r);
        assert.deepEqual(
          results.map((r) => (r.ok && r.record.kind === 'table-dump' ? r.record.entry : 'error')),
          [0, 1, 2, undefined],
          `split at ${split}`,
        );
        const rib = new Rib();
        const stats = loadMrtIntoRibSync(results, rib);
        assert.deepEqual([stats.records, stats.paths, stats.errorCount], [2, 4, 0], `split at ${split}`);
      }
    });
  }

  it('an entry that does not decode is an error of its own; the others load', () => {
    const entries = THREE.map((e) => [...e]);
    entries[1]![4] = 33; // prefix length /33
    const results = [...readMrt(batch(entries, 4))];
    assert.deepEqual(
      results.map((r) => (r.ok ? 'ok' : r.error.reason)),
      ['ok', 'TABLE_DUMP/AFI_IPv4 entry 1: TABLE_DUMP/AFI_IPv4: IPv4 prefix length 33', 'ok'],
    );
    const stats = loadMrtIntoRibSync(results, new Rib());
    assert.deepEqual([stats.records, stats.paths, stats.errorCount], [1, 2, 1]);
  });

  it('entries that do not add up to the record are one error for the record', () => {
    const results = [...readMrt(concat([batch(THREE, 3), tableDump('10.3.0.0', 16, ATTRIBUTES)]))];
    assert.equal(results.length, 2);
    assert.ok(!results[0]!.ok && /attribute length \d+ does not match/.test(results[0]!.error.reason));
  });
});

describe('the deprecated BGP type (RFC 6396 Appendix B.2)', () => {
  it('BGP_UPDATE announces and withdraws; BGP_STATE_CHANGE out of Established ends the session', () => {
    const rib = new Rib();
    const bytes = concat([
      legacyUpdate([], ATTRIBUTES, [16, 10, 1, 8, 11]),
      legacyUpdate([8, 11], [], []),
      mrt(5, 7, [...u16(65001), ...ip('192.0.2.1'), ...u16(65100), ...ip('192.0.2.254')]), // BGP_KEEPALIVE
      mrt(5, 4, [...u16(0), 0x66, 0x00]), // BGP_SYNC: view number and a file name, no routes
    ]);
    const stats = loadMrtIntoRibSync(readMrt(bytes), rib);
    assert.deepEqual([stats.records, stats.paths, stats.withdrawn, stats.errorCount], [4, 2, 1, 0]);
    assert.deepEqual(ribLines(rib), [`10.1.0.0/16 peer 0 path-id 0 at 1000: ${MERGED}`]);
    assert.deepEqual(stats.peers, [{ id: 0, address: '192.0.2.1', asn: 65001, bgpId: '0.0.0.0' }]);

    const down = mrt(5, 3, [...u16(65001), ...ip('192.0.2.1'), ...u16(6), ...u16(1)]); // Established -> Idle
    const after = loadMrtIntoRibSync(readMrt(down), rib, stats.peers);
    assert.deepEqual([after.records, after.withdrawn], [1, 1]);
    assert.deepEqual(ribLines(rib), []);
  });

  it('BGP4PLUS (type 6): the same records with IPv6 peer and local addresses', () => {
    const v6 = (last: number): number[] => [0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), last];
    const update = mrt(6, 1, [
      ...u16(65001),
      ...v6(1),
      ...u16(65100),
      ...v6(0xfe),
      ...u16(0),
      ...u16(ATTRIBUTES.length),
      ...ATTRIBUTES,
      ...[16, 10, 1],
    ]);
    const rib = new Rib();
    const stats = loadMrtIntoRibSync(readMrt(update), rib);
    assert.deepEqual([stats.records, stats.paths, stats.errorCount], [1, 1, 0]);
    assert.deepEqual(stats.peers, [{ id: 0, address: '2001:db8::1', asn: 65001, bgpId: '0.0.0.0' }]);
    assert.deepEqual(ribLines(rib), [`10.1.0.0/16 peer 0 path-id 0 at 1000: ${MERGED}`]);
  });

  it('an unknown subtype is an error for that record; the file goes on', () => {
    const results = [...readMrt(concat([mrt(5, 99, [1, 2, 3]), legacyUpdate([8, 11], [], [])]))];
    assert.equal(results.length, 2);
    assert.ok(!results[0]!.ok && !results[0]!.error.fatal, JSON.stringify(results[0]));
    assert.match(results[0]!.ok ? '' : results[0]!.error.reason, /unknown BGP subtype 99/);
    assert.ok(results[1]!.ok);
  });
});
