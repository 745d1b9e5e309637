#!/usr/bin/env node
// In-process comparison of ways to read the manifests of a tree (the candidates of issue 13,
// part 1), all in one process, alternately, medians of N rounds after a warm-up round:
//   yaml parseAllDocuments          the bare parse (bench/parse-only.mjs's work)
//   yaml CST only (Parser)          the floor of any reader that walks yaml's CST without composing
//   composing reader                readManifestFileComposed: every document composed (the reference)
//   scanning reader                 readManifestFile: the scanner, yaml only beyond its subset
//   node bench/manifest-readers.mjs DIR [--rounds N]     (after npx tsc -b)
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Parser, parseAllDocuments } from 'yaml';

const require = createRequire(import.meta.url);
const engine = require('../server/dist/src/engine/index.js');
const dir = process.argv[2];
const i = process.argv.indexOf('--rounds');
const rounds = i > 0 ? Number(process.argv[i + 1]) : 5;
const files = [];
const walk = (d) => {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const path = join(d, e.name);
    if (e.isDirectory()) walk(path);
    else if (/\.ya?ml$/.test(e.name) && e.name !== 'kube-routes.yaml')
      files.push({ path, text: readFileSync(path, 'utf8') });
  }
};
walk(dir);
const candidates = {
  'yaml parseAllDocuments': (f) => parseAllDocuments(f.text).length,
  'yaml CST only (Parser)': (f) => {
    let n = 0;
    for (const _ of new Parser().parse(f.text)) n++;
    return n;
  },
  'composing reader': (f) => engine.readManifestFileComposed(f).services.length,
  'scanning reader': (f) => engine.readManifestFile(f).services.length,
};
const times = Object.fromEntries(Object.keys(candidates).map((k) => [k, []]));
for (let r = 0; r <= rounds; r++) {
  for (const [name, read] of Object.entries(candidates)) {
    const start = performance.now();
    for (const f of files) read(f);
    if (r > 0) times[name].push(performance.now() - start);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(times['yaml parseAllDocuments']);
const scanned = files.filter((f) => engine.readScannedFile(f) !== undefined).length;
console.log(
  `${files.length} files, ${scanned} read by the scanner without composing the whole file; ${rounds} rounds, medians`,
);
console.log('| reader | ms | / parseAllDocuments |');
console.log('|---|---|---|');
for (const [name, t] of Object.entries(times))
  console.log(`| ${name} | ${median(t).toFixed(0)} | ${(median(t) / base).toFixed(2)}x |`);
