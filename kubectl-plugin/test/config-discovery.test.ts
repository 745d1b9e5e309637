import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tempDir, writeTree } from '@kube-routes/test/support';
import { runCheck } from '../src/check/run-check';

// Each file is checked against the nearest kube-routes.yaml (or .yml) in or above its folder; the
// walk's own listings answer for the folders it saw. A Service at 10.1.1.1 in region nyc3 is
// outside the region under "narrow" and inside it under "wide": the finding tells which governed.

const narrow = 'regions:\n  nyc3: {clusterIPRanges: [172.25.0.0/20]}\n';
const wide = 'regions:\n  nyc3: {clusterIPRanges: [10.0.0.0/8]}\n';
const service =
  'apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: a, labels: {region: nyc3}}\nspec: {clusterIP: 10.1.1.1}\n';

const cases: { name: string; tree: Record<string, string>; outside: string[] }[] = [
  {
    name: 'a nested config governs its folder and those below it',
    tree: {
      'kube-routes.yaml': narrow,
      'a/s.yaml': service,
      'b/kube-routes.yaml': wide,
      'b/s.yaml': service,
      'b/c/d/s.yaml': service,
    },
    outside: ['a/s.yaml'],
  },
  {
    name: 'kube-routes.yml counts, and .yaml wins beside it',
    tree: {
      'kube-routes.yml': wide,
      'a/s.yaml': service,
      'b/kube-routes.yml': narrow,
      'b/kube-routes.yaml': wide,
      'b/s.yaml': service,
      'c/kube-routes.yml': narrow,
      'c/s.yaml': service,
    },
    outside: ['c/s.yaml'],
  },
];

for (const c of cases) {
  test(c.name, async () => {
    const dir = tempDir();
    writeTree(dir, c.tree);
    const { report } = await runCheck(
      ['.'],
      { config: undefined, failOn: 'error', maxFileBytes: 1 << 20 },
      { cwd: dir, stdout: () => {}, stderr: () => {}, readStdin: async () => new Uint8Array(), color: false },
    );
    assert.equal(report.fileCount, Object.keys(c.tree).filter((f) => f.endsWith('/s.yaml')).length);
    assert.deepEqual(
      report.findings.filter((f) => f.rule === 'cluster-ip-outside-region').map((f) => f.file),
      c.outside,
    );
  });
}
