import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  parseCidr,
  parseIpAddress,
  type IpRange,
  type PeerStatus,
  type Route,
  type RoutePath,
} from '@kube-routes/server/engine';
import { apiPaths } from '@kube-routes/server/speaker-api';

// A stand-in for kube-routes-speaker's read-only HTTP API (docs/api.md: /healthz, /v1/peers,
// /v1/lookup, /v1/routes) serving a fixed route list on loopback, so editor tests control route
// state exactly and can take the "speaker" down and bring it back on the same port.

export interface FakePath {
  readonly originAs: number;
  readonly peer?: string;
  readonly nextHop?: string;
  readonly asPath?: readonly number[];
  readonly communities?: readonly string[];
  readonly receivedAt?: string;
}

export function fakeRoute(prefix: string, paths: readonly FakePath[]): Route {
  return {
    prefix,
    paths: paths.map(
      (p, i): RoutePath => ({
        peer: p.peer ?? `127.0.0.${2 + i}`,
        pathId: 0,
        nextHop: p.nextHop ?? `10.0.0.${2 + i}`,
        asPath: p.asPath ?? [p.originAs],
        originAs: p.originAs,
        origin: 'igp',
        med: undefined,
        localPref: undefined,
        communities: p.communities ?? [],
        largeCommunities: [],
        extendedCommunities: [],
        stale: false,
        receivedAt: p.receivedAt ?? '2026-11-28T21:47:10.000Z',
      }),
    ),
  };
}

/** A peer row of /v1/peers: Established with the given prefix counts unless the state says otherwise. */
export function fakePeer(
  address: string,
  asn: number,
  received: PeerStatus['received'],
  state = 'Established',
): PeerStatus {
  return {
    address,
    asn,
    description: undefined,
    source: 'bgp',
    state,
    uptimeSeconds: state === 'Established' ? 60 : 0,
    received,
    capabilities: [],
    lastError: undefined,
  };
}

export class FakeSpeaker {
  /** Requests answered, per path (e.g. "/v1/lookup"). */
  readonly requests = new Map<string, number>();
  port = 0;
  /** While true, every request's connection is dropped unanswered (an outage that can be counted). */
  broken = false;
  /** Requests dropped while broken. */
  dropped = 0;
  /** What /v1/peers answers. */
  peers: PeerStatus[] = [];
  private server: Server | undefined;
  private table: { route: Route; range: IpRange }[] = [];

  constructor(routes: readonly Route[] = []) {
    this.setRoutes(routes);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  setRoutes(routes: readonly Route[]): void {
    this.table = routes.map((route) => {
      const parsed = parseCidr(route.prefix);
      if ('error' in parsed) throw new Error(parsed.error);
      return { route, range: parsed.range };
    });
  }

  /** Listens on 127.0.0.1 (on the previous port after a stop, so clients find it again). */
  async start(): Promise<void> {
    const server = createServer((req, res) => {
      if (this.broken) {
        this.dropped++;
        req.socket.destroy();
        return;
      }
      const url = new URL(req.url ?? '/', 'http://localhost');
      this.requests.set(url.pathname, (this.requests.get(url.pathname) ?? 0) + 1);
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (url.pathname === apiPaths.health) return send(200, { status: 'ok' });
      if (url.pathname === apiPaths.peers) return send(200, { peers: this.peers });
      if (url.pathname === apiPaths.lookup) {
        const ip = url.searchParams.get('ip') ?? '';
        const address = parseIpAddress(ip);
        if (!address) return send(400, { error: `"${ip}" is not an IP address` });
        let best: { route: Route; range: IpRange } | undefined;
        for (const entry of this.table) {
          const r = entry.range;
          if (r.family !== address.family || address.value < r.first || address.value > r.last) continue;
          if (!best || r.last - r.first < best.range.last - best.range.first) best = entry;
        }
        return send(200, best ? { ip, route: best.route } : { ip });
      }
      if (url.pathname === apiPaths.routes) {
        const within = parseCidr(url.searchParams.get('within') ?? '');
        if ('error' in within) return send(400, { error: within.error });
        const w = within.range;
        return send(200, {
          routes: this.table
            .filter((e) => e.range.family === w.family && e.range.first >= w.first && e.range.last <= w.last)
            .map((e) => e.route),
        });
      }
      return send(404, { error: `unknown path ${url.pathname}` });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops listening and drops kept-alive connections, so the next request is refused at once. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  count(path: string): number {
    return this.requests.get(path) ?? 0;
  }
}
