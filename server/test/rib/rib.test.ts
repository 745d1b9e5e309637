import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPrefix } from '../../src/bgp';
import { Rib, type AnnounceResult, type RouteView } from '../../src/rib';
import { address, p } from './reference';

/**
 * Table-driven RIB tests. Each scenario is a list of steps run against one fresh Rib; every
 * step asserts its result. Attribute sets are named (A, B, ...); the runner interns the name's
 * bytes for each announce and releases its own reference afterwards, as the speaker does.
 *
 * Routes are rendered as "PREFIX PATH PATH..." with a path as "peer#pathId=ATTR", then
 * "@receivedAt" when it is not 0, then "*" when stale.
 */
type Step =
  | [
      'announce',
      peer: number,
      prefix: string,
      pathId: number,
      attr: string,
      expect: AnnounceResult,
      receivedAt?: number,
    ]
  | ['withdraw', peer: number, prefix: string, pathId: number, expect: boolean]
  | ['markStale' | 'sweepStale' | 'removePeer', peer: number, expect: number]
  | ['markStaleIn' | 'sweepStaleIn', peer: number, family: 4 | 6, expect: number]
  | ['exact', prefix: string, expect: string | undefined]
  | ['lpm', address: string, expect: string | undefined]
  | ['covering', prefix: string, expect: string[]]
  | ['covered', prefix: string, expect: string[], limit?: number]
  | ['prefixes', family: 4 | 6, expect: number]
  | ['paths', peer: number, family: 4 | 6, expect: number]
  | ['refs', expect: Record<string, number>];

interface Scenario {
  name: string;
  steps: Step[];
}

const scenarios: Scenario[] = [
  {
    name: 'one family at a time: enhanced route refresh and per-family graceful restart',
    steps: [
      ['announce', 1, '10.0.0.0/8', 0, 'A', 'added'],
      ['announce', 1, '10.1.0.0/16', 0, 'A', 'added'],
      ['announce', 1, '2001:db8::/32', 0, 'B', 'added'],
      ['announce', 2, '10.0.0.0/8', 0, 'C', 'added'],
      ['markStaleIn', 1, 4, 2],
      ['exact', '10.0.0.0/8', '10.0.0.0/8 1#0=A* 2#0=C'],
      ['exact', '2001:db8::/32', '2001:db8::/32 1#0=B'],
      ['announce', 1, '10.1.0.0/16', 0, 'A', 'unchanged'],
      ['sweepStaleIn', 1, 4, 1],
      ['exact', '10.0.0.0/8', '10.0.0.0/8 2#0=C'],
      ['exact', '10.1.0.0/16', '10.1.0.0/16 1#0=A'],
      ['exact', '2001:db8::/32', '2001:db8::/32 1#0=B'],
      ['markStaleIn', 1, 6, 1],
      ['sweepStaleIn', 1, 4, 0],
      ['sweepStaleIn', 1, 6, 1],
      ['paths', 1, 4, 1],
      ['paths', 1, 6, 0],
      ['markStaleIn', 3, 4, 0],
    ],
  },
  {
    name: 'overlapping IPv4 prefixes: longest match falls back through /32, /24, /16, /8, /0',
    steps: [
      ['announce', 1, '0.0.0.0/0', 0, 'A', 'added'],
      ['announce', 1, '10.0.0.0/8', 0, 'B', 'added'],
      ['announce', 1, '10.1.0.0/16', 0, 'C', 'added'],
      ['announce', 1, '10.1.2.0/24', 0, 'D', 'added'],
      ['announce', 1, '10.1.2.3/32', 0, 'E', 'added'],
      ['prefixes', 4, 5],
      ['lpm', '10.1.2.3', '10.1.2.3/32 1#0=E'],
      ['lpm', '10.1.2.4', '10.1.2.0/24 1#0=D'],
      ['lpm', '10.1.3.1', '10.1.0.0/16 1#0=C'],
      ['lpm', '10.2.0.0', '10.0.0.0/8 1#0=B'],
      ['lpm', '11.0.0.1', '0.0.0.0/0 1#0=A'],
      ['lpm', '255.255.255.255', '0.0.0.0/0 1#0=A'],
      [
        'covering',
        '10.1.2.3/32',
        ['0.0.0.0/0 1#0=A', '10.0.0.0/8 1#0=B', '10.1.0.0/16 1#0=C', '10.1.2.0/24 1#0=D', '10.1.2.3/32 1#0=E'],
      ],
      ['covering', '10.1.2.0/24', ['0.0.0.0/0 1#0=A', '10.0.0.0/8 1#0=B', '10.1.0.0/16 1#0=C', '10.1.2.0/24 1#0=D']],
      ['covering', '10.1.2.128/25', ['0.0.0.0/0 1#0=A', '10.0.0.0/8 1#0=B', '10.1.0.0/16 1#0=C', '10.1.2.0/24 1#0=D']],
      ['covering', '0.0.0.0/0', ['0.0.0.0/0 1#0=A']],
      ['covered', '10.0.0.0/8', ['10.0.0.0/8 1#0=B', '10.1.0.0/16 1#0=C', '10.1.2.0/24 1#0=D', '10.1.2.3/32 1#0=E']],
      [
        'covered',
        '0.0.0.0/0',
        ['0.0.0.0/0 1#0=A', '10.0.0.0/8 1#0=B', '10.1.0.0/16 1#0=C', '10.1.2.0/24 1#0=D', '10.1.2.3/32 1#0=E'],
      ],
      ['covered', '10.1.0.0/16', ['10.1.0.0/16 1#0=C', '10.1.2.0/24 1#0=D'], 2],
      ['covered', '10.1.2.3/32', ['10.1.2.3/32 1#0=E']],
      ['covered', '10.1.2.128/25', []],
      ['covered', '10.1.2.0/24', [], 0],
      // Removing a middle level keeps the levels around it reachable.
      ['withdraw', 1, '10.1.0.0/16', 0, true],
      ['lpm', '10.1.3.1', '10.0.0.0/8 1#0=B'],
      ['lpm', '10.1.2.4', '10.1.2.0/24 1#0=D'],
      ['exact', '10.1.0.0/16', undefined],
      ['withdraw', 1, '0.0.0.0/0', 0, true],
      ['lpm', '11.0.0.1', undefined],
      ['covering', '10.1.2.3/32', ['10.0.0.0/8 1#0=B', '10.1.2.0/24 1#0=D', '10.1.2.3/32 1#0=E']],
      ['prefixes', 4, 3],
      ['prefixes', 6, 0],
    ],
  },
  {
    name: 'covered lists more specifics in address order, then length, whatever the insertion order',
    steps: [
      ['announce', 1, '10.255.255.255/32', 0, 'A', 'added'],
      ['announce', 1, '10.128.0.0/9', 0, 'A', 'added'],
      ['announce', 1, '10.0.1.0/24', 0, 'A', 'added'],
      ['announce', 1, '10.0.0.0/8', 0, 'A', 'added'],
      ['announce', 1, '11.0.0.0/8', 0, 'A', 'added'],
      ['announce', 1, '10.0.0.0/24', 0, 'A', 'added'],
      ['announce', 1, '10.64.0.0/10', 0, 'A', 'added'],
      ['announce', 1, '9.0.0.0/8', 0, 'A', 'added'],
      ['announce', 1, '10.0.0.0/16', 0, 'A', 'added'],
      ['announce', 1, '10.0.0.0/9', 0, 'A', 'added'],
      [
        'covered',
        '10.0.0.0/8',
        [
          '10.0.0.0/8 1#0=A',
          '10.0.0.0/9 1#0=A',
          '10.0.0.0/16 1#0=A',
          '10.0.0.0/24 1#0=A',
          '10.0.1.0/24 1#0=A',
          '10.64.0.0/10 1#0=A',
          '10.128.0.0/9 1#0=A',
          '10.255.255.255/32 1#0=A',
        ],
      ],
      ['covered', '10.0.0.0/15', ['10.0.0.0/16 1#0=A', '10.0.0.0/24 1#0=A', '10.0.1.0/24 1#0=A']],
      [
        'covered',
        '10.0.0.0/7',
        [
          '10.0.0.0/8 1#0=A',
          '10.0.0.0/9 1#0=A',
          '10.0.0.0/16 1#0=A',
          '10.0.0.0/24 1#0=A',
          '10.0.1.0/24 1#0=A',
          '10.64.0.0/10 1#0=A',
          '10.128.0.0/9 1#0=A',
          '10.255.255.255/32 1#0=A',
          '11.0.0.0/8 1#0=A',
        ],
      ],
      ['covered', '0.0.0.0/0', ['9.0.0.0/8 1#0=A', '10.0.0.0/8 1#0=A', '10.0.0.0/9 1#0=A'], 3],
      ['covered', '10.128.0.0/9', ['10.128.0.0/9 1#0=A', '10.255.255.255/32 1#0=A']],
      ['covered', '12.0.0.0/8', []],
      ['refs', { A: 10 }],
    ],
  },
  {
    name: 'glue nodes are not routes: a prefix only joining two others is neither found nor withdrawn',
    steps: [
      ['announce', 1, '10.0.0.0/8', 0, 'A', 'added'],
      ['announce', 1, '11.0.0.0/8', 0, 'A', 'added'],
      ['exact', '10.0.0.0/7', undefined],
      ['withdraw', 1, '10.0.0.0/7', 0, false],
      ['covering', '10.0.0.0/8', ['10.0.0.0/8 1#0=A']],
      ['lpm', '10.0.0.1', '10.0.0.0/8 1#0=A'],
      ['lpm', '12.0.0.1', undefined],
      // The glue prefix becomes a route, then stops being one again.
      ['announce', 2, '10.0.0.0/7', 0, 'B', 'added'],
      ['exact', '10.0.0.0/7', '10.0.0.0/7 2#0=B'],
      ['covering', '11.0.0.0/8', ['10.0.0.0/7 2#0=B', '11.0.0.0/8 1#0=A']],
      ['withdraw', 2, '10.0.0.0/7', 0, true],
      ['exact', '10.0.0.0/7', undefined],
      ['covered', '10.0.0.0/7', ['10.0.0.0/8 1#0=A', '11.0.0.0/8 1#0=A']],
      ['prefixes', 4, 2],
    ],
  },
  {
    name: 'withdraw of an unknown prefix, peer or path id changes nothing',
    steps: [
      ['withdraw', 1, '10.0.0.0/8', 0, false],
      ['withdraw', 1, '::/0', 0, false],
      ['announce', 1, '10.0.0.0/8', 7, 'A', 'added'],
      ['withdraw', 1, '10.0.0.0/9', 7, false],
      ['withdraw', 1, '0.0.0.0/0', 7, false],
      ['withdraw', 1, '10.0.0.0/8', 0, false],
      ['withdraw', 2, '10.0.0.0/8', 7, false],
      ['exact', '10.0.0.0/8', '10.0.0.0/8 1#7=A'],
      ['paths', 1, 4, 1],
      ['refs', { A: 1 }],
      ['withdraw', 1, '10.0.0.0/8', 7, true],
      ['withdraw', 1, '10.0.0.0/8', 7, false],
      ['prefixes', 4, 0],
      ['paths', 1, 4, 0],
      ['refs', { A: 0 }],
    ],
  },
  {
    name: 'IPv6: /0, /32, /64, /65, /128 and two /128s differing only in the last bit',
    steps: [
      ['announce', 1, '::/0', 0, 'A', 'added'],
      ['announce', 1, '2001:db8::/32', 0, 'B', 'added'],
      ['announce', 1, '2001:db8::/64', 0, 'C', 'added'],
      ['announce', 1, '2001:db8::1/128', 0, 'E', 'added'],
      ['announce', 1, '2001:db8::/128', 0, 'D', 'added'],
      ['announce', 1, '2001:db8:0:1::/64', 0, 'F', 'added'],
      ['announce', 1, '2001:db8::8000:0:0:0/65', 0, 'G', 'added'],
      ['prefixes', 6, 7],
      ['prefixes', 4, 0],
      ['exact', '2001:db8::/128', '2001:db8::/128 1#0=D'],
      ['exact', '2001:db8::1/128', '2001:db8::1/128 1#0=E'],
      ['exact', '2001:db8::2/128', undefined],
      ['exact', '2001:db8::/127', undefined],
      ['lpm', '2001:db8::1', '2001:db8::1/128 1#0=E'],
      ['lpm', '2001:db8::', '2001:db8::/128 1#0=D'],
      ['lpm', '2001:db8::2', '2001:db8::/64 1#0=C'],
      ['lpm', '2001:db8::8000:0:0:1', '2001:db8:0:0:8000::/65 1#0=G'],
      ['lpm', '2001:db8:0:1::5', '2001:db8:0:1::/64 1#0=F'],
      ['lpm', '2001:db8:1::', '2001:db8::/32 1#0=B'],
      ['lpm', '2001:db9::', '::/0 1#0=A'],
      ['lpm', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', '::/0 1#0=A'],
      ['lpm', '10.0.0.1', undefined],
      [
        'covering',
        '2001:db8::1/128',
        ['::/0 1#0=A', '2001:db8::/32 1#0=B', '2001:db8::/64 1#0=C', '2001:db8::1/128 1#0=E'],
      ],
      [
        'covered',
        '2001:db8::/64',
        ['2001:db8::/64 1#0=C', '2001:db8::/128 1#0=D', '2001:db8::1/128 1#0=E', '2001:db8:0:0:8000::/65 1#0=G'],
      ],
      ['covered', '2001:db8::/127', ['2001:db8::/128 1#0=D', '2001:db8::1/128 1#0=E']],
      [
        'covered',
        '::/0',
        ['::/0 1#0=A', '2001:db8::/32 1#0=B', '2001:db8::/64 1#0=C', '2001:db8::/128 1#0=D', '2001:db8::1/128 1#0=E'],
        5,
      ],
      ['withdraw', 1, '2001:db8::/128', 0, true],
      ['lpm', '2001:db8::', '2001:db8::/64 1#0=C'],
      ['lpm', '2001:db8::1', '2001:db8::1/128 1#0=E'],
      ['withdraw', 1, '2001:db8::/64', 0, true],
      ['lpm', '2001:db8::2', '2001:db8::/32 1#0=B'],
      ['covered', '2001:db8::/64', ['2001:db8::1/128 1#0=E', '2001:db8:0:0:8000::/65 1#0=G']],
      ['prefixes', 6, 5],
      ['paths', 1, 6, 5],
      ['paths', 1, 4, 0],
    ],
  },
  {
    name: 'ADD-PATH: two paths of one prefix from one peer, and paths from two peers, sorted by peer then path id',
    steps: [
      ['announce', 2, '10.0.0.0/24', 0, 'A', 'added'],
      ['announce', 1, '10.0.0.0/24', 2, 'B', 'added'],
      ['announce', 1, '10.0.0.0/24', 1, 'A', 'added'],
      ['exact', '10.0.0.0/24', '10.0.0.0/24 1#1=A 1#2=B 2#0=A'],
      ['lpm', '10.0.0.9', '10.0.0.0/24 1#1=A 1#2=B 2#0=A'],
      ['prefixes', 4, 1],
      ['paths', 1, 4, 2],
      ['paths', 2, 4, 1],
      ['refs', { A: 2, B: 1 }],
      ['announce', 1, '10.0.0.0/24', 2, 'A', 'replaced'],
      ['refs', { A: 3, B: 0 }],
      ['withdraw', 1, '10.0.0.0/24', 1, true],
      ['exact', '10.0.0.0/24', '10.0.0.0/24 1#2=A 2#0=A'],
      ['withdraw', 1, '10.0.0.0/24', 1, false],
      ['withdraw', 2, '10.0.0.0/24', 0, true],
      ['exact', '10.0.0.0/24', '10.0.0.0/24 1#2=A'],
      ['withdraw', 1, '10.0.0.0/24', 2, true],
      ['exact', '10.0.0.0/24', undefined],
      ['prefixes', 4, 0],
      ['paths', 1, 4, 0],
      ['refs', { A: 0 }],
    ],
  },
  {
    name: 'replace vs unchanged: same attributes keep receivedAt, new attributes replace it',
    steps: [
      ['announce', 1, '10.0.0.0/8', 0, 'A', 'added', 100],
      ['announce', 1, '10.0.0.0/8', 0, 'A', 'unchanged', 200],
      ['exact', '10.0.0.0/8', '10.0.0.0/8 1#0=A@100'],
      ['announce', 1, '10.0.0.0/8', 0, 'B', 'replaced', 300.75],
      ['exact', '10.0.0.0/8', '10.0.0.0/8 1#0=B@300'],
      ['refs', { A: 0, B: 1 }],
      ['announce', 1, '10.0.0.0/8', 1, 'B', 'added', 400],
      ['exact', '10.0.0.0/8', '10.0.0.0/8 1#0=B@300 1#1=B@400'],
      ['prefixes', 4, 1],
      ['paths', 1, 4, 2],
    ],
  },
  {
    name: 'graceful restart: mark stale, re-announce clears stale, sweep removes the rest',
    steps: [
      ['announce', 1, '10.0.0.0/8', 0, 'A', 'added'],
      ['announce', 1, '10.1.0.0/16', 0, 'A', 'added'],
      ['announce', 1, '10.2.0.0/16', 0, 'B', 'added'],
      ['announce', 1, '2001:db8::/32', 0, 'A', 'added'],
      ['announce', 2, '10.0.0.0/8', 0, 'C', 'added'],
      ['markStale', 9, 0],
      ['markStale', 1, 4],
      ['exact', '10.0.0.0/8', '10.0.0.0/8 1#0=A* 2#0=C'],
      ['exact', '2001:db8::/32', '2001:db8::/32 1#0=A*'],
      ['markStale', 1, 4],
      ['announce', 1, '10.1.0.0/16', 0, 'A', 'unchanged', 50],
      ['exact', '10.1.0.0/16', '10.1.0.0/16 1#0=A'],
      ['announce', 1, '10.2.0.0/16', 0, 'C', 'replaced', 60],
      ['exact', '10.2.0.0/16', '10.2.0.0/16 1#0=C@60'],
      ['sweepStale', 1, 2],
      ['exact', '10.0.0.0/8', '10.0.0.0/8 2#0=C'],
      ['exact', '2001:db8::/32', undefined],
      ['paths', 1, 4, 2],
      ['paths', 1, 6, 0],
      ['prefixes', 6, 0],
      ['sweepStale', 1, 0],
      ['refs', { A: 1, B: 0, C: 2 }],
      ['markStale', 2, 1],
      ['sweepStale', 2, 1],
      ['exact', '10.0.0.0/8', undefined],
      ['covered', '0.0.0.0/0', ['10.1.0.0/16 1#0=A', '10.2.0.0/16 1#0=C@60']],
      ['prefixes', 4, 2],
    ],
  },
  {
    name: 'removePeer removes every path of the peer in both families and keeps the others',
    steps: [
      ['announce', 1, '10.0.0.0/8', 0, 'A', 'added'],
      ['announce', 1, '10.0.0.0/8', 1, 'A', 'added'],
      ['announce', 2, '10.0.0.0/8', 0, 'B', 'added'],
      ['announce', 1, '10.1.0.0/16', 0, 'A', 'added'],
      ['announce', 3, '10.1.0.0/16', 0, 'C', 'added'],
      ['announce', 1, '192.0.2.0/24', 0, 'A', 'added'],
      ['announce', 1, '2001:db8::/32', 0, 'A', 'added'],
      ['announce', 2, '2001:db8::/48', 0, 'B', 'added'],
      ['markStale', 2, 2],
      ['removePeer', 1, 5],
      ['removePeer', 1, 0],
      ['covered', '0.0.0.0/0', ['10.0.0.0/8 2#0=B*', '10.1.0.0/16 3#0=C']],
      ['covered', '::/0', ['2001:db8::/48 2#0=B*']],
      ['lpm', '192.0.2.1', undefined],
      ['lpm', '10.1.2.3', '10.1.0.0/16 3#0=C'],
      ['paths', 1, 4, 0],
      ['paths', 1, 6, 0],
      ['paths', 2, 4, 1],
      ['paths', 2, 6, 1],
      ['paths', 3, 4, 1],
      ['refs', { A: 0, B: 2, C: 1 }],
      ['removePeer', 2, 2],
      ['removePeer', 3, 1],
      ['prefixes', 4, 0],
      ['prefixes', 6, 0],
      ['refs', { B: 0, C: 0 }],
    ],
  },
];

function render(route: RouteView | undefined, names: Map<number, string>): string | undefined {
  if (route === undefined) return undefined;
  const paths = route.paths.map(
    (x) =>
      `${x.peer}#${x.pathId}=${names.get(x.attributeSetId) ?? `?${x.attributeSetId}`}${x.receivedAt !== 0 ? `@${x.receivedAt}` : ''}${x.stale ? '*' : ''}`,
  );
  return [formatPrefix(route.prefix), ...paths].join(' ');
}

for (const scenario of scenarios) {
  test(scenario.name, () => {
    const rib = new Rib();
    const store = rib.attributeSets;
    const names = new Map<number, string>(); // id -> name, for live sets
    const bytesOf = (name: string) => new TextEncoder().encode(`attributes ${name}`);
    scenario.steps.forEach((step, index) => {
      const where = `step ${index}: ${JSON.stringify(step)}`;
      switch (step[0]) {
        case 'announce': {
          const [, peer, prefix, pathId, attr, expect, receivedAt] = step;
          const id = store.intern(bytesOf(attr));
          names.set(id, attr);
          assert.equal(rib.announce(peer, p(prefix), pathId, id, receivedAt ?? 0), expect, where);
          store.release(id);
          break;
        }
        case 'withdraw': {
          const [, peer, prefix, pathId, expect] = step;
          assert.equal(rib.withdraw(peer, p(prefix), pathId), expect, where);
          break;
        }
        case 'markStale':
        case 'sweepStale':
        case 'removePeer':
          assert.equal(rib[step[0]](step[1]), step[2], where);
          break;
        case 'markStaleIn':
          assert.equal(rib.markStale(step[1], step[2]), step[3], where);
          break;
        case 'sweepStaleIn':
          assert.equal(rib.sweepStale(step[1], step[2]), step[3], where);
          break;
        case 'exact':
          assert.equal(render(rib.exact(p(step[1])), names), step[2], where);
          break;
        case 'lpm': {
          const a = address(step[1]);
          assert.equal(render(rib.longestMatch(a.family, a.address), names), step[2], where);
          break;
        }
        case 'covering':
          assert.deepEqual(
            rib.covering(p(step[1])).map((r) => render(r, names)),
            step[2],
            where,
          );
          break;
        case 'covered':
          assert.deepEqual(
            rib.covered(p(step[1]), step[3]).map((r) => render(r, names)),
            step[2],
            where,
          );
          break;
        case 'prefixes':
          assert.equal(rib.prefixCount(step[1]), step[2], where);
          break;
        case 'paths':
          assert.equal(rib.pathCount(step[1], step[2]), step[3], where);
          break;
        case 'refs': {
          let live = 0;
          for (const [name, count] of Object.entries(step[1])) {
            const id = [...names].find(([i, n]) => n === name && store.has(i))?.[0];
            assert.equal(id === undefined ? 0 : store.refCount(id), count, `${where}: references to ${name}`);
          }
          for (const id of names.keys()) if (store.has(id)) live++;
          assert.equal(store.size, live, `${where}: live attribute sets`);
          break;
        }
      }
    });
  });
}

test('attribute sets: a set is freed when its last path goes, and its id is reused', () => {
  const rib = new Rib();
  const store = rib.attributeSets;
  const a = store.intern(new Uint8Array([0x40, 1, 1, 0]));
  const b = store.intern(new Uint8Array([0x40, 1, 1, 2]));
  assert.notEqual(a, b);
  assert.equal(store.intern(new Uint8Array([0x40, 1, 1, 0])), a, 'equal bytes intern to the same id');
  store.release(a);
  rib.announce(1, p('10.0.0.0/8'), 0, a, 0);
  rib.announce(1, p('10.1.0.0/16'), 0, a, 0);
  rib.announce(2, p('10.0.0.0/8'), 0, a, 0);
  store.release(a); // the loader's reference
  assert.equal(store.refCount(a), 3);
  rib.withdraw(1, p('10.0.0.0/8'), 0);
  assert.equal(store.refCount(a), 2);
  rib.announce(1, p('10.1.0.0/16'), 0, b, 0); // replaced: a loses a reference, b gains one
  assert.equal(store.refCount(a), 1);
  assert.equal(store.refCount(b), 2);
  rib.removePeer(2);
  assert.equal(store.has(a), false, 'a is freed with its last path');
  assert.equal(store.size, 1);
  const c = store.intern(new Uint8Array([0xc0, 8, 4, 0xfd, 0xe8, 0, 1]));
  assert.equal(c, a, 'the freed id is reused');
  assert.deepEqual([...store.bytes(c)], [0xc0, 8, 4, 0xfd, 0xe8, 0, 1]);
  assert.throws(() => rib.announce(1, p('10.0.0.0/8'), 0, 999, 0), RangeError, 'unknown attribute set ids are refused');
  assert.equal(rib.exact(p('10.0.0.0/8')), undefined, 'a refused announce leaves nothing behind');
  assert.equal(rib.prefixCount(4), 1);
});

test('slots are reused: a churning table does not grow', () => {
  const rib = new Rib();
  const store = rib.attributeSets;
  const prefixes = Array.from({ length: 2000 }, (_, i) => p(`10.${i >> 8}.${i & 255}.0/24`));
  const v6 = Array.from({ length: 500 }, (_, i) => p(`2001:db8:${i.toString(16)}::/48`));
  const round = (n: number) => {
    for (const [i, prefix] of [...prefixes, ...v6].entries()) {
      const id = store.intern(new Uint8Array([n & 255, i & 7, 1, 2, 3]));
      rib.announce(1, prefix, 0, id, n);
      rib.announce(2, prefix, 5, id, n);
      store.release(id);
    }
    assert.equal(rib.prefixCount(4), 2000);
    assert.equal(rib.prefixCount(6), 500);
    assert.equal(rib.totalPaths, 5000);
    for (const prefix of prefixes) assert.equal(rib.withdraw(1, prefix, 0), true);
    assert.equal(rib.removePeer(2), 2500);
    for (const prefix of v6) assert.equal(rib.withdraw(1, prefix, 0), true);
    assert.equal(rib.prefixCount(4) + rib.prefixCount(6) + rib.totalPaths + store.size, 0);
  };
  round(0);
  const after = rib.memoryEstimate();
  for (let n = 1; n < 10; n++) round(n);
  assert.equal(rib.memoryEstimate(), after, 'memory after ten rounds equals memory after one');
  assert.deepEqual(rib.covered(p('0.0.0.0/0')), []);
  assert.deepEqual(rib.covered(p('::/0')), []);
});

test('memoryEstimate counts typed arrays and attribute bytes, and grows with the table', () => {
  const rib = new Rib();
  const empty = rib.memoryEstimate();
  assert.ok(empty > 0);
  const id = rib.attributeSets.intern(new Uint8Array(60).fill(7));
  for (let i = 0; i < 10_000; i++) rib.announce(1, { family: 4, address: (i << 8) >>> 0, length: 24 }, 0, id, 0);
  rib.attributeSets.release(id);
  const full = rib.memoryEstimate();
  assert.ok(full > empty + 10_000 * 30, `at least 30 bytes per route (${full - empty} for 10,000)`);
  assert.ok(full < empty + 10_000 * 120, `at most 120 bytes per route with slack (${full - empty} for 10,000)`);
});

test('bad input is refused with RangeError', () => {
  const rib = new Rib();
  const id = rib.attributeSets.intern(new Uint8Array([1]));
  assert.throws(() => rib.announce(-1, p('10.0.0.0/8'), 0, id, 0), RangeError);
  assert.throws(() => rib.announce(65536, p('10.0.0.0/8'), 0, id, 0), RangeError);
  assert.throws(() => rib.announce(1, p('10.0.0.0/8'), 2 ** 32, id, 0), RangeError);
  assert.throws(() => rib.announce(1, p('10.0.0.0/8'), 0, id, -5), RangeError);
  assert.throws(() => rib.announce(1, { family: 4, address: 0, length: 33 }, 0, id, 0), RangeError);
  assert.throws(() => rib.announce(1, { family: 6, address: 1n << 128n, length: 128 }, 0, id, 0), RangeError);
  assert.throws(() => rib.longestMatch(4, 2 ** 32), RangeError);
  assert.equal(rib.prefixCount(4) + rib.prefixCount(6), 0);
  // Host bits beyond the length are ignored.
  assert.equal(rib.announce(1, { family: 4, address: 0x0a0000ff, length: 8 }, 0, id, 0), 'added');
  assert.equal(rib.exact(p('10.0.0.0/8'))?.paths.length, 1);
  assert.deepEqual(rib.exact({ family: 4, address: 0x0a0000ff, length: 8 })?.prefix, p('10.0.0.0/8'));
});

test('path ids: no column until a non-zero id; earlier paths, growth and reused slots read 0 after it', () => {
  const announceAll = (rib: Rib, pathIdOf: (i: number) => number) => {
    const id = rib.attributeSets.intern(Uint8Array.of(1));
    for (let i = 0; i < 1000; i++)
      rib.announce(1, { family: 4, address: (i << 8) >>> 0, length: 24 }, pathIdOf(i), id, 0);
    rib.attributeSets.release(id);
  };
  const plain = new Rib();
  announceAll(plain, () => 0);
  const addPath = new Rib();
  announceAll(addPath, (i) => (i === 500 ? 7 : 0));
  // 1024 path slots after growth: the column is 4 bytes each.
  assert.equal(addPath.memoryEstimate() - plain.memoryEstimate(), 1024 * 4);
  const ids = (rib: Rib) => rib.covered(p('0.0.0.0/0')).flatMap((r) => r.paths.map((x) => x.pathId));
  assert.deepEqual(ids(plain), new Array(1000).fill(0));
  assert.deepEqual(
    ids(addPath),
    Array.from({ length: 1000 }, (_, i) => (i === 500 ? 7 : 0)),
  );
  // The slot freed by withdrawing id 7 is reused by a path id 0: it reads 0, not 7.
  assert.equal(addPath.withdraw(1, p('0.1.244.0/24'), 7), true);
  const id = addPath.attributeSets.intern(Uint8Array.of(2));
  addPath.announce(2, p('10.0.0.0/8'), 0, id, 0);
  assert.deepEqual(
    addPath.exact(p('10.0.0.0/8'))?.paths.map((x) => x.pathId),
    [0],
  );
  assert.equal(addPath.withdraw(2, p('10.0.0.0/8'), 0), true);
});

test('Rib.reserve: paths announced before and after it are all there, also beyond the reservation', () => {
  const rib = new Rib();
  const set = rib.attributeSets.intern(Uint8Array.of(1));
  const prefix = (k: number) => p(`10.${(k >>> 8) & 0xff}.${k & 0xff}.0/24`);
  for (let k = 0; k < 300; k++) rib.announce(1, prefix(k), 0, set, k);
  rib.reserve(1000);
  rib.reserve(5); // smaller than what is there: nothing changes
  for (let k = 300; k < 2000; k++) rib.announce(1 + (k % 3), prefix(k), 0, set, k);
  assert.equal(rib.prefixCount(4), 2000);
  for (const k of [0, 299, 300, 1299, 1300, 1999]) {
    const paths = rib.exact(prefix(k))?.paths ?? [];
    assert.deepEqual(
      paths.map((x) => [x.peer, x.receivedAt]),
      [[k < 300 ? 1 : 1 + (k % 3), k]],
      `prefix ${k}`,
    );
  }
  rib.attributeSets.release(set);
});
