/**
 * Data-driven tests over the commented-hex fixtures:
 * - valid/: decode cleanly, match the expected JSON, and encode back to the same bytes;
 * - malformed/: yield exactly the @expect errors (code/subcode and RFC 7606 action);
 * - crashers/: inputs that once crashed the decoder (found by the fuzz test) now decode to data.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type DecodeResult, decodeMessage, encodeMessage, toHex } from '../../src/bgp';
import { listFixtures } from './helpers/fixtures';
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
  for (const fixture of listFixtures('crashers')) {
    it(`${fixture.name} decodes to a message or a protocol error`, () => {
      const result = decodeMessage(fixture.bytes, fixture.context);
      assert.equal(typeof result.ok, 'boolean');
      matchSnapshot(expectedFileFor(fixture.file), describeDecode(result, fixture.context, fixture.contextJson));
    });
  }
});
