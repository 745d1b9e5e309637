#!/usr/bin/env node
// Fan-in: N dynamic peers x S routes into kube-routes-speaker (speaker.dynamicPeers) and into BIRD
// (`neighbor range`), side by side in one run. The peers come from one raw load generator
// (bench/fan-in-peers.mjs: N sessions from 127.1.x.y, the same S /32s each with its own next
// hop), started afresh per measurement. Reported per receiver (medians over --rounds): seconds
// from starting the generator to all N*S paths held, receiver CPU seconds, peak RSS; ratios.
//   npx tsc -b && node bench/fan-in.mjs [--peers 500] [--services 2000] [--rounds 3] [--only speaker|bird] [--executable FILE]
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getJson as getJsonFrom } from './lib/http.mjs';
import { procStat, sleep, start, startSpeaker, stop } from './lib/processes.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const PEERS = Number(arg('--peers', 500));
const SERVICES = Number(arg('--services', 2000));
const ROUNDS = Number(arg('--rounds', 3));
const ONLY = arg('--only', undefined);
/** A release single executable to run instead of the bin script (with the image's environment). */
const EXECUTABLE = arg('--executable', undefined);
const PATHS = PEERS * SERVICES;
const ASN = 65100;
const RX = { address: '127.0.0.1', bird: 32795, speaker: 32791, api: 38279, asn: 65000 };
const dir = join(tmpdir(), `kube-routes-bench-fan-in-${process.pid}`);
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });

const birdSocket = join(dir, 'bird.ctl');
const birdc = (...cmd) => spawnSync('birdc', ['-s', birdSocket, ...cmd], { encoding: 'utf8' }).stdout;

const getJson = (path) => getJsonFrom({ host: RX.address, port: RX.api, path }).catch(() => undefined);

async function held(kind) {
  if (kind === 'bird') return Number(/(\d+) of \d+ routes/.exec(birdc('show', 'route', 'count'))?.[1] ?? 0);
  const peers = (await getJson('/v1/peers'))?.peers ?? [];
  return peers.reduce((n, p) => n + (p.received?.['ipv4-unicast'] ?? 0), 0);
}

async function startReceiver(kind) {
  if (kind === 'bird') {
    writeFileSync(
      join(dir, 'bird.conf'),
      `router id 10.0.0.5;
protocol device { }
protocol bgp nodes {
  local ${RX.address} port ${RX.bird} as ${RX.asn};
  neighbor range 127.1.0.0/16 as ${ASN};
  dynamic name "node"; dynamic name digits 4;
  multihop; hold time 240;
  ipv4 { import all; export none; };
}
`,
    );
    const child = start('bird', ['-f', '-c', join(dir, 'bird.conf'), '-s', birdSocket, '-P', join(dir, 'bird.pid')]);
    for (let i = 0; i < 50 && !/ready/.test(birdc('show', 'status')); i++) await sleep(100);
    return { child, port: RX.bird };
  }
  writeFileSync(
    join(dir, 'kube-routes.yaml'),
    `speaker:
  asn: ${RX.asn}
  routerId: 10.0.0.1
  listen: ${RX.address}:${RX.speaker}
  api: ${RX.address}:${RX.api}
  holdTime: 240
  dynamicPeers:
    - name: nodes
      prefix: 127.1.0.0/16
      asns: [${ASN}]
      maxSessions: ${Math.max(PEERS, 4096)}
`,
  );
  const child = startSpeaker(root, ['--config', join(dir, 'kube-routes.yaml'), '--log-level', 'warn'], EXECUTABLE);
  for (let i = 0; i < 100 && (await getJson('/healthz'))?.status !== 'ok'; i++) await sleep(100);
  return { child, port: RX.speaker };
}

async function measure(kind) {
  const { child, port } = await startReceiver(kind);
  const before = procStat(child.pid);
  const t0 = process.hrtime.bigint();
  const generator = start(process.execPath, [
    join(root, 'bench/fan-in-peers.mjs'),
    RX.address,
    String(port),
    '--peers',
    String(PEERS),
    '--services',
    String(SERVICES),
    '--asn',
    String(ASN),
  ]);
  let count = 0;
  const deadline = Date.now() + 600_000;
  while (count < PATHS) {
    await sleep(100);
    count = await held(kind);

    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`${kind}: ${count} of ${PATHS} paths\n${child.stderrText()}\n${generator.stderrText()}`);
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const after = procStat(child.pid);
  await stop(generator);
  if (process.env.FAN_IN_DEBUG) console.error(generator.stderrText());
  await stop(child);
  return { seconds, cpuSeconds: after.cpuSeconds - before.cpuSeconds, peakRssMiB: after.peakRssMiB };
}

const kinds = ONLY ? [ONLY] : ['bird', 'speaker'];
const results = { bird: [], speaker: [] };
for (let round = 0; round < ROUNDS; round++) {
  for (const kind of round % 2 === 0 ? kinds : [...kinds].reverse()) {
    const r = await measure(kind);
    results[kind].push(r);
    console.error(
      `round ${round + 1} ${kind}: ${r.seconds.toFixed(2)} s, ${r.cpuSeconds.toFixed(2)} CPU s, ${r.peakRssMiB.toFixed(0)} MiB`,
    );
  }
}
rmSync(dir, { recursive: true, force: true });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const m = (kind, key) => median(results[kind].map((r) => r[key]));
const birdVersion = spawnSync('bird', ['--version'], { encoding: 'utf8' }).stderr.trim();
console.log(
  `${PEERS} dynamic peers x ${SERVICES} /32s = ${PATHS} paths (one raw load generator); ${ROUNDS} rounds, medians; ${birdVersion}; node ${process.version}`,
);
console.log('| receiver | generator start -> all paths held (s) | receiver CPU (s) | peak RSS (MiB) |');
console.log('|---|---|---|---|');
for (const kind of kinds)
  console.log(
    `| ${kind === 'bird' ? 'BIRD `neighbor range`' : 'kube-routes-speaker `dynamicPeers`'} | ${m(kind, 'seconds').toFixed(2)} | ${m(kind, 'cpuSeconds').toFixed(2)} | ${m(kind, 'peakRssMiB').toFixed(0)} |`,
  );
if (kinds.length === 2)
  console.log(
    `| ratio speaker / BIRD | ${(m('speaker', 'seconds') / m('bird', 'seconds')).toFixed(2)}x (target <= 1.0x) | ${(m('speaker', 'cpuSeconds') / m('bird', 'cpuSeconds')).toFixed(2)}x | ${(m('speaker', 'peakRssMiB') / m('bird', 'peakRssMiB')).toFixed(2)}x (target <= 1.2x) |`,
  );
