import { readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkManifests,
  isExcluded,
  parseConfig,
  readManifestFile,
  type ManifestFile,
} from '@kube-routes/server/engine';
import { collectManifestPaths, helmChartOf, readSourceFile } from '@kube-routes/server/node';

// Real manifests from public repositories (corpus/SOURCES names each origin and commit), read the
// way `kubectl routes check corpus/` reads them, plus conflicts planted in corpus/planted/.
const corpus = resolve(__dirname, '../../../test/engine/corpus');

function checkCorpus() {
  const parsed = parseConfig(readFileSync(join(corpus, 'kube-routes.yaml'), 'utf8'), 'kube-routes.yaml');
  assert.deepEqual(parsed.errors, []);
  const config = parsed.config;
  assert.ok(config);
  const { files: paths, errors } = collectManifestPaths([corpus]);
  assert.deepEqual(errors, []);
  const shown = (p: string) => relative(corpus, p).split(sep).join('/');
  const files: ManifestFile[] = [];
  for (const path of paths) {
    if (isExcluded(config, shown(path))) continue;
    const read = readSourceFile(path, shown(path));
    assert.ok('source' in read, `${shown(path)}: ${'problem' in read ? read.problem : ''}`);
    const chart = helmChartOf(path);
    files.push(readManifestFile(read.source, chart === undefined ? undefined : shown(chart)));
  }
  return { files, result: checkManifests(files, config) };
}

test('the real-manifest corpus: read whole, no syntax flood, no repeated finding', () => {
  const { files, result } = checkCorpus();
  assert.ok(files.length > 150, `corpus has ${files.length} files`);
  assert.ok(result.serviceCount > 25, `corpus has ${result.serviceCount} Services`);
  assert.ok(
    files.some((f) => f.pools.length > 0),
    'the corpus holds load balancer pools',
  );
  assert.deepEqual(
    result.findings.filter((f) => f.rule === 'yaml-syntax').map((f) => `${f.file}: ${f.message}`),
    [],
  );
  const positions = result.findings.map(
    (f) =>
      `${f.rule} ${f.file}:${f.range.start.line}:${f.range.start.column}-${f.range.end.line}:${f.range.end.column}`,
  );
  assert.deepEqual(
    positions.filter((p, i) => positions.indexOf(p) !== i),
    [],
    'one finding per rule and position',
  );
  // The two Helm charts of the corpus (Online Boutique, PureLB): one note each.
  assert.deepEqual(
    result.findings.filter((f) => f.rule === 'helm-template').map((f) => f.file.split('/').slice(0, 2).join('/')),
    ['GoogleCloudPlatform/microservices-demo', 'purelb/purelb'],
  );
});

test('the real-manifest corpus: every planted conflict is found, on both sides', () => {
  const { result } = checkCorpus();
  const found = new Set(
    result.findings.map((f) => `${f.rule} ${f.file}:${f.range.start.line + 1}:${f.range.start.column + 1}`),
  );
  const planted = [
    // lbipam.cilium.io/ips in nyc3 and the second address of a metallb.io list in sgp1.
    'external-ip-conflict planted/nyc3/frontend-lb.yaml:9:27',
    'external-ip-conflict planted/sgp1/shop-lb.yaml:8:48',
    // sgp1's MetalLB pool against home-ops' real CiliumLoadBalancerIPPool (nyc3 by path).
    'pool-overlap planted/sgp1/pool.yaml:8:15',
    'pool-overlap onedr0p/home-ops/kubernetes/apps/kube-system/cilium/app/networking.yaml:10:13',
    'region-label-mismatch planted/nyc3/mislabelled.yaml:7:20',
  ];
  assert.deepEqual(
    planted.filter((p) => !found.has(p)),
    [],
  );
});
