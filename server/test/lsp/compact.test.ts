import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { readManifestFile } from '@kube-routes/server/engine';
import { repoRoot } from '@kube-routes/test/support';
import { Compactor } from '../../src/lsp/compact';

// The index keeps a compact copy of what the engine extracted from each closed file: the same
// values (every manifest of the tests and examples), with empty collections, positions and the
// path shared instead of copied.

const roots = ['server/test/engine/fixtures', 'server/test/engine/corpus', 'examples'].map((r) => resolve(repoRoot, r));

function manifests(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return manifests(path);
    return /\.(ya?ml|json)$/.test(e.name) ? [path] : [];
  });
}

const paths = roots.flatMap(manifests);

test('a compact copy holds the same values as what the engine extracted', () => {
  assert.ok(paths.length > 100, `only ${paths.length} manifests found`);
  const compactor = new Compactor();
  let services = 0;
  for (const path of paths) {
    const file = readManifestFile({ path, text: readFileSync(path, 'utf8') });
    services += file.services.length;
    assert.deepEqual(compactor.manifest(file, path), file, relative(repoRoot, path));
  }
  assert.ok(services > 100, `only ${services} Services read`);
});

const service = (name: string, ip: string) =>
  `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n  namespace: a-namespace-of-some-length\nspec:\n  clusterIP: ${ip}\n`;

test('files from one template share positions; empty collections and the path are shared', () => {
  const compactor = new Compactor();
  const [a, b] = [
    ['/w/a/service.yaml', service('web', '10.0.0.1')],
    ['/w/b/service.yaml', service('api', '10.0.0.2')],
  ].map(([path, text]) => {
    const read = readManifestFile({ path: path as string, text: text as string });
    return { read, kept: compactor.manifest(read, path as string) };
  });
  const [sa, sb] = [a?.kept.services[0], b?.kept.services[0]];
  assert.ok(sa && sb && a && b);
  assert.deepEqual(sa, a.read.services[0]);
  assert.equal(
    sa.clusterIP?.range.start,
    sb.clusterIP?.range.start,
    'one position object for the same line and column',
  );
  assert.equal(sa.nameRange.end, sb.nameRange.end);
  assert.equal(sa.clusterIP?.range, sb.clusterIP?.range, 'one range object for the same start and end');
  assert.equal(sa.nameRange, sb.nameRange, 'names of one length: one range');
  assert.equal(sa.labels, sb.labels, 'one empty Map');
  assert.equal(a.kept.pools, b.kept.pools, 'one empty array');
  assert.ok(Object.isFrozen(a.kept.pools));
  assert.equal(sa.namespace, 'a-namespace-of-some-length');
  assert.equal(a.kept.file, '/w/a/service.yaml');
});
