import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { IndexCache } from '../../src/lsp/index-cache';

// A first session reads every file once (the stamp comes from the read's own fstat, no stat
// first); the next session answers unchanged files from the cache and reads changed ones again.

const dir = mkdtempSync(join(tmpdir(), 'kube-routes-index-cache-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const location = join(dir, '.kube-routes-cache-editor');
const service = (ip: string) =>
  `apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  type: ClusterIP\n  clusterIP: ${ip}\n`;
const files = ['a.yaml', 'b.yaml', 'c.yaml'].map((name) => join(dir, name));
// Old enough not to count as racily recent (written in the same instant as the cache).
const settle = (path: string) => utimesSync(path, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));

const session = () => IndexCache.open(location, 'test', () => undefined);
const clusterIp = (cache: IndexCache, path: string) =>
  cache.read(path, undefined).manifest?.services[0]?.clusterIP?.value;

test('cold, then reopened: unchanged files from the cache, a changed one read again', () => {
  files.forEach((path, i) => {
    writeFileSync(path, service(`10.0.0.${i + 1}`));
    settle(path);
  });
  const first = session();
  assert.deepEqual(
    files.map((path) => clusterIp(first, path)),
    ['10.0.0.1', '10.0.0.2', '10.0.0.3'],
  );
  assert.equal(first.takeHits(), 0);
  first.save();

  writeFileSync(files[1] as string, service('10.0.0.9')); // same size, new content and times
  const second = session();
  assert.deepEqual(
    files.map((path) => clusterIp(second, path)),
    ['10.0.0.1', '10.0.0.9', '10.0.0.3'],
  );
  assert.equal(second.takeHits(), 2, 'the stamps recorded by the first session match the files');
});

test('a second walk in the first session answers unchanged files from what the first walk stored', () => {
  const location = join(dir, '.kube-routes-cache-editor-walks');
  files.forEach((path, i) => {
    writeFileSync(path, service(`10.0.1.${i + 1}`));
    settle(path);
  });
  const cache = IndexCache.open(location, 'test', () => undefined);
  cache.beginWalk();
  for (const path of files) clusterIp(cache, path);
  assert.equal(cache.takeHits(), 0);
  cache.beginWalk(); // a config or settings change rebuilds the index
  assert.deepEqual(
    files.map((path) => clusterIp(cache, path)),
    ['10.0.1.1', '10.0.1.2', '10.0.1.3'],
  );
  assert.equal(cache.takeHits(), 3);
});
