#!/usr/bin/env node
// Benchmark of `kubectl routes check --cache` (issue 13, part 2) against parsing alone with the yaml
// package (bench/parse-only.mjs), side by side in one run, Node start-up included on both sides:
// cold (no cache file), warm with nothing changed, and warm after one file changed (its clusterIP
// toggled to one an unchanged file uses, so every warm run sees a change and a new cross-file
// finding), on the GitOps-shaped tree (bench/generate-gitops.mjs) and on the 10,000-Service tree
// (bench/generate-services.mjs). Checks on the way that the warm results equal the cold ones and
// that the changed file's conflict with an unchanged file is found. Reports medians and ratios.
// --bundle: kubectl-routes as the pre-commit hook and the release executables run it, bundled by
// scripts/bundle.mjs (its first-use modules apart) into bench/out/bundle/, instead of the compiled tree.
//   node bench/check-cache.mjs [--runs N] [--tree gitops|services] [--bundle]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateGitops } from './generate-gitops.mjs';
import { generate } from './generate-services.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const runs = Number(arg('--runs', 5));
const only = arg('--tree', undefined);
const scratch = mkdtempSync(join(tmpdir(), 'kube-routes-bench-'));
async function bundled() {
  const { bundle, programs } = await import('../scripts/bundle.mjs');
  return bundle(
    programs.find((p) => p.name === 'kubectl-routes'),
    join(root, 'bench/out/bundle/kubectl-routes.cjs'),
  );
}
const kubectlRoutes = process.argv.includes('--bundle')
  ? await bundled()
  : join(root, 'kubectl-plugin/bin/kubectl-routes');

const trees = [
  {
    name: 'gitops',
    dir: join(root, 'bench/out/cache-gitops'),
    generate: (dir) => generateGitops(dir),
    // Two Services of one cluster: the first takes the second's cluster IP.
    changed: 'clusters/nyc3-1/apps/checkout-1/service.yaml',
    partner: 'clusters/nyc3-1/apps/billing-4/service.yaml',
  },
  {
    name: 'services',
    dir: join(root, 'bench/out/cache-services'),
    generate: (dir) => generate(dir),
    changed: 'nyc3/services-0000.yaml',
    partner: 'nyc3/services-0003.yaml',
  },
].filter((t) => only === undefined || t.name === only);

// Peak RSS and CPU time (user + system) of each process: on a shared, loaded machine the CPU
// time ratio is steadier than the wall time ratio, so both are reported.
const preload = join(scratch, 'rusage-cpu.cjs');
writeFileSync(
  preload,
  `process.on('exit', () => { const u = process.resourceUsage(); require('node:fs').writeFileSync(process.env.BENCH_RUSAGE_FILE, u.maxRSS + ' ' + (u.userCPUTime + u.systemCPUTime)); });`,
);

function measure(args, cwd) {
  const rusage = join(scratch, 'rusage');
  const start = process.hrtime.bigint();
  const run = spawnSync(process.execPath, ['--require', preload, ...args], {
    cwd,
    env: { ...process.env, BENCH_RUSAGE_FILE: rusage },
    maxBuffer: 512 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (run.status !== 0 && run.status !== 1) throw new Error(`${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  if (run.stderr.length > 0 && !args.includes('parse-only')) throw new Error(`unexpected stderr: ${run.stderr}`);
  const [rss, cpu] = readFileSync(rusage, 'utf8').split(' ').map(Number);
  return { seconds, cpuSeconds: cpu / 1e6, rssMiB: rss / 1024, stdout: run.stdout.toString() };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const findingsOf = (stdout) => JSON.parse(stdout).findings;

console.log(
  `node ${process.version}, ${process.platform} ${process.arch}; load average at start ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}; kubectl-routes: ${kubectlRoutes.slice(root.length + 1)}`,
);
for (const tree of trees) {
  const counts = tree.generate(tree.dir);
  const cache = join(scratch, `${tree.name}.cache`);
  const check = ['check', '-o', 'json', '--cache', '--cache-location', cache, '.'];
  const changedPath = join(tree.dir, tree.changed);
  const original = readFileSync(changedPath, 'utf8');
  const partnerIP = /clusterIP: (\S+)/.exec(readFileSync(join(tree.dir, tree.partner), 'utf8'))[1];
  const conflicting = original.replace(/clusterIP: \S+/, `clusterIP: ${partnerIP}`);
  const subjects = {
    'parse-only (yaml)': () => [join(root, 'bench/parse-only.mjs'), tree.dir],
    'check --cache, cold': () => {
      rmSync(cache, { force: true });
      return [kubectlRoutes, ...check];
    },
    'check --cache, warm, nothing changed': () => [kubectlRoutes, ...check],
    'check --cache, warm, one file changed': () => {
      const now = readFileSync(changedPath, 'utf8');
      writeFileSync(changedPath, now === original ? conflicting : original);
      return [kubectlRoutes, ...check];
    },
  };

  // The results first: warm equals cold, and the changed file's new conflict is found.
  writeFileSync(changedPath, original);
  rmSync(cache, { force: true });
  const cold = findingsOf(measure([kubectlRoutes, ...check], tree.dir).stdout);
  const warm = findingsOf(measure([kubectlRoutes, ...check], tree.dir).stdout);
  if (JSON.stringify(warm) !== JSON.stringify(cold)) throw new Error(`${tree.name}: warm findings differ from cold`);
  writeFileSync(changedPath, conflicting);
  const changed = findingsOf(measure([kubectlRoutes, ...check], tree.dir).stdout);
  const found = changed.filter(
    (f) => f.rule === 'duplicate-cluster-ip' && f.file === tree.changed && f.message.includes(partnerIP),
  );
  if (found.length === 0) throw new Error(`${tree.name}: the changed file's duplicate cluster IP was not found`);
  writeFileSync(changedPath, original);
  if (JSON.stringify(findingsOf(measure([kubectlRoutes, ...check], tree.dir).stdout)) !== JSON.stringify(cold))
    throw new Error(`${tree.name}: reverting the change did not bring back the cold findings`);

  const results = Object.fromEntries(Object.keys(subjects).map((k) => [k, { seconds: [], cpu: [], rss: [] }]));
  for (let i = 0; i < runs; i++) {
    // In this order, so "nothing changed" follows a run that wrote the cache; alternating with
    // parse-only so machine noise hits both sides alike.
    for (const [name, args] of Object.entries(subjects)) {
      const r = measure(args(), tree.dir);
      results[name].seconds.push(r.seconds);
      results[name].cpu.push(r.cpuSeconds);
      results[name].rss.push(r.rssMiB);
    }
  }
  writeFileSync(changedPath, original);
  const cacheBytes = readFileSync(cache).length;
  const base = median(results['parse-only (yaml)'].seconds);
  const baseCpu = median(results['parse-only (yaml)'].cpu);
  console.log(
    `\ntree ${tree.name}: ${JSON.stringify(counts)}; ${cold.length} findings cold, the changed file's conflict found; cache file ${(cacheBytes / 2 ** 20).toFixed(1)} MiB; ${runs} runs each, medians`,
  );
  console.log('| subject | wall time (s) | x parse-only | CPU time (s) | x parse-only | peak RSS (MiB) |');
  console.log('|---|---|---|---|---|---|');
  for (const [name, r] of Object.entries(results))
    console.log(
      `| ${name} | ${median(r.seconds).toFixed(3)} | ${(median(r.seconds) / base).toFixed(2)}x | ${median(r.cpu).toFixed(3)} | ${(median(r.cpu) / baseCpu).toFixed(2)}x | ${median(r.rss).toFixed(0)} |`,
    );
}
console.log(
  `\nload average at end ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
rmSync(scratch, { recursive: true, force: true });
