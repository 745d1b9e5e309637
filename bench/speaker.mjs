#!/usr/bin/env node
// kube-routes-speaker vs BIRD as a receiver of a full table, side by side in one run.
// One BIRD sender originates N IPv4 /24 prefixes (static routes, a new attribute set every 8
// prefixes) and feeds, one at a time, a fresh BIRD receiver and a fresh kube-routes-speaker.
// Reported per receiver (medians over --rounds): seconds from enabling the session on the
// sender to all routes received, receiver CPU seconds, peak RSS; ratios speaker/BIRD.
// Then longest-prefix-match lookups/s through the speaker's HTTP API on the loaded table, and
// the whole table read back: the speaker's /v1/routes paged (100,000 a page) against
// `birdc show route` on BIRD's, seconds and the receiver's peak RSS after the read; then the speaker's
// whole RIB as MRT (/v1/snapshot), seconds and peak RSS after it.
// --watch idle|slow: a /v1/watch client connected to the speaker throughout (idle: reads every
// event; slow: never reads, so its socket fills and it falls behind).
//   npx tsc -b && node bench/speaker.mjs [--routes 1000000] [--rounds 3] [--watch none|idle|slow] [--only bird|speaker] [--executable FILE]
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request, Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getJson } from './lib/http.mjs';
import { procStat, sleep, start, startSpeaker, stop } from './lib/processes.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROUTES = arg('--routes', 1_000_000);
const ROUNDS = arg('--rounds', 3);
const LOOKUPS = arg('--lookups', 20_000);
const option = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const WATCH = option('--watch', 'none');
/** One receiver only (bird or speaker): for iterating on one side; ratios need both. */
const ONLY = option('--only', undefined);
/** A release single executable to run instead of the bin script (with the image's environment). */
const EXECUTABLE = option('--executable', undefined);
const dir = join(tmpdir(), `kube-routes-bench-speaker-${process.pid}`);
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });

const SENDER = { address: '127.0.0.2', port: 31790, asn: 65001 };
const BIRD_RX = { address: '127.0.0.5', port: 31795, asn: 65000 };
const SPEAKER = { address: '127.0.0.1', port: 31791, api: 38179, asn: 65000 };

// The sender's table: 10.0.0.0/24 upwards, a new community (so a new attribute set) every 8.
const include = join(dir, 'routes.conf');
{
  const lines = new Array(ROUTES);
  for (let i = 0; i < ROUTES; i++) {
    const n = i + 0x0a0000; // 10.0.0.0/24 ...
    lines[i] =
      `route ${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}.0/24 blackhole { bgp_community.add((65001, ${(i >> 3) & 0xffff})); bgp_med = ${i >> 19}; };`;
  }
  writeFileSync(include, `protocol static originated {\n  ipv4;\n${lines.join('\n')}\n}\n`);
}
const birdc = (socket, ...cmd) => spawnSync('birdc', ['-s', socket, ...cmd], { encoding: 'utf8' }).stdout;
const senderSocket = join(dir, 'sender.ctl');
writeFileSync(
  join(dir, 'sender.conf'),
  `router id 10.0.0.2;
protocol device { }
include "${include}";
template bgp feed { local ${SENDER.address} as ${SENDER.asn}; multihop; strict bind yes; connect delay time 1; connect retry time 1; disabled yes;
  ipv4 { import none; export all; next hop address 10.0.0.2; }; }
protocol bgp to_bird from feed { neighbor ${BIRD_RX.address} port ${BIRD_RX.port} as ${BIRD_RX.asn}; }
protocol bgp to_speaker from feed { neighbor ${SPEAKER.address} port ${SPEAKER.port} as ${SPEAKER.asn}; }
`,
);

function receiverCount(kind) {
  if (kind === 'bird')
    return Number(
      /Routes:\s+(\d+) imported/.exec(birdc(join(dir, 'rx.ctl'), 'show', 'protocols', 'all', 'from_sender'))?.[1] ?? 0,
    );
  return fetchJson('/v1/peers')
    .then((r) => r.peers[0].received['ipv4-unicast'] ?? 0)
    .catch(() => 0);
}

async function startReceiver(kind) {
  if (kind === 'bird') {
    writeFileSync(
      join(dir, 'rx.conf'),
      `router id 10.0.0.5;
protocol device { }
protocol bgp from_sender { local ${BIRD_RX.address} port ${BIRD_RX.port} as ${BIRD_RX.asn}; neighbor ${SENDER.address} as ${SENDER.asn}; multihop; strict bind yes; passive on;
  ipv4 { import all; export none; }; }
`,
    );
    const child = start('bird', [
      '-f',
      '-c',
      join(dir, 'rx.conf'),
      '-s',
      join(dir, 'rx.ctl'),
      '-P',
      join(dir, 'rx.pid'),
    ]);
    await sleep(300);
    return child;
  }
  writeFileSync(
    join(dir, 'kube-routes.yaml'),
    `speaker:
  asn: ${SPEAKER.asn}
  routerId: 10.0.0.1
  listen: ${SPEAKER.address}:${SPEAKER.port}
  api: 127.0.0.1:${SPEAKER.api}
  peers:
    - address: ${SENDER.address}
      asn: ${SENDER.asn}
      maxPrefixes: ${ROUTES * 2}
`,
  );
  const child = startSpeaker(root, ['--config', join(dir, 'kube-routes.yaml'), '--log-level', 'warn'], EXECUTABLE);
  for (let i = 0; i < 100; i++) {
    await sleep(100);
    if ((await fetchJson('/healthz').catch(() => undefined))?.status === 'ok') break;
  }
  return child;
}

const fetchJson = (path, agent) => getJson({ host: '127.0.0.1', port: SPEAKER.api, path, agent });

/** A /v1/watch client: reads everything (idle) or nothing (slow). */
function watchClient(mode) {
  let bytes = 0;
  const req = request({ host: '127.0.0.1', port: SPEAKER.api, path: '/v1/watch' }, (res) => {
    if (mode === 'slow') res.pause();
    else res.on('data', (d) => (bytes += d.length));
  });
  req.on('error', () => undefined);
  req.end();
  return { stop: () => req.destroy(), bytes: () => bytes };
}

/** Every route of the table: the speaker's API page by page, or `birdc show route` on BIRD. */
async function readAll(kind) {
  const t0 = process.hrtime.bigint();
  let routes = 0;
  if (kind === 'bird') {
    const out = spawnSync('sh', ['-c', `birdc -s ${join(dir, 'rx.ctl')} show route | grep -c '^[0-9]'`], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    routes = Number(out.stdout.trim());
  } else {
    // A client process of its own, as birdc is BIRD's (a client inside this process, which
    // holds the sender's table, measured 2-3x slower): it pages /v1/routes and counts routes on
    // the byte stream, no JSON parser.
    // Not spawnSync: a --watch client in this process keeps reading meanwhile.
    const reader = spawn(process.execPath, [join(root, 'bench/lib/read-routes.mjs'), String(SPEAKER.api)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    reader.stdout.on('data', (d) => {
      out += d;
    });
    const code = await new Promise((done) => reader.on('close', done));
    if (code !== 0) throw new Error(`bench/lib/read-routes.mjs exited with ${code}`);
    routes = Number(out.trim());
  }
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, routes };
}

/** The speaker's whole RIB as MRT (GET /v1/snapshot), curl as the client. */
async function readSnapshot() {
  const file = join(dir, 'snapshot.mrt');
  const t0 = process.hrtime.bigint();
  await new Promise((done) =>
    spawn('curl', ['-sS', '-o', file, `http://127.0.0.1:${SPEAKER.api}/v1/snapshot`], { stdio: 'inherit' }).on(
      'exit',
      done,
    ),
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { seconds, bytes: statSync(file).size };
}

async function measure(kind) {
  const child = await startReceiver(kind);
  const watcher = kind === 'speaker' && WATCH !== 'none' ? watchClient(WATCH) : undefined;
  const before = procStat(child.pid);
  const protocol = kind === 'bird' ? 'to_bird' : 'to_speaker';
  const t0 = process.hrtime.bigint();
  birdc(senderSocket, 'enable', protocol);
  let count = 0;
  const deadline = Date.now() + 300_000;
  while (count < ROUTES) {
    await sleep(50);
    count = await receiverCount(kind);
    if (Date.now() > deadline)
      throw new Error(`${kind}: only ${count} of ${ROUTES} routes after 300 s\n${child.stderrText()}`);
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const after = procStat(child.pid);
  let lookupsPerSecond;
  let ribBytes;
  if (kind === 'speaker') {
    lookupsPerSecond = await lookupRate();
    const metrics = await fetch(`http://127.0.0.1:${SPEAKER.api}/metrics`).then((r) => r.text());
    ribBytes = Number(/^kube_routes_speaker_rib_memory_bytes\s+(\d+)/m.exec(metrics)?.[1] ?? Number.NaN);
  }
  const beforeDump = procStat(child.pid);
  const dump = await readAll(kind);
  if (dump.routes !== ROUTES) throw new Error(`${kind}: read back ${dump.routes} of ${ROUTES} routes`);
  const afterDump = procStat(child.pid);
  const snapshot = kind === 'speaker' ? await readSnapshot() : undefined;
  const afterSnapshot = procStat(child.pid);
  watcher?.stop();
  birdc(senderSocket, 'disable', protocol);
  await stop(child);
  return {
    seconds,
    cpuSeconds: after.cpuSeconds - before.cpuSeconds,
    peakRssMiB: after.peakRssMiB,
    lookupsPerSecond,
    ribBytes,
    startRssMiB: before.peakRssMiB,
    dumpSeconds: dump.seconds,
    dumpCpuSeconds: afterDump.cpuSeconds - beforeDump.cpuSeconds,
    snapshotCpuSeconds: afterSnapshot.cpuSeconds - afterDump.cpuSeconds,
    dumpPeakRssMiB: afterDump.peakRssMiB,
    snapshotSeconds: snapshot?.seconds,
    snapshotBytes: snapshot?.bytes,
    snapshotPeakRssMiB: afterSnapshot.peakRssMiB,
  };
}

async function lookupRate() {
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  let next = 0;
  let hits = 0;
  const worker = async () => {
    while (next < LOOKUPS) {
      const i = next++;
      const n = 0x0a0000 + ((i * 7919) % ROUTES);
      const r = await fetchJson(`/v1/lookup?ip=${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}.${i & 255}`, agent);
      if (r.route) hits++;
    }
  };
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: 8 }, worker));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  agent.destroy();
  if (hits !== LOOKUPS) throw new Error(`lookups: ${hits} of ${LOOKUPS} found a route`);
  return LOOKUPS / seconds;
}

const sender = start('bird', ['-f', '-c', join(dir, 'sender.conf'), '-s', senderSocket, '-P', join(dir, 'sender.pid')]);
const loadStart = Date.now();
for (;;) {
  await sleep(200);
  const out = birdc(senderSocket, 'show', 'protocols', 'all', 'originated');
  if (new RegExp(`Routes:\\s+${ROUTES} imported`).test(out)) break;
  if (sender.exitCode !== null || Date.now() - loadStart > 120_000)
    throw new Error(`sender did not load its table\n${sender.stderrText()}`);
}

const results = { bird: [], speaker: [] };
for (let round = 0; round < ROUNDS; round++) {
  for (const kind of round % 2 === 0 ? ['bird', 'speaker'] : ['speaker', 'bird']) {
    if (ONLY !== undefined && kind !== ONLY) continue;
    const r = await measure(kind);
    results[kind].push(r);
    console.error(
      `round ${round + 1} ${kind}: ${r.seconds.toFixed(2)} s, ${r.cpuSeconds.toFixed(2)} CPU s, ${r.peakRssMiB.toFixed(0)} MiB${r.lookupsPerSecond ? `, ${r.lookupsPerSecond.toFixed(0)} lookups/s` : ''}; all routes read in ${r.dumpSeconds.toFixed(2)} s (${r.dumpCpuSeconds.toFixed(2)} CPU s), peak ${r.dumpPeakRssMiB.toFixed(0)} MiB${r.snapshotSeconds === undefined ? '' : `; snapshot (${(r.snapshotBytes / 1048576).toFixed(0)} MiB) in ${r.snapshotSeconds.toFixed(2)} s (${r.snapshotCpuSeconds.toFixed(2)} CPU s), peak ${r.snapshotPeakRssMiB.toFixed(0)} MiB`}`,
    );
  }
}
await stop(sender);
rmSync(dir, { recursive: true, force: true });
if (ONLY !== undefined) process.exit(0); // the per-round lines above; no ratios with one side

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const m = (kind, key) => median(results[kind].map((r) => r[key]));
const birdVersion = spawnSync('bird', ['--version'], { encoding: 'utf8' }).stderr.trim();
console.log(
  `${ROUTES} IPv4 /24 routes, a new attribute set every 8 prefixes; ${ROUNDS} rounds, medians; watcher: ${WATCH}; ${birdVersion}; node ${process.version}`,
);
console.log('| receiver | enable -> all received (s) | receiver CPU (s) | peak RSS (MiB) |');
console.log('|---|---|---|---|');
for (const kind of ['bird', 'speaker'])
  console.log(
    `| ${kind === 'bird' ? 'BIRD' : 'kube-routes-speaker'} | ${m(kind, 'seconds').toFixed(2)} | ${m(kind, 'cpuSeconds').toFixed(2)} | ${m(kind, 'peakRssMiB').toFixed(0)} |`,
  );
console.log(
  `| ratio speaker / BIRD | ${(m('speaker', 'seconds') / m('bird', 'seconds')).toFixed(2)}x (target <= 1.0x) | ${(m('speaker', 'cpuSeconds') / m('bird', 'cpuSeconds')).toFixed(2)}x | ${(m('speaker', 'peakRssMiB') / m('bird', 'peakRssMiB')).toFixed(2)}x (target <= 1.0x) |`,
);
console.log(
  '\n| receiver | all routes read back (s) | receiver CPU during the read (s) | peak RSS after the read (MiB) |',
);
console.log('|---|---|---|---|');
for (const kind of ['bird', 'speaker'])
  console.log(
    `| ${kind === 'bird' ? 'BIRD (birdc show route)' : 'kube-routes-speaker (/v1/routes, 100,000 a page)'} | ${m(kind, 'dumpSeconds').toFixed(2)} | ${m(kind, 'dumpCpuSeconds').toFixed(2)} | ${m(kind, 'dumpPeakRssMiB').toFixed(0)} |`,
  );
console.log(
  `| ratio speaker / BIRD | ${(m('speaker', 'dumpSeconds') / m('bird', 'dumpSeconds')).toFixed(2)}x | ${(m('speaker', 'dumpCpuSeconds') / m('bird', 'dumpCpuSeconds')).toFixed(2)}x | ${(m('speaker', 'dumpPeakRssMiB') / m('bird', 'dumpPeakRssMiB')).toFixed(2)}x |`,
);
console.log(
  `\nThe speaker's whole RIB as MRT (/v1/snapshot, curl): ${m('speaker', 'snapshotSeconds').toFixed(2)} s (target <= 5 s; ${m('speaker', 'snapshotCpuSeconds').toFixed(2)} CPU s), peak RSS after it ${m('speaker', 'snapshotPeakRssMiB').toFixed(0)} MiB`,
);
console.log(
  `\nSpeaker memory: RIB ${(m('speaker', 'ribBytes') / ROUTES).toFixed(0)} bytes per route and per path (one path a route here; its own estimate, /metrics), peak RSS ${m('speaker', 'peakRssMiB').toFixed(0)} MiB of which ${m('speaker', 'startRssMiB').toFixed(0)} MiB before the session (Node and the program): ${(((m('speaker', 'peakRssMiB') - m('speaker', 'startRssMiB')) * 1048576) / ROUTES).toFixed(0)} bytes per route in all`,
);
console.log(
  `\nLongest-prefix-match lookups through the HTTP API (8 keep-alive clients, ${LOOKUPS} lookups): ${m('speaker', 'lookupsPerSecond').toFixed(0)}/s`,
);
