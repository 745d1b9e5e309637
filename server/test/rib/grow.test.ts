import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Column, grown } from '../../src/rib/grow';

const columns: [string, () => Column][] = [
  ['Uint8Array', () => Uint8Array.of(1, 2, 255)],
  ['Uint16Array', () => Uint16Array.of(1, 2, 65535)],
  ['Int32Array', () => Int32Array.of(1, -1, 0x7fffffff)],
  ['Uint32Array', () => Uint32Array.of(1, 2, 0xffffffff)],
];

for (const [name, make] of columns) {
  test(`grown ${name}: same type and contents, zeros after, the old column released (detached)`, () => {
    const old = make();
    const before = [...old];
    const next = grown(old, 8);
    assert.equal(next.constructor, old.constructor);
    assert.equal(next.length, 8);
    assert.deepEqual([...next], [...before, 0, 0, 0, 0, 0]);
    assert.equal(old.length, 0, 'the old column is detached, so its memory is freed now');
    assert.equal(old.buffer.byteLength, 0);
  });
}
