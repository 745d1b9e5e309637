import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { lspConfigYaml, serviceYaml, startWorkspace } from '@kube-routes/test/support';

// The workspace scan reads what `kubectl routes check` reads: *.json manifests, Helm charts (a
// templates/ folder beside Chart.yaml: one helm-template note, no yaml-syntax), and pools
// declared in any file of the workspace, which decide pool membership and pool-overlap for
// every file under the same kube-routes.yaml, also after an edit of the pool file alone.

const rules = (ds: readonly Diagnostic[]) => ds.map((d) => `${d.range.start.line} ${String(d.code)}`).sort();

const metallb = (addresses: string) => `apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata:
  name: public
  namespace: metallb-system
  labels: {region: nyc3}
spec:
  addresses: [${addresses}]
`;
const cilium = `apiVersion: cilium.io/v2alpha1
kind: CiliumLoadBalancerIPPool
metadata:
  name: lb
  labels: {region: sgp1}
spec:
  blocks: [{cidr: 198.51.100.128/25}]
`;
const jsonService = JSON.stringify(
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'api', namespace: 'shop', labels: { region: 'nyc3' } },
    spec: { clusterIP: '172.25.0.10' },
  },
  null,
  2,
);
const template = `apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}
spec:
  clusterIP: {{ .Values.clusterIP }}
`;

const web = serviceYaml({ name: 'web', region: 'nyc3', clusterIP: '172.25.0.10', externalIPs: ['198.51.100.7'] });

test('workspace scan: JSON manifests, Helm charts, pools from other files (membership, pool-overlap)', async () => {
  const client = await startWorkspace(
    {
      'kube-routes.yaml': lspConfigYaml,
      'web.yaml': web,
      'api.json': jsonService,
      'pools/metallb.yaml': metallb('198.51.100.0/24'),
      'pools/cilium.yaml': cilium,
      'chart/Chart.yaml': 'apiVersion: v2\nname: shop\nversion: 0.1.0\n',
      'chart/templates/a.yaml': template,
      'chart/templates/b.yaml': template,
    },
    { settings: { debounceMs: 0 } },
  );
  // Diagnostics are published for open documents.
  for (const [path, text] of Object.entries({
    'web.yaml': web,
    'api.json': jsonService,
    'pools/cilium.yaml': cilium,
    'chart/templates/a.yaml': template,
    'chart/templates/b.yaml': template,
  }))
    await client.open(path, text);
  // 198.51.100.7 is in nyc3's MetalLB pool (another file): no external-ip-outside-pools.
  const found = await client.waitForDiagnostics('web.yaml', (ds) => ds.length > 0);
  assert.deepEqual(rules(found), ['8 duplicate-cluster-ip']);
  const api = await client.waitForDiagnostics('api.json', (ds) => ds.length > 0);
  assert.deepEqual(rules(api), ['11 duplicate-cluster-ip']);
  assert.deepEqual(rules(await client.waitForDiagnostics('pools/cilium.yaml', (ds) => ds.length > 0)), [
    '6 pool-overlap',
  ]);
  const helm = await client.waitForDiagnostics('chart/templates/a.yaml', (ds) => ds.length > 0);
  assert.deepEqual(rules(helm), ['0 helm-template']);
  assert.match(helm[0]?.message ?? '', /^2 files are Helm templates of chart /);
  assert.deepEqual(client.diagnostics.get(client.uri('chart/templates/b.yaml'))?.diagnostics ?? [], []);

  // Editing only the pool file re-checks the Services under its config: web's address leaves it.
  await client.open('pools/metallb.yaml', metallb('198.51.100.0/24'));
  const overlap = await client.waitForDiagnostics('pools/metallb.yaml', (ds) => ds.length > 0);
  assert.deepEqual(rules(overlap), ['7 pool-overlap']);
  await client.change('pools/metallb.yaml', metallb('192.0.2.0/24'));
  const after = await client.waitForDiagnostics('web.yaml', (ds) =>
    ds.some((d) => d.code === 'external-ip-outside-pools'),
  );
  assert.deepEqual(rules(after), ['10 external-ip-outside-pools', '8 duplicate-cluster-ip']);
  assert.deepEqual(rules(await client.waitForDiagnostics('pools/metallb.yaml', (ds) => ds.length === 0)), []);
});
