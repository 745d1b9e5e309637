import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getHeapStatistics } from 'node:v8';
import { HeapTrim } from '../../src/lsp/heap-trim';

// Between slices of the first index, a full collection runs once the used heap grew by 16 MiB
// since the last one (measured from what that collection left), and not before.

const MiB = 1024 * 1024;

test('a collection at 16 MiB of growth since the last one, counted from what it left', () => {
  let used = 30 * MiB;
  const collections: number[] = [];
  const trim = new HeapTrim(
    () => used,
    () => {
      collections.push(used);
      used -= 10 * MiB;
    },
  );
  for (const step of [4, 4, 4, 3.9, 0.2, 4, 4, 4, 4, 4]) {
    used += step * MiB;
    trim.check();
  }
  // 30 -> 46.1 collected (36.1 left); then 36.1 + 16 = 52.1, reached exactly four steps later.
  assert.deepEqual(
    collections.map((b) => Math.round((b / MiB) * 10) / 10),
    [46.1, 52.1],
  );
});

/**
 * About mib MiB of objects held until they reach the old generation (as an index's parse garbage
 * does while slices keep it alive), garbage once this returns.
 */
function garbage(mib: number): number {
  const held: number[][] = [];
  for (let i = 0; i < mib * 16; i++) held.push(new Array(8192).fill(i + 0.5));
  return held.length;
}

test('the collection is real: old-generation garbage is freed', () => {
  const used = () => getHeapStatistics().used_heap_size;
  const trim = new HeapTrim();
  garbage(40);
  const before = used();
  assert.ok(before > 16 * MiB, `the test allocated too little to grow the heap (${before} bytes used)`);
  trim.check();
  const after = used();
  assert.ok(after < before - 16 * MiB, `used ${before} -> ${after} bytes: no collection`);
});
