/**
 * Cross-checks with real tools (Debian packages bird2 2.0.12 and bgpdump 1.6.2; scripts/test
 * installs them):
 * - BIRD's own MRT output loads correctly: two BIRDs on loopback (a exports static routes with
 *   communities, large and extended communities, a prepended 4-octet ASN; b receives them),
 *   b's `mrt dump table` files (TABLE_DUMP_V2, with and without ADD-PATH) and b's `mrtdump`
 *   log (BGP4MP) give the routes `birdc show route all` shows, also after a withdrawal;
 * - bgpdump reads our TABLE_DUMP_V2 files (plain and gzip) as the routes we wrote, and our
 *   re-written copy of BIRD's dump as it reads BIRD's;
 * - bgpdump reads BGP4MP records built with our encoder from codec-encoded messages.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  AsPathSegmentType,
  type PathAttribute,
  type SessionContext,
  encodeMessage,
  formatAsPath,
  formatExtendedCommunity,
  formatIpv4,
  formatIpv6,
  formatLargeCommunity,
  formatPrefix,
  parseIpv4,
  parseIpv6,
  parsePrefix,
} from '../../src/bgp';
import {
  type MrtPeer,
  decodeCanonical,
  encodeBgp4mpMessage,
  encodeBgp4mpStateChange,
  readMrt,
  ribRoutes,
  writeTableDump,
} from '../../src/mrt';
import { loadMrtFile, writeTableDumpFile } from '../../src/mrt-node';
import { Rib } from '../../src/rib';
import { Random, announce, concat, randomAttributes } from './helpers';
import { waitFor } from '@kube-routes/test/support';

for (const tool of ['bird', 'birdc', 'bgpdump']) {
  const found = spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
  assert.ok(found, `${tool} is not installed (apt-get install bird2 bgpdump; scripts/test does it)`);
}

const dir = mkdtempSync(join(tmpdir(), 'mrt-interop-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** One BIRD in the foreground, in its own directory, stopped by its pid. */
class Bird {
  private child: ChildProcess | undefined;
  private output = '';
  readonly socket: string;

  constructor(
    readonly dir: string,
    readonly name: string,
  ) {
    this.socket = join(dir, `${name}.ctl`);
  }

  get configFile(): string {
    return join(this.dir, `${this.name}.conf`);
  }

  start(config: string): void {
    writeFileSync(this.configFile, config);
    const child = spawn(
      'bird',
      ['-f', '-c', this.configFile, '-s', this.socket, '-P', join(this.dir, `${this.name}.pid`)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.child = child;
  }

  birdc(command: string): string {
    const run = spawnSync('birdc', ['-s', this.socket, command], { encoding: 'utf8' });
    return run.stdout + run.stderr;
  }

  reconfigure(config: string): void {
    writeFileSync(this.configFile, config);
    assert.match(this.birdc('configure'), /Reconfigured|Reconfiguration in progress/, this.output);
  }

  /** Routes imported by a protocol, all channels. */
  imported(protocol: string): number {
    let n = 0;
    for (const m of this.birdc(`show protocols all ${protocol}`).matchAll(/Routes:\s+(\d+) imported/g))
      n += Number(m[1]);
    return n;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}

/** What `show route all` and our RIB are compared on: one string per path, sorted. */
interface PathFacts {
  prefix: string;
  origin: string;
  asPath: string;
  nextHop: string;
  localPref?: number;
  communities: string[];
  largeCommunities: string[];
  extendedCommunities: string[];
}

function factsText(f: PathFacts, withLocalPref: boolean): string {
  const lp = withLocalPref ? ` lp ${f.localPref ?? '-'}` : '';
  return `${f.prefix} origin ${f.origin} path [${f.asPath}] nh ${f.nextHop}${lp} c [${f.communities.join(' ')}] lc [${f.largeCommunities.join(' ')}] ec [${f.extendedCommunities.join(' ')}]`;
}

/** Parse `birdc show route all` (every path, continuation lines for further paths of a prefix). */
function parseShowRoute(text: string): PathFacts[] {
  const out: PathFacts[] = [];
  let prefix = '';
  let current: PathFacts | undefined;
  for (const line of text.split('\n')) {
    const route = /^(\S+)\s+\S+ \[/.exec(line);
    const more = /^\s{2,}\S+ \[/.exec(line);
    if (route && route[1]!.includes('/')) prefix = route[1]!;
    if ((route && route[1]!.includes('/')) || more) {
      current = {
        prefix,
        origin: '',
        asPath: '',
        nextHop: '',
        communities: [],
        largeCommunities: [],
        extendedCommunities: [],
      };
      out.push(current);
      continue;
    }
    const attribute = /^\tBGP\.(\w+): ?(.*)$/.exec(line);
    if (!attribute || !current) continue;
    const [, name, value] = attribute as unknown as [string, string, string];
    const tuples = (): string[][] =>
      [...value.matchAll(/\(([^)]*)\)/g)].map((m) => m[1]!.split(',').map((s) => s.trim()));
    switch (name) {
      case 'origin':
        current.origin = value.toUpperCase();
        break;
      case 'as_path':
        current.asPath = value.trim();
        break;
      case 'next_hop':
        current.nextHop = value.split(' ')[0]!;
        break;
      case 'local_pref':
        current.localPref = Number(value);
        break;
      case 'community':
        current.communities = tuples().map((t) => t.join(':'));
        break;
      case 'large_community':
        current.largeCommunities = tuples().map((t) => t.join(':'));
        break;
      case 'ext_community':
        current.extendedCommunities = tuples().map(([kind, a, b]) => `${kind} ${a}:${b}`);
        break;
    }
  }
  return out;
}

function factsOf(prefix: string, attributes: readonly PathAttribute[]): PathFacts {
  const f: PathFacts = {
    prefix,
    origin: '',
    asPath: '',
    nextHop: '',
    communities: [],
    largeCommunities: [],
    extendedCommunities: [],
  };
  for (const a of attributes) {
    if (a.type === 'origin') f.origin = ['IGP', 'EGP', 'INCOMPLETE'][a.origin]!;
    else if (a.type === 'as-path') f.asPath = formatAsPath(a.segments).replace(/^empty$/, '');
    else if (a.type === 'next-hop') f.nextHop ||= formatIpv4(a.address);
    else if (a.type === 'mp-reach-nlri')
      f.nextHop = a.nextHop.family === 4 ? formatIpv4(a.nextHop.address) : formatIpv6(a.nextHop.address);
    else if (a.type === 'local-pref') f.localPref = a.value;
    else if (a.type === 'communities') f.communities = a.communities.map((c) => `${c >>> 16}:${c & 0xffff}`);
    else if (a.type === 'large-communities') f.largeCommunities = a.communities.map(formatLargeCommunity);
    else if (a.type === 'extended-communities') f.extendedCommunities = a.communities.map(formatExtendedCommunity);
  }
  return f;
}

function ribFacts(rib: Rib, withLocalPref: boolean): string[] {
  const out: string[] = [];
  for (const family of [4, 6] as const) {
    for (const route of ribRoutes(rib, family)) {
      for (const p of route.paths)
        out.push(
          factsText(
            factsOf(formatPrefix(route.prefix), decodeCanonical(rib.attributeSets.bytes(p.attributeSetId))),
            withLocalPref,
          ),
        );
    }
  }
  return out.sort();
}

function showRouteFacts(bird: Bird, withLocalPref: boolean): string[] {
  return parseShowRoute(bird.birdc('show route all'))
    .map((f) => factsText(f, withLocalPref))
    .sort();
}

/** `bgpdump -m -l FILE` lines (the timestamp field blanked when asked). */
function bgpdump(file: string, blankTime = false): string[] {
  const run = spawnSync('bgpdump', ['-m', '-l', file], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.split('\n').filter((l) => l.length > 0);
  return blankTime
    ? lines.map((l) =>
        l
          .split('|')
          .map((f, k) => (k === 1 ? '' : f))
          .join('|'),
      )
    : lines;
}

interface Scenario {
  readonly a: Bird;
  readonly b: Bird;
  readonly aConfig: (withdrawn: boolean) => string;
  readonly expectedPaths: number;
}

async function startPair(name: string, addPath: boolean, hostByte: number): Promise<Scenario> {
  const scenarioDir = join(dir, name);
  spawnSync('mkdir', ['-p', scenarioDir]);
  const aHost = `127.0.${hostByte}.1`;
  const bHost = `127.0.${hostByte}.2`;
  const aPort = await freePort(aHost);
  const bPort = await freePort(bHost);
  const a = new Bird(scenarioDir, 'a');
  const b = new Bird(scenarioDir, 'b');
  const tx = addPath ? 'add paths tx;' : '';
  const rx = addPath ? 'add paths rx;' : '';
  const aConfig = (withdrawn: boolean): string => `
log "${join(scenarioDir, 'a.log')}" all;
router id 10.0.0.1;
protocol device {}
protocol static s4 { ipv4;
  route 192.0.2.0/24 blackhole { bgp_community.add((65000,1)); bgp_community.add((65000,2)); bgp_large_community.add((65000,1,2)); };
  ${withdrawn ? '' : 'route 198.51.100.0/25 blackhole;'}
  route 203.0.113.0/24 blackhole { bgp_path.prepend(4200000001); bgp_origin = ORIGIN_INCOMPLETE; bgp_ext_community.add((rt, 65000, 5)); };
}
protocol static s4b { ipv4; route 192.0.2.0/24 blackhole { bgp_community.add((65000,99)); }; }
protocol static s6 { ipv6;
  route 2001:db8:1::/48 blackhole { bgp_community.add((65000,6)); bgp_large_community.add((65000,6,6)); };
  route 2001:db8:2::/64 blackhole;
}
protocol bgp b {
  local ${aHost} port ${aPort} as 65001;
  neighbor ${bHost} port ${bPort} as 65002;
  multihop; strict bind yes;
  connect delay time 1; connect retry time 2;
  ipv4 { import all; export all; next hop address 10.0.0.2; ${tx} };
  ipv6 { import all; export all; next hop address 2001:db8::2; ${tx} };
}
`;
  const bConfig = `
log "${join(scenarioDir, 'b.log')}" all;
router id 10.0.0.2;
mrtdump "${join(scenarioDir, 'b-updates.mrt')}";
protocol device {}
protocol bgp a {
  local ${bHost} port ${bPort} as 65002;
  neighbor ${aHost} port ${aPort} as 65001;
  multihop; strict bind yes;
  connect delay time 1; connect retry time 2;
  mrtdump all;
  ipv4 { import all; export none; ${rx} };
  ipv6 { import all; export none; ${rx} };
}
`;
  a.start(aConfig(false));
  b.start(bConfig);
  // Without ADD-PATH b gets the best of the two paths of 192.0.2.0/24, with it both.
  const expectedPaths = addPath ? 6 : 5;
  await waitFor(`${name}: b imports ${expectedPaths} routes`, () =>
    b.imported('a') === expectedPaths ? true : undefined,
  );
  return { a, b, aConfig, expectedPaths };
}

/** `mrt dump table` runs in BIRD's event loop: wait until the file holds every route. */
async function dumpTable(bird: Bird, table: string, file: string, routes: number): Promise<Uint8Array> {
  assert.doesNotMatch(bird.birdc(`mrt dump table "${table}" to "${file}"`), /error|syntax/i);
  return waitFor(`${table} dump in ${file}`, () => {
    if (!existsSync(file)) return undefined;
    const bytes = new Uint8Array(readFileSync(file));
    const results = [...readMrt(bytes)];
    if (results.some((r) => !r.ok)) return undefined;
    const entries = results.reduce((n, r) => n + (r.ok && r.record.kind === 'rib' ? r.record.entries.length : 0), 0);
    return entries === routes ? bytes : undefined;
  });
}

for (const [name, addPath, hostByte] of [
  ['without ADD-PATH', false, 61],
  ['with ADD-PATH', true, 62],
] as const) {
  describe(`BIRD 2 MRT output, ${name}`, { timeout: 120_000 }, () => {
    let s: Scenario;
    const file = (n: string) => join(dir, name, n);
    before(async () => {
      s = await startPair(name, addPath, hostByte);
    });
    after(async () => {
      await s?.b.stop();
      await s?.a.stop();
    });

    let birdDump: Uint8Array;
    let loaded: Rib;
    let peers: readonly MrtPeer[];

    it('mrt dump table (master4 + master6) loads with the paths of show route all', async () => {
      const v4 = await dumpTable(s.b, 'master4', file('t4.mrt'), addPath ? 4 : 3);
      const v6 = await dumpTable(s.b, 'master6', file('t6.mrt'), 2);
      birdDump = concat([v4, v6]);
      const subtypes = [...readMrt(birdDump)].map((r) => r.ok && r.record.header.subtype);
      assert.deepEqual(
        [...new Set(subtypes)].sort((x, y) => Number(x) - Number(y)),
        addPath ? [1, 8, 10] : [1, 2, 4],
        'RIB subtypes written by BIRD',
      );
      writeFileSync(file('table.mrt'), birdDump);
      loaded = new Rib();
      const stats = await loadMrtFile(file('table.mrt'), loaded);
      assert.deepEqual(stats.errors, []);
      assert.equal(stats.paths, s.expectedPaths);
      peers = stats.peers;
      assert.ok(
        peers.some((p) => p.asn === 65001 && p.bgpId === '10.0.0.1' && p.address === `127.0.${hostByte}.1`),
        JSON.stringify(peers),
      );
      const expected = showRouteFacts(s.b, true);
      assert.equal(expected.length, s.expectedPaths);
      // The show route parser sees what the configuration of a says (guards against comparing nothing).
      for (const line of [
        '192.0.2.0/24 origin IGP path [65001] nh 10.0.0.2 lp 100 c [65000:1 65000:2] lc [65000:1:2] ec []',
        '203.0.113.0/24 origin INCOMPLETE path [65001 4200000001] nh 10.0.0.2 lp 100 c [] lc [] ec [rt 65000:5]',
        '2001:db8:1::/48 origin IGP path [65001] nh 2001:db8::2 lp 100 c [65000:6] lc [65000:6:6] ec []',
      ]) {
        assert.ok(expected.includes(line), `${line}\nnot in\n${expected.join('\n')}`);
      }
      assert.deepEqual(ribFacts(loaded, true), expected);
      if (addPath) {
        const ids = [...ribRoutes(loaded, 4)].flatMap((r) => r.paths.map((p) => p.pathId));
        assert.ok(ids.length === 4 && ids.every((id) => id > 0), `ADD-PATH path ids are kept: ${ids.join(', ')}`);
      }
    });

    it("bgpdump reads our re-written copy of the dump as it reads BIRD's", async () => {
      writeFileSync(file('bird4.mrt'), readMrtPart(birdDump, 0));
      writeFileSync(file('bird6.mrt'), readMrtPart(birdDump, 1));
      const theirs = [...bgpdump(file('bird4.mrt'), true), ...bgpdump(file('bird6.mrt'), true)].sort();
      await writeTableDumpFile(file('ours.mrt.gz'), loaded, peers, '10.0.0.2', 'copy', 1700000000, { gzip: true });
      const ours = bgpdump(file('ours.mrt.gz'), true).sort();
      assert.equal(ours.length, s.expectedPaths);
      assert.deepEqual(ours, theirs);
      assert.ok(ours.every((l) => l.startsWith(addPath ? 'TABLE_DUMP2_AP|' : 'TABLE_DUMP2|')));
    });

    it('the BGP4MP log (mrtdump all) loads to the same routes, and follows a withdrawal', async () => {
      const log = file('b-updates.mrt');
      const loadLog = async (): Promise<{ rib: Rib; kinds: Set<string> }> => {
        const rib = new Rib();
        const stats = await loadMrtFile(log, rib);
        assert.deepEqual(stats.errors, []);
        const kinds = new Set(
          [...readMrt(new Uint8Array(readFileSync(log)))].map((r) =>
            r.ok ? `${r.record.kind} ${r.record.header.subtype}` : 'error',
          ),
        );
        return { rib, kinds };
      };
      // eBGP UPDATEs carry no LOCAL_PREF (b's show route has its own default): compare without it.
      const first = await waitFor('the update log to hold every route', async () => {
        const r = await loadLog();
        return r.rib.totalPaths === s.expectedPaths ? r : undefined;
      });
      assert.deepEqual(ribFacts(first.rib, false), showRouteFacts(s.b, false));
      assert.ok(first.kinds.has(`bgp4mp-message ${addPath ? 9 : 4}`), [...first.kinds].join(', '));
      assert.ok(first.kinds.has('bgp4mp-state-change 5'), 'BIRD logs BGP4MP_STATE_CHANGE_AS4');

      s.a.reconfigure(s.aConfig(true));
      await waitFor('b to see the withdrawal', () => (s.b.imported('a') === s.expectedPaths - 1 ? true : undefined));
      const second = await waitFor('the withdrawal in the update log', async () => {
        const r = await loadLog();
        return r.rib.totalPaths === s.expectedPaths - 1 ? r : undefined;
      });
      assert.deepEqual(ribFacts(second.rib, false), showRouteFacts(s.b, false));
      assert.ok(!ribFacts(second.rib, false).some((l) => l.startsWith('198.51.100.0/25 ')));
    });
  });
}

/** The records of the n-th PEER_INDEX_TABLE of a concatenation of table dumps (to give bgpdump BIRD's files one by one). */
function readMrtPart(bytes: Uint8Array, n: number): Uint8Array {
  const tables: number[] = [];
  for (const r of readMrt(bytes)) if (r.ok && r.record.kind === 'peer-index-table') tables.push(r.record.header.offset);
  return bytes.subarray(tables[n], tables[n + 1] ?? bytes.length);
}

// ---- bgpdump reading what we write ----

const WELL_KNOWN: Readonly<Record<number, string>> = {
  0xffffff01: 'no-export',
  0xffffff02: 'no-advertise',
  0xffffff03: 'local-AS',
};

/** The `bgpdump -m -l` line for one path of a RIB, from the attributes we stored. */
function expectedBgpdumpLine(
  time: number,
  peer: MrtPeer,
  prefix: string,
  pathId: number | undefined,
  attributes: readonly PathAttribute[],
): string {
  let origin = '';
  let asPath = '';
  let nextHop = '';
  let localPref = 0;
  let med = 0;
  let communities = '';
  let large = '';
  let atomic = 'NAG';
  let aggregator = '';
  for (const a of attributes) {
    if (a.type === 'origin') origin = ['IGP', 'EGP', 'INCOMPLETE'][a.origin]!;
    else if (a.type === 'as-path')
      asPath = a.segments
        .map((s) => (s.type === AsPathSegmentType.AsSet ? `{${s.asns.join(',')}}` : s.asns.join(' ')))
        .join(' ');
    else if (a.type === 'next-hop') nextHop = formatIpv4(a.address);
    else if (a.type === 'mp-reach-nlri')
      nextHop = a.nextHop.family === 4 ? formatIpv4(a.nextHop.address) : formatIpv6(a.nextHop.address);
    else if (a.type === 'local-pref') localPref = a.value;
    else if (a.type === 'multi-exit-disc') med = a.value;
    else if (a.type === 'communities')
      communities = a.communities.map((c) => WELL_KNOWN[c] ?? `${c >>> 16}:${c & 0xffff}`).join(' ');
    else if (a.type === 'large-communities') large = a.communities.map(formatLargeCommunity).join(' ');
    else if (a.type === 'atomic-aggregate') atomic = 'AG';
    else if (a.type === 'aggregator') aggregator = `${a.asn} ${formatIpv4(a.address)}`;
  }
  const type = pathId === undefined ? 'TABLE_DUMP2' : 'TABLE_DUMP2_AP';
  const id = pathId === undefined ? '' : `|${pathId}`;
  return `${type}|${time}|B|${peer.address}|${peer.asn}|${prefix}${id}|${asPath}|${origin}|${nextHop}|${localPref}|${med}|${communities}|${large}|${atomic}|${aggregator}|`;
}

function expectedBgpdump(rib: Rib, peers: readonly MrtPeer[], time: number): string[] {
  const byId = new Map(peers.map((p) => [p.id, p]));
  const out: string[] = [];
  for (const family of [4, 6] as const) {
    for (const route of ribRoutes(rib, family)) {
      const addPath = route.paths.some((p) => p.pathId !== 0);
      for (const p of route.paths) {
        out.push(
          expectedBgpdumpLine(
            time,
            byId.get(p.peer)!,
            formatPrefix(route.prefix),
            addPath ? p.pathId : undefined,
            decodeCanonical(rib.attributeSets.bytes(p.attributeSetId)),
          ),
        );
      }
    }
  }
  return out;
}

describe('bgpdump reads our TABLE_DUMP_V2 files', () => {
  const peers: MrtPeer[] = [
    { id: 0, address: '192.0.2.1', asn: 65001, bgpId: '10.0.0.1' },
    { id: 1, address: '2001:db8::1', asn: 4200000002, bgpId: '10.0.0.2' },
    { id: 2, address: '192.0.2.3', asn: 65003, bgpId: '10.0.0.3' },
  ];

  it('every attribute bgpdump shows, for hand-picked routes', async () => {
    const rib = new Rib();
    const t = 1700000000;
    announce(
      rib,
      0,
      parsePrefix('10.0.0.0/8')!,
      0,
      [
        { type: 'origin', flags: 0x40, origin: 2 },
        {
          type: 'as-path',
          flags: 0x40,
          segments: [
            { type: 2, asns: [65001, 4200000001] },
            { type: 1, asns: [65010, 65011] },
          ],
        },
        { type: 'next-hop', flags: 0x40, address: parseIpv4('192.0.2.1')! },
        { type: 'multi-exit-disc', flags: 0x80, value: 42 },
        { type: 'local-pref', flags: 0x40, value: 150 },
        { type: 'atomic-aggregate', flags: 0x40 },
        { type: 'aggregator', flags: 0xc0, asn: 4200000001, address: parseIpv4('10.9.9.9')! },
        { type: 'communities', flags: 0xc0, communities: [0xfde80001, 0xffffff01, 0xffffff02, 0xffffff03] },
        {
          type: 'large-communities',
          flags: 0xc0,
          communities: [{ globalAdministrator: 4200000001, localData1: 1, localData2: 2 }],
        },
      ],
      t - 1,
    );
    announce(
      rib,
      1,
      parsePrefix('2001:db8::/32')!,
      0,
      [
        { type: 'origin', flags: 0x40, origin: 0 },
        { type: 'as-path', flags: 0x40, segments: [{ type: 2, asns: [4200000002] }] },
        {
          type: 'mp-reach-nlri',
          flags: 0x80,
          afi: 2,
          safi: 1,
          nextHop: { family: 6, address: parseIpv6('2001:db8::1')!, linkLocal: parseIpv6('fe80::1')! },
          nlri: [],
        },
      ],
      t - 2,
    );
    announce(
      rib,
      1,
      parsePrefix('2001:db8:1::/48')!,
      5,
      [
        { type: 'origin', flags: 0x40, origin: 1 },
        { type: 'as-path', flags: 0x40, segments: [] },
        {
          type: 'mp-reach-nlri',
          flags: 0x80,
          afi: 2,
          safi: 1,
          nextHop: { family: 6, address: parseIpv6('2001:db8::1')! },
          nlri: [],
        },
      ],
      t - 3,
    );
    announce(
      rib,
      2,
      parsePrefix('10.2.0.0/16')!,
      0,
      [
        { type: 'origin', flags: 0x40, origin: 0 },
        { type: 'as-path', flags: 0x40, segments: [{ type: 2, asns: [65003] }] },
        {
          type: 'mp-reach-nlri',
          flags: 0x80,
          afi: 1,
          safi: 1,
          nextHop: { family: 6, address: parseIpv6('2001:db8::99')! },
          nlri: [],
        },
      ],
      t - 4,
    );
    const file = join(dir, 'picked.mrt');
    await writeTableDumpFile(file, rib, peers, '10.0.0.254', 'picked', t);
    assert.deepEqual(bgpdump(file), [
      'TABLE_DUMP2|1700000000|B|192.0.2.1|65001|10.0.0.0/8|65001 4200000001 {65010,65011}|INCOMPLETE|192.0.2.1|150|42|65000:1 no-export no-advertise local-AS|4200000001:1:2|AG|4200000001 10.9.9.9|',
      'TABLE_DUMP2|1700000000|B|192.0.2.3|65003|10.2.0.0/16|65003|IGP|2001:db8::99|0|0|||NAG||',
      'TABLE_DUMP2|1700000000|B|2001:db8::1|4200000002|2001:db8::/32|4200000002|IGP|2001:db8::1|0|0|||NAG||',
      'TABLE_DUMP2_AP|1700000000|B|2001:db8::1|4200000002|2001:db8:1::/48|5||EGP|2001:db8::1|0|0|||NAG||',
    ]);
    assert.deepEqual(bgpdump(file), expectedBgpdump(rib, peers, t));
  });

  for (const gzip of [false, true]) {
    it(`a random RIB of 2000 routes, ADD-PATH on some prefixes${gzip ? ', gzip' : ''}`, async () => {
      const random = new Random(gzip ? 77 : 78);
      const rib = new Rib();
      const sets = {
        4: Array.from({ length: 40 }, () => randomAttributes(random, 4)),
        6: Array.from({ length: 40 }, () => randomAttributes(random, 6)),
      };
      for (let i = 0; i < 1000; i++) {
        const family = i % 3 === 0 ? 6 : 4;
        const p =
          family === 4
            ? { family: 4 as const, address: (0x0a000000 + i * 4096) >>> 0, length: 20 + (i % 5) }
            : { family: 6 as const, address: (0x20010db8n << 96n) | (BigInt(i) << 64n), length: 48 + (i % 17) };
        const addPath = i % 7 === 0;
        for (const peer of [0, 1, 2])
          if (random.chance(0.6) || peer === 0)
            announce(rib, peer, p, addPath ? 1 + peer : 0, random.pick(sets[family]), 1600000000 + i);
      }
      // bgpdump recognises compression by the .gz suffix (our reader by the magic number).
      const file = join(dir, `random.mrt${gzip ? '.gz' : ''}`);
      await writeTableDumpFile(file, rib, peers, '10.0.0.254', 'random', 1700000000, { gzip });
      const lines = bgpdump(file);
      assert.ok(lines.length >= 1000);
      assert.deepEqual(lines, expectedBgpdump(rib, peers, 1700000000));
    });
  }

  it('writeTableDump chunks concatenated are the same file bgpdump reads', () => {
    const rib = new Rib();
    announce(rib, 0, parsePrefix('10.0.0.0/8')!, 0, randomAttributes(new Random(1), 4), 1);
    const file = join(dir, 'chunks.mrt');
    writeFileSync(file, concat(writeTableDump(rib, peers, '10.0.0.254', '', 1700000000, { chunkSize: 1 })));
    assert.equal(bgpdump(file).length, 1);
  });
});

// ---- BGP4MP records built with our encoder ----

describe('bgpdump reads BGP4MP records built with encodeBgp4mpMessage', () => {
  it('state changes, 2-octet with AS4_PATH, BGP4MP_ET, ADD-PATH, _LOCAL, withdrawals; and they load', async () => {
    const enc = (message: Parameters<typeof encodeMessage>[0], context: SessionContext): Uint8Array => {
      const r = encodeMessage(message, context);
      assert.ok(r.ok, r.ok ? '' : r.reason);
      return r.bytes;
    };
    const c2: SessionContext = { fourOctetAs: false, extendedMessage: false, addPath: [] };
    const c4: SessionContext = { fourOctetAs: true, extendedMessage: false, addPath: [] };
    const cap: SessionContext = { fourOctetAs: true, extendedMessage: false, addPath: [{ afi: 1, safi: 1 }] };
    const A = {
      peerAsn: 65010,
      localAsn: 65020,
      peerAddress: { family: 4, address: parseIpv4('192.0.2.10')! },
      localAddress: { family: 4, address: parseIpv4('192.0.2.20')! },
    } as const;
    const V6 = {
      peerAsn: 4200000003,
      localAsn: 65020,
      peerAddress: { family: 6, address: parseIpv6('2001:db8::3')! },
      localAddress: { family: 6, address: parseIpv6('2001:db8::20')! },
    } as const;
    const nh = (t: string): PathAttribute => ({ type: 'next-hop', flags: 0x40, address: parseIpv4(t)! });
    const p = (t: string) => parsePrefix(t)!;
    const records = [
      encodeBgp4mpStateChange({ timestamp: 1700000000, ...A, as4: false, oldState: 5, newState: 6 }),
      encodeBgp4mpMessage({
        timestamp: 1700000001,
        ...A,
        as4: false,
        message: enc(
          {
            type: 'UPDATE',
            withdrawn: [],
            nlri: [p('10.1.0.0/16'), p('10.9.0.0/16')],
            attributes: [
              { type: 'origin', flags: 0x40, origin: 0 },
              { type: 'as-path', flags: 0x40, segments: [{ type: 2, asns: [65010, 23456] }] },
              nh('192.0.2.10'),
              { type: 'multi-exit-disc', flags: 0x80, value: 5 },
              { type: 'communities', flags: 0xc0, communities: [0xfde80001] },
              { type: 'as4-path', flags: 0xc0, segments: [{ type: 2, asns: [65010, 4200000002] }] },
            ],
          },
          c2,
        ),
      }),
      encodeBgp4mpMessage({
        timestamp: 1700000002,
        microseconds: 5,
        ...V6,
        as4: true,
        message: enc(
          {
            type: 'UPDATE',
            withdrawn: [],
            nlri: [],
            attributes: [
              {
                type: 'mp-reach-nlri',
                flags: 0x80,
                afi: 2,
                safi: 1,
                nextHop: { family: 6, address: parseIpv6('2001:db8::3')!, linkLocal: parseIpv6('fe80::3')! },
                nlri: [p('2001:db8:100::/40'), p('2001:db8:200::/40')],
              },
              { type: 'origin', flags: 0x40, origin: 2 },
              { type: 'as-path', flags: 0x40, segments: [{ type: 2, asns: [4200000003, 65030] }] },
              {
                type: 'large-communities',
                flags: 0xc0,
                communities: [{ globalAdministrator: 4200000003, localData1: 1, localData2: 2 }],
              },
            ],
          },
          c4,
        ),
      }),
      encodeBgp4mpMessage({
        timestamp: 1700000003,
        ...A,
        as4: true,
        addPath: true,
        message: enc(
          {
            type: 'UPDATE',
            withdrawn: [],
            nlri: [
              { ...p('10.5.0.0/16'), pathId: 1 },
              { ...p('10.5.0.0/16'), pathId: 2 },
            ],
            attributes: [
              { type: 'origin', flags: 0x40, origin: 1 },
              { type: 'as-path', flags: 0x40, segments: [{ type: 2, asns: [65010] }] },
              nh('192.0.2.10'),
            ],
          },
          cap,
        ),
      }),
      encodeBgp4mpMessage({
        timestamp: 1700000004,
        ...A,
        as4: true,
        addPath: true,
        message: enc(
          { type: 'UPDATE', withdrawn: [{ ...p('10.5.0.0/16'), pathId: 1 }], nlri: [], attributes: [] },
          cap,
        ),
      }),
      encodeBgp4mpMessage({
        timestamp: 1700000005,
        ...A,
        as4: false,
        message: enc({ type: 'UPDATE', withdrawn: [p('10.9.0.0/16')], nlri: [], attributes: [] }, c2),
      }),
      encodeBgp4mpMessage({
        timestamp: 1700000006,
        ...A,
        as4: true,
        local: true,
        message: enc(
          {
            type: 'UPDATE',
            withdrawn: [],
            nlri: [p('10.20.0.0/16')],
            attributes: [
              { type: 'origin', flags: 0x40, origin: 0 },
              { type: 'as-path', flags: 0x40, segments: [{ type: 2, asns: [65020] }] },
              nh('192.0.2.20'),
            ],
          },
          c4,
        ),
      }),
      encodeBgp4mpMessage({
        timestamp: 1700000007,
        ...V6,
        as4: true,
        message: enc(
          {
            type: 'UPDATE',
            withdrawn: [],
            nlri: [],
            attributes: [
              { type: 'mp-unreach-nlri', flags: 0x80, afi: 2, safi: 1, withdrawn: [p('2001:db8:200::/40')] },
            ],
          },
          c4,
        ),
      }),
    ];
    const file = join(dir, 'bgp4mp.mrt');
    writeFileSync(file, concat(records));
    assert.deepEqual(bgpdump(file), [
      'BGP4MP|1700000000|STATE|192.0.2.10|65010|5|6',
      'BGP4MP|1700000001|A|192.0.2.10|65010|10.1.0.0/16|65010 4200000002|IGP|192.0.2.10|0|5|65000:1||NAG||',
      'BGP4MP|1700000001|A|192.0.2.10|65010|10.9.0.0/16|65010 4200000002|IGP|192.0.2.10|0|5|65000:1||NAG||',
      'BGP4MP_ET|1700000002.000005|A|2001:db8::3|4200000003|2001:db8:100::/40|4200000003 65030|INCOMPLETE|2001:db8::3|0|0||4200000003:1:2|NAG||',
      'BGP4MP_ET|1700000002.000005|A|2001:db8::3|4200000003|2001:db8:200::/40|4200000003 65030|INCOMPLETE|2001:db8::3|0|0||4200000003:1:2|NAG||',
      'BGP4MP_AP|1700000003|A|192.0.2.10|65010|10.5.0.0/16|1|65010|EGP|192.0.2.10|0|0|||NAG||',
      'BGP4MP_AP|1700000003|A|192.0.2.10|65010|10.5.0.0/16|2|65010|EGP|192.0.2.10|0|0|||NAG||',
      'BGP4MP_AP|1700000004|W|192.0.2.10|65010|10.5.0.0/16|1',
      'BGP4MP|1700000005|W|192.0.2.10|65010|10.9.0.0/16',
      'BGP4MP_LOCAL|1700000006|A|192.0.2.10|65010|10.20.0.0/16|65020|IGP|192.0.2.20|0|0|||NAG||',
      'BGP4MP|1700000007|W|2001:db8::3|4200000003|2001:db8:200::/40',
    ]);
    const rib = new Rib();
    const stats = await loadMrtFile(file, rib);
    assert.deepEqual(stats.errors, []);
    assert.deepEqual(ribFacts(rib, false), [
      '10.1.0.0/16 origin IGP path [65010 4200000002] nh 192.0.2.10 c [65000:1] lc [] ec []',
      '10.5.0.0/16 origin EGP path [65010] nh 192.0.2.10 c [] lc [] ec []',
      '2001:db8:100::/40 origin INCOMPLETE path [4200000003 65030] nh 2001:db8::3 c [] lc [4200000003:1:2] ec []',
    ]);
    assert.deepEqual(
      [...ribRoutes(rib, 4)].map((r) => r.paths.map((x) => x.pathId)),
      [[0], [2]],
    );
  });
});
