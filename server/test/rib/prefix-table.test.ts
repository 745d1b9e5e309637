import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPrefix, ipv4Prefix, ipv6Prefix, type Ipv4Prefix, type Ipv6Prefix } from '../../src/bgp';
import { BLOCK, PrefixTable } from '../../src/rib/prefix-table';
import { comparePrefixes, contains, p, prng } from './reference';

const v4 = (text: string) => p(text) as Ipv4Prefix;
const v6 = (text: string) => p(text) as Ipv6Prefix;
const show = (entries: { prefix: Ipv4Prefix | Ipv6Prefix; value: number }[]) =>
  entries.map((e) => `${formatPrefix(e.prefix)}=${e.value}`);

test('PrefixTable (IPv4): set, get, replace, delete, and queries with values', () => {
  const table = new PrefixTable(4);
  table.set(v4('10.0.0.0/8'), 1);
  table.set(v4('10.1.0.0/16'), 2);
  table.set(v4('0.0.0.0/0'), 3);
  table.set(v4('10.1.0.0/16'), 4); // replace
  assert.equal(table.size, 3);
  assert.equal(table.get(v4('10.1.0.0/16')), 4);
  assert.equal(table.get(v4('10.1.0.0/17')), undefined);
  assert.equal(table.has(v4('0.0.0.0/0')), true);
  assert.deepEqual(show(table.covering(v4('10.1.2.0/24'))), ['0.0.0.0/0=3', '10.0.0.0/8=1', '10.1.0.0/16=4']);
  assert.deepEqual(show(table.covered(v4('10.0.0.0/8'))), ['10.0.0.0/8=1', '10.1.0.0/16=4']);
  assert.deepEqual(table.longestMatch(0x0a010203), { prefix: v4('10.1.0.0/16'), value: 4 });
  assert.deepEqual(table.longestMatch(0x0b000000), { prefix: v4('0.0.0.0/0'), value: 3 });
  assert.equal(table.delete(v4('10.1.0.0/16')), true);
  assert.equal(table.delete(v4('10.1.0.0/16')), false);
  assert.deepEqual(table.longestMatch(0x0a010203), { prefix: v4('10.0.0.0/8'), value: 1 });
  assert.throws(() => table.set(v4('10.0.0.0/8'), -1), RangeError);

  // The root itself does not match: a trie whose top node is a /1.
  const half = new PrefixTable(4);
  half.set(v4('0.0.0.0/1'), 1);
  half.set(v4('10.0.0.0/8'), 2);
  assert.equal(half.longestMatch(0xc8000001), undefined);
  assert.equal(half.longestMatch(0x0b000001)?.value, 1);
  assert.equal(half.longestMatch(0x0a000001)?.value, 2);
  const host = new PrefixTable(4);
  host.set(v4('255.255.255.255/32'), 1);
  assert.equal(host.longestMatch(0xffffffff)?.value, 1);
  assert.equal(host.longestMatch(0xfffffffe), undefined);
  assert.equal(host.longestMatch(0), undefined);
  assert.throws(() => table.get(v6('::/0') as never), RangeError, 'an IPv6 prefix in an IPv4 trie');
});

test('PrefixTable (IPv6): keys use all four words', () => {
  const table = new PrefixTable(6);
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
  prefixes.forEach((text, i) => table.set(v6(text), i));
  assert.equal(table.size, prefixes.length);
  prefixes.forEach((text, i) => assert.equal(table.get(v6(text)), i, text));
  assert.deepEqual(table.longestMatch(1n)?.value, 2);
  assert.deepEqual(table.longestMatch(2n)?.value, 0);
  assert.deepEqual(table.longestMatch((1n << 128n) - 1n)?.value, 5);
  assert.deepEqual(table.longestMatch((1n << 128n) - 2n)?.value, 4);
  assert.deepEqual(table.longestMatch((1n << 128n) - 3n)?.value, 3);
  assert.deepEqual(table.longestMatch((0x20010db8n << 96n) | (1n << 48n) | 5n)?.value, 7);
  assert.deepEqual(show(table.covered(v6('::/1'))), [
    '::/128=1',
    '::1/128=2',
    '2001:db8::/32=6',
    '2001:db8:0:0:1::/80=7',
  ]);
  assert.deepEqual(show(table.covered(v6('8000::/1'))), [
    '8000::/1=3',
    'ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127=4',
    'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128=5',
  ]);
  assert.deepEqual(show(table.covered(v6('::/0'), 3)), ['::/0=0', '::/128=1', '::1/128=2']);
});

/** Clustered random prefixes (they nest and share blocks), from a few bases, every length. */
function randomPrefix(family: 4 | 6, random: () => number): Ipv4Prefix | Ipv6Prefix {
  const u32 = () => Math.floor(random() * 4294967296);
  const spread = Math.floor(random() * 25);
  const noise = spread === 0 ? 0 : u32() & ((1 << spread) - 1);
  if (family === 4) {
    const base = [0x0a000000, 0x0a100000, 0xc0a80000, 0, 0xffff0000][Math.floor(random() * 5)]!;
    const length = random() < 0.6 ? 24 + Math.floor(random() * 9) : Math.floor(random() * 33);
    return ipv4Prefix((base ^ noise) >>> 0, length);
  }
  const base = [0x20010db8n << 96n, 0xfe80n << 112n, 0n][Math.floor(random() * 3)]!;
  const length = random() < 0.6 ? 40 + Math.floor(random() * 89) : Math.floor(random() * 129);
  return ipv6Prefix(base ^ (BigInt(noise) << BigInt(Math.floor(random() * 100))), length);
}

for (const family of [4, 6] as const) {
  test(`PrefixTable (IPv${family}): ${BLOCK}-entry blocks split, share, merge and empty; every query agrees with a sorted list`, () => {
    const random = prng(family * 11);
    const table = new PrefixTable(family) as PrefixTable<4 | 6>;
    const stored = new Map<string, { prefix: Ipv4Prefix | Ipv6Prefix; value: number }>();
    const keys: string[] = [];
    const check = (label: string) => {
      const expected = [...stored.values()].sort((a, b) => comparePrefixes(a.prefix, b.prefix));
      const root = family === 4 ? v4('0.0.0.0/0') : v6('::/0');
      assert.equal(table.size, stored.size, label);
      assert.deepEqual(table.covered(root), expected, `${label}: covered(/0) lists everything in order`);
      for (let k = 0; k < 200; k++) {
        const probe = randomPrefix(family, random);
        const covering = expected.filter((e) => contains(e.prefix, probe));
        assert.deepEqual(table.covering(probe), covering, `${label}: covering ${formatPrefix(probe)}`);
        const host = family === 4 ? ipv4Prefix(probe.address as number, 32) : ipv6Prefix(probe.address as bigint, 128);
        assert.deepEqual(
          table.longestMatch(probe.address as never),
          expected.filter((e) => contains(e.prefix, host)).at(-1),
          `${label}: longest match ${formatPrefix(host)}`,
        );
        const within = expected.filter((e) => contains(probe, e.prefix));
        assert.deepEqual(table.covered(probe, 5), within.slice(0, 5), `${label}: covered ${formatPrefix(probe)}`);
        const after = expected[Math.floor(random() * expected.length)]?.prefix ?? probe;
        assert.deepEqual(
          table.covered(probe, 7, after),
          within.filter((e) => comparePrefixes(e.prefix, after) > 0).slice(0, 7),
          `${label}: covered ${formatPrefix(probe)} after ${formatPrefix(after)}`,
        );
      }
      // No more blocks than half-full ones would take, plus the partly filled ends.
      assert.ok(
        table.blockCount <= Math.ceil(stored.size / (BLOCK / 2)) + 2,
        `${label}: ${table.blockCount} blocks for ${stored.size}`,
      );
    };
    const insert = (i: number) => {
      const prefix = randomPrefix(family, random);
      const key = formatPrefix(prefix);
      if (!stored.has(key)) keys.push(key);
      table.set(prefix, i);
      stored.set(key, { prefix, value: i });
    };
    const remove = () => {
      const at = Math.floor(random() * keys.length);
      const key = keys[at]!;
      keys[at] = keys[keys.length - 1]!;
      keys.pop();
      assert.equal(table.delete(stored.get(key)!.prefix), true);
      stored.delete(key);
    };
    // Grow to 16 blocks' worth at random places, churn, then thin out to 3 blocks' worth (blocks merge).
    for (let i = 0; stored.size < 16 * BLOCK; i++)
      if (random() < 0.1 && keys.length > 0) remove();
      else insert(i);
    check('grow');
    for (let i = 0; i < 8 * BLOCK; i++)
      if (random() < 0.5) remove();
      else insert(i);
    check('churn');
    while (stored.size > 3 * BLOCK) remove();
    check('thin');
    // A walk that deletes every other entry it visits, then everything left.
    let visits = 0;
    const before = stored.size;
    table.forEachNodeBySlot((n) => {
      if (visits++ % 2 === 0) {
        stored.delete(formatPrefix(table.nodePrefix(n)));
        table.deleteNode(n);
      }
    });
    assert.equal(visits, before);
    assert.equal(stored.size, before - Math.ceil(before / 2));
    check('after a deleting walk');
    for (const { prefix } of stored.values()) assert.equal(table.delete(prefix), true);
    assert.equal(table.size, 0);
    assert.equal(table.blockCount, 0);
    assert.equal(table.memoryBytes(), 0);
    assert.equal(table.longestMatch((family === 4 ? 0 : 0n) as never), undefined);
  });
}

test('PrefixTable: a table filled in address order packs its blocks full', () => {
  const table = new PrefixTable(4);
  const routes = 10 * BLOCK + 3;
  for (let i = 0; i < routes; i++) table.set(ipv4Prefix(0x0a000000 + i * 256, 24), i);
  assert.equal(table.blockCount, 11);
  assert.equal(table.memoryBytes(), 11 * BLOCK * 9);
  // Filled in a scattered order (a router's hash order), the blocks share entries before they split.
  const scattered = new PrefixTable(4);
  for (let i = 0; i < routes; i++) scattered.set(ipv4Prefix(0x0a000000 + ((i * 7919) % routes) * 256, 24), i);
  assert.equal(scattered.size, routes);
  assert.ok(scattered.blockCount <= 16, `${scattered.blockCount} blocks`);
});
