import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Route } from '../../src/engine';
import { codeLenses } from '../../src/lsp/features/code-lens';
import { path, regionsConfig, service, testWorkspace } from './workspace';

// The lens above each Service against the diagnostics of the same check: one case a row, the
// lens titles of one document in order.

const nyc3 = path(64512);
const sgp1 = path(64513, { peer: '10.0.0.2' });
const outside = path(65000, { peer: '10.0.0.3' });

interface Case {
  readonly name: string;
  readonly files: Readonly<Record<string, string>>;
  readonly routes: readonly Route[];
  /** The document whose lenses are compared. */
  readonly doc: string;
  readonly lenses: readonly string[];
  /** route-origin-mismatch diagnostics the same document has: lens and diagnostics agree. */
  readonly mismatches: number;
}

const cases: Case[] = [
  {
    name: 'a cluster IP announced from its own region',
    files: { 'web.yaml': service('web', 'nyc3', { clusterIP: '172.25.0.10' }) },
    routes: [{ prefix: '172.25.0.0/24', paths: [nyc3] }],
    doc: 'web.yaml',
    lenses: ['announced · 1 path · AS64512 (nyc3)'],
    mismatches: 0,
  },
  {
    name: "a cluster IP covered by another region's route",
    files: { 'web.yaml': service('web', 'nyc3', { clusterIP: '172.25.0.10' }) },
    routes: [{ prefix: '172.25.0.0/24', paths: [nyc3, sgp1] }],
    doc: 'web.yaml',
    lenses: ['conflict: AS64513 (sgp1)'],
    mismatches: 1,
  },
  {
    name: 'an anycast external IP of the same Service in two regions (two files)',
    files: {
      'nyc3.yaml': service('web', 'nyc3', { externalIPs: ['172.30.0.10'] }),
      'sgp1.yaml': service('web', 'sgp1', { externalIPs: ['172.30.0.10'] }),
    },
    routes: [{ prefix: '172.30.0.0/24', paths: [nyc3, sgp1] }],
    doc: 'nyc3.yaml',
    lenses: ['announced · 2 paths · AS64512 (nyc3), AS64513 (sgp1)'],
    mismatches: 0,
  },
  {
    name: 'an anycast external IP of the same Service in two regions (one file)',
    files: {
      'web.yaml': `${service('web', 'nyc3', { externalIPs: ['172.30.0.10'] })}---\n${service('web', 'sgp1', { externalIPs: ['172.30.0.10'] })}`,
    },
    routes: [{ prefix: '172.30.0.0/24', paths: [nyc3, sgp1] }],
    doc: 'web.yaml',
    lenses: [
      'announced · 2 paths · AS64512 (nyc3), AS64513 (sgp1)',
      'announced · 2 paths · AS64512 (nyc3), AS64513 (sgp1)',
    ],
    mismatches: 0,
  },
  {
    // The partner region's origin is allowed (anycast); only the AS of no region is wrong, as the diagnostic says.
    name: 'an anycast external IP also originated by an AS of no region',
    files: {
      'nyc3.yaml': service('web', 'nyc3', { externalIPs: ['172.30.0.10'] }),
      'sgp1.yaml': service('web', 'sgp1', { externalIPs: ['172.30.0.10'] }),
    },
    routes: [{ prefix: '172.30.0.0/24', paths: [nyc3, sgp1, outside] }],
    doc: 'nyc3.yaml',
    lenses: ['conflict: AS65000 (no configured region)'],
    mismatches: 1,
  },
  {
    name: 'an external IP another Service of another region announces',
    files: {
      'web.yaml': service('web', 'nyc3', { externalIPs: ['172.30.0.10'] }),
      'api.yaml': service('api', 'sgp1', { externalIPs: ['172.30.0.11'] }),
    },
    routes: [{ prefix: '172.30.0.0/24', paths: [nyc3, sgp1] }],
    doc: 'web.yaml',
    lenses: ['conflict: AS64513 (sgp1)'],
    mismatches: 1,
  },
  {
    name: 'a suppressed mismatch shows no conflict either',
    files: {
      'web.yaml': service(
        'web',
        'nyc3',
        {},
        '  # kube-routes-disable-next-line route-origin-mismatch\n  clusterIP: 172.25.0.10\n',
      ),
    },
    routes: [{ prefix: '172.25.0.0/24', paths: [sgp1] }],
    doc: 'web.yaml',
    lenses: ['announced · 1 path · AS64513 (sgp1)'],
    mismatches: 0,
  },
  {
    name: 'no route, and one of two addresses without a route',
    files: {
      'web.yaml': `${service('web', 'nyc3', { clusterIP: '172.25.1.10' })}---\n${service('api', 'nyc3', { clusterIP: '172.25.0.10', externalIPs: ['172.30.14.7'] })}`,
    },
    routes: [{ prefix: '172.25.0.0/24', paths: [nyc3] }],
    doc: 'web.yaml',
    lenses: ['not announced', 'announced · 1 path · AS64512 (nyc3) · not announced: 172.30.14.7'],
    mismatches: 0,
  },
  {
    name: 'a Service without addresses has no lens',
    files: { 'web.yaml': service('web', 'nyc3', { type: 'ClusterIP' }) },
    routes: [],
    doc: 'web.yaml',
    lenses: [],
    mismatches: 0,
  },
];

for (const c of cases) {
  test(`code lens: ${c.name}`, async () => {
    const ws = await testWorkspace(c.files, regionsConfig, c.routes);
    try {
      const ctx = ws.context(c.doc);
      assert.deepEqual(
        codeLenses(ctx, ws.doc(c.doc)).map((l) => l.command?.title),
        c.lenses,
      );
      assert.equal(ctx.findings.filter((f) => f.rule === 'route-origin-mismatch').length, c.mismatches);
    } finally {
      ws.dispose();
    }
  });
}

test('code lens: none without a route source', async () => {
  const ws = await testWorkspace({ 'web.yaml': service('web', 'nyc3', { clusterIP: '172.25.0.10' }) }, regionsConfig);
  assert.deepEqual(codeLenses(ws.context('web.yaml'), ws.doc('web.yaml')), []);
});

test('code lens: placed on the first line of each Service document', async () => {
  const ws = await testWorkspace(
    {
      'web.yaml': `# comment\n${service('web', 'nyc3', { clusterIP: '172.25.0.10' })}---\n${service('api', 'nyc3', { clusterIP: '172.25.0.11' })}`,
    },
    regionsConfig,
    [{ prefix: '172.25.0.0/24', paths: [nyc3] }],
  );
  try {
    assert.deepEqual(
      codeLenses(ws.context('web.yaml'), ws.doc('web.yaml')).map((l) => l.range.start.line),
      [1, 11],
    );
  } finally {
    ws.dispose();
  }
});
