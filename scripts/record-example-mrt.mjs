#!/usr/bin/env node
// Records examples/fabric.mrt from real routers: one BIRD per region of examples/kube-routes.yaml
// (AS = the region's first ASN) originates the /32 of every cluster IP and external IP of that
// region's Services, as kube-router does on each node; one planted mis-origination (fra1 also
// announces nyc3's 172.25.0.20/32); a collector BIRD peers with all of them and dumps its table
// with `mrt dump table` (TABLE_DUMP_V2, one RIB entry per peer per prefix).
//   npx tsc -b && node scripts/record-example-mrt.mjs
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const engine = require(join(root, 'server/dist/src/engine/index.js'));
const examples = join(root, 'examples');
const { config } = engine.parseConfig(readFileSync(join(examples, 'kube-routes.yaml'), 'utf8'), 'kube-routes.yaml');
const planted = { region: 'fra1', prefix: '172.25.0.20/32' };

// Which addresses each region announces, from the manifests.
const announced = new Map([...config.regions.keys()].map((r) => [r, new Set()]));
const walk = (dir) =>
  readdirSync(dir).flatMap((f) =>
    statSync(join(dir, f)).isDirectory()
      ? walk(join(dir, f))
      : /\.ya?ml$/.test(f) && f !== 'kube-routes.yaml'
        ? [join(dir, f)]
        : [],
  );
for (const path of walk(examples)) {
  const file = engine.readManifestFile({ path, text: readFileSync(path, 'utf8') });
  for (const s of file.services) {
    const region = config.regionLabels.map((k) => s.labels.get(k)?.value).find((v) => v !== undefined);
    if (!announced.has(region)) continue; // no or unknown region: nobody announces it
    for (const l of [s.clusterIP, ...s.clusterIPs, ...s.externalIPs, s.loadBalancerIP]) {
      const a = l && engine.parseIpAddress(l.value);
      if (a) announced.get(region).add(`${l.value}/${a.family === 4 ? 32 : 128}`);
    }
  }
}
announced.get(planted.region).add(planted.prefix);

const dir = mkdtempSync(join(tmpdir(), 'kube-routes-record-'));
const basePort = 40000 + (process.pid % 10000);
const collector = { address: '127.0.0.10', asn: 65000, port: basePort };
const regions = [...config.regions.values()].map((r, i) => ({
  name: r.name,
  asn: r.asns[0],
  address: `127.0.0.${11 + i}`,
  port: basePort + 1 + i,
  nextHop: `10.0.${i + 1}.1`,
  nextHop6: `fd00:${i + 1}::1`,
}));
const children = [];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const birdc = (name, ...cmd) =>
  spawnSync('birdc', ['-s', join(dir, `${name}.ctl`), ...cmd], { encoding: 'utf8' }).stdout;
function startBird(name, conf) {
  writeFileSync(join(dir, `${name}.conf`), conf);
  const child = spawn(
    'bird',
    ['-f', '-c', join(dir, `${name}.conf`), '-s', join(dir, `${name}.ctl`), '-P', join(dir, `${name}.pid`)],
    { stdio: 'inherit' },
  );
  children.push(child);
}
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

for (const r of regions) {
  const routes = [...announced.get(r.name)].sort();
  const v4 = routes
    .filter((p) => !p.includes(':'))
    .map((p) => `  route ${p} blackhole;`)
    .join('\n');
  const v6 = routes
    .filter((p) => p.includes(':'))
    .map((p) => `  route ${p} blackhole;`)
    .join('\n');
  startBird(
    r.name,
    `router id ${r.nextHop};
protocol device { }
protocol static services4 { ipv4;\n${v4}\n}
${v6 ? `protocol static services6 { ipv6;\n${v6}\n}` : ''}
protocol bgp collector { local ${r.address} port ${r.port} as ${r.asn}; neighbor ${collector.address} port ${collector.port} as ${collector.asn};
  multihop; strict bind yes; connect delay time 1;
  ipv4 { import none; export all; next hop address ${r.nextHop}; };
  ipv6 { import none; export all; next hop address ${r.nextHop6}; };
}
`,
  );
}
startBird(
  'collector',
  `router id 10.0.0.10;
protocol device { }
${regions
  .map(
    (
      r,
    ) => `protocol bgp ${r.name} { local ${collector.address} port ${collector.port} as ${collector.asn}; neighbor ${r.address} port ${r.port} as ${r.asn};
  multihop; strict bind yes; passive on;
  ipv4 { import all; export none; };
  ipv6 { import all; export none; };
}`,
  )
  .join('\n')}
`,
);

const expected = regions.reduce((n, r) => n + announced.get(r.name).size, 0);
const imported = () =>
  regions.reduce(
    (n, r) =>
      n +
      [...birdc('collector', 'show', 'protocols', 'all', r.name).matchAll(/Routes:\s+(\d+) imported/g)].reduce(
        (m, x) => m + Number(x[1]),
        0,
      ),
    0,
  );
for (let i = 0; imported() < expected; i++) {
  if (i > 300) throw new Error(`collector has ${imported()} of ${expected} routes after 30 s`);
  await sleep(100);
}
const out = join(root, 'examples/fabric.mrt');
for (const [table, file] of [
  ['master4', join(dir, 'master4.mrt')],
  ['master6', join(dir, 'master6.mrt')],
]) {
  const r = birdc('collector', 'mrt', 'dump', 'table', `"${table}"`, 'to', `"${file}"`);
  if (!/^0000|^\s*$/m.test(r)) console.error(r.trim());
}
await sleep(500);
// One file: both tables' records (each starts with its own PEER_INDEX_TABLE, as RFC 6396 allows).
writeFileSync(out, Buffer.concat([readFileSync(join(dir, 'master4.mrt')), readFileSync(join(dir, 'master6.mrt'))]));
console.log(
  `wrote ${out}: ${expected} routes from ${regions.map((r) => `${r.name} (AS${r.asn})`).join(', ')}, planted ${planted.prefix} from ${planted.region}`,
);
process.exit(0);
