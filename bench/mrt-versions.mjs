#!/usr/bin/env node
// `bench/mrt-load.mjs` of other builds against this one, as separate processes, alternating the
// order per run: each step of a change measured as users pay it (start-up included). A build is a
// scratch copy of a commit, built and run with this bench's mrt-load.mjs so only the library differs:
//   d=/tmp/at-COMMIT; mkdir -p $d/bench && git archive COMMIT server tsconfig.base.json \
//     tsconfig.json package.json | tar -x -C $d && cp bench/mrt-load.mjs $d/bench/ && \
//     ln -s $PWD/node_modules $d/node_modules && (cd $d && npx tsc -b server/src/mrt-node/tsconfig.json)
//   node bench/mrt-versions.mjs [--runs N] NAME=DIR... [-- FILE...]
// Wall and CPU time (user + system) and peak RSS from GNU time; medians, and ratios to the first build.
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 7;
const dash = args.indexOf('--');
const builds = (dash >= 0 ? args.slice(0, dash) : args).map((a) => a.split('='));
builds.push(['this build', root]);
const files =
  dash >= 0
    ? args.slice(dash + 1)
    : ['bview.20020722.2337.gz', 'rrc15.updates.20100227.1600.gz'].map((n) =>
        join(root, 'server/test/mrt/real-data', n),
      );
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timed(dir, file) {
  const run = spawnSync(
    '/usr/bin/time',
    ['-f', '%e %U %S %M', process.execPath, join(dir, 'bench/mrt-load.mjs'), file],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  if (run.status !== 0) throw new Error(`${dir}: ${run.stderr}`);
  const [seconds, user, system, kb] = run.stderr.trim().split('\n').at(-1).split(' ').map(Number);
  return { seconds, cpu: user + system, rss: kb / 1024 };
}

console.log(`node ${process.version}; ${runs} runs per build, alternating; medians`);
console.log('| file | build | wall (s) | CPU (s) | peak RSS (MiB) | CPU / first |\n|---|---|---|---|---|---|');
for (const file of files) {
  const results = builds.map(() => ({ seconds: [], cpu: [], rss: [] }));
  for (let run = 0; run < runs; run++) {
    const order = builds.map((_, k) => k);
    if (run % 2) order.reverse();
    for (const k of order) {
      const r = timed(builds[k][1], file);
      for (const key of ['seconds', 'cpu', 'rss']) results[k][key].push(r[key]);
    }
  }
  const first = median(results[0].cpu);
  builds.forEach(([name], k) => {
    const at = (key) => median(results[k][key]);
    console.log(
      `| ${file.split('/').pop()} | ${name} | ${at('seconds').toFixed(2)} | ${at('cpu').toFixed(2)} | ${at('rss').toFixed(0)} | ${(at('cpu') / first).toFixed(2)}x |`,
    );
  });
}
