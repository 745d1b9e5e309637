import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rib } from '../../src/rib';
import { RibRouteTable } from '../../src/rib-view';
import { answerApiRequest, routesQuery, routesWithinChunks, type RouteStateSource } from '../../src/speaker-api';

// The byte writer of many routes writes exactly what JSON.stringify of the engine Route does,
// whatever the buffer size, and resumes after the last route it wrote.

const sets = [
  // ORIGIN, AS_PATH (AS_SEQUENCE 65001, AS_SET {65002}), NEXT_HOP, MED, LOCAL_PREF, COMMUNITIES
  [
    0x40, 1, 1, 0, 0x40, 2, 8, 2, 1, 0xfd, 0xe9, 1, 1, 0xfd, 0xea, 0x40, 3, 4, 10, 0, 0, 2, 0x80, 4, 4, 0, 0, 0, 7,
    0x40, 5, 4, 0, 0, 0, 100, 0xc0, 8, 4, 0xfd, 0xe9, 0, 1,
  ],
  // ORIGIN incomplete, empty AS_PATH, NEXT_HOP
  [0x40, 1, 1, 2, 0x40, 2, 0, 0x40, 3, 4, 10, 0, 0, 3],
  // ORIGIN igp, NEXT_HOP, COMMUNITIES 65004:0..59: a fragment longer than a cache slot
  [
    0x40,
    1,
    1,
    0,
    0x40,
    2,
    0,
    0x40,
    3,
    4,
    10,
    0,
    0,
    5,
    0xc0,
    8,
    240,
    ...Array.from({ length: 60 }, (_, k) => [0xfd, 0xec, 0, k]).flat(),
  ],
  // ORIGIN egp, AS_PATH 65003, NEXT_HOP, LARGE_COMMUNITIES 65003:1:2
  [
    0x40, 1, 1, 1, 0x40, 2, 6, 2, 1, 0, 0, 0xfd, 0xeb, 0x40, 3, 4, 10, 0, 0, 4, 0xc0, 32, 12, 0, 0, 0xfd, 0xeb, 0, 0, 0,
    1, 0, 0, 0, 2,
  ],
];

/** An UPDATE with no NLRI around the attributes: the RIB's canonical form. */
function canonical(attributes: readonly number[]): Uint8Array {
  const length = 23 + attributes.length;
  return new Uint8Array([
    ...new Array(16).fill(0xff),
    length >> 8,
    length & 255,
    2,
    0,
    0,
    attributes.length >> 8,
    attributes.length & 255,
    ...attributes,
  ]);
}

function table(): { rib: Rib; table: RibRouteTable; ids: number[] } {
  const rib = new Rib();
  const ids = sets.map((b) => rib.attributeSets.intern(canonical(b)));
  for (let i = 0; i < 40; i++) {
    const prefix = { family: 4 as const, address: (0x0a000000 + (i << 8)) >>> 0, length: 24 };
    rib.announce(1, prefix, 0, ids[i % 2]!, 1_700_000_000 + i);
    if (i % 3 === 0) rib.announce(2, prefix, 5, ids[(i + 1) % 2]!, 1_700_000_000);
  }
  rib.announce(1, { family: 4, address: 0x0a000000, length: 8 }, 0, ids[3]!, 1_700_000_000);
  rib.announce(1, { family: 4, address: 0x0ac80000, length: 16 }, 0, ids[2]!, 1_700_000_000);
  rib.announce(2, { family: 4, address: 0x0ac80000, length: 16 }, 0, ids[2]!, 1_700_000_000);
  rib.markStale(2);
  rib.announce(3, { family: 6, address: 0x20010db8n << 96n, length: 32 }, 0, ids[0]!, 1_700_000_000);
  rib.announce(3, { family: 6, address: (0x20010db8n << 96n) | (1n << 64n), length: 64 }, 7, ids[3]!, 1_700_000_000);
  return { rib, table: new RibRouteTable(rib, (id) => (id === 3 ? 'bmp "é"' : `192.0.2.${id}`), 'test'), ids };
}

function source(t: RibRouteTable): RouteStateSource {
  return {
    peers: () => [],
    lookup: (ip) => t.lookupText(ip),
    routesExact: (p) => t.exact(p),
    routesWithin: (p, limit, after) => t.within(p, limit, after),
    routesWithinWriter: (p, after) => t.withinWriter(p, after),
  };
}

/** Every chunk of a streamed answer, concatenated. */
function streamed(s: RouteStateSource, within: string, limit: number, after?: string): string {
  const chunks = routesWithinChunks(s, { within, limit, after });
  assert.ok('next' in chunks, 'a stream, not an error');
  const parts: Buffer[] = [];
  for (let c = chunks.next(); c !== undefined; c = chunks.next()) {
    parts.push(Buffer.from(c));
    if (typeof c !== 'string') chunks.release(c);
  }
  return Buffer.concat(parts).toString('utf8');
}

/** What JSON.stringify of the routes gives, in the streamed answer's shape. */
function expected(s: RouteStateSource, within: string, limit: number, after?: string): string {
  const whole = answerApiRequest(s, 'GET', routesQuery({ within, limit, after })).body as {
    routes: unknown[];
    truncated: boolean;
    next?: string;
  };
  const tail = whole.truncated ? `],"truncated":true,"next":${JSON.stringify(whole.next)}}` : ']}';
  return `{"routes":[${whole.routes.map((r) => JSON.stringify(r)).join(',')}${tail}\n`;
}

for (const [within, limit, after] of [
  ['0.0.0.0/0', 100, undefined],
  ['0.0.0.0/0', 41, undefined],
  ['0.0.0.0/0', 40, undefined],
  ['10.0.0.0/16', 7, '10.0.3.0/24'],
  ['10.0.0.0/8', 3, '10.0.0.0/8'],
  ['::/0', 5, undefined],
  ['::/0', 1, undefined],
] as const) {
  test(`within ${within} limit ${limit} after ${after}: the bytes are JSON.stringify of each route`, () => {
    const t = table();
    const s = source(t.table);
    assert.equal(streamed(s, within, limit, after), expected(s, within, limit, after));
  });
}

test('buffers of any size: routes split across writes, a route larger than a buffer on its own', () => {
  const t = table();
  assert.equal(t.table.exact('10.200.0.0/16')?.[0]?.paths[0]?.communities.length, 60, 'the large set decodes');
  const whole = expected(source(t.table), '0.0.0.0/0', 100);
  for (const size of [1, 50, 300, 301, 1000, 4096]) {
    const writer = t.table.withinWriter('0.0.0.0/0');
    assert.ok(writer);
    let text = '';
    let big = 0;
    while (!writer.done) {
      let out = new Uint8Array(size);
      let end = writer.write(out, 0, 100);
      if (end === 0 && !writer.done) {
        assert.ok(writer.needs > size, `needs ${writer.needs} > ${size}`);
        out = new Uint8Array(writer.needs);
        end = writer.write(out, 0, 1);
        big++;
      }
      assert.ok(end > 0 || writer.done, 'progress');
      text += Buffer.from(out.subarray(0, end)).toString('utf8');
    }
    assert.equal(`{"routes":[${text}]}\n`, whole, `buffers of ${size} bytes`);
    if (size <= 50) assert.ok(big > 0, `buffers of ${size}: routes wrote alone`);
    if (size >= 4096) assert.equal(big, 0, `buffers of ${size}: no route wrote alone`);
    if (size === 1000) assert.equal(big, 1, 'buffers of 1000: the route with two 60-community paths wrote alone');
  }
});

test('the RIB changes between writes: the writer resumes after the last route it wrote', () => {
  const t = table();
  const writer = t.table.withinWriter('10.0.0.0/16');
  assert.ok(writer);
  const out = new Uint8Array(1 << 16);
  let end = writer.write(out, 0, 2);
  assert.equal(writer.last, '10.0.1.0/24');
  // The next route goes and one appears behind the cursor: neither changes what comes next.
  t.rib.withdraw(1, { family: 4, address: 0x0a000200, length: 24 }, 0);
  t.rib.announce(4, { family: 4, address: 0x0a000080, length: 25 }, 0, t.ids[1]!, 1_700_000_000);
  end = writer.write(out, end, 1);
  const text = Buffer.from(out.subarray(0, end)).toString('utf8');
  assert.deepEqual(
    JSON.parse(`[${text}]`).map((r: { prefix: string }) => r.prefix),
    ['10.0.0.0/24', '10.0.1.0/24', '10.0.3.0/24'],
  );
});

test('an attribute set id freed and reused for other attributes is rendered anew', () => {
  const rib = new Rib();
  const t = new RibRouteTable(rib, () => 'p', 'test');
  const prefix = { family: 4 as const, address: 0x0a000000, length: 24 };
  const first = rib.attributeSets.intern(canonical(sets[0]!));
  rib.announce(1, prefix, 0, first, 1_700_000_000);
  rib.attributeSets.release(first);
  const before = streamed(source(t), '0.0.0.0/0', 10);
  assert.equal(before, expected(source(t), '0.0.0.0/0', 10));
  rib.withdraw(1, prefix, 0);
  const second = rib.attributeSets.intern(canonical(sets[3]!));
  assert.equal(second, first, 'the id is reused');
  rib.announce(1, prefix, 0, second, 1_700_000_000);
  assert.equal(streamed(source(t), '0.0.0.0/0', 10), expected(source(t), '0.0.0.0/0', 10));
});

test('a malformed prefix or a cursor of another family is a 400 before any byte', () => {
  const s = source(table().table);
  assert.equal(
    (routesWithinChunks(s, { within: '10.0.0.0/8', limit: 5, after: '::/0' }) as { status: number }).status,
    400,
  );
  assert.equal(
    (routesWithinChunks(s, { within: '10.0.0.1/8', limit: 5, after: undefined }) as { status: number }).status,
    400,
  );
});

test('receivedAt is Date.toISOString of every uint32 second, leap days and the last second included', () => {
  const rib = new Rib();
  const t = new RibRouteTable(rib, () => 'p', 'test');
  const set = rib.attributeSets.intern(canonical(sets[1]!));
  const seconds = [0, 59, 86399, 86400, 951782400, 951868799, 4107542400, 1709164800, 1735689599, 0xffffffff];
  for (let i = 0; seconds.length < 300; i++) seconds.push(Math.floor(((i * 2654435761) % 4294967296) / 1) >>> 0);
  seconds.forEach((s, i) => {
    rib.announce(1, { family: 4, address: (0x0a000000 + (i << 8)) >>> 0, length: 24 }, 0, set, s);
  });
  assert.equal(streamed(source(t), '0.0.0.0/0', 1000), expected(source(t), '0.0.0.0/0', 1000));
});
