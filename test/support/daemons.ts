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
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Polls until check returns a value (not undefined), or throws with the last reason after timeoutMs. */
export async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
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
  /** Connect actively (default true); false waits for the neighbor to connect. */
  readonly active?: boolean;
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
      child.once('exit', () => { clearTimeout(timer); resolve(); });
      child.kill(signal);
    });
  }
}

export interface StaticRoute {
  readonly prefix: string;
  /** BGP communities "65000:1", large "65000:1:2", extended "rt 65000:5" (BIRD syntax inside bgp_ext_community.add). */
  readonly communities?: readonly string[];
  readonly largeCommunities?: readonly string[];
  readonly extendedCommunities?: readonly string[];
}

/** BIRD 2 with static routes exported to every neighbor. */
export class Bird extends Daemon {
  readonly socket: string;

  constructor(spec: DaemonSpec, readonly routes: { readonly ipv4?: readonly StaticRoute[]; readonly ipv6?: readonly StaticRoute[]; readonly nextHop4?: string; readonly nextHop6?: string } = {}) {
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
          ...(r.extendedCommunities ?? []).map((c) => `bgp_ext_community.add((${c.replace(/ /, ', ').replace(':', ', ')}));`),
        ];
        return `  route ${r.prefix} blackhole${sets.length ? ` { ${sets.join(' ')} }` : ''};`;
      });
      return `protocol static ${name} {\n  ${family};\n${lines.join('\n')}\n}\n`;
    };
    const channel = (family: 'ipv4' | 'ipv6', n: NeighborSpec) => {
      const nh = family === 'ipv4' ? this.routes.nextHop4 ?? '10.0.0.2' : this.routes.nextHop6;
      return `  ${family} { import all; export all;${nh ? ` next hop address ${nh};` : ''}${n.addPath ? ' add paths on;' : ''} };`;
    };
    const neighbors = s.neighbors.map((n) => `protocol bgp ${n.name} {
  local ${s.address} port ${s.port} as ${s.asn};
  neighbor ${n.address} port ${n.port} as ${n.asn};
  multihop;
  strict bind yes;
  ${n.active === false ? 'passive on;' : ''}
  connect delay time 1; connect retry time 2; error wait time 1, 5;
  hold time 9;
  ${n.gracefulRestart ? 'graceful restart on; graceful restart time 30;' : ''}
${channel('ipv4', n)}
${this.routes.ipv6?.length ? channel('ipv6', n) : ''}
}`).join('\n');
    return `log "${join(s.dir, 'bird.log')}" all;
router id ${s.routerId};
protocol device { }
${staticProto('routes4', 'ipv4', this.routes.ipv4 ?? [])}${staticProto('routes6', 'ipv6', this.routes.ipv6 ?? [])}${neighbors}
`;
  }

  start(): void {
    const conf = join(this.spec.dir, 'bird.conf');
    writeFileSync(conf, this.config());
    this.launch('bird', ['-f', '-c', conf, '-s', this.socket, '-P', join(this.spec.dir, 'bird.pid')]);
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

/** GoBGP (gobgpd), configured by TOML, routes added through its CLI. */
export class GoBgp extends Daemon {
  apiPort = 0;

  constructor(spec: DaemonSpec, readonly nextHop = '10.0.0.3') {
    super(spec);
  }

  config(): string {
    const s = this.spec;
    const neighbors = s.neighbors.map((n) => `
[[neighbors]]
  [neighbors.config]
    neighbor-address = "${n.address}"
    peer-as = ${n.asn}
  [neighbors.transport.config]
    local-address = "${s.address}"
    remote-port = ${n.port}
    ${n.active === false ? 'passive-mode = true' : ''}
  [neighbors.timers.config]
    connect-retry = 1
    idle-hold-time-after-reset = 1
    hold-time = 9
    keepalive-interval = 3
${n.gracefulRestart ? `  [neighbors.graceful-restart.config]
    enabled = true
    restart-time = 30
` : ''}  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
${n.addPath ? `    [neighbors.afi-safis.add-paths.config]
      send-max = 8
` : ''}${n.gracefulRestart ? `    [neighbors.afi-safis.mp-graceful-restart.config]
      enabled = true
` : ''}  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"
${n.gracefulRestart ? `    [neighbors.afi-safis.mp-graceful-restart.config]
      enabled = true
` : ''}`).join('');
    // FRR resets a session on a loopback next hop ("martian") and GoBGP would send its own.
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
        set-next-hop = "${this.nextHop}"
${neighbors}`;
  }

  async start(): Promise<void> {
    this.apiPort = await freePort();
    const conf = join(this.spec.dir, 'gobgpd.toml');
    writeFileSync(conf, this.config());
    this.launch('gobgpd', ['-f', conf, '-p', '-l', 'info', '--api-hosts', `127.0.0.1:${this.apiPort}`, '--pprof-disable']);
  }

  gobgp(...args: string[]): { code: number | null; out: string } {
    const run = spawnSync('gobgp', ['-p', String(this.apiPort), ...args], { encoding: 'utf8' });
    return { code: run.status, out: run.stdout + run.stderr };
  }

  /** The neighbor's session state as gobgp prints it ("established", "active", ...). */
  neighborState(address: string): string | undefined {
    const run = this.gobgp('-j', 'neighbor', address);
    if (run.code !== 0) return undefined;
    try {
      return (JSON.parse(run.out) as { state?: { session_state?: string | number } }).state?.session_state?.toString();
    } catch {
      return undefined;
    }
  }
}

/** FRR's bgpd without zebra, configured by a bgpd.conf, queried with vtysh. */
export class Frr extends Daemon {
  constructor(spec: DaemonSpec, readonly networks: readonly string[] = [], readonly nextHop = '10.0.0.4') {
    super(spec);
  }

  config(): string {
    const s = this.spec;
    const n = s.neighbors.map((x) => ` neighbor ${x.address} remote-as ${x.asn}
 neighbor ${x.address} port ${x.port}
 neighbor ${x.address} update-source ${s.address}
 neighbor ${x.address} disable-connected-check
 neighbor ${x.address} timers connect 1
 neighbor ${x.address} timers 3 9
${x.active === false ? ` neighbor ${x.address} passive\n` : ''}`).join('');
    const activate = s.neighbors.map((x) => `  neighbor ${x.address} route-map NH-OUT out\n${x.addPath ? `  neighbor ${x.address} addpath-tx-all-paths\n` : ''}`).join('');
    return `frr defaults traditional
hostname frr-${s.routerId}
log file ${join(s.dir, 'bgpd.log')} informational
!
router bgp ${s.asn}
 bgp router-id ${s.routerId}
 no bgp ebgp-requires-policy
 no bgp network import-check
${s.neighbors.some((x) => x.gracefulRestart) ? ' bgp graceful-restart\n' : ''}${n} address-family ipv4 unicast
${this.networks.map((p) => `  network ${p}\n`).join('')}${activate} exit-address-family
!
route-map NH-OUT permit 10
 set ip next-hop ${this.nextHop}
!
`;
  }

  start(): void {
    const s = this.spec;
    const conf = join(s.dir, 'bgpd.conf');
    writeFileSync(conf, this.config());
    this.launch('/usr/lib/frr/bgpd', ['-S', '-Z', '-f', conf, '-i', join(s.dir, 'bgpd.pid'), '-z', join(s.dir, 'zserv.api'), '--vty_socket', s.dir, '-p', String(s.port), '-l', s.address, '-P', '0']);
  }

  vtysh(command: string): string {
    const run = spawnSync('vtysh', ['--vty_socket', this.spec.dir, '-c', command], { encoding: 'utf8' });
    return run.stdout + run.stderr;
  }
}

/** Debian packages the interop tests need; the test command installs them (scripts/test). */
export const daemonBinaries = ['bird', 'birdc', 'gobgpd', 'gobgp', 'vtysh', '/usr/lib/frr/bgpd', 'bgpdump'] as const;
