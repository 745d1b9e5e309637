import { createServer, type Server, type Socket } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import { parseIpAddress, type LookupResult, type PeerStatus, type Route, type SpeakerConfig } from '@kube-routes/server/engine';
import { CeaseSubcode, DEFAULT_SESSION, ErrorCode, encodeMessage } from '../bgp';
import { Rib } from '../rib';
import { RibRouteTable } from '../routes';
import { startApiServer, type RouteStateSource } from './api';
import type { Logger } from './log';
import { Peer } from './peer';

/** A socket the speaker could not open: the daemon prints it as one line and exits 2. */
export class ListenError extends Error {}

/**
 * The bundled BGP speaker: accepts sessions from configured peers only (and connects to those
 * with a port), keeps every path they send in one RIB, advertises nothing (RFC 8212 spirit:
 * no export at all), and answers route queries for the HTTP API.
 */
export class Speaker implements RouteStateSource {
  readonly rib = new Rib();
  readonly routes = new RibRouteTable(this.rib, (id) => this.peerAddress[id] ?? `peer-${id}`, 'speaker');
  private readonly peersByKey = new Map<string, Peer>();
  private readonly peerAddress: string[] = [];
  private bgpServer: Server | undefined;
  private apiServer: HttpServer | undefined;

  constructor(readonly config: SpeakerConfig, private readonly log: Logger, now: () => number = () => Date.now() / 1000) {
    config.peers.forEach((p, id) => {
      this.peersByKey.set(p.address.key, new Peer(id, p, config, { rib: this.rib, log, now }));
      this.peerAddress[id] = p.addressText;
    });
  }

  /** Opens the BGP listener and the API, then starts every peer. */
  async start(): Promise<void> {
    const { listen, api } = this.config;
    this.bgpServer = createServer((socket) => this.accept(socket));
    await listenOn(this.bgpServer, listen.host, listen.port, 'BGP');
    try {
      this.apiServer = await startApiServer(this, api.host, api.port);
    } catch (e) {
      this.bgpServer.close();
      throw new ListenError(`cannot listen on ${api.host}:${api.port} for the API: ${socketError(e)}`);
    }
    this.log.log('info', 'speaker-started', { asn: this.config.asn, routerId: this.config.routerId, listen: `${listen.host}:${listen.port}`, api: `${api.host}:${api.port}`, peers: this.config.peers.length });
    for (const peer of this.peersByKey.values()) peer.start();
  }

  /** Sends Cease to every peer and closes the sockets. */
  async stop(reason = 'kube-routes-speaker shutting down'): Promise<void> {
    for (const peer of this.peersByKey.values()) peer.stop(CeaseSubcode.AdministrativeShutdown, reason);
    await Promise.all([closeServer(this.bgpServer), closeServer(this.apiServer)]);
    this.log.log('info', 'speaker-stopped', { reason });
  }

  /** Route refresh on demand (SIGUSR1): every established peer that supports it re-sends its routes. */
  refreshAll(): void {
    this.log.log('info', 'refresh-requested', { peers: this.peersByKey.size });
    for (const peer of this.peersByKey.values()) peer.requestRefresh();
  }

  get apiAddress(): { host: string; port: number } | undefined {
    const a = this.apiServer?.address();
    return a && typeof a === 'object' ? { host: a.address, port: a.port } : undefined;
  }

  get bgpAddress(): { host: string; port: number } | undefined {
    const a = this.bgpServer?.address();
    return a && typeof a === 'object' ? { host: a.address, port: a.port } : undefined;
  }

  private accept(socket: Socket): void {
    const remote = (socket.remoteAddress ?? '').replace(/^::ffff:(?=\d+\.)/, '');
    const address = parseIpAddress(remote);
    const peer = address && this.peersByKey.get(address.key);
    if (!peer) {
      // Only configured peers may talk to us: tell the router why and hang up.
      this.log.log('warn', 'connection-refused', { remote, port: socket.remotePort ?? 0, reason: 'not a configured peer' });
      const n = encodeMessage({ type: 'NOTIFICATION', code: ErrorCode.Cease, subcode: CeaseSubcode.ConnectionRejected, data: new Uint8Array(0) }, DEFAULT_SESSION);
      socket.on('error', () => undefined);
      if (n.ok) socket.end(n.bytes);
      else socket.end();
      setTimeout(() => socket.destroy(), 1000).unref();
      return;
    }
    peer.accept(socket);
  }

  // RouteStateSource

  peers(): PeerStatus[] {
    return [...this.peersByKey.values()].map((p) => p.status());
  }

  lookup(ip: string): LookupResult | undefined {
    return this.routes.lookupText(ip);
  }

  routesExact(prefix: string): Route[] | undefined {
    return this.routes.exact(prefix);
  }

  routesWithin(prefix: string, limit: number): { routes: Route[]; truncated: boolean } | undefined {
    return this.routes.within(prefix, limit);
  }
}

function socketError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return 'address already in use';
  if (code === 'EACCES') return 'permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)';
  if (code === 'EADDRNOTAVAIL') return 'address not available on this host';
  return e instanceof Error ? e.message : String(e);
}

function listenOn(server: Server, host: string, port: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (e) => reject(new ListenError(`cannot listen on ${host}:${port} for ${what}: ${socketError(e)}`)));
    server.listen(port, host, () => resolve());
  });
}

function closeServer(server: Server | HttpServer | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!server) return resolve();
    server.close(() => resolve());
    if ('closeAllConnections' in server) server.closeAllConnections();
  });
}
