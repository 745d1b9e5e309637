/**
 * Mutation fuzzing of the decoder with a seeded PRNG (reproducible). Every
 * input must yield a message or a protocol error: no exception may escape.
 * Clean results must also re-encode and decode to the same value.
 * A crasher found here belongs in fixtures/crashers/ once fixed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BgpError,
  type DecodeResult,
  MessageReader,
  type SessionContext,
  decodeMessage,
  encodeMessage,
  formatMessage,
  toHex,
} from '../../src/bgp';
import { type Fixture, listFixtures } from './helpers/fixtures';
import { mutate, mutateContext } from './helpers/mutate';
import { Prng } from './helpers/prng';

const SEED = 0x7a5e_b6f1;
const MUTATIONS_PER_FIXTURE = 160;
const MESSAGE_TYPES = new Set(['OPEN', 'UPDATE', 'NOTIFICATION', 'KEEPALIVE', 'ROUTE-REFRESH']);
const ACTIONS = new Set(['session-reset', 'treat-as-withdraw', 'attribute-discard']);

function assertWellFormed(result: DecodeResult): void {
  if (result.ok) {
    assert.ok(MESSAGE_TYPES.has(result.message.type), `message type ${result.message.type}`);
    for (const e of result.errors) {
      assert.ok(e instanceof BgpError);
      assert.ok(
        e.action === 'treat-as-withdraw' || e.action === 'attribute-discard',
        `recovered error with action ${e.action}`,
      );
    }
  } else {
    assert.ok(result.error instanceof BgpError);
    assert.ok(ACTIONS.has(result.error.action));
    assert.equal(result.error.action, 'session-reset');
    assert.ok(result.error.code >= 1 && result.error.code <= 7, `code ${result.error.code}`);
    assert.equal(typeof result.error.reason, 'string');
  }
}

interface Crasher {
  readonly fixture: string;
  readonly hex: string;
  readonly context: SessionContext;
  readonly error: string;
}

function fuzzOne(bytes: Uint8Array, context: SessionContext, rng: Prng, fixture: Fixture, crashers: Crasher[]): void {
  const record = (error: unknown): void => {
    crashers.push({
      fixture: fixture.name,
      hex: toHex(bytes),
      context,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  };
  let result: DecodeResult;
  try {
    result = decodeMessage(bytes, context);
  } catch (error) {
    record(error);
    return;
  }
  assertWellFormed(result);
  if (result.ok) {
    let encoded: ReturnType<typeof encodeMessage>;
    try {
      formatMessage(result.message);
      encoded = encodeMessage(result.message, context);
    } catch (error) {
      record(error);
      return;
    }
    if (result.errors.length === 0) {
      // Decoding is the inverse of encoding on everything the decoder accepts.
      assert.ok(
        encoded.ok,
        `re-encoding a cleanly decoded message failed: ${encoded.ok ? '' : encoded.reason} (${toHex(bytes)})`,
      );
      const again = decodeMessage(encoded.bytes, context);
      assert.deepEqual(again, result, `decode(encode(decode(x))) differs for ${toHex(bytes)}`);
    }
  }
  // The same bytes through the framer, in random chunks.
  try {
    const reader = new MessageReader();
    for (let i = 0; i < bytes.length; ) {
      const n = 1 + rng.below(32);
      reader.push(bytes.subarray(i, i + n));
      i += n;
      for (let r = reader.read(context); r?.ok; r = reader.read(context)) assertWellFormed(r);
    }
  } catch (error) {
    if (error instanceof assert.AssertionError) throw error;
    record(error);
  }
}

// Structure-aware generation: every length field is consistent, so the values
// themselves (attribute contents, prefix lengths, capability layouts) get exercised.
const CODES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 14, 15, 16, 17, 18, 32, 99];
const CANONICAL_FLAGS: Readonly<Record<number, number>> = {
  1: 0x40,
  2: 0x40,
  3: 0x40,
  4: 0x80,
  5: 0x40,
  6: 0x40,
  7: 0xc0,
  8: 0xc0,
  9: 0x80,
  10: 0x80,
  14: 0x80,
  15: 0x80,
  16: 0xc0,
  17: 0xc0,
  18: 0xc0,
  32: 0xc0,
  99: 0xc0,
};

function randomBytes(rng: Prng, n: number): number[] {
  return Array.from({ length: n }, () => rng.below(256));
}

function frame(type: number, body: number[]): Uint8Array {
  const n = 19 + body.length;
  return Uint8Array.from([...new Array<number>(16).fill(0xff), n >> 8, n & 0xff, type, ...body]);
}

function randomPrefixes(rng: Prng, maxLength: number, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const length = rng.below(4) === 0 ? rng.below(256) : rng.below(maxLength + 1);
    out.push(length, ...randomBytes(rng, (length + 7) >> 3));
  }
  return out;
}

function randomAttributeValue(rng: Prng, code: number): number[] {
  if (code === 14 || code === 15) {
    const [afi, safi] = [
      [1, 1],
      [2, 1],
      [1, 2],
      [1, 128],
      [25, 70],
    ][rng.below(5)];
    const value = [afi >> 8, afi & 0xff, safi];
    if (code === 14) {
      const nextHopLength = [4, 16, 32, 12, 0, 5][rng.below(6)];
      value.push(nextHopLength, ...randomBytes(rng, nextHopLength), 0);
    }
    value.push(...randomPrefixes(rng, afi === 1 ? 32 : 128, rng.below(5)));
    if (rng.below(4) === 0) value.push(...randomBytes(rng, rng.below(4)));
    return value;
  }
  if (code === 2 || code === 17) {
    const value: number[] = [];
    for (let i = 0, n = rng.below(4); i < n; i++) {
      const count = rng.below(4);
      value.push(1 + rng.below(5), count, ...randomBytes(rng, count * (rng.below(2) === 0 ? 2 : 4)));
    }
    return value;
  }
  return randomBytes(rng, [0, 1, 2, 4, 6, 8, 12, 16, 24, rng.below(300)][rng.below(10)]);
}

function randomUpdate(rng: Prng): Uint8Array {
  const withdrawn = randomPrefixes(rng, 32, rng.below(3));
  const attributes: number[] = [];
  for (let i = 0, n = rng.below(8); i < n; i++) {
    const code = CODES[rng.below(CODES.length)];
    const value = randomAttributeValue(rng, code);
    let flags = rng.below(4) === 0 ? rng.below(256) : CANONICAL_FLAGS[code];
    if (value.length > 255) flags |= 0x10;
    attributes.push(
      flags,
      code,
      ...(flags & 0x10 ? [value.length >> 8, value.length & 0xff] : [value.length & 0xff]),
      ...value,
    );
  }
  const nlri = randomPrefixes(rng, 32, rng.below(4));
  return frame(2, [
    withdrawn.length >> 8,
    withdrawn.length & 0xff,
    ...withdrawn,
    attributes.length >> 8,
    attributes.length & 0xff,
    ...attributes,
    ...nlri,
  ]);
}

function randomOpen(rng: Prng): Uint8Array {
  const capabilities: number[] = [];
  for (let i = 0, n = rng.below(6); i < n; i++) {
    const value = randomBytes(rng, [0, 2, 4, 6, 8, 10, rng.below(20)][rng.below(7)]);
    capabilities.push([1, 2, 5, 6, 64, 65, 69, 70, 73][rng.below(9)], value.length, ...value);
  }
  const extended = rng.below(4) === 0;
  const parameter = extended
    ? [2, capabilities.length >> 8, capabilities.length & 0xff, ...capabilities]
    : [2, capabilities.length, ...capabilities];
  const head = [4, rng.below(256), rng.below(256), 0, rng.below(256), ...randomBytes(rng, 4)];
  return frame(
    1,
    extended
      ? [...head, 255, 255, parameter.length >> 8, parameter.length & 0xff, ...parameter]
      : [...head, parameter.length, ...parameter],
  );
}

describe('fuzz', () => {
  const fixtures = listFixtures('valid');

  it(`${MUTATIONS_PER_FIXTURE} mutations of each valid fixture decode to a message or a protocol error`, () => {
    assert.ok(fixtures.length >= 20);
    const rng = new Prng(SEED);
    const crashers: Crasher[] = [];
    const outcomes = { ok: 0, recovered: 0, error: 0 };
    let inputs = 0;
    for (const fixture of fixtures) {
      for (let m = 0; m < MUTATIONS_PER_FIXTURE; m++) {
        const bytes = mutate(rng, fixture.bytes);
        const context = mutateContext(rng, fixture.context);
        inputs++;
        fuzzOne(bytes, context, rng, fixture, crashers);
        const result = crashers.length === 0 ? decodeMessage(bytes, context) : undefined;
        if (result) outcomes[result.ok ? (result.errors.length > 0 ? 'recovered' : 'ok') : 'error']++;
      }
    }
    assert.deepEqual(
      crashers.slice(0, 5),
      [],
      `${crashers.length} inputs made the decoder throw; add them to fixtures/crashers/ once fixed`,
    );
    assert.ok(inputs >= 3000, `${inputs} inputs`);
    // The mutations must reach every outcome, or the fuzzer is not exploring.
    assert.ok(outcomes.ok > 100 && outcomes.recovered > 20 && outcomes.error > 100, JSON.stringify(outcomes));
  });

  it('structure-aware random UPDATE and OPEN messages decode to a message or a protocol error', () => {
    const rng = new Prng(SEED ^ 0x5a5a);
    const crashers: Crasher[] = [];
    const seed = fixtures[0];
    let withdrawals = 0;
    for (let n = 0; n < 2000; n++) {
      const bytes = rng.below(5) === 0 ? randomOpen(rng) : randomUpdate(rng);
      const context: SessionContext = {
        fourOctetAs: rng.below(2) === 0,
        extendedMessage: true,
        addPath:
          rng.below(3) === 0
            ? [
                { afi: 1, safi: 1 },
                { afi: 2, safi: 1 },
              ]
            : [],
      };
      fuzzOne(bytes, context, rng, seed, crashers);
      const result = crashers.length === 0 ? decodeMessage(bytes, context) : undefined;
      if (
        result?.ok &&
        result.message.type === 'UPDATE' &&
        result.errors.some((e) => e.action === 'treat-as-withdraw')
      ) {
        // A treat-as-withdraw result announces nothing.
        withdrawals++;
        assert.deepEqual(result.message.nlri, []);
        assert.ok(result.message.attributes.every((a) => a.type === 'mp-unreach-nlri'));
      }
    }
    assert.deepEqual(crashers.slice(0, 5), []);
    assert.ok(withdrawals > 50, `only ${withdrawals} treat-as-withdraw outcomes`);
  });

  it('survives pure random bytes behind a valid header', () => {
    const rng = new Prng(SEED ^ 0xffff);
    const crashers: Crasher[] = [];
    const seed = fixtures[0];
    for (let n = 0; n < 500; n++) {
      const length = 19 + rng.below(200);
      const bytes = new Uint8Array(length);
      bytes.fill(0xff, 0, 16);
      bytes[16] = length >> 8;
      bytes[17] = length & 0xff;
      bytes[18] = 1 + rng.below(5);
      for (let i = 19; i < length; i++) bytes[i] = rng.below(256);
      fuzzOne(bytes, mutateContext(rng, seed.context), rng, seed, crashers);
    }
    assert.deepEqual(crashers.slice(0, 5), []);
  });
});
