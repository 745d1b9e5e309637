/**
 * Data-driven tests over the commented-hex fixtures (fixtures/README.md says where each comes from):
 * - valid/: every message reads without an error, the messages match `NAME.expected.json`
 *   (UPDATE_SNAPSHOTS=1 rewrites it), and each re-encodes to its own bytes;
 * - malformed/: errors are reported at exactly the `# @expect-errors` offsets, a fatal error at
 *   `# @expect-fatal` and nowhere else, and the messages around the errors are read.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toHex } from '../../src/bgp';
import { type BmpDecodeResult, type BmpMessage, encodeBmpMessage, readBmp } from '../../src/bmp';
import { type HexFixture, type JsonValue, listFixtures, matchJsonSnapshot, resultLines, toJson } from './helpers';

function snapshotOf(results: readonly BmpDecodeResult[]): JsonValue {
  return { rendered: resultLines(results), decoded: results.map(toJson) };
}

function frameOf(fixture: HexFixture, message: BmpMessage): Uint8Array {
  return fixture.bytes.subarray(message.offset, message.offset + message.length);
}

const valid = listFixtures('valid');
const malformed = listFixtures('malformed');

describe('valid BMP fixtures', () => {
  it('exist: three synthetic, two captures', () => assert.ok(valid.length >= 5, `only ${valid.length} valid fixtures`));

  it('together hold every message type, every Peer Down reason, every statistic kind and peer type', () => {
    const messages = valid.flatMap((f) => readBmp(f.bytes).flatMap((r) => (r.ok ? [r.message] : [])));
    assert.deepEqual([...new Set(messages.map((m) => m.type))].sort(), [
      'initiation',
      'peer-down',
      'peer-up',
      'route-mirroring',
      'route-monitoring',
      'statistics-report',
      'termination',
    ]);
    assert.deepEqual(
      [...new Set(messages.flatMap((m) => (m.type === 'peer-down' ? [m.reason] : [])))].sort(),
      [1, 2, 3, 4, 5, 6],
    );
    const stats = messages.flatMap((m) => (m.type === 'statistics-report' ? m.statistics : []));
    assert.ok(
      stats.some((s) => typeof s.value === 'number'),
      'a 32-bit counter',
    );
    assert.ok(
      stats.some((s) => typeof s.value === 'bigint' && s.afi === undefined),
      'a 64-bit gauge',
    );
    assert.ok(
      stats.some((s) => s.afi !== undefined),
      'a per-AFI/SAFI gauge',
    );
    assert.ok(
      stats.some((s) => s.raw !== undefined),
      'a statistic without a descriptor',
    );
    const views = new Set(messages.flatMap((m) => ('peer' in m ? [`${m.peer.peerType} ${m.peer.rib}`] : [])));
    for (const v of [
      '0 adj-rib-in-pre',
      '0 adj-rib-in-post',
      '0 adj-rib-out-pre',
      '0 adj-rib-out-post',
      '1 adj-rib-in-pre',
      '2 adj-rib-in-pre',
      '3 loc-rib',
    ])
      assert.ok(views.has(v), `peer type / view ${v}`);
  });

  for (const fixture of valid) {
    describe(fixture.name, () => {
      it('reads every message without an error', () => {
        const results = readBmp(fixture.bytes);
        assert.deepEqual(
          results.filter((r) => !r.ok),
          [],
        );
        assert.ok(results.length >= 5, `${results.length} messages`);
        const last = results[results.length - 1]!;
        assert.ok(
          last.ok && last.message.offset + last.message.length === fixture.bytes.length,
          'the messages cover the whole stream',
        );
      });

      it('matches the expected JSON', () => {
        matchJsonSnapshot(snapshotOf(readBmp(fixture.bytes)), fixture.file.replace(/\.hex$/, '.expected.json'));
      });

      it('re-encodes each message to its own bytes', () => {
        let checked = 0;
        for (const r of readBmp(fixture.bytes)) {
          assert.ok(r.ok);
          if (r.message.type === 'route-monitoring' && r.message.errors.length > 0) continue;
          const encoded = encodeBmpMessage(r.message);
          assert.ok(encoded.ok, encoded.ok ? '' : `@${r.message.offset}: ${encoded.reason}`);
          assert.equal(
            toHex(encoded.bytes),
            toHex(frameOf(fixture, r.message)),
            `@${r.message.offset} ${r.message.type}`,
          );
          checked++;
        }
        assert.ok(checked > 0);
      });
    });
  }
});

describe('malformed BMP fixtures', () => {
  it('exist', () => assert.ok(malformed.length >= 5, `only ${malformed.length} malformed fixtures`));

  for (const fixture of malformed) {
    describe(fixture.name, () => {
      const results = readBmp(fixture.bytes);
      const errors = results.flatMap((r) => (r.ok ? [] : [r.error]));

      it('declares where its errors are', () => {
        assert.ok(
          fixture.expectErrors.length > 0 || fixture.expectFatal !== undefined,
          'a malformed fixture lists # @expect-errors or # @expect-fatal',
        );
      });

      it(`reports the errors at ${[...fixture.expectErrors, ...(fixture.expectFatal === undefined ? [] : [`${fixture.expectFatal} (fatal)`])].join(', ')}`, () => {
        assert.deepEqual(
          errors.filter((e) => !e.fatal).map((e) => e.offset),
          fixture.expectErrors,
        );
        assert.deepEqual(
          errors.filter((e) => e.fatal).map((e) => e.offset),
          fixture.expectFatal === undefined ? [] : [fixture.expectFatal],
        );
        for (const e of errors) {
          assert.ok(
            e.at >= e.offset && e.at <= fixture.bytes.length,
            `the field offset ${e.at} lies in the stream, at or after the message`,
          );
          assert.ok(e.reason.length > 0);
        }
      });

      it('reads the messages around the errors', () => {
        const read = results.flatMap((r) => (r.ok ? [r.message] : []));
        assert.ok(read.length >= 1);
        assert.equal(read[0]!.type, 'initiation');
        if (fixture.expectFatal === undefined) {
          // Reading went on to the end of the stream.
          const last = results[results.length - 1]!;
          assert.ok(last.ok && last.message.offset + last.message.length === fixture.bytes.length);
        } else {
          assert.ok(!results[results.length - 1]!.ok, 'nothing is read after a fatal error');
        }
      });

      it('matches the expected JSON', () => {
        matchJsonSnapshot(snapshotOf(results), fixture.file.replace(/\.hex$/, '.expected.json'));
      });
    });
  }
});
