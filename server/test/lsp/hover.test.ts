import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hoverAt } from '../../src/lsp/features/hover';
import { path, regionsConfig, service, testWorkspace } from './workspace';

// Hovers on a Service's values, from an in-memory workspace: the region facts (which region's
// range or pool holds the address, what the label says), the route, and the other users.

interface Case {
  readonly name: string;
  readonly files: Readonly<Record<string, string>>;
  /** The hovered value: its text in web.yaml (the first occurrence). */
  readonly value: string;
  readonly markdown: readonly string[];
}

const routes = [
  { prefix: '172.25.0.0/24', paths: [path(64512)] },
  { prefix: '172.30.0.20/32', paths: [path(64512), path(64513, { peer: '10.0.0.2' })] },
];

const cases: Case[] = [
  {
    name: "a cluster IP in its region's range, announced",
    files: { 'web.yaml': service('web', 'nyc3', { clusterIP: '172.25.0.10' }) },
    value: '172.25.0.10',
    markdown: [
      '**172.25.0.10** · clusterIP of Service `shop/web`',
      '',
      "Region: in region **nyc3**'s clusterIP range `172.25.0.0/20`. Label: the Service's `region` label says **nyc3**.",
      '',
      'Route `172.25.0.0/24`, 1 path (test routes, as of 2026-01-01T00:01:00.000Z). Verdict: announced.',
      '',
      '| peer | next hop | AS path | origin AS | communities | age |',
      '|---|---|---|---|---|---|',
      '| 10.0.0.1 | 10.0.0.1 | 64512 | AS64512 (nyc3) | – | 1m 0s |',
    ],
  },
  {
    name: 'an external IP in a shared pool, also used by another Service',
    files: {
      'web.yaml': service('web', 'mars', { externalIPs: ['172.30.0.10'] }),
      'api.yaml': service('api', 'sgp1', { externalIPs: ['172.30.0.10'] }),
    },
    value: '172.30.0.10',
    markdown: [
      '**172.30.0.10** · externalIPs[0] of Service `shop/web`',
      '',
      "Region: in the shared externalIP pool `172.30.0.0/24` (any region). Label: the Service's `region` label says `mars`, which is not a configured region.",
      '',
      'Route: **none** covers this address (test routes, as of 2026-01-01T00:01:00.000Z).',
      '',
      'Also used by:',
      '- Service `shop/api` (region sgp1), externalIPs[0]: [api.yaml:9](file:///ws/api.yaml#L9)',
    ],
  },
  {
    name: 'an anycast external IP: originated from both regions where the same Service uses it',
    files: {
      'web.yaml': service('web', 'nyc3', { externalIPs: ['172.30.0.20'] }),
      'web-sgp1.yaml': service('web', 'sgp1', { externalIPs: ['172.30.0.20'] }),
    },
    value: '172.30.0.20',
    markdown: [
      '**172.30.0.20** · externalIPs[0] of Service `shop/web`',
      '',
      "Region: in the shared externalIP pool `172.30.0.0/24` (any region). Label: the Service's `region` label says **nyc3**.",
      '',
      'Route `172.30.0.20/32`, 2 paths (test routes, as of 2026-01-01T00:01:00.000Z). Verdict: announced.',
      '',
      '| peer | next hop | AS path | origin AS | communities | age |',
      '|---|---|---|---|---|---|',
      '| 10.0.0.1 | 10.0.0.1 | 64512 | AS64512 (nyc3) | – | 1m 0s |',
      '| 10.0.0.2 | 10.0.0.1 | 64513 | AS64513 (sgp1) | – | 1m 0s |',
      '',
      'Also used by:',
      '- Service `shop/web` (region sgp1), externalIPs[0]: [web-sgp1.yaml:9](file:///ws/web-sgp1.yaml#L9)',
    ],
  },
  {
    name: "the same address used by another Service: the other region's origin is a conflict",
    files: {
      'web.yaml': service('web', 'nyc3', { externalIPs: ['172.30.0.20'] }),
      'api.yaml': service('api', 'sgp1', { externalIPs: ['172.30.0.20'] }),
    },
    value: '172.30.0.20',
    markdown: [
      '**172.30.0.20** · externalIPs[0] of Service `shop/web`',
      '',
      "Region: in the shared externalIP pool `172.30.0.0/24` (any region). Label: the Service's `region` label says **nyc3**.",
      '',
      'Route `172.30.0.20/32`, 2 paths (test routes, as of 2026-01-01T00:01:00.000Z). Verdict: **conflict**: originated by AS64513 (sgp1).',
      '',
      '| peer | next hop | AS path | origin AS | communities | age |',
      '|---|---|---|---|---|---|',
      '| 10.0.0.1 | 10.0.0.1 | 64512 | AS64512 (nyc3) | – | 1m 0s |',
      '| 10.0.0.2 | 10.0.0.1 | 64513 | AS64513 (sgp1) | – | 1m 0s |',
      '',
      'Also used by:',
      '- Service `shop/api` (region sgp1), externalIPs[0]: [api.yaml:9](file:///ws/api.yaml#L9)',
    ],
  },
  {
    name: 'the second address inside a MetalLB annotation, named by its mechanism',
    files: {
      'web.yaml': [
        'apiVersion: v1',
        'kind: Service',
        'metadata:',
        '  name: web',
        '  namespace: shop',
        '  labels: {region: nyc3}',
        '  annotations:',
        '    metallb.io/loadBalancerIPs: "172.30.14.2, 172.30.0.77"',
        'spec: {type: LoadBalancer}',
        '',
      ].join('\n'),
    },
    value: '172.30.0.77',
    markdown: [
      '**172.30.0.77** · metallb.io/loadBalancerIPs[1] of Service `shop/web`',
      '',
      "Region: in the shared externalIP pool `172.30.0.0/24` (any region). Label: the Service's `region` label says **nyc3**.",
      '',
      'Route: **none** covers this address (test routes, as of 2026-01-01T00:01:00.000Z).',
    ],
  },
  {
    name: 'a value that is no IP address, on a Service without a region label',
    files: { 'web.yaml': service('web', undefined, { loadBalancerIP: 'pending' }) },
    value: 'pending',
    markdown: ['**pending** · loadBalancerIP of Service `shop/web`', '', '`pending` is not an IP address.'],
  },
];

for (const c of cases) {
  test(`hover: ${c.name}`, async () => {
    const ws = await testWorkspace(c.files, regionsConfig, routes);
    try {
      const doc = ws.doc('web.yaml');
      const lines = doc.text.split('\n');
      const line = lines.findIndex((l) => l.includes(c.value));
      assert.ok(line >= 0, `${c.value} is in web.yaml`);
      const hover = hoverAt(ws.context('web.yaml'), doc, { line, character: (lines[line] ?? '').indexOf(c.value) + 1 });
      const contents = hover?.contents;
      assert.ok(contents && typeof contents === 'object' && 'kind' in contents, 'a Markdown hover');
      assert.equal(contents.value, c.markdown.join('\n'));
    } finally {
      ws.dispose();
    }
  });
}

test('hover: none away from an address value', async () => {
  const ws = await testWorkspace({ 'web.yaml': service('web', 'nyc3', { clusterIP: '172.25.0.10' }) }, regionsConfig);
  assert.equal(hoverAt(ws.context('web.yaml'), ws.doc('web.yaml'), { line: 3, character: 4 }), null);
});

test('hover: while the workspace is read, it says other uses may not be listed yet', async () => {
  const ws = await testWorkspace({ 'web.yaml': service('web', 'nyc3', { clusterIP: '172.25.0.10' }) }, regionsConfig);
  const ctx = { ...ws.context('web.yaml'), indexing: { done: 40, total: 1200 } };
  const hover = hoverAt(ctx, ws.doc('web.yaml'), { line: 8, character: 14 });
  const contents = hover?.contents;
  assert.ok(contents && typeof contents === 'object' && 'value' in contents, 'a Markdown hover');
  assert.match(
    contents.value,
    /\n\n_Reading the workspace \(40 of 1200 files\): other uses of this address may not be listed yet\._$/,
  );
});
