import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IndexedFile } from '../../src/lsp/indexed-file';
import { ManifestIndex } from '../../src/lsp/manifest-index';

// The reverse index keeps a key's one owner as a string and a Set only once a second file shares
// the key; both forms must answer alike through adds, replacements and deletions.

const file = (path: string, keys: string[]): IndexedFile => ({
  path,
  origin: 'disk',
  configPath: undefined,
  manifest: undefined,
  problem: undefined,
  keys,
  holdsServices: true,
});

const owners = (index: ManifestIndex, ...keys: string[]) => [...index.ownersOf(keys)].sort();

test('owners of a key: one file, two, back to one, none; a key listed twice by one file', () => {
  const index = new ManifestIndex();
  assert.deepEqual(index.set(file('a', ['ip:1', 'ip:1', 'svc:x'])), ['ip:1', 'ip:1', 'svc:x']);
  assert.deepEqual(owners(index, 'ip:1'), ['a']);
  index.set(file('b', ['ip:1']));
  index.set(file('c', ['ip:1', 'ip:2']));
  assert.deepEqual(owners(index, 'ip:1'), ['a', 'b', 'c']);
  assert.deepEqual(owners(index, 'ip:2', 'svc:x'), ['a', 'c']);
  // Replacing a file drops the keys it no longer has, and returns both sides.
  assert.deepEqual(index.set(file('c', ['ip:3'])), ['ip:1', 'ip:2', 'ip:3']);
  assert.deepEqual(owners(index, 'ip:1'), ['a', 'b']);
  assert.equal(index.hasKey('ip:2'), false);
  index.delete('b');
  assert.deepEqual(owners(index, 'ip:1'), ['a']);
  index.set(file('d', ['ip:1']));
  assert.deepEqual(owners(index, 'ip:1'), ['a', 'd']);
  index.delete('a');
  index.delete('d');
  assert.equal(index.hasKey('ip:1'), false);
  assert.equal(index.hasKey('svc:x'), false);
  assert.deepEqual(owners(index, 'ip:1', 'ip:3'), ['c']);
  assert.deepEqual(index.delete('missing'), []);
  assert.equal(index.size, 1);
});
