#!/usr/bin/env node
// `kubectl routes -A --all-contexts -o json` against `kubectl get svc -A -o json` summed over the
// same three contexts, side by side in one run, on the same Kubernetes API test servers.
// 10,000 Services (default) across 3 clusters, one per region; route state from three real BIRD
// routers (one per region: a /24 for every 256 cluster IPs, a /32 per external IP) through a real
// kube-routes-speaker, found through speaker.api of the kube-routes.yaml in the working folder.
// Both subjects run as separate processes through kubectl's plugin discovery, alternating; wall
// time includes process start-up. Reported: medians over --runs, and the ratio (target <= 1.2x).
//   npx tsc -b && node bench/kubectl-routes.mjs [--services 10000] [--runs 5]
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
// The test helpers, compiled: the Kubernetes API test server and the real-daemon launchers.
const { startFleet } = require(join(root, 'test/dist/support/kube-fleet.js'));
const { Bird, freePort } = require(join(root, 'test/dist/support/daemons.js'));
const { SpeakerProcess } = require(join(root, 'test/dist/support/speaker.js'));

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SERVICES = arg('--services', 10_000);
const RUNS = arg('--runs', 5);
const dir = join(tmpdir(), `kube-routes-bench-kubectl-routes-${process.pid}`);
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });

const regions = [
  { name: 'nyc3', context: 'nyc3-prod', asn: 64512, cidr: '172.25.0.0/18', second: 0, address: '127.0.10.2' },
  { name: 'sgp1', context: 'sgp1-prod', asn: 64513, cidr: '172.25.64.0/18', second: 64, address: '127.0.10.3' },
  { name: 'fra1', context: 'fra1-prod', asn: 64514, cidr: '172.25.128.0/18', second: 128, address: '127.0.10.4' },
];
const SPEAKER = '127.0.10.1';

console.log(`setting up ${SERVICES} Services in ${regions.length} clusters ...`);
const fleet = await startFleet(
  dir,
  regions.map((r) => ({ context: r.context, serviceCidr: r.cidr })),
);
const routes = new Map(regions.map((r) => [r.name, new Set()]));
const namespaces = ['shop', 'payments', 'billing', 'search', 'media', 'auth', 'ledger', 'mail'];
for (let i = 0; i < SERVICES; i++) {
  const r = regions[i % regions.length];
  const n = Math.floor(i / regions.length);
  const clusterIP = `172.25.${r.second + (n >> 8)}.${n & 255}`;
  const external = i % 10 === 0 ? [`172.30.${(i >> 8) & 255}.${i & 255}`] : undefined;
  fleet.cluster(r.context).addService({
    name: `svc-${String(n).padStart(5, '0')}`,
    namespace: namespaces[n % namespaces.length],
    labels: { app: `app-${n % 97}`, tier: n % 3 === 0 ? 'frontend' : 'backend', region: r.name },
    selector: { app: `app-${n % 97}` },
    clusterIP,
    externalIPs: external,
    ports: [
      { port: 80, name: 'http' },
      { port: 443, name: 'https' },
    ],
  });
  routes.get(r.name).add(`${clusterIP.split('.').slice(0, 3).join('.')}.0/24`);
  if (external) routes.get(r.name).add(`${external[0]}/32`);
}

const speaker = new SpeakerProcess({
  dir: join(dir, 'speaker'),
  address: SPEAKER,
  peers: regions.map((r) => ({ address: r.address, asn: r.asn })),
});
speaker.port = await freePort(SPEAKER);
const birds = [];
for (const r of regions) {
  birds.push(
    new Bird(
      {
        dir: join(dir, `bird-${r.name}`),
        address: r.address,
        port: await freePort(r.address),
        asn: r.asn,
        routerId: r.address,
        neighbors: [{ name: 'speaker', address: SPEAKER, port: speaker.port, asn: 65000 }],
      },
      {
        ipv4: [...routes.get(r.name)].map((prefix) => ({ prefix, communities: [`${r.asn}:100`] })),
        nextHop4: `10.${regions.indexOf(r) + 1}.0.11`,
      },
    ),
  );
}
// Interrupted: stop the daemons this run started before leaving.
const shutdown = async () => {
  await Promise.all([...birds.map((b) => b.stop()), speaker.stop(), fleet.stop()]);
  process.exit(130);
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
await speaker.start();
for (const b of birds) b.start();
for (const r of regions) await speaker.waitForPeer(r.address);
const expected = [...routes.values()].reduce((n, s) => n + s.size, 0);
for (;;) {
  const received = (await speaker.peers()).reduce((n, p) => n + (p.received['ipv4-unicast'] ?? 0), 0);
  if (received >= expected) break;
  await new Promise((r) => setTimeout(r, 200));
}
writeFileSync(
  join(dir, 'kube-routes.yaml'),
  `externalIPPools: [172.30.0.0/16]
regions:
${regions.map((r) => `  ${r.name}: {asns: [${r.asn}], clusterIPRanges: [${r.cidr}], contexts: [${r.context}]}`).join('\n')}
speaker: {asn: 65000, routerId: 10.0.0.1, api: "${SPEAKER}:${speaker.apiPort}"}
`,
);

const env = {
  ...process.env,
  ...fleet.env,
  PATH: `${join(root, 'node_modules/.bin')}:${process.env.PATH}`,
  NO_COLOR: '1',
};
/** Runs a command, reading its whole output; resolves to wall milliseconds and the output. */
function run(args) {
  return new Promise((done, fail) => {
    const start = process.hrtime.bigint();
    const child = spawn('kubectl', args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    let err = '';
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.once('error', fail);
    child.once('close', (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (code !== 0) fail(new Error(`kubectl ${args.join(' ')} exited ${code}: ${err}`));
      else done({ ms, stdout: Buffer.concat(out).toString('utf8') });
    });
  });
}

async function kubectlRoutes() {
  const { ms, stdout } = await run(['routes', '-A', '--all-contexts', '-o', 'json']);
  return { ms, items: JSON.parse(stdout).items.length };
}
async function kubectlGetSummed() {
  let ms = 0;
  let items = 0;
  for (const r of regions) {
    const one = await run(['--context', r.context, 'get', 'svc', '-A', '-o', 'json']);
    ms += one.ms;
    items += JSON.parse(one.stdout).items.length;
  }
  return { ms, items };
}

// One warm-up each (kubectl's discovery cache, the OS page cache), then alternating runs.
const warm = [await kubectlRoutes(), await kubectlGetSummed()];
if (warm[0].items !== SERVICES || warm[1].items !== SERVICES)
  throw new Error(`expected ${SERVICES} items, got ${warm[0].items} and ${warm[1].items}`);
const times = { routes: [], get: [] };
for (let i = 0; i < RUNS; i++) {
  const a = await kubectlRoutes();
  const b = await kubectlGetSummed();
  times.routes.push(a.ms);
  times.get.push(b.ms);
  console.log(
    `run ${i + 1}: kubectl routes ${(a.ms / 1000).toFixed(3)} s, kubectl get svc x3 ${(b.ms / 1000).toFixed(3)} s`,
  );
}
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const m = { routes: median(times.routes), get: median(times.get) };
console.log(
  `services: ${SERVICES} in ${regions.length} clusters; route state: ${expected} routes from ${regions.length} BIRD routers via kube-routes-speaker; ${RUNS} runs each, medians`,
);
console.log(`node ${process.version}, ${process.platform} ${process.arch}`);
console.log('| subject | wall time (s) |');
console.log('|---|---|');
console.log(`| kubectl get svc -A -o json, summed over ${regions.length} contexts | ${(m.get / 1000).toFixed(3)} |`);
console.log(`| kubectl routes -A --all-contexts -o json | ${(m.routes / 1000).toFixed(3)} |`);
console.log(`\nkubectl routes / kubectl get: ${(m.routes / m.get).toFixed(2)}x (target <= 1.2x)`);

for (const b of birds) await b.stop();
await speaker.stop();
await fleet.stop();
rmSync(dir, { recursive: true, force: true });
