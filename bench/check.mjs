#!/usr/bin/env node
// Benchmark of `kubectl routes check` against parsing alone with the yaml package (parse-only.mjs),
// side by side in one run, on two trees: the all-Service tree (10,000 Services in 1,000 files across
// 3 regions) and the GitOps-shaped tree of generate-gitops.mjs (17,595 documents, 5,400 Services,
// 14 MiB). Both subjects run as separate processes, Node start-up included, alternately so machine
// noise hits both alike. Reports medians, ratios and peak RSS.
//   node bench/check.mjs [--runs N] [--tree all-service|gitops]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateGitops } from './generate-gitops.mjs';
import { generate } from './generate-services.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const runs = Number(arg('--runs') ?? 7);
const only = arg('--tree');
const scratch = mkdtempSync(join(tmpdir(), 'kube-routes-bench-'));

const trees = [
  {
    name: 'all-service',
    target: 1.0,
    dir: join(root, 'bench/out/check-corpus'),
    make(dir) {
      return `${generate(dir)} Services in 1000 files, 3 regions`;
    },
  },
  {
    name: 'gitops',
    target: 0.35,
    dir: join(root, 'bench/out/gitops-corpus'),
    make(dir) {
      const c = generateGitops(dir);
      return `${c.documents} documents, ${c.services} Services, ${(c.bytes / 1024 / 1024).toFixed(1)} MiB (generate-gitops.mjs, seed 1)`;
    },
  },
].filter((t) => !only || t.name === only);

function measure(args) {
  const rusage = join(scratch, 'rusage');
  const cpu = join(scratch, 'cpu');
  const start = process.hrtime.bigint();
  const run = spawnSync(process.execPath, ['--require', join(root, 'bench/rusage.cjs'), ...args], {
    env: { ...process.env, BENCH_RUSAGE_FILE: rusage, BENCH_CPU_FILE: cpu },
    maxBuffer: 512 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (run.status !== 0 && run.status !== 1) throw new Error(`${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  return {
    seconds,
    cpu: Number(readFileSync(cpu, 'utf8')),
    rssMiB: Number(readFileSync(rusage, 'utf8')) / 1024,
    stdout: run.stdout,
  };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

console.log(`node ${process.version}, ${process.platform} ${process.arch}; ${runs} runs each, medians`);
for (const tree of trees) {
  const described = tree.make(tree.dir);
  const subjects = {
    'parse-only (yaml)': [join(root, 'bench/parse-only.mjs'), tree.dir],
    'kubectl routes check': [join(root, 'kubectl-plugin/bin/kubectl-routes'), 'check', '-o', 'json', tree.dir],
  };
  const results = Object.fromEntries(Object.keys(subjects).map((k) => [k, { seconds: [], cpu: [], rss: [] }]));
  measure(subjects['kubectl routes check']); // warm the file cache
  let findings = 0;
  for (let i = 0; i < runs; i++) {
    for (const [name, args] of Object.entries(subjects)) {
      const r = measure(args);
      results[name].seconds.push(r.seconds);
      results[name].cpu.push(r.cpu);
      results[name].rss.push(r.rssMiB);
      if (name === 'kubectl routes check') findings = JSON.parse(r.stdout).findings.length;
    }
  }
  console.log(`\n${tree.name}: ${described}; ${findings} findings`);
  console.log('| subject | wall time (s) | CPU time (s) | peak RSS (MiB) |');
  console.log('|---|---|---|---|');
  for (const [name, r] of Object.entries(results))
    console.log(
      `| ${name} | ${median(r.seconds).toFixed(3)} | ${median(r.cpu).toFixed(3)} | ${median(r.rss).toFixed(0)} |`,
    );
  const [check, parse] = ['kubectl routes check', 'parse-only (yaml)'].map((k) => results[k]);
  const ratio = median(check.seconds) / median(parse.seconds);
  const cpuRatio = median(check.cpu) / median(parse.cpu);
  console.log(
    `check / parse-only: wall time ${ratio.toFixed(2)}x (target <= ${tree.target}x), CPU time ${cpuRatio.toFixed(2)}x; check median ${median(check.seconds).toFixed(3)} s`,
  );
}
rmSync(scratch, { recursive: true, force: true });
