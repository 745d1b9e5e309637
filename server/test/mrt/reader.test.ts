/**
 * The incremental reader: framing at every chunk boundary, bounded buffering, malformed input
 * reported with offsets (truncated header, record past the end, bad subtype, inner lengths,
 * garbage between records, oversize headers) and reading going on after each.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type MrtReadResult,
  MrtReader,
  encodeMrtRecord,
  encodeRibRecord,
  formatMrtResult,
  loadMrtIntoRibSync,
  readMrt,
  writeTableDump,
} from '../../src/mrt';
import { Rib } from '../../src/rib';
import { Random, announce, concat, listFixtures, prefix, randomAttributes } from './helpers';

const birdDump = listFixtures('valid').find((f) => f.name === 'valid/bird-table-dump')!.bytes;

function all(reader: MrtReader): MrtReadResult[] {
  const out: MrtReadResult[] = [];
  for (let r = reader.read(); r !== undefined; r = reader.read()) out.push(r);
  return out;
}

function lines(results: readonly MrtReadResult[]): string[] {
  return results.map(formatMrtResult);
}

function errors(results: readonly MrtReadResult[]): { offset: number; fatal: boolean; reason: string }[] {
  return results.flatMap((r) =>
    r.ok ? [] : [{ offset: r.error.offset, fatal: r.error.fatal, reason: r.error.reason }],
  );
}

/** Record offsets of the BIRD dump fixture: 0 (PEER_INDEX_TABLE), 65, 123, 202, 274 (second table), 339, 434. */
const RECORD_OFFSETS = [0, 65, 123, 202, 274, 339, 434];

describe('MrtReader framing', () => {
  it('gives the same records for a split at every offset', () => {
    const whole = lines([...readMrt(birdDump)]);
    assert.equal(whole.length, RECORD_OFFSETS.length);
    for (let split = 0; split <= birdDump.length; split++) {
      const reader = new MrtReader();
      reader.push(birdDump.subarray(0, split));
      const out = all(reader);
      reader.push(birdDump.subarray(split));
      out.push(...all(reader));
      reader.end();
      out.push(...all(reader));
      assert.deepEqual(lines(out), whole, `split at ${split}`);
    }
  });

  it('returns nothing until a record is complete, then reports offsets and completion', () => {
    const reader = new MrtReader();
    reader.push(birdDump.subarray(0, 64));
    assert.equal(reader.read(), undefined);
    assert.equal(reader.bufferedLength, 64);
    assert.equal(reader.offset, 0);
    reader.push(birdDump.subarray(64, 66));
    const first = reader.read();
    assert.ok(first?.ok && first.record.kind === 'peer-index-table' && first.record.header.offset === 0);
    assert.equal(reader.offset, 65);
    assert.equal(reader.bufferedLength, 1);
    assert.equal(reader.done, false);
    reader.push(birdDump.subarray(66));
    reader.end();
    const rest = all(reader);
    assert.deepEqual(
      rest.map((r) => r.ok && r.record.header.offset),
      RECORD_OFFSETS.slice(1),
    );
    assert.equal(reader.done, true);
    assert.equal(reader.offset, birdDump.length);
    reader.push(birdDump); // ignored after end()
    assert.equal(reader.read(), undefined);
  });

  it('keeps only the current record buffered while streaming a large dump', () => {
    const rib = new Rib();
    const random = new Random(3);
    for (let i = 0; i < 3000; i++)
      announce(
        rib,
        0,
        { family: 4, address: (0x0a000000 + i * 256) >>> 0, length: 24 },
        0,
        randomAttributes(random, 4),
        1,
      );
    const bytes = concat(
      writeTableDump(rib, [{ id: 0, address: '192.0.2.1', asn: 65001, bgpId: '10.0.0.1' }], '10.0.0.2', 'big', 1),
    );
    const reader = new MrtReader();
    let maxBuffered = 0;
    let records = 0;
    for (let i = 0; i < bytes.length; i += 1000) {
      reader.push(bytes.subarray(i, i + 1000));
      maxBuffered = Math.max(maxBuffered, reader.bufferedLength);
      records += all(reader).length;
    }
    reader.end();
    records += all(reader).length;
    assert.equal(records, 3001);
    assert.ok(bytes.length > 100_000);
    assert.ok(maxBuffered < 1000 + 300, `buffered up to ${maxBuffered} octets`);
  });
});

describe('MrtReader errors', () => {
  for (let cut = 1; cut < 12; cut++) {
    it(`a header cut to ${cut} octets at the end is a fatal error at its offset`, () => {
      const bytes = concat([birdDump, birdDump.subarray(0, cut)]);
      const results = [...readMrt(bytes)];
      assert.equal(results.filter((r) => r.ok).length, RECORD_OFFSETS.length);
      assert.deepEqual(errors(results), [
        {
          offset: birdDump.length,
          fatal: true,
          reason: `truncated record header: ${cut} octets at the end of the input`,
        },
      ]);
    });
  }

  it('a record running past the end is a fatal error at its offset, after the records before it', () => {
    const bytes = birdDump.subarray(0, birdDump.length - 1);
    const results = [...readMrt(bytes)];
    assert.equal(results.filter((r) => r.ok).length, RECORD_OFFSETS.length - 1);
    const [e] = errors(results);
    assert.deepEqual([e?.offset, e?.fatal], [434, true]);
    assert.match(e!.reason, /declares 63 octets but only 62 remain/);
  });

  it('a bad subtype is an error at its offset and the next record is read', () => {
    const bad = encodeMrtRecord(1, 13, 77, Uint8Array.of(1, 2, 3));
    const bytes = concat([birdDump.subarray(0, 65), bad, birdDump.subarray(65)]);
    const results = [...readMrt(bytes)];
    assert.deepEqual(errors(results), [{ offset: 65, fatal: false, reason: 'unknown TABLE_DUMP_V2 subtype 77' }]);
    assert.equal(results.filter((r) => r.ok).length, RECORD_OFFSETS.length);
  });

  it('a body shorter than its inner lengths say is an error at its offset and the next record is read', () => {
    const record = encodeRibRecord(1, 1, false, 0, prefix('10.0.0.0/8'), [
      { peerIndex: 0, originatedTime: 1, pathId: 0, attributes: Uint8Array.of(0x40, 1, 1, 0) },
    ]);
    // Claim 200 octets of attributes for the entry (the record holds 4).
    const broken = Uint8Array.from(record);
    broken[12 + 4 + 2 + 2 + 2 + 4] = 0;
    broken[12 + 4 + 2 + 2 + 2 + 4 + 1] = 200;
    const bytes = concat([birdDump.subarray(0, 65), broken, birdDump.subarray(65)]);
    const results = [...readMrt(bytes)];
    const [e] = errors(results);
    assert.equal(e?.offset, 65);
    assert.equal(e?.fatal, false);
    assert.match(e!.reason, /attribute length 200 overruns the record by 196 octets/);
    assert.equal(results.filter((r) => r.ok).length, RECORD_OFFSETS.length);
  });

  for (const garbageLength of [1, 5, 11, 12, 13, 40]) {
    it(`${garbageLength} garbage octets between records are skipped in one reported range`, () => {
      const garbage = new Uint8Array(garbageLength).fill(0xee);
      const bytes = concat([birdDump.subarray(0, 123), garbage, birdDump.subarray(123)]);
      const results = [...readMrt(bytes)];
      assert.deepEqual(
        errors(results).map((e) => [e.offset, e.fatal]),
        [[123, false]],
      );
      assert.match(
        errors(results)[0]!.reason,
        new RegExp(
          `^${garbageLength} octets do not frame MRT records .*; resynchronised at offset ${123 + garbageLength}$`,
        ),
      );
      assert.equal(results.filter((r) => r.ok).length, RECORD_OFFSETS.length);
      const stats = loadMrtIntoRibSync(results, new Rib());
      assert.equal(stats.paths, 5);
    });
  }

  it('a torn header (its Length takes octets of the next record) is skipped as far as the next record', () => {
    // The header of the record at 65 stops after 10 octets, as RIS rrc00 wrote on 2000-03-25:
    // its Length is its own 2 octets and the next record's first 2, and its body cannot decode.
    const torn = birdDump.subarray(65, 75);
    const bytes = concat([birdDump.subarray(0, 65), torn, birdDump.subarray(65)]);
    const results = [...readMrt(bytes)];
    const [e] = errors(results);
    assert.deepEqual([e?.offset, e?.fatal], [65, false]);
    assert.match(e!.reason, /^10 octets do not frame MRT records \(.*\); resynchronised at offset 75$/);
    const noOffset = (xs: string[]): string[] => xs.map((l) => l.replace(/^@\d+ /, ''));
    assert.deepEqual(noOffset(lines(results.filter((r) => r.ok))), noOffset(lines([...readMrt(birdDump)])));
  });

  it('garbage at the start is skipped up to the first record', () => {
    const results = [
      ...readMrt(
        concat([Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), birdDump]),
      ),
    ];
    assert.deepEqual(
      errors(results).map((e) => e.offset),
      [0],
    );
    assert.equal(results.filter((r) => r.ok).length, RECORD_OFFSETS.length);
  });

  it('garbage at the end with no record after it is one fatal error', () => {
    const results = [...readMrt(concat([birdDump, new Uint8Array(100).fill(0x99)]))];
    assert.deepEqual(
      errors(results).map((e) => [e.offset, e.fatal]),
      [[birdDump.length, true]],
    );
    assert.match(errors(results)[0]!.reason, /^100 octets do not frame MRT records .*no record follows/);
  });

  it('a header over maxRecordLength does not frame a record', () => {
    const results = [...readMrt(birdDump, { maxRecordLength: 60 })];
    // The PEER_INDEX_TABLE (53) and the 46-octet record frame; the 67-octet one does not, and the
    // reader finds the next record after it.
    const e = errors(results);
    assert.equal(e[0]?.offset, 123);
    assert.match(e[0]!.reason, /declares 67 octets \(more than 60\)/);
    assert.ok(results.filter((r) => r.ok).length >= 3);
  });

  it('unknown MRT types in the registry are skipped with their header, not errors', () => {
    const isis = encodeMrtRecord(1, 32, 0, Uint8Array.of(1, 2, 3, 4));
    const results = [...readMrt(concat([isis, birdDump]))];
    assert.deepEqual(errors(results), []);
    assert.ok(
      results[0]?.ok &&
        results[0].record.kind === 'skipped' &&
        results[0].record.reason === 'ISIS records are not interpreted',
    );
  });

  it('a BGP4MP_ET record too short for its microsecond field is an error', () => {
    const results = [...readMrt(encodeMrtRecord(1, 17, 4, Uint8Array.of(0, 0)))];
    assert.deepEqual(errors(results), [
      { offset: 0, fatal: false, reason: 'BGP4MP_ET record of 2 octets has no microsecond timestamp' },
    ]);
  });
});
