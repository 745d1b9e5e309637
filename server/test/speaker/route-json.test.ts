import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rib } from '../../src/rib';
import { RibRouteTable } from '../../src/rib-view';

// The fast JSON writer of many routes writes exactly what JSON.stringify of the engine Route does.

test('withinJson is JSON.stringify of within, route by route, with the cursor', () => {
  const rib = new Rib();
  const sets = [
    // ORIGIN, AS_PATH (AS_SEQUENCE 65001, AS_SET {65002}), NEXT_HOP, MED, LOCAL_PREF, COMMUNITIES
    new Uint8Array([
      0x40, 1, 1, 0, 0x40, 2, 8, 2, 1, 0xfd, 0xe9, 1, 1, 0xfd, 0xea, 0x40, 3, 4, 10, 0, 0, 2, 0x80, 4, 4, 0, 0, 0, 7,
      0x40, 5, 4, 0, 0, 0, 100, 0xc0, 8, 4, 0xfd, 0xe9, 0, 1,
    ]),
    // ORIGIN incomplete, empty AS_PATH, NEXT_HOP
    new Uint8Array([0x40, 1, 1, 2, 0x40, 2, 0, 0x40, 3, 4, 10, 0, 0, 3]),
  ].map((b) => rib.attributeSets.intern(b));
  for (let i = 0; i < 40; i++) {
    const prefix = { family: 4 as const, address: (0x0a000000 + (i << 8)) >>> 0, length: 24 };
    rib.announce(1, prefix, 0, sets[i % 2]!, 1_700_000_000 + i);
    if (i % 3 === 0) rib.announce(2, prefix, 5, sets[(i + 1) % 2]!, 1_700_000_000);
  }
  rib.markStale(2);
  rib.announce(3, { family: 6, address: 0x20010db8n << 96n, length: 32 }, 0, sets[0]!, 1_700_000_000);
  const table = new RibRouteTable(rib, (id) => `192.0.2.${id}`, 'test');
  for (const [within, limit, after] of [
    ['0.0.0.0/0', 100, undefined],
    ['10.0.0.0/16', 7, '10.0.3.0/24'],
    ['::/0', 5, undefined],
  ] as const) {
    const objects = table.within(within, limit, after);
    const texts = table.withinJson(within, limit, after);
    assert.ok(objects && texts);
    assert.deepEqual(
      texts.routes,
      objects.routes.map((r) => JSON.stringify(r)),
    );
    assert.equal(texts.truncated, objects.truncated);
    assert.equal(texts.last, objects.routes.at(-1)?.prefix);
  }
  assert.equal(table.withinJson('10.0.0.0/8', 5, '::/0'), undefined, 'a cursor of another family');
});
