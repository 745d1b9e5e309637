import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver';
import { findingToDiagnostic } from '../../src/lsp/diagnostics';
import { codeActions } from '../../src/lsp/features/code-actions';
import { regionsConfig, service, testWorkspace } from './workspace';

// Quick fixes that use the engine's region policy: the region a Service's own addresses say it
// is in (inferRegion), and a free address in that region's clusterIP range.

interface Case {
  readonly name: string;
  readonly files: Readonly<Record<string, string>>;
  /** The titles offered for the diagnostics of web.yaml, in order. */
  readonly titles: readonly string[];
}

const cases: Case[] = [
  {
    name: "a missing label, inferred from the cluster IP's range",
    files: { 'web.yaml': service('web', undefined, { clusterIP: '172.25.144.10' }) },
    titles: ['Add label region: sgp1', 'Disable missing-region-label for this line'],
  },
  {
    name: 'an unknown region, inferred from a region-only pool',
    files: { 'web.yaml': service('web', 'nyc', { externalIPs: ['172.30.14.3'] }) },
    // Without a known region, nyc3's own pool is not the Service's: that is reported too.
    titles: [
      'Set label region: nyc3',
      'Disable unknown-region for this line',
      'Assign a free address from pool 172.30.0.0/24: 172.30.0.2',
      'Disable external-ip-outside-pools for this line',
    ],
  },
  {
    name: 'a duplicate cluster IP gets the first free address of the region',
    files: {
      'web.yaml': service('web', 'nyc3', { clusterIP: '172.25.0.2' }),
      'api.yaml': service('api', 'nyc3', { clusterIP: '172.25.0.2' }),
    },
    titles: ['Assign a free cluster IP in nyc3: 172.25.0.3', 'Disable duplicate-cluster-ip for this line'],
  },
];

for (const c of cases) {
  test(`code actions: ${c.name}`, async () => {
    const ws = await testWorkspace(c.files, regionsConfig);
    const ctx = ws.context('web.yaml');
    const doc = ws.doc('web.yaml');
    const diagnostics = ctx.findings.map((f) => findingToDiagnostic(f, ctx.uri));
    assert.ok(diagnostics.length > 0, 'the case has diagnostics');
    const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    assert.deepEqual(
      (await codeActions(ctx, doc, range, diagnostics)).map((a) => a.title),
      c.titles,
    );
  });
}

test('code actions: the fix is found by the finding subject the diagnostic carries, not by its position', async () => {
  const ws = await testWorkspace(
    {
      'web.yaml': service('web', 'nyc3', { clusterIP: '172.25.0.2' }),
      'api.yaml': service('api', 'nyc3', { clusterIP: '172.25.0.2' }),
    },
    regionsConfig,
  );
  const ctx = ws.context('web.yaml');
  const doc = ws.doc('web.yaml');
  const [diagnostic] = ctx.findings.map((f) => findingToDiagnostic(f, ctx.uri));
  assert.ok(diagnostic);
  assert.deepEqual(diagnostic.data, {
    subject: { service: 'shop/web', region: 'nyc3', field: 'clusterIP', address: '172.25.0.2' },
  });
  const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  const titles = async (d: Diagnostic) => (await codeActions(ctx, doc, range, [d])).map((a) => a.title);
  // Moved elsewhere in the file (the client's copy after an edit), the subject still finds the value.
  const moved = { ...diagnostic, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } } };
  assert.deepEqual(await titles(moved), [
    'Assign a free cluster IP in nyc3: 172.25.0.3',
    'Disable duplicate-cluster-ip for this line',
  ]);
  // Without a subject, or with one that is not ours, only the rule can be disabled.
  for (const data of [undefined, { subject: { service: 7 } }, { subject: { service: 'shop/web', index: 'x' } }]) {
    assert.deepEqual(await titles({ ...diagnostic, data }), ['Disable duplicate-cluster-ip for this line']);
  }
});

test('code actions: an address inside a load balancer annotation gets a free address from the pool, in place', async () => {
  const annotated = (name: string, ips: string) =>
    [
      'apiVersion: v1',
      'kind: Service',
      'metadata:',
      `  name: ${name}`,
      '  namespace: shop',
      '  labels: {region: nyc3}',
      '  annotations:',
      `    metallb.io/loadBalancerIPs: "${ips}"`,
      'spec: {type: LoadBalancer}',
      '',
    ].join('\n');
  const ws = await testWorkspace(
    { 'web.yaml': annotated('web', '172.30.14.2, 172.30.14.9'), 'api.yaml': annotated('api', '172.30.14.9') },
    regionsConfig,
  );
  const ctx = ws.context('web.yaml');
  const diagnostics = ctx.findings.map((f) => findingToDiagnostic(f, ctx.uri));
  const conflict = diagnostics.find((d) => d.code === 'external-ip-conflict');
  assert.ok(conflict, 'the second address of the list conflicts');
  assert.deepEqual(conflict.range, { start: { line: 7, character: 46 }, end: { line: 7, character: 57 } });
  const actions = await codeActions(ctx, ws.doc('web.yaml'), conflict.range, [conflict]);
  const assign = actions.find((a) => a.title.startsWith('Assign'));
  assert.equal(assign?.title, 'Assign a free address from pool 172.30.14.0/24: 172.30.14.3');
  assert.deepEqual(assign?.edit?.changes?.[ws.doc('web.yaml').uri], [
    { range: conflict.range, newText: '172.30.14.3' },
  ]);
});

test('code actions: while the workspace is read, no address is offered as free; the other fixes are', async () => {
  const ws = await testWorkspace(
    {
      'web.yaml': service('web', 'nyc', { clusterIP: '172.25.0.2' }),
      'api.yaml': service('api', 'nyc3', { clusterIP: '172.25.0.2' }),
    },
    regionsConfig,
  );
  const ctx = { ...ws.context('web.yaml'), indexing: { done: 1, total: 2 } };
  const diagnostics = ctx.findings.map((f) => findingToDiagnostic(f, ctx.uri));
  const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  const titles = (await codeActions(ctx, ws.doc('web.yaml'), range, diagnostics)).map((a) => a.title);
  assert.deepEqual(titles, [
    'Set label region: nyc3',
    'Disable unknown-region for this line',
    'Disable duplicate-cluster-ip for this line',
  ]);
});
