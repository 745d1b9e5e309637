#!/usr/bin/env node
// One step of the MRT load measured in process: loadMrtFile with records decoded in place (the
// default) against copied records (`borrow: false`, what every load did before), each in a fresh
// process (so the first load is cold, as in a one-shot command), alternating; then a second load
// in the same process (warm: the JIT has compiled the decoder). CPU time of the load itself
// (process.cpuUsage, every thread: the JIT's and GC's too), medians over --runs.
//   node bench/mrt-steps.mjs [--runs N] [FILE...]   (default: the two real files of bench/mrt.mjs)
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const variants = { 'in place': {}, copied: { borrow: false } };

if (process.argv[2] === '--one') {
  const [file, variant] = process.argv.slice(3);
  const { loadMrtFile } = await import('../server/dist/src/mrt-node/index.js');
  const { Rib } = await import('../server/dist/src/rib/index.js');
  const cpuMs = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  const times = [];
  for (let i = 0; i < 2; i++) {
    const start = cpuMs();
    await loadMrtFile(file, new Rib(), undefined, variants[variant]);
    times.push(cpuMs() - start);
  }
  console.log(JSON.stringify(times));
  process.exit(0);
}

const runsAt = process.argv.indexOf('--runs');
const runs = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 7;
const given = process.argv.slice(2).filter((a, i, all) => a !== '--runs' && all[i - 1] !== '--runs');
const files = given.length
  ? given
  : ['bview.20020722.2337.gz', 'rrc15.updates.20100227.1600.gz'].map((n) => join(root, 'server/test/mrt/real-data', n));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(`node ${process.version}; ${runs} runs per variant, alternating; CPU ms of the load, medians`);
console.log('| file | variant | first load (cold) | second load (warm) |\n|---|---|---|---|');
for (const file of files) {
  const results = Object.fromEntries(Object.keys(variants).map((v) => [v, { cold: [], warm: [] }]));
  for (let run = 0; run < runs; run++) {
    const order = run % 2 ? Object.keys(variants).reverse() : Object.keys(variants);
    for (const variant of order) {
      const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--one', file, variant], {
        encoding: 'utf8',
      });
      if (r.status !== 0) throw new Error(`${variant} ${file}: ${r.stderr}`);
      const [cold, warm] = JSON.parse(r.stdout);
      results[variant].cold.push(cold);
      results[variant].warm.push(warm);
    }
  }
  for (const [variant, { cold, warm }] of Object.entries(results))
    console.log(`| ${file.split('/').pop()} | ${variant} | ${median(cold).toFixed(0)} | ${median(warm).toFixed(0)} |`);
}
