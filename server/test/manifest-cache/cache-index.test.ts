import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type CacheIndex, decodeIndex, encodeIndex, rowFields } from '../../src/manifest-cache/cache-index';

// The index section is written in pieces (no joined string, no serialized copy of the whole
// index): it must come back exactly, across piece boundaries and multi-byte characters, and a
// body that does not add up is a corrupt cache, not an exception.

function indexOf(
  paths: string[],
  metas: unknown[] = paths.map(() => undefined),
  annex: unknown = undefined,
): CacheIndex {
  const numbers = new Float64Array(paths.length * rowFields);
  numbers.forEach((_, i) => {
    numbers[i] = i % 3 === 0 ? 1_733_000_000_000.123 + i : i * 0.5 - 7;
  });
  return { paths, numbers, hashes: paths.map((_, i) => i.toString(16).padStart(40, 'a')), metas, annex };
}

function roundTrip(index: CacheIndex): { decoded: CacheIndex | string; pieces: number } {
  const pieces: Uint8Array[] = [];
  encodeIndex(index, (piece) => pieces.push(Buffer.from(piece)));
  return { decoded: decodeIndex(Buffer.concat(pieces)), pieces: pieces.length };
}

const cases: [string, CacheIndex][] = [
  ['no rows', indexOf([])],
  ['one row, a meta and an annex', indexOf(['/repo/a.yaml'], [{ findings: [1, 2] }], new Map([['k', 'v']]))],
  [
    '5,000 paths with multi-byte characters, over several pieces',
    indexOf(Array.from({ length: 5000 }, (_, i) => `/repo/clusters/région-${i % 9}/apps/app-${i}/服务.yaml`)),
  ],
];

describe('the index section', () => {
  for (const [name, index] of cases) {
    test(`${name}: decoded equal to what was encoded`, () => {
      const { decoded } = roundTrip(index);
      assert.deepEqual(decoded, index);
    });
  }

  test('a long index is written in several pieces', () => {
    const [, , big] = cases;
    assert.ok(big);
    assert.ok(roundTrip(big[1]).pieces > 6);
  });

  test('a body whose lengths do not add up is named, not thrown', () => {
    const pieces: Uint8Array[] = [];
    encodeIndex(indexOf(['/a', '/b']), (piece) => pieces.push(Buffer.from(piece)));
    const body = Buffer.concat(pieces);
    assert.equal(decodeIndex(body.subarray(0, body.length - 1)), 'unexpected content');
    assert.equal(decodeIndex(body.subarray(0, 10)), 'truncated index');
  });
});
