import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Position, Range } from 'vscode-languageserver-protocol';
import {
  Random,
  assertNoInternalErrors,
  lspConfigYaml,
  repoRoot,
  serviceYaml,
  startWorkspace,
  testSeed,
  type LspClient,
} from '@kube-routes/test/support';

// Thousands of randomly mutated manifests sent as edits: truncated, re-indented, random bytes
// and characters, huge scalars, deep nesting, stray anchors and markers. Every version must be
// checked and published, every request answered, and the server must neither crash nor report
// an internal error (it logs one for anything a handler did not expect, rejections included).

const seed = testSeed(6);
const edits = 3000;

function seeds(): string[] {
  const examples = join(repoRoot, 'examples');
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (/\.ya?ml$/.test(e.name) && e.name !== 'kube-routes.yaml')
        found.push(readFileSync(join(dir, e.name), 'utf8'));
    }
  };
  walk(examples);
  found.push(
    serviceYaml({ name: 'web', region: 'nyc3', clusterIP: '172.25.0.10', externalIPs: ['172.30.0.10', '172.30.14.2'] }),
  );
  found.push(
    `apiVersion: v1\nkind: List\nitems:\n  - &svc {apiVersion: v1, kind: Service, metadata: {name: a, labels: {region: nyc3}}, spec: {clusterIP: 172.25.0.9}}\n  - <<: *svc\n    metadata: {name: b}\n`,
  );
  return found;
}

const fragments = [
  '---\n',
  '...\n',
  '&a ',
  '*a',
  '<<: *a\n',
  '{',
  '}',
  '[',
  ']',
  ': ',
  '- ',
  '"',
  "'",
  '#',
  '\t',
  '\r\n',
  '\r',
  '%YAML 1.2\n',
  '!!binary ',
  '? ',
  '|\n',
  '>-\n',
  'kind: Service\n',
  'clusterIP: ',
  '172.25.0.',
  'fd00:25::',
  '::',
  '\u0000',
  '\uFEFF',
  '\uD800',
  '😀',
  'é',
];

function mutate(r: Random, base: string): string {
  let text = base;
  const rounds = 1 + r.int(4);
  for (let i = 0; i < rounds; i++) {
    const at = r.int(text.length + 1);
    switch (r.int(9)) {
      case 0:
        text = text.slice(0, at);
        break;
      case 1: {
        // re-indent one line
        const lines = text.split('\n');
        const n = r.int(lines.length);
        lines[n] = r.chance(0.5)
          ? ' '.repeat(r.int(9)) + (lines[n] ?? '').trimStart()
          : (lines[n] ?? '').slice(r.int(4));
        text = lines.join('\n');
        break;
      }
      case 2:
        text =
          text.slice(0, at) +
          String.fromCharCode(...Array.from({ length: 1 + r.int(8) }, () => r.int(0x10000))) +
          text.slice(at);
        break;
      case 3:
        text = text.slice(0, at) + r.pick(fragments) + text.slice(at);
        break;
      case 4: {
        // a huge scalar, occasionally a very large one
        const size = r.chance(0.05) ? 1_000_000 : 1_000 + r.int(50_000);
        text = text.replace(/172\.\d+\.\d+\.\d+/, 'x'.repeat(size));
        break;
      }
      case 5:
        text = text.slice(0, at) + text.slice(at, at + r.int(200)).repeat(2 + r.int(5)) + text.slice(at);
        break;
      case 6:
        text = text.slice(0, at) + text.slice(at + 1 + r.int(40));
        break;
      case 7:
        if (r.chance(0.1)) text = '['.repeat(2_000 + r.int(20_000)) + text;
        else text = text.replace(/\n/g, () => (r.chance(0.1) ? '\n\t' : '\n'));
        break;
      default:
        text = text.slice(0, at) + String.fromCharCode(r.int(32)) + text.slice(at);
        break;
    }
  }
  return text;
}

function randomPosition(r: Random, text: string): Position {
  const lines = text.split('\n');
  const line = r.int(lines.length + 2);
  return { line, character: r.int((lines[line]?.length ?? 0) + 5) };
}

async function exercise(client: LspClient, r: Random, file: string, text: string): Promise<void> {
  const start = randomPosition(r, text);
  const range: Range = { start, end: r.chance(0.5) ? start : randomPosition(r, text) };
  const diagnostics = client.diagnostics.get(client.uri(file))?.diagnostics ?? [];
  const [hover, actions, lenses, symbols] = await Promise.all([
    client.hover(file, start),
    client.codeActions(file, range, diagnostics.slice(0, 5)),
    client.codeLenses(file),
    client.symbols(file),
  ]);
  assert.ok(hover === null || typeof hover.contents === 'object');
  assert.ok(Array.isArray(actions) && Array.isArray(lenses) && Array.isArray(symbols));
}

test(`${edits} mutated manifests as edits: every version published, every request answered, no internal error (seed ${seed})`, async () => {
  const r = new Random(seed);
  const corpus = seeds();
  const client = await startWorkspace(
    { 'kube-routes.yaml': lspConfigYaml, 'nyc3/other.yaml': corpus[0] ?? '' },
    { settings: { debounceMs: 0 } },
  );
  let text = r.pick(corpus);
  await client.open('fuzz.yaml', text);
  let answered = 0;
  for (let i = 0; i < edits; i++) {
    text = mutate(r, r.chance(0.3) ? r.pick(corpus) : text.length > 60_000 ? r.pick(corpus) : text);
    const version = await client.change('fuzz.yaml', text);
    await client.waitFor(`the publish of version ${version} (edit ${i}, seed ${seed})`, () =>
      client.published.find((p) => p.uri === client.uri('fuzz.yaml') && p.version === version),
    );
    if (i % 10 === 0) {
      await exercise(client, r, 'fuzz.yaml', text);
      answered += 4;
    }
  }
  assert.equal(answered, 4 * Math.ceil(edits / 10));
  assert.ok(client.alive, 'the server is still running');
  assertNoInternalErrors(client);
  assert.equal(await client.shutdown(), 0);
});

test('flow collections nested thousands deep are refused before parsing (they would abort V8), twice in a row', async () => {
  const client = await startWorkspace({ 'kube-routes.yaml': lspConfigYaml }, { settings: { debounceMs: 0 } });
  const deep = '['.repeat(5_000) + serviceYaml({ name: 'web', region: 'nyc3', clusterIP: '172.25.0.10' });
  await client.open('deep.yaml', deep);
  for (const text of [deep, deep.replace('web', 'api'), `${'{'.repeat(3_000)}\nkind: Service\n`]) {
    const version = await client.change('deep.yaml', text);
    const published = await client.waitFor(`version ${version}`, () =>
      client.published.find((p) => p.uri === client.uri('deep.yaml') && p.version === version),
    );
    assert.deepEqual(
      published.diagnostics.map((d) => [d.code, d.message]),
      [
        [
          'yaml-syntax',
          'flow collections ("[", "{") nest deeper than 256 levels; no manifest nests like that, and the YAML parser cannot read it safely; the Services in this document are not checked until it parses',
        ],
      ],
    );
  }
  assert.ok(client.alive);
});
