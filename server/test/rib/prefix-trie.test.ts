import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPrefix, ipv4Prefix, ipv6Prefix, type Ipv4Prefix, type Ipv6Prefix } from '../../src/bgp';
import { PrefixTrie } from '../../src/rib';
import { comparePrefixes, contains, p, prng } from './reference';

const v4 = (text: string) => p(text) as Ipv4Prefix;
const v6 = (text: string) => p(text) as Ipv6Prefix;
const show = (entries: { prefix: Ipv4Prefix | Ipv6Prefix; value: number }[]) =>
  entries.map((e) => `${formatPrefix(e.prefix)}=${e.value}`);

test('PrefixTrie (IPv4): set, get, replace, delete, and queries with values', () => {
  const trie = new PrefixTrie(4);
  trie.set(v4('10.0.0.0/8'), 1);
  trie.set(v4('10.1.0.0/16'), 2);
  trie.set(v4('0.0.0.0/0'), 3);
  trie.set(v4('10.1.0.0/16'), 4); // replace
  assert.equal(trie.size, 3);
  assert.equal(trie.get(v4('10.1.0.0/16')), 4);
  assert.equal(trie.get(v4('10.1.0.0/17')), undefined);
  assert.equal(trie.has(v4('0.0.0.0/0')), true);
  assert.deepEqual(show(trie.covering(v4('10.1.2.0/24'))), ['0.0.0.0/0=3', '10.0.0.0/8=1', '10.1.0.0/16=4']);
  assert.deepEqual(show(trie.covered(v4('10.0.0.0/8'))), ['10.0.0.0/8=1', '10.1.0.0/16=4']);
  assert.deepEqual(trie.longestMatch(0x0a010203), { prefix: v4('10.1.0.0/16'), value: 4 });
  assert.deepEqual(trie.longestMatch(0x0b000000), { prefix: v4('0.0.0.0/0'), value: 3 });
  assert.equal(trie.delete(v4('10.1.0.0/16')), true);
  assert.equal(trie.delete(v4('10.1.0.0/16')), false);
  assert.deepEqual(trie.longestMatch(0x0a010203), { prefix: v4('10.0.0.0/8'), value: 1 });
  assert.throws(() => trie.set(v4('10.0.0.0/8'), -1), RangeError);

  // The root itself does not match: a trie whose top node is a /1.
  const half = new PrefixTrie(4);
  half.set(v4('0.0.0.0/1'), 1);
  half.set(v4('10.0.0.0/8'), 2);
  assert.equal(half.longestMatch(0xc8000001), undefined);
  assert.equal(half.longestMatch(0x0b000001)?.value, 1);
  assert.equal(half.longestMatch(0x0a000001)?.value, 2);
  const host = new PrefixTrie(4);
  host.set(v4('255.255.255.255/32'), 1);
  assert.equal(host.longestMatch(0xffffffff)?.value, 1);
  assert.equal(host.longestMatch(0xfffffffe), undefined);
  assert.equal(host.longestMatch(0), undefined);
  assert.throws(() => trie.get(v6('::/0') as never), RangeError, 'an IPv6 prefix in an IPv4 trie');
});

test('PrefixTrie (IPv6): keys use all four words', () => {
  const trie = new PrefixTrie(6);
  const prefixes = [
    '::/0',
    '::/128',
    '::1/128',
    '8000::/1',
    'ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127',
    'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128',
    '2001:db8::/32',
    '2001:db8:0:0:1::/80',
  ];
  prefixes.forEach((text, i) => trie.set(v6(text), i));
  assert.equal(trie.size, prefixes.length);
  prefixes.forEach((text, i) => assert.equal(trie.get(v6(text)), i, text));
  assert.deepEqual(trie.longestMatch(1n)?.value, 2);
  assert.deepEqual(trie.longestMatch(2n)?.value, 0);
  assert.deepEqual(trie.longestMatch((1n << 128n) - 1n)?.value, 5);
  assert.deepEqual(trie.longestMatch((1n << 128n) - 2n)?.value, 4);
  assert.deepEqual(trie.longestMatch((1n << 128n) - 3n)?.value, 3);
  assert.deepEqual(trie.longestMatch((0x20010db8n << 96n) | (1n << 48n) | 5n)?.value, 7);
  assert.deepEqual(show(trie.covered(v6('::/1'))), [
    '::/128=1',
    '::1/128=2',
    '2001:db8::/32=6',
    '2001:db8:0:0:1::/80=7',
  ]);
  assert.deepEqual(show(trie.covered(v6('8000::/1'))), [
    '8000::/1=3',
    'ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127=4',
    'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128=5',
  ]);
  assert.deepEqual(show(trie.covered(v6('::/0'), 3)), ['::/0=0', '::/128=1', '::1/128=2']);
});

test('PrefixTrie: glue nodes come and go, at most 2N - 1 nodes, nothing left after deleting all', () => {
  const random = prng(7);
  for (const family of [4, 6] as const) {
    const trie = new PrefixTrie(family);
    const stored = new Map<string, { prefix: Ipv4Prefix | Ipv6Prefix; value: number }>();
    for (let i = 0; i < 3000; i++) {
      const length = Math.floor(random() * (family === 4 ? 33 : 129));
      const prefix =
        family === 4
          ? ipv4Prefix(Math.floor(random() * 4294967296) & 0xff0fffff, length)
          : ipv6Prefix(
              (BigInt(Math.floor(random() * 4294967296)) << 96n) | BigInt(Math.floor(random() * 4294967296)),
              length,
            );
      const key = formatPrefix(prefix);
      if (random() < 0.35 && stored.has(key)) {
        assert.equal((trie as PrefixTrie<4 | 6>).delete(prefix), true);
        stored.delete(key);
      } else {
        (trie as PrefixTrie<4 | 6>).set(prefix, i);
        stored.set(key, { prefix, value: i });
      }
      assert.equal(trie.size, stored.size);
      assert.ok(
        trie.nodeCount <= Math.max(0, 2 * stored.size - 1),
        `nodes ${trie.nodeCount} for ${stored.size} prefixes`,
      );
    }
    const everything = (trie as PrefixTrie<4 | 6>).covered(family === 4 ? v4('0.0.0.0/0') : v6('::/0'));
    const expected = [...stored.values()].sort((a, b) => comparePrefixes(a.prefix, b.prefix));
    assert.deepEqual(everything, expected, 'covered(/0) lists everything in address order');
    for (const { prefix } of stored.values()) {
      const covering = (trie as PrefixTrie<4 | 6>).covering(prefix);
      assert.deepEqual(
        covering.map((e) => formatPrefix(e.prefix)),
        expected.filter((e) => contains(e.prefix, prefix)).map((e) => formatPrefix(e.prefix)),
      );
    }
    const before = trie.memoryBytes();
    for (const { prefix } of stored.values()) assert.equal((trie as PrefixTrie<4 | 6>).delete(prefix), true);
    assert.equal(trie.size, 0);
    assert.equal(trie.nodeCount, 0);
    assert.equal(trie.longestMatch((family === 4 ? 0 : 0n) as never), undefined);
    assert.equal(trie.memoryBytes(), before, 'deleting does not reallocate');
  }
});
