import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { matchSnapshot, repoRoot, runCli } from '@kube-routes/test/support';

// `kubectl routes explain` text output, end to end through the real kubectl: manifests (and an
// MRT dump for routes) in, the printed explanation, stderr and exit code out, as snapshots.
// UPDATE_SNAPSHOTS=1 rewrites them.

const snapshots = join(repoRoot, 'test/cli/snapshots/explain');
const pools = 'test/cli/fixtures/explain/pools';

const cases: readonly { readonly name: string; readonly args: readonly string[]; readonly code: number }[] = [
  // Anycast external IP in three regions; routes from the bundled fabric dump; another owner.
  { name: 'examples-web-bgp', args: ['shop/web', '-f', 'examples/', '--bgp', 'examples/fabric.mrt'], code: 1 },
  // A cluster IP announced from two regions: conflict; the duplicate's finding.
  {
    name: 'examples-ledger-bgp',
    args: ['payments/ledger', '-f', 'examples/', '--bgp', 'examples/fabric.mrt'],
    code: 1,
  },
  // Regions by path, pools declared in manifests (MetalLB, Cilium), an address in no pool.
  { name: 'pools-from-manifests', args: ['shop/web', '-f', pools], code: 0 },
  { name: 'pools-json', args: ['shop/web', '-f', pools, '-o', 'json'], code: 0 },
  // Not found: one line, exit 2.
  { name: 'not-found', args: ['shop/nope', '-f', 'examples/'], code: 2 },
];

for (const c of cases) {
  test(`explain ${c.name}: ${c.args.join(' ')}`, () => {
    const run = runCli('kubectl', ['routes', 'explain', ...c.args]);
    assert.equal(run.code, c.code, run.stderr);
    matchSnapshot(`${run.stdout}--- stderr\n${run.stderr}`, join(snapshots, `${c.name}.txt`));
  });
}
