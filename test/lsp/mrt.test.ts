import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import type { TextDiagnostic } from '@kube-routes/test/support';
import { positionOf, repoRoot, startWorkspace } from '@kube-routes/test/support';

// Embedded mode in the editor: the bundled example fabric with its recorded BGP table
// (examples/fabric.mrt, from real BIRD routers) loaded in-process through the mrtPath setting.

const examples = join(repoRoot, 'examples');
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) =>
    statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : /\.ya?ml$/.test(f) ? [join(dir, f)] : [],
  );

test('an MRT file as the route source: the BGP rules run on the example fabric', async () => {
  const tree = Object.fromEntries(files(examples).map((f) => [relative(examples, f), readFileSync(f, 'utf8')]));
  const client = await startWorkspace(tree, { settings: { mrtPath: join(examples, 'fabric.mrt') } });
  const payments = tree['nyc3/payments.yaml'] ?? '';
  await client.open('nyc3/payments.yaml', payments);
  const d = await client.waitForDiagnostics('nyc3/payments.yaml', (x) =>
    x.some((y) => y.code === 'route-origin-mismatch'),
  );
  const mismatch = d.find((x) => x.code === 'route-origin-mismatch') as TextDiagnostic;
  assert.deepEqual(mismatch.range.start, positionOf(payments, '172.25.0.20'));
  assert.match(mismatch.message, /covered by 172\.25\.0\.20\/32, originated by AS64514 \(region fra1\)/);
  assert.match(mismatch.message, /from peer 127\.0\.0\.13/);
  assert.ok(
    d.some((x) => x.code === 'duplicate-cluster-ip'),
    'the manifest rules run too',
  );
});
