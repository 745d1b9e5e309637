import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import {
  assertNoInternalErrors,
  defaultClientCapabilities,
  LspClient,
  lspConfigYaml,
  serviceYaml,
  startWorkspace,
} from '@kube-routes/test/support';

// The open document is answered first: its own findings (the rules that need no other file)
// before the workspace is read, then the findings that need other files once the index is
// complete, never a finding taken back on the way. The read is shown as work-done progress to
// clients that support it.

const rules = (ds: readonly Diagnostic[]) => ds.map((d) => String(d.code)).sort();

// Enough closed files that the index takes several slices; none conflicts with another.
const filler = Object.fromEntries(
  Array.from({ length: 300 }, (_, i) => [
    `apps/app-${String(i).padStart(3, '0')}.yaml`,
    serviceYaml({ name: `app-${i}`, region: 'nyc3', clusterIP: `172.25.${1 + (i >> 8)}.${i & 255}` }),
  ]),
);
// web.yaml: an unknown region (its own finding) and a cluster IP that a closed file reuses.
const web = `${serviceYaml({ name: 'web', region: 'nyc', clusterIP: '172.25.0.9' })}---\n${serviceYaml({
  name: 'api',
  region: 'nyc3',
  clusterIP: '172.25.0.10',
})}`;
const files = {
  'kube-routes.yaml': lspConfigYaml,
  ...filler,
  'zz/other.yaml': serviceYaml({ name: 'other', region: 'nyc3', clusterIP: '172.25.0.10' }),
};

test('the open file first: its own findings, then the cross-file ones, none taken back; work-done progress', async () => {
  const client = await startWorkspace(files, {
    capabilities: { ...defaultClientCapabilities, window: { workDoneProgress: true } },
  });
  await client.open('web.yaml', web);
  const final = await client.waitForDiagnostics('web.yaml', (ds) => rules(ds).includes('duplicate-cluster-ip'));
  assert.deepEqual(rules(final), ['duplicate-cluster-ip', 'unknown-region']);
  const publishes = client.published.filter((p) => p.uri === client.uri('web.yaml'));
  // Published before any other file was read: the unknown region only.
  assert.deepEqual(rules(publishes[0]?.diagnostics ?? []), ['unknown-region']);
  const kept = new Set(final.map((d) => JSON.stringify(d)));
  for (const p of publishes)
    for (const d of p.diagnostics) assert.ok(kept.has(JSON.stringify(d)), `taken back later: ${d.message}`);

  // Progress: created by the server, begun with a title, reported in rising percentages, ended.
  await client.waitFor('the end of the progress', () =>
    client.progress.some((p) => p.value.kind === 'end') ? true : undefined,
  );
  assert.equal(client.progressTokens.length, 1);
  const values = client.progress.filter((p) => p.token === client.progressTokens[0]).map((p) => p.value);
  assert.equal(values[0]?.kind, 'begin');
  assert.equal(values[0]?.kind === 'begin' && values[0].title, 'kube-routes: indexing manifests');
  assert.equal(values.at(-1)?.kind, 'end');
  const percentages = values.flatMap((v) => (v.kind === 'report' && v.percentage !== undefined ? [v.percentage] : []));
  assert.ok(percentages.length > 0, 'at least one report');
  assert.deepEqual(
    percentages,
    [...percentages].sort((a, b) => a - b),
  );
  assert.equal(percentages.at(-1), 100);
});

test('a client without window.workDoneProgress gets no progress', async () => {
  const client = await startWorkspace(files);
  await client.open('web.yaml', web);
  await client.waitForDiagnostics('web.yaml', (ds) => rules(ds).includes('duplicate-cluster-ip'));
  assert.deepEqual(client.progressTokens, []);
  assert.deepEqual(client.progress, []);
});

test('a reopened workspace reads unchanged files from the persisted index; a file changed meanwhile is read again', async () => {
  const first = await startWorkspace(files);
  await first.open('web.yaml', web);
  await first.waitForDiagnostics('web.yaml', (ds) => rules(ds).includes('duplicate-cluster-ip'));
  const indexed = (client: LspClient) =>
    client.waitFor('the index log line', () => client.logs.find((l) => l.message.includes('kube-routes: indexed')));
  assert.match((await indexed(first)).message, /indexed 301 files in \d+ ms, 0 unchanged since the last session/);
  await first.shutdown();
  const cacheFile = join(first.root, '.kube-routes-cache-editor');
  assert.ok(existsSync(cacheFile), 'the index is persisted in the workspace folder');

  // The duplicate's other side moves away while the editor is closed.
  writeFileSync(
    join(first.root, 'zz/other.yaml'),
    serviceYaml({ name: 'other', region: 'nyc3', clusterIP: '172.25.0.11' }),
  );
  const { client: second } = await LspClient.start({ root: first.root });
  after(async () => {
    if (second.alive) await second.shutdown().catch(() => second.kill());
    assertNoInternalErrors(second);
  });
  await second.open('web.yaml', web);
  assert.match(
    (await indexed(second)).message,
    new RegExp(`indexed 301 files in \\d+ ms, 300 unchanged since the last session \\(${cacheFile}\\)`),
  );
  // Published before the log line: the changed file counts, the others come from the cache.
  assert.deepEqual(rules(second.diagnostics.get(second.uri('web.yaml'))?.diagnostics ?? []), ['unknown-region']);
});
