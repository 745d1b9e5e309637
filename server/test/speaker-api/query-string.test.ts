import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeQuery, splitTarget } from '../../src/speaker-api';

// The query strings of the pure API module agree with URLSearchParams, which it cannot use.

const values = ['10.0.0.0/8', '2001:db8::/32', 'a b', 'a+b', '100%', 'x&y=z', 'é', '', '#hash', '?q'];

test('encodeQuery then splitTarget gives every value back', () => {
  for (const v of values) {
    const { path, query } = splitTarget(`/p${encodeQuery({ k: v, n: 3 })}`);
    assert.equal(path, '/p');
    assert.equal(query.get('k'), v, JSON.stringify(v));
    assert.equal(query.get('n'), '3');
  }
});

test('splitTarget reads what URLSearchParams writes, and the other way round', () => {
  for (const v of values) {
    const params = new URLSearchParams({ k: v });
    assert.equal(splitTarget(`/p?${params.toString()}`).query.get('k'), v, JSON.stringify(v));
    assert.equal(new URLSearchParams(encodeQuery({ k: v }).slice(1)).get('k'), v, JSON.stringify(v));
  }
});

test('undefined values are left out; nothing left is no "?"', () => {
  assert.equal(encodeQuery({ a: undefined }), '');
  assert.equal(encodeQuery({ a: undefined, b: 1 }), '?b=1');
});

test('the first of repeated keys counts; a key without "=" is empty; a fragment is dropped', () => {
  const { path, query } = splitTarget('/v1/routes?prefix=1&prefix=2&flag#frag');
  assert.equal(path, '/v1/routes');
  assert.equal(query.get('prefix'), '1');
  assert.equal(query.get('flag'), '');
  assert.equal(query.size, 2);
});
