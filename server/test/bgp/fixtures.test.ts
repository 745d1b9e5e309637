/**
 * Data-driven tests over the commented-hex fixtures:
 * - valid/: decode cleanly, match the expected JSON, and encode back to the same bytes;
 * - malformed/: yield exactly the @expect errors (code/subcode and RFC 7606 action);
 * - crashers/: edge cases the fuzzer found (truncations, bad lengths, oversized and repeated
 *   attributes) decode to exactly the @expect outcome; the folder must exist and be non-empty.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { type DecodeResult, decodeMessage, encodeMessage, toHex } from '../../src/bgp';
import { FIXTURES_DIR, listFixtures } from './helpers/fixtures';
import { describeDecode, expectedFileFor, matchSnapshot } from './helpers/snapshot';

function errorsOf(result: DecodeResult): string[] {
  const errors = result.ok ? result.errors : [result.error];
  return errors.map((e) => `${e.code}/${e.subcode} ${e.action}`);
}

describe('valid fixtures', () => {
  const fixtures = listFixtures('valid');
  it('exist', () => assert.ok(fixtures.length >= 20, `only ${fixtures.length} valid fixtures found`));

  for (const fixture of fixtures) {
    describe(fixture.name, () => {
      const result = decodeMessage(fixture.bytes, fixture.context);

      it('decodes without errors', () => {
        assert.deepEqual(errorsOf(result), []);
        assert.equal(result.ok, true);
      });

      it('matches the expected value', () => {
        matchSnapshot(expectedFileFor(fixture.file), describeDecode(result, fixture.context, fixture.contextJson));
      });

      it('encodes back to the same bytes', () => {
        assert.ok(result.ok);
        const encoded = encodeMessage(result.message, fixture.context);
        assert.ok(encoded.ok, encoded.ok ? '' : encoded.reason);
        assert.equal(toHex(encoded.bytes), toHex(fixture.bytes));
      });
    });
  }
});

describe('malformed fixtures', () => {
  const fixtures = listFixtures('malformed');
  it('exist', () => assert.ok(fixtures.length >= 40, `only ${fixtures.length} malformed fixtures found`));

  for (const fixture of fixtures) {
    describe(fixture.name, () => {
      const result = decodeMessage(fixture.bytes, fixture.context);

      it(`reports ${fixture.expect.join(', ') || '(no @expect directive!)'}`, () => {
        assert.ok(fixture.expect.length > 0, 'malformed fixtures must declare the expected errors with # @expect');
        assert.deepEqual(errorsOf(result), fixture.expect);
      });

      it('matches the expected value', () => {
        matchSnapshot(expectedFileFor(fixture.file), describeDecode(result, fixture.context, fixture.contextJson));
      });
    });
  }
});

describe('crasher regressions', () => {
  // Seeded from the fuzzer (helpers/seed-crashers.ts); a missing or empty folder fails, so this
  // suite cannot silently run nothing.
  const dir = path.join(FIXTURES_DIR, 'crashers');
  const fixtures = listFixtures('crashers');
  it('exist', () => {
    assert.ok(existsSync(dir), `the crasher corpus ${dir} is missing`);
    assert.ok(fixtures.length >= 8, `only ${fixtures.length} crasher fixtures in ${dir}`);
  });

  for (const fixture of fixtures) {
    it(`${fixture.name} decodes to ${fixture.expect.join(', ') || '(no @expect directive!)'}`, () => {
      assert.ok(
        fixture.expect.length > 0,
        'crasher fixtures must declare the outcome with # @expect (or # @expect none)',
      );
      const result = decodeMessage(fixture.bytes, fixture.context);
      assert.deepEqual(errorsOf(result), fixture.expect[0] === 'none' ? [] : fixture.expect);
      matchSnapshot(expectedFileFor(fixture.file), describeDecode(result, fixture.context, fixture.contextJson));
    });
  }
});
