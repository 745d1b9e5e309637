#!/usr/bin/env node
// MRT load against Debian's bgpdump on the same files, side by side in one run: each round runs,
// as separate processes (start-up included), alternating the order:
//   - `bgpdump -m FILE > /dev/null`;
//   - `node bench/mrt-floor.mjs FILE`: Node started, the file decompressed and its record headers
//     walked, nothing decoded: what any loader in Node pays before the first record;
//   - `node bench/mrt-load.mjs FILE`: the file loaded into a RIB, what `--bgp FILE` loads, with the
//     compile cache on as the `kubectl-routes` launcher has it;
//   - `kubectl-routes check --bgp FILE DIR`: what users run, through the launcher: the whole table
//     loaded, then one Service (in bench/out/mrt-check/) checked against it;
//   - with `--sea EXE`, the same check through a single executable (`npm run release`, then
//     release/kubectl-routes-linux-amd64.tar.gz unpacked), whose blob carries V8's code cache.
// Wall time, CPU time (user + system) and peak RSS from GNU time (%e, %U, %S, %M). Reports medians
// and ratios to bgpdump; CPU time is the steadier figure on a shared machine.
//   node bench/mrt.mjs [--rounds N] [--prefixes N] [--peers N] [--sea EXE]
// Files: the RIS table of 2002-07-22 (TABLE_DUMP v1), a RIS update dump of 2010 (BGP4MP) and
// bgpdump's BGP4MP_ET update file of 2015 (a full table over one session, 13.5 MB), all from
// server/test/mrt/real-data; that table recompressed with bzip2 and a synthetic TABLE_DUMP_V2
// full table (both made once into bench/out/, the latter by bench/mrt-generate.mjs).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
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
const seaAt = process.argv.indexOf('--sea');
const sea = seaAt > 0 ? resolve(process.argv[seaAt + 1]) : undefined;

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
  [
    'bgpdump test data: BGP4MP_ET updates 2015-10-23, one session sending a full table (577,740 announcements)',
    join(root, 'server/test/mrt/real-data/updates.et-header.2015.gz'),
  ],
  [
    'the same RIS rrc00 bview recompressed with bzip2 -9 (RouteViews publishes .bz2)',
    bzip2Copy(join(root, 'server/test/mrt/real-data/bview.20020722.2337.gz')),
  ],
  [`synthetic TABLE_DUMP_V2 (${prefixes} prefixes x ${peers} peers)`, synthetic],
];

/** A bzip2 copy of a gzip file in bench/out/, made once. */
function bzip2Copy(gzipFile) {
  const out = join(root, 'bench/out', `${basename(gzipFile, '.gz')}.bz2`);
  if (!existsSync(out) && spawnSync('sh', ['-c', `gzip -dc '${gzipFile}' | bzip2 -9 > '${out}'`]).status !== 0)
    throw new Error(`cannot write ${out} (is bzip2 installed?)`);
  return out;
}

// One Service for `check --bgp` to look up in the loaded table (a finding or none: exit 0 or 1).
const checkDir = join(root, 'bench/out/mrt-check');
mkdirSync(checkDir, { recursive: true });
writeFileSync(
  join(checkDir, 'service.yaml'),
  'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: default}\nspec:\n  type: LoadBalancer\n  loadBalancerIP: 193.0.0.1\n  ports: [{port: 443}]\n',
);
writeFileSync(join(checkDir, 'kube-routes.yaml'), 'regions: {}\n');

/** One run under GNU time: wall seconds, CPU seconds (user + system) and peak RSS in MiB. */
function timed(command, args, okStatus = [0]) {
  const run = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', command, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  if (!okStatus.includes(run.status))
    throw new Error(`${command} ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  const [seconds, user, system, kb] = run.stderr.trim().split('\n').at(-1).split(' ').map(Number);
  return { seconds, cpu: user + system, rss: kb / 1024 };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const check = (file) => ['check', '--bgp', file, checkDir];
const subjects = {
  'bgpdump -m': (file) => timed('bgpdump', ['-m', file]),
  'mrt-floor.mjs (no decoding)': (file) => timed(process.execPath, [join(root, 'bench/mrt-floor.mjs'), file]),
  'mrt-load.mjs': (file) => timed(process.execPath, [join(root, 'bench/mrt-load.mjs'), file]),
  'kubectl-routes check --bgp': (file) =>
    timed(process.execPath, [join(root, 'kubectl-plugin/bin/kubectl-routes'), ...check(file)], [0, 1]),
  ...(sea ? { 'single executable check --bgp': (file) => timed(sea, check(file), [0, 1]) } : {}),
};

const rows = [];
for (const [label, file] of files) {
  const results = Object.fromEntries(Object.keys(subjects).map((k) => [k, { seconds: [], cpu: [], rss: [] }]));
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 ? Object.keys(subjects) : Object.keys(subjects).reverse();
    for (const name of order) {
      const r = subjects[name](file);
      for (const k of ['seconds', 'cpu', 'rss']) results[name][k].push(r[k]);
      console.log(
        `${label}: round ${round} ${name}: ${r.seconds.toFixed(2)} s, ${r.cpu.toFixed(2)} CPU s, ${r.rss.toFixed(0)} MiB`,
      );
    }
  }
  rows.push({ label, size: statSync(file).size, results });
}

const [dump, ...ours] = Object.keys(subjects);
const bgpdumpVersion = spawnSync('dpkg-query', ['-W', 'bgpdump']).stdout?.toString().trim().split('\t')[1] ?? 'unknown';
console.log(`\n${rounds} rounds, medians; bgpdump ${bgpdumpVersion} (Debian); node ${process.version}`);
console.log(
  '| file | subject | wall (s) | CPU (s) | peak RSS (MiB) | wall / bgpdump (target <= 1.0x) | CPU / bgpdump |',
);
console.log('|---|---|---|---|---|---|---|');
for (const { label, size, results } of rows) {
  const at = (name, k) => median(results[name][k]);
  const file = `${label}, ${(size / 2 ** 20).toFixed(1)} MiB`;
  console.log(
    `| ${file} | ${dump} | ${at(dump, 'seconds').toFixed(2)} | ${at(dump, 'cpu').toFixed(2)} | ${at(dump, 'rss').toFixed(0)} | | |`,
  );
  for (const name of ours) {
    console.log(
      `| ${file} | ${name} | ${at(name, 'seconds').toFixed(2)} | ${at(name, 'cpu').toFixed(2)} | ${at(name, 'rss').toFixed(0)} | ${(at(name, 'seconds') / at(dump, 'seconds')).toFixed(2)}x | ${(at(name, 'cpu') / at(dump, 'cpu')).toFixed(2)}x |`,
    );
  }
}
