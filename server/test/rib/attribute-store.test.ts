import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AttributeStore } from '../../src/rib';
import { prng } from './reference';

test('AttributeStore: equal bytes share an id, references are counted, freed ids are reused', () => {
  const store = new AttributeStore();
  const a = store.intern(new Uint8Array([1, 2, 3]));
  const b = store.intern(new Uint8Array([1, 2, 4]));
  const empty = store.intern(new Uint8Array(0));
  assert.equal(store.intern(Uint8Array.of(1, 2, 3)), a);
  assert.equal(new Set([a, b, empty]).size, 3);
  assert.equal(store.size, 3);
  assert.equal(store.refCount(a), 2);
  store.retain(b);
  assert.equal(store.refCount(b), 2);
  assert.deepEqual([...store.bytes(a)], [1, 2, 3]);
  assert.deepEqual([...store.bytes(empty)], []);
  store.release(a);
  store.release(a);
  assert.equal(store.has(a), false);
  assert.equal(store.refCount(a), 0);
  assert.equal(store.size, 2);
  assert.throws(() => store.release(a), RangeError, 'releasing a freed set');
  assert.throws(() => store.retain(a), RangeError);
  assert.throws(() => store.bytes(a), RangeError);
  assert.throws(() => store.retain(12345), RangeError);
  assert.equal(store.intern(new Uint8Array([9])), a, 'the freed id is handed out again');
  assert.deepEqual([...store.bytes(a)], [9]);
  assert.equal(store.intern(Uint8Array.of(1, 2, 4)), b, 'other sets are still found after a removal');
});

test('AttributeStore: randomized intern/release against a Map, through growth, rehashing and compaction', () => {
  const random = prng(11);
  const store = new AttributeStore();
  const model = new Map<string, { id: number; refs: number; bytes: Uint8Array }>();
  const sizes: number[] = [];
  for (let i = 0; i < 40_000; i++) {
    // Keys from a pool of 3000 so sets are found again, freed, and re-created.
    const k = Math.floor(random() * 3000);
    const bytes = new Uint8Array(20 + (k % 50)).map((_, j) => (k * 31 + j * 7) & 0xff);
    bytes[0] = k & 0xff;
    bytes[1] = k >> 8;
    const key = bytes.join(',');
    const entry = model.get(key);
    if (entry !== undefined && random() < 0.55) {
      store.release(entry.id);
      if (--entry.refs === 0) model.delete(key);
    } else {
      const id = store.intern(bytes);
      if (entry === undefined) {
        for (const other of model.values()) assert.notEqual(other.id, id, 'a new set gets an id not in use');
        model.set(key, { id, refs: 1, bytes });
      } else {
        assert.equal(id, entry.id);
        entry.refs++;
      }
    }
    if (i % 4000 === 0) sizes.push(store.approximateBytes());
  }
  assert.equal(store.size, model.size);
  for (const { id, refs, bytes } of model.values()) {
    assert.equal(store.refCount(id), refs);
    assert.deepEqual(store.bytes(id), bytes);
    assert.equal(store.intern(bytes), id);
    store.release(id);
  }
  // Release everything; the store empties and keeps working.
  for (const { id, refs } of model.values()) for (let r = 0; r < refs; r++) store.release(id);
  assert.equal(store.size, 0);
  const again = store.intern(new Uint8Array([7, 7, 7]));
  assert.deepEqual([...store.bytes(again)], [7, 7, 7]);
  assert.ok(
    sizes.length > 5 && store.approximateBytes() < 2_000_000,
    `store stays bounded: ${store.approximateBytes()} bytes`,
  );
});

test('AttributeStore.reserve: sets interned before and after it keep their ids, bytes and references', () => {
  const store = new AttributeStore();
  const set = (k: number): Uint8Array => Uint8Array.of(k & 0xff, (k >>> 8) & 0xff, 1, 2, 3);
  const before = Array.from({ length: 100 }, (_, k) => store.intern(set(k)));
  store.reserve(5000, 5000 * 5);
  store.reserve(10, 10); // smaller than what is there: nothing changes
  const after = Array.from({ length: 6000 }, (_, k) => store.intern(set(k + 100)));
  for (let k = 0; k < 100; k++) {
    assert.equal(store.intern(set(k)), before[k], `set ${k} found again`);
    assert.deepEqual(store.bytes(before[k]!), set(k));
    assert.equal(store.refCount(before[k]!), 2);
  }
  for (let k = 0; k < 6000; k++) assert.deepEqual(store.bytes(after[k]!), set(k + 100));
  assert.equal(new Set([...before, ...after]).size, 6100);
});
