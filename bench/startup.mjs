#!/usr/bin/env node
// `kubectl-routes --version` and a check of the example fabric: the release's single executable
// (release/kubectl-routes-linux-amd64.tar.gz, run with no Node on PATH) against the workspace's
// bin script on the same Node (node_modules/.bin/kubectl-routes), alternating as separate
// processes in one run. Reported: median wall time and peak RSS (from /usr/bin/time) over --runs,
// and the ratios. Target from the issue: --version under 1 s.
//   npm run release && node bench/startup.mjs [--runs 10]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const i = process.argv.indexOf('--runs');
const RUNS = i > 0 ? Number(process.argv[i + 1]) : 10;
const dir = mkdtempSync(join(tmpdir(), 'kube-routes-bench-startup-'));
const tar = spawnSync('tar', ['xzf', join(root, 'release/kubectl-routes-linux-amd64.tar.gz'), '-C', dir]);
if (tar.status !== 0) {
  console.error('error: release/kubectl-routes-linux-amd64.tar.gz is missing; run npm run release first');
  process.exit(2);
}
const subjects = [
  { name: 'single executable (SEA)', cmd: join(dir, 'kubectl-routes'), env: { PATH: dir } },
  {
    name: 'bin script on node',
    cmd: join(root, 'node_modules/.bin/kubectl-routes'),
    env: { PATH: `${dirname(process.execPath)}:/usr/bin:/bin` },
  },
];
const tasks = [
  { name: '--version', args: ['--version'] },
  { name: 'check examples', args: ['check', '--bgp', 'examples/fabric.mrt', 'examples/'] },
];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rssFile = join(dir, 'rss');

function once(subject, task) {
  const start = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', '-o', rssFile, subject.cmd, ...task.args], {
    cwd: root,
    env: { ...subject.env, NO_COLOR: '1' },
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0 && !(task.name === 'check examples' && r.status === 1))
    throw new Error(`${subject.name} ${task.name} exited ${r.status}: ${r.stderr}`);
  return { seconds, rssMiB: Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) / 1024 };
}

console.log(`node ${process.version}, ${process.platform} ${process.arch}; ${RUNS} runs each, alternating, medians`);
console.log('| task | subject | wall time (s) | peak RSS (MiB) |\n|---|---|---|---|');
for (const task of tasks) {
  const results = subjects.map(() => []);
  for (let run = 0; run < RUNS; run++) subjects.forEach((s, k) => results[k].push(once(s, task)));
  const med = results.map((rs) => ({ t: median(rs.map((r) => r.seconds)), m: median(rs.map((r) => r.rssMiB)) }));
  subjects.forEach((s, k) =>
    console.log(`| ${task.name} | ${s.name} | ${med[k].t.toFixed(3)} | ${med[k].m.toFixed(0)} |`),
  );
  console.log(
    `| ${task.name} | SEA / script | ${(med[0].t / med[1].t).toFixed(2)}x | ${(med[0].m / med[1].m).toFixed(2)}x |`,
  );
}
rmSync(dir, { recursive: true, force: true });
