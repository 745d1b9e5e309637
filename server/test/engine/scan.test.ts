import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  readManifestFile,
  readManifestFileComposed,
  readScannedFile,
  type ManifestFile,
} from '@kube-routes/server/engine';
import { Random, repoRoot, testSeed } from '@kube-routes/test/support';

// The scanner (readManifestFile) against the reference that composes every document
// (readManifestFileComposed): the same ManifestFile for every manifest in the repository's tests
// and examples, for targeted cases, and for seeded random mutations of all of them.

const roots = [
  'server/test/engine/fixtures',
  'server/test/engine/corpus',
  'server/test/engine/scan-fixtures',
  'server/test/engine/config-fixtures',
  'test/cli/fixtures',
  'test/vscode/fixture',
  'examples',
  'deploy',
].map((r) => resolve(repoRoot, r));

function manifests(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return manifests(path);
    return /\.(ya?ml|json)$/.test(e.name) ? [path] : [];
  });
}

const files = roots.flatMap(manifests).map((path) => ({
  path: relative(repoRoot, path),
  text: readFileSync(path, 'utf8'),
}));

function same(text: string, path: string): void {
  const source = { path, text };
  const fast: ManifestFile = readManifestFile(source);
  const reference: ManifestFile = readManifestFileComposed(source);
  assert.deepEqual(fast, reference, `${path}: the scanner and the composing reader differ`);
}

test('every manifest in the tests and examples reads the same scanned as composed', () => {
  assert.ok(files.length > 250, `only ${files.length} manifests found`);
  for (const f of files) same(f.text, f.path);
});

test('the targeted cases are read by the scanner, not handed whole to yaml', () => {
  const scanned = files.filter((f) => /scan-fixtures\/scanned-/.test(f.path));
  assert.ok(scanned.length >= 8);
  for (const f of scanned) assert.ok(readScannedFile(f), `${f.path} was composed whole`);
  // And most of the real corpus too, or the comparison above proves little.
  const corpus = files.filter((f) => f.path.includes('engine/corpus/'));
  const read = corpus.filter((f) => readScannedFile(f) !== undefined).length;
  assert.ok(read > corpus.length * 0.6, `only ${read} of ${corpus.length} corpus files scanned`);
});

test('a syntax error in a skipped document is still reported, and its Services still read', () => {
  for (const name of ['broken-deployment-then-service.yaml', 'deployment-duplicate-key-then-service.yaml']) {
    const path = `server/test/engine/scan-fixtures/${name}`;
    const read = readManifestFile({ path, text: readFileSync(resolve(repoRoot, path), 'utf8') });
    assert.equal(read.syntaxErrors.length > 0, true, `${name}: no syntax error`);
    assert.deepEqual(
      read.services.map((s) => s.name),
      ['web'],
    );
  }
});

const fragments = [
  '---\n',
  '...\n',
  '--- ',
  '&a ',
  '*a',
  '<<: *a\n',
  '{',
  '}',
  '[',
  ']',
  ': ',
  ':',
  '- ',
  '-',
  '"',
  "'",
  '#',
  ' #',
  '\t',
  '\r\n',
  '\r',
  '%YAML 1.2\n',
  '!!str ',
  '? ',
  '|\n',
  '|-\n',
  '>+\n',
  '|2\n',
  '\\',
  '\\x4',
  ',',
  '  ',
  '\n  ',
  'kind: Service\n',
  'kind: ConfigMap\n',
  'name: kubevip\n',
  'clusterIP: ',
  '172.25.0.',
  'null',
  '~',
  '1e3',
  '0x1F',
  'metadata:\n',
  'apiVersion: v1\n',
  '\uFEFF',
  'é',
  '😀',
];

function mutate(r: Random, base: string): string {
  let text = base;
  const rounds = 1 + r.int(3);
  for (let i = 0; i < rounds; i++) {
    const at = r.int(text.length + 1);
    switch (r.int(6)) {
      case 0: {
        const lines = text.split('\n');
        const n = r.int(lines.length);
        lines[n] = r.chance(0.5)
          ? ' '.repeat(r.int(7)) + (lines[n] ?? '').trimStart()
          : (lines[n] ?? '').slice(r.int(3));
        text = lines.join('\n');
        break;
      }
      case 1:
      case 2:
        text = text.slice(0, at) + r.pick(fragments) + text.slice(at);
        break;
      case 3:
        text = text.slice(0, at) + text.slice(at + 1 + r.int(12));
        break;
      case 4: {
        // swap two lines
        const lines = text.split('\n');
        const a = r.int(lines.length);
        const b = r.int(lines.length);
        [lines[a], lines[b]] = [lines[b] ?? '', lines[a] ?? ''];
        text = lines.join('\n');
        break;
      }
      default:
        text = text.slice(0, at) + String.fromCharCode(r.int(128)) + text.slice(at);
        break;
    }
  }
  return text;
}

test('random mutations of every manifest read the same scanned as composed', () => {
  const seed = testSeed(13);
  const r = new Random(seed);
  const small = files.filter((f) => f.text.length < 20_000);
  assert.ok(small.length > 200);
  let scanned = 0;
  for (let i = 0; i < 1500; i++) {
    const base = r.pick(small);
    const text = mutate(r, base.text);
    try {
      same(text, base.path);
    } catch (e) {
      throw new Error(`seed ${seed}, case ${i}, from ${base.path}:\n${JSON.stringify(text)}\n${String(e)}`);
    }
    if (readScannedFile({ path: base.path, text })) scanned++;
  }
  assert.ok(scanned > 250, `only ${scanned} mutations were scanned`);
});
