import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join, resolve } from 'node:path';
import type { LookupResult, PeerStatus, Route, RoutePath } from '@kube-routes/server/engine';
import {
  healthQuery,
  lookupQuery,
  type RibViewName,
  metricsQuery,
  peersQuery,
  routesQuery,
  type PeersResponse,
  type RoutesResponse,
} from '@kube-routes/server/speaker-api';
import { freePort, waitFor } from './daemons';
import { repoRoot } from './run-cli';

// The real kube-routes-speaker daemon, started from its installed bin with a config written to a
// test directory, on its own loopback address and free ports, queried through its HTTP API.
//
// Loopback addresses per test file, so files running at once never collide:
// 127.0.0.2-4 daemons.test.ts, 127.0.1.x speaker-interop, 127.0.2.x speaker-addpath,
// 127.0.3.x speaker-graceful-restart, 127.0.4.x speaker-robustness, 127.0.5.x speaker-refusals,
// 127.0.6.x speaker-config, 127.0.7.x speaker-route-refresh, 127.0.8.x speaker-operations,
// 127.0.13.x lsp watch, 127.0.14.x speaker-unreachable.
// 127.0.12.x speaker-bmp.
// The speaker is x.x.x.1 of its range.

export const speakerBin = resolve(repoRoot, 'node_modules/.bin/kube-routes-speaker');

export interface SpeakerPeerSpec {
  readonly address: string;
  readonly asn: number;
  /** Connect actively to this port too (else passive only). */
  readonly port?: number;
  readonly addPath?: boolean;
  readonly maxPrefixes?: number;
  readonly holdTime?: number;
  readonly gracefulRestart?: boolean;
  readonly description?: string;
  readonly password?: string;
  readonly passwordFile?: string;
}

/** A `speaker.dynamicPeers` group, as written in the config. */
export interface SpeakerDynamicPeerSpec {
  readonly prefix: string;
  readonly asns: readonly (number | string)[];
  readonly name?: string;
  readonly maxSessions?: number;
  readonly gracefulRestart?: boolean;
  readonly password?: string;
  readonly passwordFile?: string;
}

export interface SpeakerSpec {
  readonly dir: string;
  /** Loopback address the speaker listens on (BGP and API), distinct per test file. */
  readonly address: string;
  readonly asn?: number;
  readonly routerId?: string;
  readonly holdTime?: number;
  readonly peers: readonly SpeakerPeerSpec[];
  readonly dynamicPeers?: readonly SpeakerDynamicPeerSpec[];
  /** Run the BMP station (speaker.bmp.listen) on the speaker's address, port `bmpPort`. */
  readonly bmp?: boolean;
}

export interface LogEntry {
  readonly level: string;
  readonly event: string;
  readonly [field: string]: unknown;
}

export interface ApiReply<T = unknown> {
  readonly status: number;
  readonly body: T;
}

/** The speaker's config as kube-routes.yaml text (JSON is valid YAML). */
export function speakerConfigYaml(speaker: Record<string, unknown>): string {
  return `# written by test/support/speaker.ts\nspeaker: ${JSON.stringify(speaker, null, 2)}\n`;
}

export class SpeakerProcess {
  port = 0;
  apiPort = 0;
  /** The BMP station's port when spec.bmp is set (picked by start() unless set before). */
  bmpPort = 0;
  readonly asn: number;
  readonly configFile: string;
  private child: ChildProcess | undefined;
  private stderr = '';
  private exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined;

  constructor(readonly spec: SpeakerSpec) {
    mkdirSync(spec.dir, { recursive: true });
    this.asn = spec.asn ?? 65000;
    this.configFile = join(spec.dir, 'kube-routes.yaml');
  }

  /** Picks free ports (unless already set), writes the config, spawns the daemon and waits for /healthz. */
  async start(): Promise<void> {
    const s = this.spec;
    if (this.port === 0) this.port = await freePort(s.address);
    if (this.apiPort === 0) this.apiPort = await freePort(s.address);
    if (s.bmp && this.bmpPort === 0) this.bmpPort = await freePort(s.address);
    const config = {
      asn: this.asn,
      routerId: s.routerId ?? '10.0.0.1',
      listen: `${s.address}:${this.port}`,
      api: `${s.address}:${this.apiPort}`,
      holdTime: s.holdTime ?? 9,
      peers: s.peers,
      ...(s.dynamicPeers ? { dynamicPeers: s.dynamicPeers } : {}),
      ...(s.bmp ? { bmp: { listen: `${s.address}:${this.bmpPort}` } } : {}),
    };
    writeFileSync(this.configFile, speakerConfigYaml(config));
    this.stderr = '';
    const child = spawn(speakerBin, ['--config', this.configFile, '--log-level', 'debug'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    // 'close', not 'exit': by then stderr is drained, so logs() has every line the daemon wrote.
    this.exit = new Promise((done) => child.once('close', (code, signal) => done({ code, signal })));
    this.child = child;
    await waitFor(
      'kube-routes-speaker to serve /healthz',
      async () => {
        if (child.exitCode !== null)
          throw new Error(`kube-routes-speaker exited with ${child.exitCode}:\n${this.stderr}`);
        return (await this.get(healthQuery()).catch(() => undefined))?.status === 200 ? true : undefined;
      },
      15_000,
    );
  }

  /** Everything the daemon printed, for failure messages. */
  get output(): string {
    return this.stderr;
  }

  /**
   * Parsed JSON log lines so far, optionally only those of one event. Lines travel on stderr, not
   * in step with API answers: to see a line caused by something the API shows, use waitForLog.
   */
  logs(event?: string): LogEntry[] {
    const out: LogEntry[] = [];
    for (const line of this.stderr.split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        const entry = JSON.parse(line) as LogEntry;
        if (event === undefined || entry.event === event) out.push(entry);
      } catch {
        // a partial line still being written
      }
    }
    return out;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** GET (or another method) on the API; the body parsed as JSON. */
  get<T = unknown>(path: string, method = 'GET'): Promise<ApiReply<T>> {
    return new Promise((done, fail) => {
      const req = request({ host: this.spec.address, port: this.apiPort, path, method, timeout: 5000 }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => {
          try {
            done({ status: res.statusCode ?? 0, body: (body ? JSON.parse(body) : undefined) as T });
          } catch (e) {
            fail(e as Error);
          }
        });
      });
      req.on('timeout', () => req.destroy(new Error(`API ${path} timed out`)));
      req.on('error', fail);
      req.end();
    });
  }

  /** GET /metrics as text (Prometheus exposition format). */
  metricsText(): Promise<string> {
    return new Promise((done, fail) => {
      const req = request(
        { host: this.spec.address, port: this.apiPort, path: metricsQuery(), timeout: 5000 },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (body += d));
          res.on('end', () => done(body));
        },
      );
      req.on('timeout', () => req.destroy(new Error('API /metrics timed out')));
      req.on('error', fail);
      req.end();
    });
  }

  async peers(): Promise<PeerStatus[]> {
    return [...(await this.get<PeersResponse>(peersQuery())).body.peers];
  }

  async peer(address: string): Promise<PeerStatus> {
    const peer = (await this.peers()).find((p) => p.address === address);
    if (!peer) throw new Error(`peer ${address} is not in /v1/peers`);
    return peer;
  }

  /** The longest-match route for ip (in a RIB view, default the Adj-RIB-In), undefined when none. */
  async lookup(ip: string, view?: RibViewName): Promise<Route | undefined> {
    const reply = await this.get<LookupResult>(lookupQuery(ip, view));
    if (reply.status !== 200)
      throw new Error(`${lookupQuery(ip, view)}: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body.route ?? undefined;
  }

  /** The route of exactly this prefix (in a RIB view, default the Adj-RIB-In), undefined when none. */
  async route(prefix: string, view?: RibViewName): Promise<Route | undefined> {
    const reply = await this.get<RoutesResponse>(routesQuery({ exact: prefix, view }));
    if (reply.status !== 200)
      throw new Error(`${routesQuery({ exact: prefix, view })}: ${reply.status} ${JSON.stringify(reply.body)}`);
    return reply.body.routes[0];
  }

  /** Every route within prefix. */
  async routesWithin(prefix: string): Promise<Route[]> {
    const reply = await this.get<RoutesResponse>(routesQuery({ within: prefix }));
    if (reply.status !== 200)
      throw new Error(`${routesQuery({ within: prefix })}: ${reply.status} ${JSON.stringify(reply.body)}`);
    return [...reply.body.routes];
  }

  /** Waits until the peer is in the state (default Established); returns its status. */
  waitForPeer(address: string, state = 'Established', timeoutMs = 30_000): Promise<PeerStatus> {
    return waitFor(
      `speaker peer ${address} to be ${state}`,
      async () => {
        const p = await this.peer(address);
        return p.state === state ? p : undefined;
      },
      timeoutMs,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\nspeaker log:\n${this.output}`);
    });
  }

  /** Waits until the route of prefix satisfies check (default: it exists); returns it. */
  waitForRoute(prefix: string, check: (route: Route) => boolean = () => true, timeoutMs = 30_000): Promise<Route> {
    return waitFor(
      `the speaker's route ${prefix}`,
      async () => {
        const route = await this.route(prefix);
        return route && check(route) ? route : undefined;
      },
      timeoutMs,
    );
  }

  /** Waits until the speaker has no route of exactly prefix. */
  waitForNoRoute(prefix: string, timeoutMs = 30_000): Promise<true> {
    return waitFor(
      `the speaker to drop ${prefix}`,
      async () => ((await this.route(prefix)) === undefined ? true : undefined),
      timeoutMs,
    );
  }

  /** Waits for a log line of the event whose fields match. */
  waitForLog(event: string, match: (entry: LogEntry) => boolean = () => true, timeoutMs = 30_000): Promise<LogEntry> {
    return waitFor(`a speaker log line "${event}"`, () => this.logs(event).find(match), timeoutMs).catch((e: Error) => {
      throw new Error(`${e.message}\nspeaker log:\n${this.output}`);
    });
  }

  /** Sends a signal and waits for the exit (SIGKILL after timeoutMs). */
  async stop(
    signal: NodeJS.Signals = 'SIGTERM',
    timeoutMs = 10_000,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const child = this.child;
    const exit = this.exit;
    if (!child || !exit) return { code: null, signal: null };
    if (child.exitCode === null && child.signalCode === null) {
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.kill(signal);
      const result = await exit;
      clearTimeout(timer);
      return result;
    }
    return exit;
  }
}

/** The path of a route from one peer (and path id, when given). */
export function pathFrom(route: Route | undefined, peer: string, pathId?: number): RoutePath | undefined {
  return route?.paths.find((p) => p.peer === peer && (pathId === undefined || p.pathId === pathId));
}
