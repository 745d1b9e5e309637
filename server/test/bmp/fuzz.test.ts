/**
 * Mutation fuzzing with a seeded PRNG (reproducible): mutated streams and mutated single
 * messages must yield messages or errors, never an exception; reading in random chunks must give
 * the same results as reading whole; at most one fatal error, and it is the last result.
 * A crasher found here belongs in fixtures/malformed once fixed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type BmpDecodeResult, decodeBmpMessage, readBmp } from '../../src/bmp';
import { Random, listFixtures, readChunks, resultLines } from './helpers';

const seeds = listFixtures('valid').map((f) => f.bytes);
const frames = seeds.flatMap((bytes) =>
  readBmp(bytes).flatMap((r) => (r.ok ? [bytes.slice(r.message.offset, r.message.offset + r.message.length)] : [])),
);

function mutate(bytes: Uint8Array, random: Random): Uint8Array {
  let out = bytes.slice();
  const edits = 1 + random.int(4);
  for (let k = 0; k < edits; k++) {
    const i = random.int(Math.max(1, out.length));
    switch (random.int(6)) {
      case 0: // flip bits
        out[i] = out[i]! ^ (1 << random.int(8));
        break;
      case 1: // a random octet
        out[i] = random.int(256);
        break;
      case 2: // truncate
        out = out.slice(0, i);
        break;
      case 3: {
        // insert random octets
        const extra = Uint8Array.from({ length: 1 + random.int(8) }, () => random.int(256));
        out = Uint8Array.from([...out.subarray(0, i), ...extra, ...out.subarray(i)]);
        break;
      }
      case 4: {
        // duplicate a slice
        const j = i + random.int(Math.max(1, out.length - i));
        out = Uint8Array.from([...out.subarray(0, j), ...out.subarray(i, j), ...out.subarray(j)]);
        break;
      }
      default:
        // a boundary value
        out[i] = random.pick([0, 1, 0x7f, 0x80, 0xff]);
    }
  }
  return out;
}

/** Keep the common header consistent with the (mutated) size, so that the body decoders are exercised. */
function fixLength(frame: Uint8Array): Uint8Array {
  if (frame.length < 6) return frame;
  const out = frame.slice();
  out[0] = 3;
  const n = out.length;
  out[1] = n >>> 24;
  out[2] = (n >>> 16) & 0xff;
  out[3] = (n >>> 8) & 0xff;
  out[4] = n & 0xff;
  return out;
}

function checkWellFormed(results: readonly BmpDecodeResult[], length: number): void {
  results.forEach((r, k) => {
    if (r.ok) {
      assert.ok(r.message.offset >= 0 && r.message.offset + r.message.length <= length);
      return;
    }
    assert.equal(typeof r.error.reason, 'string');
    assert.ok(
      r.error.offset >= 0 && r.error.offset <= length && r.error.at >= r.error.offset,
      `offsets ${r.error.offset}/${r.error.at} of ${length}`,
    );
    if (r.error.fatal) assert.equal(k, results.length - 1, 'a fatal error is the last result');
  });
}

describe('BMP fuzzing (seeded)', () => {
  it('has seeds', () => assert.ok(seeds.length >= 5 && frames.length >= 50));

  it('mutated streams: never an exception; chunked reading agrees with whole reading', () => {
    const random = new Random(0x5eed_b3b9);
    let errors = 0;
    for (let n = 0; n < 1500; n++) {
      const bytes = mutate(random.pick(seeds), random);
      const whole = readBmp(bytes);
      checkWellFormed(whole, bytes.length);
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < bytes.length; ) {
        const size = 1 + random.int(64);
        chunks.push(bytes.subarray(i, i + size));
        i += size;
      }
      assert.deepEqual(resultLines(readChunks(chunks)), resultLines(whole), `iteration ${n}`);
      errors += whole.filter((r) => !r.ok).length;
    }
    assert.ok(errors > 100, `the mutations found errors to report (${errors})`);
  });

  it('mutated single messages with a consistent header: every body decoder, never an exception', () => {
    const random = new Random(0xb0d1e5);
    const outcomes = new Map<string, number>();
    for (let n = 0; n < 20_000; n++) {
      const frame = fixLength(mutate(random.pick(frames), random));
      const r = decodeBmpMessage(frame, { offset: 7 });
      checkWellFormed([r], frame.length + 7);
      const key = r.ok ? r.message.type : r.error.fatal ? 'fatal' : 'error';
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    }
    for (const key of ['error', 'route-monitoring', 'peer-up', 'peer-down', 'statistics-report', 'initiation'])
      assert.ok((outcomes.get(key) ?? 0) > 0, `some inputs gave ${key}: ${JSON.stringify([...outcomes])}`);
  });

  it('random bytes after a version octet: never an exception', () => {
    const random = new Random(42);
    for (let n = 0; n < 3000; n++) {
      const bytes = Uint8Array.from({ length: 1 + random.int(200) }, () => random.int(256));
      bytes[0] = 3;
      if (bytes.length >= 5 && random.int(2) === 0) {
        bytes[1] = 0;
        bytes[2] = 0;
        bytes[3] = 0;
        bytes[4] = Math.min(bytes.length, 6 + random.int(100));
      }
      checkWellFormed(readBmp(bytes), bytes.length);
    }
  });
});
