import { createServer, type Server, type Socket } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import type { LookupResult, PeerStatus, Route, SpeakerConfig } from '@kube-routes/server/engine';
// One module, not the engine's barrel, so the speaker does not load the rules and manifests.
import { parseIpAddress } from '@kube-routes/server/engine/addresses';
import { CeaseSubcode } from '../bgp';
import type { MrtPeer, TableDumpChunks } from '../mrt';
import { RibRouteTable, type RoutesJsonWriter } from '../rib-view';
import { startApiServer, type RouteStateSource } from './api';
import { answerChunkBytes } from '@kube-routes/server/speaker-api';
import type { BmpStation } from './bmp-station';
import { DynamicPeers } from './dynamic-peers';
import type { Logger } from './log';
import { MalformedCounts, SpeakerMetrics } from './metrics';
import { ObservedRib } from './observed-rib';
import { Rib } from '../rib';
import { Peer } from './peer';
import { logPeerEvent } from './peer-event-log';
import { PeerEvents, type PeerEvent } from './peer-events';
import { rejectSocket } from './reject-socket';
import { ListenerKeys, resolveKeys, signedSocket, type ListenerKey, type ResolvedKeys } from './tcp-md5';
import { WatchHub } from './watch';

// Loaded on first use, not at start: the MRT writer (GET /v1/snapshot) and the BMP station (a
// bmp: section). require, not import(): the release executable's code cache cannot import().
const lazy = {
  mrt: () => require('../mrt') as typeof import('../mrt'),
  bmpStation: () => require('./bmp-station') as typeof import('./bmp-station'),
};

/** A socket the speaker could not open: the daemon prints it as one line and exits 2. */
export class ListenError extends Error {}

/**
 * The bundled BGP speaker: accepts sessions from configured peers only (and connects to those
 * with a port), keeps every path they send in one RIB, advertises nothing (RFC 8212 spirit:
 * no export at all), and answers route queries for the HTTP API.
 */
export class Speaker implements RouteStateSource {
  readonly rib = new ObservedRib();
  readonly routes = new RibRouteTable(this.rib, (id) => this.peerName(id), 'speaker');
  /**
   * BMP routers' Loc-RIBs and their peers' Adj-RIB-Outs (the API's `view`), apart from the
   * Adj-RIB-In; attribute sets are shared with it.
   */
  readonly views = {
    'loc-rib': new RibRouteTable(
      new Rib({ attributeSets: this.rib.attributeSets }),
      (id) => this.peerName(id),
      'speaker',
    ),
    'adj-rib-out': new RibRouteTable(
      new Rib({ attributeSets: this.rib.attributeSets }),
      (id) => this.peerName(id),
      'speaker',
    ),
  } as const;
  readonly watch: WatchHub;
  readonly metrics: SpeakerMetrics;
  /** Peers up, down, malformed messages...: the log, the metrics and the watch stream subscribe; so may anyone. */
  readonly events = new PeerEvents();
  /** The BMP station, when `speaker.bmp` is set: monitored routers' peers, with RIB ids after the BGP peers'. */
  readonly bmp: BmpStation | undefined;
  private readonly peersByKey = new Map<string, Peer>();
  /** `speaker.dynamicPeers`: sessions accepted from a prefix, each a Peer until it ends. */
  private readonly dynamic: DynamicPeers;
  /** TCP-MD5 keys of the running config, and those installed on the listener. */
  private keys: ResolvedKeys;
  private readonly listenerKeys = new ListenerKeys();
  private readonly peerAddress: string[] = [];
  /** Per RIB peer id: paths added or changed, and withdrawn (read by /metrics). */
  private readonly announced: number[] = [];
  private readonly withdrawn: number[] = [];
  private readonly malformed = new MalformedCounts();
  private readonly log: Logger;
  private bgpServer: Server | undefined;
  private apiServer: HttpServer | undefined;
  private nextPeerId = 0;
  /**
   * Ids of ended dynamic sessions, whose paths are gone: a RIB peer id is 16 bits, and nodes come
   * and go for as long as the speaker runs.
   */
  private readonly freePeerIds: number[] = [];

  constructor(
    public config: SpeakerConfig,
    log: Logger,
    private readonly now: () => number = () => Date.now() / 1000,
    options: { readonly watchBuffer?: number } = {},
  ) {
    this.watch = new WatchHub({
      capacity: options.watchBuffer,
      peerName: (peer) => this.peerName(peer),
    });
    this.log = log;
    this.keys = resolveKeys(config);
    this.dynamic = new DynamicPeers({
      log,
      newPeer: (c, key, ended) =>
        this.addPeer(c, key, (peer) => {
          ended(peer);
          this.freePeerId(peer.id);
        }),
      refuse: (socket, remote, reason) => this.refuse(socket, remote, reason),
    });
    // Count and publish first, then log: what a log line reports is already visible in the API.
    this.events.subscribe((e) => this.malformed.observe(e));
    this.events.subscribe((e) => this.publishPeerChange(e));
    this.events.subscribe((e) => logPeerEvent(log, e));
    this.metrics = new SpeakerMetrics({
      peers: () => this.peers(),
      watcherCount: () => this.watch.watcherCount,
      // The attribute store is shared: counted once, with the Adj-RIB-In.
      ribMemoryBytes: () =>
        this.rib.memoryEstimate() +
        this.views['loc-rib'].rib.memoryEstimate() -
        this.rib.attributeSets.approximateBytes() +
        this.views['adj-rib-out'].rib.memoryEstimate() -
        this.rib.attributeSets.approximateBytes(),
      ribPrefixes: (family) => this.rib.prefixCount(family),
      // Every RIB peer id that ever changed a route: BGP peers and BMP-monitored peers alike.
      changeCounts: () =>
        [...new Set([...this.announced.keys(), ...this.withdrawn.keys()])].flatMap((id) =>
          this.announced[id] === undefined && this.withdrawn[id] === undefined
            ? []
            : [
                {
                  peer: this.peerName(id),
                  announcements: this.announced[id] ?? 0,
                  withdrawals: this.withdrawn[id] ?? 0,
                },
              ],
        ),
      malformedCounts: () => this.malformed.entries(),
      dynamicGroups: () => this.dynamic.counts(),
    });
    this.rib.observe({
      announced: (peer, prefix, pathId, result) => {
        this.announced[peer] = (this.announced[peer] ?? 0) + 1;
        this.watch.publishRoute(result === 'added' ? 'added' : 'changed', peer, prefix, pathId);
      },
      withdrawn: (peer, prefix, pathId) => {
        this.withdrawn[peer] = (this.withdrawn[peer] ?? 0) + 1;
        this.watch.publishRoute('withdrawn', peer, prefix, pathId);
      },
      bulk: (peer, what, paths, family) => {
        if (what !== 'marked-stale') this.withdrawn[peer] = (this.withdrawn[peer] ?? 0) + paths;
        this.watch.publish('routes', () => ({
          action: what,
          peer: this.peerName(peer),
          paths,
          ...(family ? { family: family === 4 ? 'ipv4-unicast' : 'ipv6-unicast' } : {}),
        }));
      },
    });
    for (const p of config.peers)
      this.peersByKey.set(p.address.key, this.addPeer(p, this.keys.peers.get(p.address.key)));
    this.dynamic.configure(config.dynamicPeers, this.keys.groups, (a) => this.peersByKey.has(a.key));
    this.bmp = config.bmp
      ? new (lazy.bmpStation().BmpStation)({
          rib: this.rib,
          views: { 'loc-rib': this.views['loc-rib'].rib, 'adj-rib-out': this.views['adj-rib-out'].rib },
          log: this.log,
          events: this.events,
          now: this.now,
          newPeerId: () => this.nextPeerId++,
          maxPrefixes: config.bmp.maxPrefixes,
        })
      : undefined;
  }

  /** Peer ids in use: peers, dynamic sessions and BMP-monitored peers. */
  get peerIdsInUse(): number {
    return this.nextPeerId - this.freePeerIds.length;
  }

  /** One more than the highest peer id ever handed out. */
  get peerIdCeiling(): number {
    return this.nextPeerId;
  }

  private freePeerId(id: number): void {
    if (this.rib.pathCount(id, 4) + this.rib.pathCount(id, 6) === 0) this.freePeerIds.push(id);
  }

  private peerName(id: number): string {
    return this.peerAddress[id] ?? this.bmp?.peerName(id) ?? `peer-${id}`;
  }

  /** A new Peer with a fresh RIB id: a static peer, or one dynamic session (`ended` set). */
  private addPeer(p: SpeakerConfig['peers'][number], key: Uint8Array | undefined, ended?: (peer: Peer) => void): Peer {
    const id = this.freePeerIds.pop() ?? this.nextPeerId++;
    const peer = new Peer(id, p, this.config, {
      rib: this.rib,
      log: this.log,
      events: this.events,
      now: this.now,
      tcpMd5Key: key,
      signedSocket: key ? (host, k) => signedSocket(host, p.address.family, k) : undefined,
      ended,
    });
    this.peerAddress[id] = p.addressText;
    return peer;
  }

  /** The keys the listener needs: each signed static peer's address, each signed group's prefix. */
  private wantedListenerKeys(): ListenerKey[] {
    const keys: ListenerKey[] = [];
    for (const p of this.config.peers) {
      const key = this.keys.peers.get(p.address.key);
      if (key) keys.push({ address: p.addressText, prefixLength: p.address.family === 4 ? 32 : 128, key });
    }
    for (const g of this.config.dynamicPeers) {
      const key = this.keys.groups.get(g.name);
      if (key)
        keys.push({ address: g.prefix.cidr.slice(0, g.prefix.cidr.indexOf('/')), prefixLength: g.prefixLength, key });
    }
    return keys;
  }

  /** A peer's state changed: watchers get its row as /v1/peers shows it. */
  private publishPeerChange(event: PeerEvent): void {
    if (event.type !== 'peer-up' && event.type !== 'peer-down') return;
    const { peer } = event;
    if (event.source === 'bgp') {
      this.watch.publish(
        'peer',
        () => this.peers().find((p) => p.address === peer && p.source === 'bgp') ?? { address: peer },
      );
    } else {
      const { router } = event;
      this.watch.publish(
        'peer',
        () =>
          this.peers().find((p) => p.address === peer && p.source === 'bmp' && p.router === router) ?? {
            address: peer,
            source: 'bmp',
            router,
          },
      );
    }
  }

  /** Opens the BGP listener and the API, then starts every peer. */
  async start(): Promise<void> {
    const { listen, api } = this.config;
    this.bgpServer = createServer((socket) => this.accept(socket));
    await listenOn(this.bgpServer, listen.host, listen.port, 'BGP');
    try {
      this.listenerKeys.apply(this.bgpServer, this.wantedListenerKeys());
    } catch (e) {
      this.bgpServer.close();
      throw new ListenError(e instanceof Error ? e.message : String(e));
    }
    try {
      this.apiServer = await startApiServer(this, api.host, api.port, {
        watch: this.watch,
        metrics: this.metrics,
        snapshot: () => this.snapshot(),
      });
    } catch (e) {
      this.bgpServer.close();
      throw new ListenError(`cannot listen on ${api.host}:${api.port} for the API: ${socketError(e)}`);
    }
    const bmp = this.config.bmp?.listen;
    if (this.bmp && bmp) {
      try {
        await this.bmp.start(bmp.host, bmp.port);
      } catch (e) {
        this.bgpServer.close();
        this.apiServer.close();
        throw new ListenError(`cannot listen on ${bmp.host}:${bmp.port} for BMP: ${socketError(e)}`);
      }
    }
    this.log.log('info', 'speaker-started', {
      asn: this.config.asn,
      routerId: this.config.routerId,
      listen: `${listen.host}:${listen.port}`,
      api: `${api.host}:${api.port}`,
      bmp: bmp ? `${bmp.host}:${bmp.port}` : undefined,
      peers: this.config.peers.length,
      dynamicPeerGroups: this.config.dynamicPeers.length,
    });
    for (const peer of this.peersByKey.values()) peer.start();
  }

  /** Sends Cease to every peer and closes the sockets. */
  async stop(reason = 'kube-routes-speaker shutting down'): Promise<void> {
    for (const peer of this.peersByKey.values()) peer.stop(CeaseSubcode.AdministrativeShutdown, reason);
    this.dynamic.stopAll(CeaseSubcode.AdministrativeShutdown, reason);
    this.watch.close();
    await Promise.all([closeServer(this.bgpServer), closeServer(this.apiServer), this.bmp?.stop(reason)]);
    this.log.log('info', 'speaker-stopped', { reason });
  }

  /**
   * SIGHUP: applies a new speaker section. Added peers start; removed peers get Cease / Peer
   * De-configured; changed peers restart with Cease / Other Configuration Change; unchanged
   * sessions stay up. Socket addresses and the speaker's identity need a restart.
   */
  reload(next: SpeakerConfig): {
    added: number;
    removed: number;
    changed: number;
    unchanged: number;
    dynamicPeerGroups: { added: number; removed: number; changed: number; unchanged: number };
  } {
    // Passwords first: an unreadable passwordFile keeps the running configuration (reload-failed).
    const keys = resolveKeys(next);
    const oldKeys = this.keys;
    const counts = { added: 0, removed: 0, changed: 0, unchanged: 0 };
    const same = (a: unknown, b: unknown) =>
      JSON.stringify(a, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ===
      JSON.stringify(b, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    const identityChanged =
      next.asn !== this.config.asn || next.routerId !== this.config.routerId || next.holdTime !== this.config.holdTime;
    const sockets = (c: SpeakerConfig) => [c.listen, c.api, c.bmp];
    if (!same(sockets(next), sockets(this.config)))
      this.log.log('warn', 'reload-needs-restart', {
        reason: 'listen, api or bmp changed; restart kube-routes-speaker to apply',
      });
    const wanted = new Map(next.peers.map((p) => [p.address.key, p]));
    for (const [key, peer] of [...this.peersByKey]) {
      const p = wanted.get(key);
      if (!p) {
        peer.stop(CeaseSubcode.PeerDeconfigured, 'peer removed from the configuration');
        this.peersByKey.delete(key);
        counts.removed++;
      } else if (identityChanged || !same(p, peer.config) || !sameKey(oldKeys.peers.get(key), keys.peers.get(key))) {
        peer.stop(CeaseSubcode.OtherConfigurationChange, 'peer configuration changed');
        this.peersByKey.delete(key);
        counts.changed++;
      } else counts.unchanged++;
    }
    this.config = { ...next, listen: this.config.listen, api: this.config.api, bmp: this.config.bmp };
    this.keys = keys;
    if (this.bgpServer?.listening) {
      try {
        this.listenerKeys.apply(this.bgpServer, this.wantedListenerKeys());
      } catch (e) {
        this.log.log('error', 'tcp-md5-failed', { reason: e instanceof Error ? e.message : String(e) });
      }
    }
    for (const [key, p] of wanted) {
      if (this.peersByKey.has(key)) continue;
      const peer = this.addPeer(p, keys.peers.get(key));
      this.peersByKey.set(key, peer);
      peer.start();
    }
    counts.added = next.peers.length - counts.unchanged - counts.changed;
    const dynamicPeerGroups = this.dynamic.configure(
      next.dynamicPeers,
      keys.groups,
      (a) => this.peersByKey.has(a.key),
      identityChanged,
    );
    this.log.log('info', 'reloaded', {
      ...counts,
      groupsAdded: dynamicPeerGroups.added,
      groupsRemoved: dynamicPeerGroups.removed,
      groupsChanged: dynamicPeerGroups.changed,
      groupsUnchanged: dynamicPeerGroups.unchanged,
    });
    return { ...counts, dynamicPeerGroups };
  }

  /** The RIB as MRT TABLE_DUMP_V2 (GET /v1/snapshot). */
  snapshot(): TableDumpChunks {
    const peers: MrtPeer[] = [];
    for (const peer of [...this.peersByKey.values(), ...this.dynamic.peers()])
      peers.push({ id: peer.id, address: peer.address, asn: peer.status().asn, bgpId: peer.bgpId });
    if (this.bmp) peers.push(...this.bmp.mrtPeers());
    // Written a chunk at a time while sessions run: a peer that comes up meanwhile is left out.
    return new (lazy.mrt().TableDumpChunks)(
      this.rib,
      peers,
      this.config.routerId,
      'kube-routes',
      Math.floor(this.now()),
      {
        chunkSize: answerChunkBytes,
        unlistedPeers: 'skip',
      },
    );
  }

  /** Route refresh on demand (SIGUSR1): every established peer that supports it re-sends its routes. */
  refreshAll(): void {
    this.log.log('info', 'refresh-requested', { peers: this.peersByKey.size });
    for (const peer of [...this.peersByKey.values(), ...this.dynamic.peers()]) peer.requestRefresh();
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
    if (peer) return peer.accept(socket);
    if (address && this.dynamic.accept(socket, address, remote)) return;
    // Only configured peers may talk to us: tell the router why and hang up.
    this.refuse(socket, remote, 'not a configured peer');
  }

  /** Cease / Connection Rejected (6/5), then close. */
  private refuse(socket: Socket, remote: string, reason: string): void {
    this.log.log('warn', 'connection-refused', { remote, port: socket.remotePort ?? 0, reason });
    rejectSocket(socket, CeaseSubcode.ConnectionRejected);
  }

  // RouteStateSource

  peers(): PeerStatus[] {
    return [
      ...[...this.peersByKey.values()].map((p) => p.status()),
      ...this.dynamic.statuses(),
      ...(this.bmp?.peers() ?? []),
    ];
  }

  lookup(ip: string): LookupResult | undefined {
    return this.routes.lookupText(ip);
  }

  routesExact(prefix: string): Route[] | undefined {
    return this.routes.exact(prefix);
  }

  routesWithin(prefix: string, limit: number, after?: string): { routes: Route[]; truncated: boolean } | undefined {
    return this.routes.within(prefix, limit, after);
  }

  routesWithinWriter(prefix: string, after?: string): RoutesJsonWriter | undefined {
    return this.routes.withinWriter(prefix, after);
  }

  ribView(view: 'loc-rib' | 'adj-rib-out'): RouteStateSource {
    return tableSource(this.views[view], () => this.peers());
  }
}

/** A route table answering the API's route queries (a view other than the Adj-RIB-In). */
function tableSource(table: RibRouteTable, peers: () => PeerStatus[]): RouteStateSource {
  return {
    peers,
    lookup: (ip) => table.lookupText(ip),
    routesExact: (prefix) => table.exact(prefix),
    routesWithin: (prefix, limit, after) => table.within(prefix, limit, after),
    routesWithinWriter: (prefix, after) => table.withinWriter(prefix, after),
  };
}

function sameKey(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && Buffer.from(a).equals(Buffer.from(b)));
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
    server.once('error', (e) =>
      reject(new ListenError(`cannot listen on ${host}:${port} for ${what}: ${socketError(e)}`)),
    );
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
