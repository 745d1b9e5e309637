import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPrefix, ipv4Prefix, ipv6Prefix, type Prefix } from '../../src/bgp';
import { Rib } from '../../src/rib';
import { ReferenceRib, prng } from './reference';

/**
 * Randomized model test: thousands of seeded random operations on the Rib and on a naive
 * reference (Map + linear scans), with every query compared at checkpoints. Prefixes come from
 * small pools clustered around a few bases, so they nest and overlap a lot.
 */

const OPERATIONS = 4000;
const CHECK_EVERY = 250;
const PEERS = [1, 2, 3];
const PATH_IDS = [0, 1, 7];

/** Address order, then length: the order of covered() and of its `after` cursor. */
function walkOrder(a: Prefix, b: Prefix): number {
  const x = BigInt(a.address);
  const y = BigInt(b.address);
  return x === y ? a.length - b.length : x < y ? -1 : 1;
}

function pools(random: () => number): { v4: Prefix[]; v6: Prefix[] } {
  const u32 = () => Math.floor(random() * 4294967296);
  const v4 = new Map<string, Prefix>();
  const v4Bases = [0x0a000000, 0x0a010200, 0xc0a80000, 0x00000000, 0xffffff00];
  const add4 = (prefix: Prefix) => v4.set(formatPrefix(prefix), prefix);
  add4(ipv4Prefix(0, 0));
  add4(ipv4Prefix(0xffffffff, 32));
  while (v4.size < 160) {
    const base = v4Bases[Math.floor(random() * v4Bases.length)]!;
    const spread = Math.floor(random() * 25); // vary only the low `spread` bits
    const address = (base ^ (u32() & (spread === 0 ? 0 : (1 << spread) - 1))) >>> 0;
    add4(ipv4Prefix(address, Math.floor(random() * 33)));
  }
  const v6 = new Map<string, Prefix>();
  const add6 = (prefix: Prefix) => v6.set(formatPrefix(prefix), prefix);
  const v6Bases = [0x20010db8n << 96n, (0x20010db8n << 96n) | (0x8000n << 48n), 0xfe80n << 112n, 0n];
  add6(ipv6Prefix(0n, 0));
  add6(ipv6Prefix(0x20010db8n << 96n, 128));
  add6(ipv6Prefix((0x20010db8n << 96n) | 1n, 128)); // differs from the previous one in the last bit only
  while (v6.size < 120) {
    const base = v6Bases[Math.floor(random() * v6Bases.length)]!;
    const noise = (BigInt(u32()) << 96n) | (BigInt(u32()) << 64n) | (BigInt(u32()) << 32n) | BigInt(u32());
    const spread = BigInt(Math.floor(random() * 100));
    const address = base ^ (noise & ((1n << spread) - 1n));
    const length = random() < 0.3 ? 128 - Math.floor(random() * 4) : Math.floor(random() * 129);
    add6(ipv6Prefix(address, length));
  }
  return { v4: [...v4.values()], v6: [...v6.values()] };
}

for (const seed of [1, 2, 3, 4]) {
  test(`randomized model test, seed ${seed}: ${OPERATIONS} operations agree with the reference implementation`, () => {
    const random = prng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const { v4, v6 } = pools(random);
    const all = [...v4, ...v6];
    const rib = new Rib();
    const store = rib.attributeSets;
    const reference = new ReferenceRib();
    const attributeBytes = Array.from(
      { length: 6 },
      (_, i) => new Uint8Array([0x40, 1, 1, i % 3, 0x40, 5, 4, 0, 0, 0, i]),
    );
    let checks = 0;

    const check = (label: string) => {
      for (const prefix of all) {
        const what = `${label}: ${formatPrefix(prefix)}`;
        assert.deepEqual(rib.exact(prefix), reference.exact(prefix), `exact ${what}`);
        assert.deepEqual(rib.covering(prefix), reference.covering(prefix), `covering ${what}`);
        const limit = random() < 0.3 ? Math.floor(random() * 4) : undefined;
        assert.deepEqual(
          rib.covered(prefix, limit),
          reference.covered(prefix, limit),
          `covered ${what} limit ${limit}`,
        );
        // A paged read: everything after a cursor (any prefix of the same family, stored or not).
        const after = pick(prefix.family === 4 ? v4 : v6);
        const afterLimit = random() < 0.5 ? 1 + Math.floor(random() * 5) : undefined;
        assert.deepEqual(
          rib.covered(prefix, afterLimit, after),
          reference
            .covered(prefix)
            .filter((v) => walkOrder(v.prefix, after) > 0)
            .slice(0, afterLimit),
          `covered ${what} after ${formatPrefix(after)} limit ${afterLimit}`,
        );
        checks += 4;
      }
      for (let i = 0; i < 60; i++) {
        // Addresses inside pool prefixes (random host bits), and anywhere.
        const base = pick(v4);
        const a4 =
          i % 3 === 0
            ? Math.floor(random() * 4294967296)
            : ((base.address as number) | Math.floor(random() * 2 ** (32 - base.length))) >>> 0;
        assert.deepEqual(rib.longestMatch(4, a4), reference.longestMatch(4, a4), `${label}: longestMatch ${a4}`);
        const base6 = pick(v6);
        const host = 128 - base6.length;
        const a6 =
          (base6.address as bigint) |
          (BigInt(Math.floor(random() * 2 ** Math.min(host, 30))) << BigInt(Math.max(0, host - 30)));
        assert.deepEqual(rib.longestMatch(6, a6), reference.longestMatch(6, a6), `${label}: longestMatch ${a6}`);
        checks += 2;
      }
      for (const family of [4, 6] as const) {
        assert.equal(rib.prefixCount(family), reference.prefixCount(family), `${label}: prefixCount ${family}`);
        for (const peer of PEERS)
          assert.equal(
            rib.pathCount(peer, family),
            reference.pathCount(peer, family),
            `${label}: pathCount ${peer} ${family}`,
          );
      }
      const uses = reference.attributeUses();
      assert.equal(store.size, uses.size, `${label}: live attribute sets`);
      for (const [id, count] of uses) assert.equal(store.refCount(id), count, `${label}: references to set ${id}`);
    };

    const counts = { added: 0, replaced: 0, unchanged: 0, withdrawn: 0, missed: 0, stale: 0, swept: 0, removed: 0 };
    for (let op = 1; op <= OPERATIONS; op++) {
      const r = random();
      const prefix = pick(random() < 0.6 ? v4 : v6);
      const peer = pick(PEERS);
      const pathId = pick(PATH_IDS);
      if (r < 0.6) {
        const id = store.intern(pick(attributeBytes));
        const time = Math.floor(random() * 1000);
        const result = rib.announce(peer, prefix, pathId, id, time);
        assert.equal(result, reference.announce(peer, prefix, pathId, id, time), `op ${op}: announce`);
        store.release(id);
        counts[result]++;
      } else if (r < 0.985) {
        const removed = rib.withdraw(peer, prefix, pathId);
        assert.equal(removed, reference.withdraw(peer, prefix, pathId), `op ${op}: withdraw`);
        counts[removed ? 'withdrawn' : 'missed']++;
      } else if (r < 0.991) {
        const n = rib.markStale(peer);
        assert.equal(n, reference.markStale(peer), `op ${op}: markStale`);
        assert.equal(
          n,
          rib.pathCount(peer, 4) + rib.pathCount(peer, 6),
          `op ${op}: markStale marks every path of the peer`,
        );
        counts.stale += n;
      } else if (r < 0.997) {
        const n = rib.sweepStale(peer);
        assert.equal(n, reference.sweepStale(peer), `op ${op}: sweepStale`);
        counts.swept += n;
      } else {
        const n = rib.removePeer(peer);
        assert.equal(n, reference.removePeer(peer), `op ${op}: removePeer`);
        counts.removed += n;
      }
      if (op % CHECK_EVERY === 0) check(`seed ${seed} op ${op}`);
    }
    // The run exercised every kind of operation.
    for (const [kind, n] of Object.entries(counts)) assert.ok(n > 0, `no ${kind} operation happened`);
    assert.ok(checks > 10_000);
  });
}
