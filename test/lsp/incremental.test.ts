import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { FileChangeType, type Diagnostic } from 'vscode-languageserver-protocol';
import { checkManifests, parseConfig, readManifestFile, type Finding } from '@kube-routes/server/engine';
import { Random, lspConfigYaml, startWorkspace, testSeed, type LspClient } from '@kube-routes/test/support';

// The server re-checks only what an edit can affect. This test holds it to the engine: after
// every random step (edits of open documents, files written, created and deleted on disk,
// documents opened and closed), the diagnostics of every open document must equal what one
// full engine check of the current contents (unsaved text over disk) gives for that file.

const seed = testSeed(20261128);
const steps = 150;

function randomService(r: Random, i: number): string {
  const region = r.pick(['nyc3', 'nyc3', 'sgp1', 'sgp1', 'nyc', '']);
  const name = r.pick(['web', 'api', 'cart', 'ledger', `svc-${i}`]);
  const clusterIP = r.chance(0.5)
    ? `172.25.0.${1 + r.int(8)}`
    : r.chance(0.5)
      ? `172.25.144.${1 + r.int(4)}`
      : r.pick(['None', '', '10.9.9.9', 'not-an-ip']);
  const externals = Array.from({ length: r.int(3) }, () =>
    r.pick(['172.30.0.1', '172.30.0.2', '172.30.14.1', '172.30.15.1', '172.25.0.3', '198.51.100.7']),
  );
  const labels =
    region === '' ? '' : `  labels:\n    ${r.pick(['region', 'topology.kubernetes.io/region'])}: ${region}\n`;
  const ext = externals.length > 0 ? `  externalIPs:\n${externals.map((e) => `    - ${e}\n`).join('')}` : '';
  const suppress = r.chance(0.1) ? '  # kube-routes-disable-next-line\n' : '';
  return `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n  namespace: ${r.pick(['shop', 'payments'])}\n${labels}spec:\n${suppress}  clusterIP: ${clusterIP === '' ? '""' : clusterIP}\n${ext}`;
}

function randomFile(r: Random, i: number): string {
  const docs = Array.from({ length: 1 + r.int(3) }, (_, k) => randomService(r, i * 10 + k));
  if (r.chance(0.08)) docs.push('apiVersion: v1\nkind: Service\nmetadata: {name: broken\n');
  return docs.join('---\n');
}

interface Comparable {
  readonly code: unknown;
  readonly range: unknown;
  readonly message: string;
  readonly related: unknown;
}

const fromDiagnostic = (d: Diagnostic): Comparable => ({
  code: d.code,
  range: d.range,
  message: typeof d.message === 'string' ? d.message : d.message.value,
  related: (d.relatedInformation ?? []).map((x) => [x.location.uri, x.location.range, x.message]),
});
const range = (f: Finding['range']) => ({
  start: { line: f.start.line, character: f.start.column },
  end: { line: f.end.line, character: f.end.column },
});
const fromFinding = (f: Finding): Comparable => ({
  code: f.rule,
  range: range(f.range),
  message: f.message,
  related: f.related.map((x) => [pathToFileURL(x.file).href, range(x.range), x.message]),
});

test(`incremental re-checks equal a full engine check after every random step (seed ${seed})`, async () => {
  const r = new Random(seed);
  const names = Array.from({ length: 12 }, (_, i) => `f${i}.yaml`);
  const files: Record<string, string> = { 'kube-routes.yaml': lspConfigYaml, 'sentinel.yaml': randomFile(r, 99) };
  for (const [i, n] of names.entries()) if (i < 10) files[n] = randomFile(r, i);
  const client = await startWorkspace(files, { settings: { debounceMs: 0 } });
  const open = new Map<string, string>();
  const onDisk = new Set(Object.keys(files).filter((f) => f !== 'kube-routes.yaml'));
  const config = parseConfig(lspConfigYaml, 'kube-routes.yaml').config;
  assert.ok(config);

  await client.open('sentinel.yaml', files['sentinel.yaml'] ?? '');
  open.set('sentinel.yaml', files['sentinel.yaml'] ?? '');
  for (let step = 0; step < steps; step++) {
    const name = r.pick(names);
    const op = r.int(6);
    if (op <= 1 && open.has(name)) {
      const text = randomFile(r, step);
      open.set(name, text);
      await client.change(name, text);
    } else if (op === 2 && !open.has(name)) {
      const text = onDisk.has(name) ? readFileSync(join(client.root, name), 'utf8') : randomFile(r, step);
      open.set(name, text);
      await client.open(name, text);
    } else if (op === 3 && open.has(name)) {
      open.delete(name);
      await client.close(name);
    } else if (op === 4) {
      const existed = onDisk.has(name);
      writeFileSync(join(client.root, name), randomFile(r, step));
      onDisk.add(name);
      await client.filesChanged([{ path: name, type: existed ? FileChangeType.Changed : FileChangeType.Created }]);
    } else if (onDisk.has(name)) {
      rmSync(join(client.root, name));
      onDisk.delete(name);
      await client.filesChanged([{ path: name, type: FileChangeType.Deleted }]);
    }
    await settle(client, open, step);
    assertMatchesEngine(client, open, onDisk, config, `step ${step} (seed ${seed})`);
  }
});

/**
 * Waits until everything sent so far is checked and published: a new version of the sentinel
 * document is published in the pass that handled every earlier message, and a request answered
 * after that publish is answered after every other publish of that pass.
 */
async function settle(client: LspClient, open: Map<string, string>, step: number): Promise<void> {
  const text = `${open.get('sentinel.yaml') ?? ''}# step ${step}\n`;
  open.set('sentinel.yaml', text);
  const version = await client.change('sentinel.yaml', text);
  await client.waitFor(`sentinel version ${version}`, () =>
    client.published.find((p) => p.uri === client.uri('sentinel.yaml') && p.version === version),
  );
  await client.symbols('sentinel.yaml');
}

function assertMatchesEngine(
  client: LspClient,
  open: ReadonlyMap<string, string>,
  onDisk: ReadonlySet<string>,
  config: NonNullable<ReturnType<typeof parseConfig>['config']>,
  where: string,
): void {
  const names = new Set([...onDisk, ...open.keys()]);
  const manifests = [...names].sort().map((n) => {
    const path = join(client.root, n);
    return readManifestFile({ path, text: open.get(n) ?? readFileSync(path, 'utf8') });
  });
  const findings = checkManifests(manifests, config).findings;
  for (const name of open.keys()) {
    const path = join(client.root, name);
    const expected = findings.filter((f) => f.file === path).map(fromFinding);
    const actual = (client.diagnostics.get(client.uri(name))?.diagnostics ?? []).map(fromDiagnostic);
    assert.deepEqual(actual, expected, `${name} at ${where}`);
  }
}
