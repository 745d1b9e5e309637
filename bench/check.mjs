#!/usr/bin/env node
// Benchmark of `kubectl routes check` against parsing alone with the yaml package, side by side in
// one run: 10,000 Services in 1,000 files across 3 regions. Reports medians and ratios.
//   node bench/check.mjs [--runs N]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from './generate-services.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 7;
const corpus = join(root, 'bench/out/check-corpus');
const services = generate(corpus);
const scratch = mkdtempSync(join(tmpdir(), 'kube-routes-bench-'));

const subjects = {
  'parse-only (yaml)': [join(root, 'bench/parse-only.mjs'), corpus],
  'kubectl routes check': [join(root, 'kubectl-plugin/bin/kubectl-routes'), 'check', '-o', 'json', corpus],
};

function measure(args) {
  const rusage = join(scratch, 'rusage');
  const start = process.hrtime.bigint();
  const run = spawnSync(process.execPath, ['--require', join(root, 'bench/rusage.cjs'), ...args], {
    env: { ...process.env, BENCH_RUSAGE_FILE: rusage },
    maxBuffer: 512 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (run.status !== 0 && run.status !== 1) throw new Error(`${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  return { seconds, rssMiB: Number(readFileSync(rusage, 'utf8')) / 1024, stdout: run.stdout };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const results = Object.fromEntries(Object.keys(subjects).map((k) => [k, { seconds: [], rss: [] }]));
measure(subjects['kubectl routes check']); // warm the file cache
let findings = 0;
for (let i = 0; i < runs; i++) {
  // Alternate so machine noise hits both sides alike.
  for (const [name, args] of Object.entries(subjects)) {
    const r = measure(args);
    results[name].seconds.push(r.seconds);
    results[name].rss.push(r.rssMiB);
    if (name === 'kubectl routes check') findings = JSON.parse(r.stdout).findings.length;
  }
}
rmSync(scratch, { recursive: true, force: true });

console.log(`corpus: ${services} Services in 1000 files, 3 regions; ${findings} findings; ${runs} runs each, medians`);
console.log(`node ${process.version}, ${process.platform} ${process.arch}`);
console.log('| subject | wall time (s) | peak RSS (MiB) |');
console.log('|---|---|---|');
for (const [name, r] of Object.entries(results))
  console.log(`| ${name} | ${median(r.seconds).toFixed(3)} | ${median(r.rss).toFixed(0)} |`);
const ratio = median(results['kubectl routes check'].seconds) / median(results['parse-only (yaml)'].seconds);
console.log(
  `\ncheck / parse-only wall time: ${ratio.toFixed(2)}x (target <= 1.5x); check median ${median(results['kubectl routes check'].seconds).toFixed(3)} s (target < 1 s)`,
);
