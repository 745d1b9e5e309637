#!/usr/bin/env node
// MRT load against Debian's bgpdump on the same files, side by side in one run: each round runs
// `bgpdump -m FILE > /dev/null` and `node bench/mrt-load.mjs FILE` (the file loaded into a RIB, as
// `kubectl routes --bgp FILE` does) alternately, as separate processes (start-up included). Wall
// time and peak RSS from GNU time (%e, %M) for both. Reports medians and ratios.
//   node bench/mrt.mjs [--rounds N] [--prefixes N] [--peers N]
// Files: the RIS table of 2002-07-22 (TABLE_DUMP v1) and a RIS update dump of 2010 (BGP4MP), both
// from server/test/mrt/real-data, and a synthetic TABLE_DUMP_V2 full table (bench/out/, generated
// once by bench/mrt-generate.mjs).
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateTableDump } from './mrt-generate.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const rounds = arg('--rounds', 3);
const prefixes = arg('--prefixes', 500_000);
const peers = arg('--peers', 4);

for (const tool of ['bgpdump', '/usr/bin/time']) {
  if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
    console.error(`error: ${tool} is not installed (apt-get install bgpdump time)`);
    process.exit(2);
  }
}

mkdirSync(join(root, 'bench/out'), { recursive: true });
const synthetic = join(root, `bench/out/table-dump-v2-${prefixes}x${peers}.mrt.gz`);
await generateTableDump(synthetic, prefixes, peers);
const files = [
  [
    'RIS rrc00 bview 2002-07-22 (TABLE_DUMP, 115,521 routes)',
    join(root, 'server/test/mrt/real-data/bview.20020722.2337.gz'),
  ],
  [
    'RIS rrc15 updates 2010-02-27 16:00 (BGP4MP, 52,468 announcements)',
    join(root, 'server/test/mrt/real-data/rrc15.updates.20100227.1600.gz'),
  ],
  [`synthetic TABLE_DUMP_V2 (${prefixes} prefixes x ${peers} peers)`, synthetic],
];

/** One run under GNU time: wall seconds and peak RSS in MiB. */
function timed(command, args) {
  const run = spawnSync('/usr/bin/time', ['-f', '%e %M', command, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  const [seconds, kb] = run.stderr.trim().split('\n').at(-1).split(' ').map(Number);
  return { seconds, rss: kb / 1024 };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const subjects = {
  'bgpdump -m': (file) => timed('bgpdump', ['-m', file]),
  'kube-routes MRT load': (file) => timed(process.execPath, [join(root, 'bench/mrt-load.mjs'), file]),
};

const rows = [];
for (const [label, file] of files) {
  const results = Object.fromEntries(Object.keys(subjects).map((k) => [k, { seconds: [], rss: [] }]));
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 ? Object.keys(subjects) : Object.keys(subjects).reverse();
    for (const name of order) {
      const r = subjects[name](file);
      results[name].seconds.push(r.seconds);
      results[name].rss.push(r.rss);
      console.log(`${label}: round ${round} ${name}: ${r.seconds.toFixed(2)} s, ${r.rss.toFixed(0)} MiB`);
    }
  }
  rows.push({ label, size: statSync(file).size, results });
}

const [dump, ours] = Object.keys(subjects);
const bgpdumpVersion = spawnSync('dpkg-query', ['-W', 'bgpdump']).stdout?.toString().trim().split('\t')[1] ?? 'unknown';
console.log(`\n${rounds} rounds, medians; bgpdump ${bgpdumpVersion} (Debian); node ${process.version}`);
console.log(`| file | gzip size | ${dump} (s) | ${ours} (s) | ratio | ${dump} RSS (MiB) | ${ours} RSS (MiB) |`);
console.log('|---|---|---|---|---|---|---|');
for (const { label, size, results } of rows) {
  const a = median(results[dump].seconds);
  const b = median(results[ours].seconds);
  console.log(
    `| ${label} | ${(size / 2 ** 20).toFixed(1)} MiB | ${a.toFixed(2)} | ${b.toFixed(2)} | ${(b / a).toFixed(2)}x (target <= 1.0x) | ${median(results[dump].rss).toFixed(0)} | ${median(results[ours].rss).toFixed(0)} |`,
  );
}
