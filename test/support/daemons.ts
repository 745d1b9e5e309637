import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

// Real routing daemons from Debian packages, started in the foreground from a test, each in its
// own state directory, on its own loopback address and port. See ARCHITECTURE.md (test/).

/** A TCP port that was free on host a moment ago. */
export function freePort(host = '127.0.0.1'): Promise<number> {
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

/** Polls until check returns a value (not undefined), or throws with the last reason after timeoutMs. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 20_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`,
      );
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export interface NeighborSpec {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly asn: number;
  readonly addPath?: boolean;
  readonly gracefulRestart?: boolean;
  /** Graceful restart time in seconds advertised to this neighbor (default 30). */
  readonly restartTime?: number;
  /** Connect actively (default true); false waits for the neighbor to connect. */
  readonly active?: boolean;
  /** TCP-MD5 password (RFC 2385) for this session. */
  readonly password?: string;
}

export interface DaemonSpec {
  readonly dir: string;
  readonly address: string;
  readonly port: number;
  readonly asn: number;
  readonly routerId: string;
  readonly neighbors: readonly NeighborSpec[];
}

abstract class Daemon {
  protected process: ChildProcess | undefined;
  protected output = '';

  constructor(readonly spec: DaemonSpec) {
    mkdirSync(spec.dir, { recursive: true });
  }

  protected launch(command: string, args: readonly string[]): void {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: false });
    child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    child.on('error', (e) => (this.output += `spawn error: ${e.message}\n`));
    this.process = child;
  }

  /** What the daemon printed, for failure messages. */
  get log(): string {
    return this.output;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill(signal);
    });
  }
}

export interface StaticRoute {
  readonly prefix: string;
  /** BGP communities "65000:1", large "65000:1:2", extended "rt 65000:5" or "soo 65000:7". */
  readonly communities?: readonly string[];
  readonly largeCommunities?: readonly string[];
  readonly extendedCommunities?: readonly string[];
}

export interface BirdRoutes {
  readonly ipv4?: readonly StaticRoute[];
  readonly ipv6?: readonly StaticRoute[];
  readonly nextHop4?: string;
  readonly nextHop6?: string;
  /** Pass received next hops on unchanged (a route server) instead of setting nextHop4/nextHop6. */
  readonly nextHopKeep?: boolean;
  /** Open IPv6 channels even without IPv6 static routes (to pass IPv6 routes along). */
  readonly ipv6Channels?: boolean;
}

/** BIRD 2 with static routes exported to every neighbor. */
export class Bird extends Daemon {
  readonly socket: string;

  constructor(
    spec: DaemonSpec,
    readonly routes: BirdRoutes = {},
  ) {
    super(spec);
    this.socket = join(spec.dir, 'bird.ctl');
  }

  config(): string {
    const s = this.spec;
    const staticProto = (name: string, family: 'ipv4' | 'ipv6', routes: readonly StaticRoute[]) => {
      if (routes.length === 0) return '';
      const lines = routes.map((r) => {
        const sets = [
          ...(r.communities ?? []).map((c) => `bgp_community.add((${c.replace(':', ',')}));`),
          ...(r.largeCommunities ?? []).map((c) => `bgp_large_community.add((${c.split(':').join(',')}));`),
          // BIRD calls Site of Origin "ro" (route origin).
          ...(r.extendedCommunities ?? []).map(
            (c) => `bgp_ext_community.add((${c.replace(/^soo /, 'ro ').replace(/ /, ', ').replace(':', ', ')}));`,
          ),
        ];
        return `  route ${r.prefix} blackhole${sets.length ? ` { ${sets.join(' ')} }` : ''};`;
      });
      return `protocol static ${name} {\n  ${family};\n${lines.join('\n')}\n}\n`;
    };
    const channel = (family: 'ipv4' | 'ipv6', n: NeighborSpec) => {
      const nh = family === 'ipv4' ? (this.routes.nextHop4 ?? '10.0.0.2') : this.routes.nextHop6;
      const nextHop = this.routes.nextHopKeep ? ' next hop keep;' : nh ? ` next hop address ${nh};` : '';
      return `  ${family} { import all; export all;${nextHop}${n.addPath ? ' add paths on;' : ''} };`;
    };
    const neighbors = s.neighbors
      .map(
        (n) => `protocol bgp ${n.name} {
  local ${s.address} port ${s.port} as ${s.asn};
  neighbor ${n.address} port ${n.port} as ${n.asn};
  multihop;
  strict bind yes;
  ${n.active === false ? 'passive on;' : ''}
  connect delay time 1; connect retry time 2; error wait time 1, 5;
  hold time 9;
  ${n.password ? `password "${n.password}";` : ''}
  ${n.gracefulRestart ? `graceful restart on; graceful restart time ${n.restartTime ?? 30};` : ''}
${channel('ipv4', n)}
${this.routes.ipv6?.length || this.routes.ipv6Channels ? channel('ipv6', n) : ''}
}`,
      )
      .join('\n');
    return `log "${join(s.dir, 'bird.log')}" all;
router id ${s.routerId};
protocol device { }
${staticProto('routes4', 'ipv4', this.routes.ipv4 ?? [])}${staticProto('routes6', 'ipv6', this.routes.ipv6 ?? [])}${neighbors}
`;
  }

  /** recovery: start in graceful restart recovery (`bird -R`), as after a crash with forwarding state kept. */
  start(options: { readonly recovery?: boolean } = {}): void {
    const conf = join(this.spec.dir, 'bird.conf');
    writeFileSync(conf, this.config());
    this.launch('bird', [
      '-f',
      '-c',
      conf,
      '-s',
      this.socket,
      '-P',
      join(this.spec.dir, 'bird.pid'),
      ...(options.recovery ? ['-R'] : []),
    ]);
  }

  /** BIRD's log file (the log statement of its config). */
  get logFile(): string {
    return join(this.spec.dir, 'bird.log');
  }

  birdc(...command: string[]): string {
    const run = spawnSync('birdc', ['-s', this.socket, ...command], { encoding: 'utf8' });
    return run.stdout + run.stderr;
  }

  /** "Established" when BIRD shows the protocol's BGP state as such. */
  protocolState(name: string): string | undefined {
    return /BGP state:\s+(\S+)/.exec(this.birdc('show', 'protocols', 'all', name))?.[1];
  }

  /** Routes imported from a neighbor, as "Routes: N imported". */
  importedRoutes(name: string): number {
    return Number(/Routes:\s+(\d+) imported/.exec(this.birdc('show', 'protocols', 'all', name))?.[1] ?? 0);
  }

  /** Routes BIRD exported to a neighbor, as "N exported". */
  exportedRoutes(name: string): number {
    return Number(/(\d+) exported/.exec(this.birdc('show', 'protocols', 'all', name))?.[1] ?? 0);
  }
}

/** The parts of `gobgp -j neighbor ADDRESS` the tests read (protobuf JSON: zero values are left out). */
export interface GoBgpNeighbor {
  readonly state?: {
    readonly session_state?: number | string;
    readonly messages?: {
      readonly received?: { readonly update?: number; readonly notification?: number; readonly total?: number };
    };
  };
  readonly afi_safis?: readonly {
    readonly state?: {
      readonly family?: { readonly afi?: number };
      readonly received?: number;
      readonly accepted?: number;
    };
  }[];
}

/** A BMP station a router streams to (RFC 7854): FRR's `bmp targets`, GoBGP's `[[bmp-servers]]`. */
export interface BmpTarget {
  readonly host: string;
  readonly port: number;
}

export interface GoBgpOptions {
  readonly extendedCommunities?: readonly string[];
  /** Stream BMP to this station (`[[bmp-servers]]`). */
  readonly bmp?: BmpTarget & {
    /** GoBGP's route-monitoring-policy (default pre-policy; "all" adds post-policy and the Loc-RIB). */
    readonly policy?: 'pre-policy' | 'post-policy' | 'local-rib' | 'all';
    /** Seconds between Statistics Reports, 15..65535 (default: none sent). */
    readonly statisticsTimeout?: number;
  };
}

/** GoBGP (gobgpd), configured by TOML, routes added through its CLI. */
export class GoBgp extends Daemon {
  apiPort = 0;

  constructor(
    spec: DaemonSpec,
    readonly nextHop = '10.0.0.3',
    readonly options: GoBgpOptions = {},
  ) {
    super(spec);
  }

  config(): string {
    const s = this.spec;
    const neighbors = s.neighbors
      .map(
        (n) => `
[[neighbors]]
  [neighbors.config]
    neighbor-address = "${n.address}"
    peer-as = ${n.asn}
    ${n.password ? `auth-password = "${n.password}"` : ''}
  [neighbors.transport.config]
    local-address = "${s.address}"
    remote-port = ${n.port}
    ${n.active === false ? 'passive-mode = true' : ''}
  [neighbors.timers.config]
    connect-retry = 1
    idle-hold-time-after-reset = 1
    hold-time = 9
    keepalive-interval = 3
${
  n.gracefulRestart
    ? `  [neighbors.graceful-restart.config]
    enabled = true
    restart-time = ${n.restartTime ?? 30}
`
    : ''
}  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
${
  n.addPath
    ? `    [neighbors.afi-safis.add-paths.config]
      send-max = 8
`
    : ''
}${
  n.gracefulRestart
    ? `    [neighbors.afi-safis.mp-graceful-restart.config]
      enabled = true
`
    : ''
}  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"
${
  n.gracefulRestart
    ? `    [neighbors.afi-safis.mp-graceful-restart.config]
      enabled = true
`
    : ''
}`,
      )
      .join('');
    // FRR resets a session on a loopback next hop ("martian") and GoBGP would send its own.
    // Extended communities ("rt:65002:5") are added on export: the CLI cannot attach them to IPv4 unicast routes.
    const ext = this.options.extendedCommunities ?? [];
    const setExt = ext.length
      ? `
      [policy-definitions.statements.actions.bgp-actions.set-ext-community]
        options = "add"
        [policy-definitions.statements.actions.bgp-actions.set-ext-community.set-ext-community-method]
          communities-list = [${ext.map((c) => `"${c}"`).join(', ')}]`
      : '';
    const bmp = this.options.bmp;
    const bmpServers = bmp
      ? `
[[bmp-servers]]
  [bmp-servers.config]
    address = "${bmp.host}"
    port = ${bmp.port}
    route-monitoring-policy = "${bmp.policy ?? 'pre-policy'}"
${bmp.statisticsTimeout ? `    statistics-timeout = ${bmp.statisticsTimeout}\n` : ''}`
      : '';
    return `[global.config]
  as = ${s.asn}
  router-id = "${s.routerId}"
  port = ${s.port}
  local-address-list = ["${s.address}"]
[global.apply-policy.config]
  export-policy-list = ["nh-not-loopback"]
  default-export-policy = "accept-route"

[[policy-definitions]]
  name = "nh-not-loopback"
  [[policy-definitions.statements]]
    name = "s1"
    [policy-definitions.statements.actions]
      route-disposition = "accept-route"
      [policy-definitions.statements.actions.bgp-actions]
        set-next-hop = "${this.nextHop}"${setExt}
${neighbors}${bmpServers}`;
  }

  async start(): Promise<void> {
    this.apiPort = await freePort();
    const conf = join(this.spec.dir, 'gobgpd.toml');
    writeFileSync(conf, this.config());
    this.launch('gobgpd', [
      '-f',
      conf,
      '-p',
      '-l',
      'info',
      '--api-hosts',
      `127.0.0.1:${this.apiPort}`,
      '--pprof-disable',
    ]);
  }

  gobgp(...args: string[]): { code: number | null; out: string } {
    const run = spawnSync('gobgp', ['-p', String(this.apiPort), ...args], { encoding: 'utf8' });
    return { code: run.status, out: run.stdout + run.stderr };
  }

  /** The neighbor's session state ("established", "active", ...); the JSON has the enum number. */
  neighborState(address: string): string | undefined {
    const state = this.neighbor(address)?.state?.session_state;
    const names = ['unknown', 'idle', 'connect', 'active', 'opensent', 'openconfirm', 'established'];
    return typeof state === 'number' ? (names[state] ?? String(state)) : state;
  }

  /** `gobgp -j neighbor ADDRESS`, parsed; undefined when gobgp cannot answer. */
  neighbor(address: string): GoBgpNeighbor | undefined {
    const run = this.gobgp('-j', 'neighbor', address);
    if (run.code !== 0) return undefined;
    try {
      return JSON.parse(run.out) as GoBgpNeighbor;
    } catch {
      return undefined;
    }
  }
}

export interface FrrOptions {
  /** IPv6 networks, announced on IPv6 unicast sessions with every neighbor. */
  readonly networks6?: readonly (string | StaticRoute)[];
  /** Next hop set on IPv6 routes sent (default: FRR's own, an IPv4-mapped address). */
  readonly nextHop6?: string;
  /** Communities the import policy adds to every route received (route-map IMPORT in, IPv4 unicast). */
  readonly importCommunities?: readonly string[];
  /**
   * Stream BMP to this station (`bgpd -M bmp`, `bmp targets`), IPv4 unicast in the listed views.
   * Pre-policy needs the Adj-RIB-In kept, so every neighbor gets `soft-reconfiguration inbound`.
   */
  readonly bmp?: BmpTarget & {
    readonly policies: readonly ('pre-policy' | 'post-policy')[];
    /** Milliseconds between Statistics Reports (default: none sent). */
    readonly statsIntervalMs?: number;
  };
}

/** FRR's bgpd without zebra, configured by a bgpd.conf, queried with vtysh. */
export class Frr extends Daemon {
  /** networks: prefixes, or StaticRoutes whose communities are set on the originated route (so FRR's own RIB shows them). */
  constructor(
    spec: DaemonSpec,
    readonly networks: readonly (string | StaticRoute)[] = [],
    readonly nextHop = '10.0.0.4',
    readonly options: FrrOptions = {},
  ) {
    super(spec);
  }

  config(): string {
    const s = this.spec;
    const n = s.neighbors
      .map(
        (x) => ` neighbor ${x.address} remote-as ${x.asn}
 neighbor ${x.address} port ${x.port}
 neighbor ${x.address} update-source ${s.address}
 neighbor ${x.address} disable-connected-check
 neighbor ${x.address} timers connect 1
 neighbor ${x.address} timers 3 9
${x.password ? ` neighbor ${x.address} password ${x.password}\n` : ''}${x.active === false ? ` neighbor ${x.address} passive\n` : ''}`,
      )
      .join('');
    const bmp = this.options.bmp;
    const importCommunities = this.options.importCommunities ?? [];
    const activate = s.neighbors
      .map(
        (x) =>
          `  neighbor ${x.address} route-map NH-OUT out\n${x.addPath ? `  neighbor ${x.address} addpath-tx-all-paths\n` : ''}${importCommunities.length ? `  neighbor ${x.address} route-map IMPORT in\n` : ''}${bmp?.policies.includes('pre-policy') ? `  neighbor ${x.address} soft-reconfiguration inbound\n` : ''}`,
      )
      .join('');
    const bmpTargets = bmp
      ? ` bmp targets kube-routes
  bmp connect ${bmp.host} port ${bmp.port} min-retry 100 max-retry 1000
${bmp.policies.map((p) => `  bmp monitor ipv4 unicast ${p}\n`).join('')}${bmp.statsIntervalMs ? `  bmp stats interval ${bmp.statsIntervalMs}\n` : ''} exit
`
      : '';
    const routeMaps: string[] = [];
    const network = (r: string | StaticRoute, family: string, i: number) => {
      if (typeof r === 'string') return `  network ${r}\n`;
      const sets = [
        r.communities?.length ? ` set community ${r.communities.join(' ')} additive\n` : '',
        r.largeCommunities?.length ? ` set large-community ${r.largeCommunities.join(' ')} additive\n` : '',
        // "rt 65003:5" -> one "set extcommunity rt ..." line per kind.
        ...['rt', 'soo'].map((kind) => {
          const values = (r.extendedCommunities ?? [])
            .filter((c) => c.startsWith(`${kind} `))
            .map((c) => c.slice(kind.length + 1));
          return values.length ? ` set extcommunity ${kind} ${values.join(' ')}\n` : '';
        }),
      ].join('');
      const name = `ORIGINATE-${family}-${i}`;
      routeMaps.push(`route-map ${name} permit 10\n${sets}!\n`);
      return `  network ${r.prefix} route-map ${name}\n`;
    };
    const networks6 = this.options.networks6 ?? [];
    const ipv6 =
      networks6.length === 0
        ? ''
        : ` address-family ipv6 unicast
${networks6.map((r, i) => network(r, 'v6', i)).join('')}${s.neighbors.map((x) => `  neighbor ${x.address} activate\n${this.options.nextHop6 ? `  neighbor ${x.address} route-map NH6-OUT out\n` : ''}`).join('')} exit-address-family
`;
    const restartTime = s.neighbors.find((x) => x.gracefulRestart)?.restartTime;
    return `frr defaults traditional
hostname frr-${s.routerId}
log file ${join(s.dir, 'bgpd.log')} informational
!
router bgp ${s.asn}
 bgp router-id ${s.routerId}
 bgp log-neighbor-changes
 no bgp ebgp-requires-policy
 no bgp network import-check
${s.neighbors.some((x) => x.gracefulRestart) ? ` bgp graceful-restart\n${restartTime ? ` bgp graceful-restart restart-time ${restartTime}\n` : ''}` : ''}${n} address-family ipv4 unicast
${this.networks.map((r, i) => network(r, 'v4', i)).join('')}${activate} exit-address-family
${ipv6}${bmpTargets}!
${importCommunities.length ? `route-map IMPORT permit 10\n set community ${importCommunities.join(' ')} additive\n!\n` : ''}route-map NH-OUT permit 10
 set ip next-hop ${this.nextHop}
!
${this.options.nextHop6 ? `route-map NH6-OUT permit 10\n set ipv6 next-hop global ${this.options.nextHop6}\n!\n` : ''}${routeMaps.join('')}`;
  }

  start(): void {
    const s = this.spec;
    const conf = join(s.dir, 'bgpd.conf');
    writeFileSync(conf, this.config());
    this.launch('/usr/lib/frr/bgpd', [
      '-S',
      '-Z',
      ...(this.options.bmp ? ['-M', 'bmp'] : []),
      '-f',
      conf,
      '-i',
      join(s.dir, 'bgpd.pid'),
      '-z',
      join(s.dir, 'zserv.api'),
      '--vty_socket',
      s.dir,
      '-p',
      String(s.port),
      '-l',
      s.address,
      '-P',
      '0',
    ]);
  }

  /** FRR's log file (the log statement of its config). */
  get logFile(): string {
    return join(this.spec.dir, 'bgpd.log');
  }

  vtysh(command: string): string {
    const run = spawnSync('vtysh', ['--vty_socket', this.spec.dir, '-c', command], { encoding: 'utf8' });
    return run.stdout + run.stderr;
  }

  /** Runs configuration commands in order, as typed after `configure terminal`. */
  configure(...commands: string[]): string {
    const run = spawnSync(
      'vtysh',
      ['--vty_socket', this.spec.dir, '-c', 'configure terminal', ...commands.flatMap((c) => ['-c', c])],
      { encoding: 'utf8' },
    );
    return run.stdout + run.stderr;
  }

  /** The BGP state of a neighbor in `show bgp summary json` ("Established", "Active", ...). */
  neighborState(address: string): string | undefined {
    try {
      const summary = JSON.parse(this.vtysh('show bgp summary json')) as Record<
        string,
        { peers?: Record<string, { state?: string }> }
      >;
      return summary.ipv4Unicast?.peers?.[address]?.state;
    } catch {
      return undefined;
    }
  }
}

/** Debian packages the interop tests need; the test command installs them (scripts/test). */
export const daemonBinaries = ['bird', 'birdc', 'gobgpd', 'gobgp', 'vtysh', '/usr/lib/frr/bgpd', 'bgpdump'] as const;
