import { createServer, type Server, type Socket } from 'node:net';
import type { PeerStatus } from '@kube-routes/server/engine';
import { formatAfiSafi, formatIpv4 } from '../bgp';
import {
  BmpPeerType,
  BmpStreamDecoder,
  bmpPeerKey,
  describePeerDown,
  formatBmpAddress,
  formatDistinguisher,
  terminationReasonText,
  type BmpError,
  type BmpMessage,
  type BmpPeerHeader,
  type BmpRibView,
  type PeerDownMessage,
  type PeerUpMessage,
  type RouteMonitoringMessage,
} from '../bmp';
import type { MrtPeer } from '../mrt';
import type { PeerId, Rib } from '../rib';
import { applyUpdateToRib } from '../rib-view';
import { describeNegotiated } from './capabilities';
import type { Logger } from './log';
import { peerLabel, type BmpPeerRef, type BmpPolicy, type BmpRib, type PeerEventSink } from './peer-events';

// The BMP station (RFC 7854): routers connect and stream what their BGP peers send them. Each
// monitored peer's Adj-RIB-In, pre- and post-policy apart, gets a RIB peer id of its own (above
// the configured BGP peers' ids) and its routes sit in the speaker's RIB beside the speaker's own.
// Adj-RIB-Out views (RFC 8671) and each router's Loc-RIB (RFC 9069) get ids the same way, in
// RIBs of their own (the API's `view`), so they never mix with what peers sent.
// BMP is one-way: the station never writes to a router. Decoding is the pure codec's
// (server/src/bmp); this file is the IO around it.

export type { BmpPolicy, BmpRib };

export interface BmpStationDeps {
  /** The Adj-RIB-In: where monitored peers' routes go, beside the speaker's own peers'. */
  readonly rib: Rib;
  /** Where Loc-RIB and Adj-RIB-Out routes go; without them those views are not kept. */
  readonly views?: { readonly 'loc-rib': Rib; readonly 'adj-rib-out': Rib };
  /** The router's own lines (up, down, malformed BMP, ignored messages). */
  readonly log: Logger;
  /** Monitored peers up and down, and their malformed UPDATEs. */
  readonly events: PeerEventSink;
  /** Seconds since the epoch; injectable for tests. */
  readonly now: () => number;
  /** A RIB peer id no one else uses (the speaker's counter: the configured BGP peers have the ones before). */
  readonly newPeerId: () => PeerId;
  /** Paths kept per monitored peer, view and family (`speaker.bmp.maxPrefixes`); unlimited when undefined. */
  readonly maxPrefixes?: number;
}

/** One view of a monitored peer (Adj-RIB-In or -Out, pre- or post-policy; or a Loc-RIB), with its RIB peer id. */
interface MonitoredRib {
  readonly id: PeerId;
  readonly view: BmpRibView;
  /** The RIB its routes are in. */
  readonly rib: Rib;
  /** A Loc-RIB the router filters (F flag of its last message). */
  filtered: boolean;
}

/** One BGP session of a monitored router, as its Peer Up / Peer Down messages describe it. */
interface MonitoredPeer {
  readonly address: string;
  readonly peerType: number;
  readonly distinguisher: bigint;
  asn: number;
  /** BGP Identifier, dotted quad (from the per-peer header). */
  bgpId: string;
  state: 'Established' | 'Idle';
  establishedAt: number | undefined;
  capabilities: string[];
  lastError: string | undefined;
  /** The view of its Peer Up (flags O and L, or a Loc-RIB): the row shown until routes arrive. */
  upView: BmpRibView;
  /** By view, as they first arrive. */
  readonly ribs: Map<BmpRibView, MonitoredRib>;
  /** Views that went over maxPrefixes: their routes are dropped until the next Peer Up. */
  readonly overLimit: Set<BmpRibView>;
}

/** One BMP TCP session: a router and the peers it reports. */
class RouterSession {
  readonly decoder = new BmpStreamDecoder();
  /** By `bmpPeerKey` (peer type, distinguisher, address). */
  readonly peers = new Map<string, MonitoredPeer>();
  sysName: string | undefined;
  sysDescr: string | undefined;
  /** bmp-router-up was logged (at the Initiation, or the first message without one). */
  up = false;
  closed = false;
  /** Why the router is going away, when it said (Termination) or the stream broke. */
  goingAway: string | undefined;
  socketError: string | undefined;
  /** What was ignored (Loc-RIB and Adj-RIB-Out when not kept, Route Mirroring), logged once per session. */
  readonly ignored = new Set<string>();

  constructor(
    readonly socket: Socket,
    readonly address: string,
    readonly port: number,
  ) {}
}

const IGNORED = {
  'loc-rib': 'Loc-RIB (RFC 9069) routes are not kept: only Adj-RIB-In pre- and post-policy are',
  'adj-rib-out': 'Adj-RIB-Out (RFC 8671) routes are not kept: only Adj-RIB-In pre- and post-policy are',
  'route-mirroring': 'Route Mirroring messages are not interpreted',
} as const;

const MAX_PEER_ID = 0xffff;

/** Each view of the codec: the API's RIB, its policy side, and its order in /v1/peers. */
const VIEWS: Readonly<Record<BmpRibView, { rib: BmpRib; policy: BmpPolicy | undefined; order: number }>> = {
  'adj-rib-in-pre': { rib: 'adj-rib-in', policy: 'pre-policy', order: 0 },
  'adj-rib-in-post': { rib: 'adj-rib-in', policy: 'post-policy', order: 1 },
  'adj-rib-out-pre': { rib: 'adj-rib-out', policy: 'pre-policy', order: 2 },
  'adj-rib-out-post': { rib: 'adj-rib-out', policy: 'post-policy', order: 3 },
  'loc-rib': { rib: 'loc-rib', policy: undefined, order: 4 },
};

export class BmpStation {
  private server: Server | undefined;
  private readonly routers = new Set<RouterSession>();
  private readonly byId = new Map<
    PeerId,
    { readonly router: RouterSession; readonly peer: MonitoredPeer; readonly rib: MonitoredRib }
  >();
  /** Ids of routers gone, handed out again before new ones. */
  private readonly freeIds: PeerId[] = [];

  constructor(private readonly deps: BmpStationDeps) {}

  /** Listens for routers; rejects with the socket error when the address cannot be used. */
  start(host: string, port: number): Promise<void> {
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        server.on('error', (e) => this.deps.log.log('error', 'bmp-listener-error', { reason: e.message }));
        resolve();
      });
    });
  }

  get address(): { host: string; port: number } | undefined {
    const a = this.server?.address();
    return a && typeof a === 'object' ? { host: a.address, port: a.port } : undefined;
  }

  /** Stops listening, closes every router's session and removes their peers' routes. */
  async stop(reason = 'kube-routes-speaker shutting down'): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const router of [...this.routers]) {
      this.close(router, reason, 'info');
      router.socket.destroy();
    }
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The monitored peers for /v1/peers: one row per peer and policy (its Peer Up's until routes arrive). */
  peers(): PeerStatus[] {
    const rows: PeerStatus[] = [];
    const now = this.deps.now();
    for (const router of this.routers) {
      for (const peer of router.peers.values()) {
        const ribs: { id: PeerId | undefined; view: BmpRibView; rib?: Rib; filtered?: boolean }[] =
          peer.ribs.size > 0 ? [...peer.ribs.values()] : [{ id: undefined, view: peer.upView }];
        for (const rib of ribs.sort((a, b) => VIEWS[a.view].order - VIEWS[b.view].order))
          rows.push(this.status(router, peer, rib, now));
      }
    }
    return rows;
  }

  /** The RIB peers of the station in the Adj-RIB-In, for an MRT snapshot of it (one per monitored peer and policy). */
  mrtPeers(): MrtPeer[] {
    return [...this.byId]
      .filter(([, { rib }]) => VIEWS[rib.view].rib === 'adj-rib-in')
      .map(([id, { peer }]) => ({ id, address: peer.address, asn: peer.asn, bgpId: peer.bgpId }));
  }

  /** The name of a path's peer in routes: "192.0.2.1 (bmp 10.0.0.9 pre-policy)"; undefined for ids not the station's. */
  peerName(id: PeerId): string | undefined {
    const owner = this.byId.get(id);
    return owner ? peerLabel(bmpRef(owner.router, owner.peer, owner.rib)) : undefined;
  }

  private status(
    router: RouterSession,
    peer: MonitoredPeer,
    view: { id: PeerId | undefined; view: BmpRibView; rib?: Rib; filtered?: boolean },
    now: number,
  ): PeerStatus {
    const { id, rib } = view;
    const { rib: ribName, policy } = VIEWS[view.view];
    const established = peer.state === 'Established';
    return {
      address: peer.address,
      asn: peer.asn,
      description: instanceLabel(peer),
      source: 'bmp',
      router: router.address,
      view: ribName,
      ...(policy ? { policy } : { filtered: view.filtered ?? false }),
      state: peer.state,
      uptimeSeconds:
        established && peer.establishedAt !== undefined ? Math.max(0, Math.floor(now - peer.establishedAt)) : 0,
      received: {
        'ipv4-unicast': id === undefined || !rib ? 0 : rib.pathCount(id, 4),
        'ipv6-unicast': id === undefined || !rib ? 0 : rib.pathCount(id, 6),
      },
      capabilities: established ? peer.capabilities : [],
      lastError: peer.lastError,
    };
  }

  private accept(socket: Socket): void {
    const address = (socket.remoteAddress ?? '').replace(/^::ffff:(?=\d+\.)/, '');
    const router = new RouterSession(socket, address, socket.remotePort ?? 0);
    this.routers.add(router);
    // BMP has no keepalive of its own: let TCP notice a router that vanished.
    socket.setKeepAlive(true, 60_000);
    socket.on('data', (chunk: Buffer) => this.receive(router, chunk));
    socket.on('error', (e) => (router.socketError = e.message));
    socket.on('close', () =>
      this.close(router, router.goingAway ?? router.socketError ?? 'connection closed by the router', 'warn'),
    );
    this.deps.log.log('debug', 'bmp-connection', { router: address, port: router.port });
  }

  private receive(router: RouterSession, chunk: Uint8Array): void {
    if (router.closed) return;
    router.decoder.push(chunk);
    for (let r = router.decoder.read(); r !== undefined; r = router.decoder.read()) {
      if (r.ok) {
        this.handle(router, r.message);
        continue;
      }
      if (r.error.fatal) {
        this.malformed(router, r.error, 'error');
        router.goingAway = `malformed BMP stream at offset ${r.error.offset}: ${r.error.reason}`;
        this.close(router, router.goingAway, 'warn');
        router.socket.destroy();
        return;
      }
      this.malformed(router, r.error, 'warn');
    }
  }

  private handle(router: RouterSession, message: BmpMessage): void {
    if (message.type === 'initiation') {
      router.sysName = message.sysName ?? router.sysName;
      router.sysDescr = message.sysDescr ?? router.sysDescr;
    }
    if (!router.up) {
      // RFC 7854 4.3: the Initiation comes first; a router that skips it is up all the same.
      router.up = true;
      this.deps.log.log('info', 'bmp-router-up', {
        router: router.address,
        port: router.port,
        sysName: router.sysName,
        sysDescr: router.sysDescr,
      });
    }
    switch (message.type) {
      case 'initiation':
        return;
      case 'termination': {
        const text = message.information.filter((t) => t.type === 0 && t.text !== undefined).map((t) => t.text);
        router.goingAway = `Termination: ${message.reason !== undefined ? terminationReasonText(message.reason) : 'no reason given'}${text.length ? ` "${text.join(' ')}"` : ''}`;
        return;
      }
      case 'peer-up':
        return this.peerUp(router, message);
      case 'peer-down':
        return this.peerDown(router, message);
      case 'route-monitoring':
        return this.routeMonitoring(router, message);
      case 'statistics-report':
        this.deps.log.log('debug', 'bmp-statistics', {
          router: router.address,
          peer: formatBmpAddress(message.peer.address),
          statistics: message.statistics.map(
            (s) => `${s.name}${s.afi !== undefined ? ` ${s.afi}/${s.safi}` : ''} ${String(s.value ?? 'raw')}`,
          ),
        });
        return;
      case 'route-mirroring':
        return this.ignore(router, 'route-mirroring');
    }
  }

  private peerUp(router: RouterSession, message: PeerUpMessage): void {
    if (message.peer.peerType === BmpPeerType.LocRib && !this.deps.views) return this.ignore(router, 'loc-rib');
    const peer = this.peerOf(router, message.peer);
    // A Peer Up for a peer that is up means a new session: what the old one sent is gone.
    const paths = this.removeRoutes(peer);
    peer.asn = message.peer.asn;
    peer.bgpId = formatIpv4(message.peer.bgpId);
    peer.state = 'Established';
    peer.establishedAt = this.deps.now();
    peer.capabilities = describeNegotiated(message.sentOpen, message.receivedOpen, message.session);
    peer.lastError = undefined;
    peer.overLimit.clear();
    peer.upView = message.peer.rib;
    this.deps.events.emit({
      type: 'peer-up',
      ...bmpRef(router, peer),
      asn: peer.asn,
      capabilities: peer.capabilities,
      pathsRemoved: paths,
      implicit: false,
    });
  }

  private peerDown(router: RouterSession, message: PeerDownMessage): void {
    if (message.peer.peerType === BmpPeerType.LocRib && !this.deps.views) return this.ignore(router, 'loc-rib');
    const peer = router.peers.get(bmpPeerKey(message.peer));
    const reason = `${describePeerDown(message)}${message.dataError !== undefined ? ` (${message.dataError})` : ''}`;
    if (!peer) {
      // FRR reports its configured peers that never came up this way: nothing to take down.
      this.deps.log.log('debug', 'bmp-peer-down', {
        router: router.address,
        peer: formatBmpAddress(message.peer.address),
        reason,
        known: false,
      });
      return;
    }
    const paths = this.removeRoutes(peer);
    peer.state = 'Idle';
    peer.establishedAt = undefined;
    peer.lastError = reason;
    this.deps.events.emit({
      type: 'peer-down',
      ...bmpRef(router, peer),
      cause: { kind: 'bmp-peer-down', reason: message.reason },
      reason,
      pathsRemoved: paths,
    });
  }

  private routeMonitoring(router: RouterSession, message: RouteMonitoringMessage): void {
    const view = message.peer.rib;
    const kept = VIEWS[view].rib;
    if (kept !== 'adj-rib-in' && !this.deps.views) return this.ignore(router, kept);
    const key = bmpPeerKey(message.peer);
    let peer = router.peers.get(key);
    if (!peer) {
      // Routes without a Peer Up (RFC 7854 says it comes first): take the peer as up.
      peer = this.peerOf(router, message.peer);
      peer.state = 'Established';
      peer.establishedAt = this.deps.now();
      peer.upView = view;
      this.deps.events.emit({
        type: 'peer-up',
        ...bmpRef(router, peer),
        asn: peer.asn,
        capabilities: peer.capabilities,
        pathsRemoved: 0,
        implicit: true,
      });
    } else if (peer.state === 'Idle') {
      // After its Peer Down the peer has no routes until the next Peer Up: a late UPDATE changes nothing.
      this.deps.log.log('debug', 'bmp-late-update', { router: router.address, peer: peer.address, view });
      return;
    }
    if (peer.overLimit.has(view)) return;
    const rib = this.ribOf(router, peer, view);
    if (!rib) return;
    rib.filtered = message.peer.filtered;
    const ref = bmpRef(router, peer, rib);
    for (const e of message.errors)
      this.deps.events.emit({
        type: 'malformed',
        ...ref,
        action: e.action,
        code: e.code,
        subcode: e.subcode,
        error: e.name,
        reason: e.reason,
      });
    // The router's timestamp says when it received the routes; 0 means it does not know.
    const receivedAt = message.peer.timestamp > 0 ? message.peer.timestamp : this.deps.now();
    const limit = this.deps.maxPrefixes;
    const outcome = applyUpdateToRib(rib.rib, rib.id, message.update, message.context, receivedAt, limit);
    if (outcome.kind === 'max-paths') {
      // A monitored session cannot be torn down from here: its view's routes go instead, until it comes up again.
      const removed = rib.rib.removePeer(rib.id);
      peer.overLimit.add(view);
      const policy = viewText(view);
      peer.lastError = `${outcome.count} ${formatAfiSafi(outcome.afi, outcome.safi)} prefixes (${policy}) exceed bmp.maxPrefixes ${limit}: its routes are dropped until its next Peer Up`;
      this.deps.log.log('error', 'bmp-max-prefixes', {
        router: router.address,
        peer: peer.address,
        policy,
        count: outcome.count,
        limit,
        pathsRemoved: removed,
      });
    } else if (outcome.kind === 'attributes-skipped')
      this.deps.log.log('warn', 'attributes-skipped', {
        router: router.address,
        peer: peerLabel(ref),
        reason: 'path attributes cannot be stored canonically',
      });
  }

  private peerOf(router: RouterSession, header: BmpPeerHeader): MonitoredPeer {
    const key = bmpPeerKey(header);
    let peer = router.peers.get(key);
    if (!peer) {
      peer = {
        // RFC 9069 4.1: a Loc-RIB's peer address is zero; its BGP Identifier is the router's.
        address: header.peerType === BmpPeerType.LocRib ? formatIpv4(header.bgpId) : formatBmpAddress(header.address),
        peerType: header.peerType,
        distinguisher: header.distinguisher,
        asn: header.asn,
        bgpId: formatIpv4(header.bgpId),
        state: 'Idle',
        establishedAt: undefined,
        capabilities: [],
        lastError: undefined,
        upView: header.rib,
        ribs: new Map(),
        overLimit: new Set(),
      };
      router.peers.set(key, peer);
    }
    return peer;
  }

  /** The RIB peer of a monitored peer's view, allocated on first use; undefined when ids ran out. */
  private ribOf(router: RouterSession, peer: MonitoredPeer, view: BmpRibView): MonitoredRib | undefined {
    const existing = peer.ribs.get(view);
    if (existing) return existing;
    const kept = VIEWS[view].rib;
    const ribOfView = kept === 'adj-rib-in' ? this.deps.rib : this.deps.views?.[kept];
    if (!ribOfView) return undefined;
    const policy = viewText(view);
    let id: PeerId | undefined = this.freeIds.pop() ?? this.deps.newPeerId();
    if (id > MAX_PEER_ID) id = undefined;
    if (id === undefined) {
      const what = `peer-limit ${peer.address} ${policy}`;
      if (!router.ignored.has(what)) {
        router.ignored.add(what);
        this.deps.log.log('error', 'bmp-peer-limit', {
          router: router.address,
          peer: peer.address,
          policy,
          reason: `no RIB peer id left (${MAX_PEER_ID + 1} in all): its routes are not kept`,
        });
      }
      return undefined;
    }
    const rib: MonitoredRib = { id, view, rib: ribOfView, filtered: false };
    peer.ribs.set(view, rib);
    this.byId.set(id, { router, peer, rib });
    return rib;
  }

  private removeRoutes(peer: MonitoredPeer): number {
    let paths = 0;
    for (const rib of peer.ribs.values()) paths += rib.rib.removePeer(rib.id);
    return paths;
  }

  /** The router's session ended: every peer it reported goes, with its routes. */
  private close(router: RouterSession, reason: string, level: 'info' | 'warn'): void {
    if (router.closed) return;
    router.closed = true;
    this.routers.delete(router);
    let paths = 0;
    for (const peer of router.peers.values()) {
      paths += this.removeRoutes(peer);
      for (const rib of peer.ribs.values()) {
        this.byId.delete(rib.id);
        this.freeIds.push(rib.id);
      }
    }
    const peers = router.peers.size;
    router.peers.clear();
    if (router.up)
      this.deps.log.log(level, 'bmp-router-down', {
        router: router.address,
        port: router.port,
        sysName: router.sysName,
        reason,
        peers,
        paths,
      });
    else this.deps.log.log('debug', 'bmp-connection-closed', { router: router.address, port: router.port, reason });
  }

  private malformed(router: RouterSession, error: BmpError, level: 'warn' | 'error'): void {
    this.deps.log.log(level, 'bmp-malformed', {
      router: router.address,
      sysName: router.sysName,
      offset: error.offset,
      at: error.at,
      reason: error.reason,
      fatal: error.fatal,
    });
  }

  private ignore(router: RouterSession, what: keyof typeof IGNORED): void {
    if (router.ignored.has(what)) return;
    router.ignored.add(what);
    this.deps.log.log('info', 'bmp-ignored', {
      router: router.address,
      sysName: router.sysName,
      what,
      reason: IGNORED[what],
    });
  }
}

/** A monitored peer as peer events name it; with its view when the event is about one. */
function bmpRef(router: RouterSession, peer: MonitoredPeer, rib?: MonitoredRib): BmpPeerRef {
  const view = rib ? VIEWS[rib.view] : undefined;
  return {
    source: 'bmp',
    peer: peer.address,
    router: router.address,
    sysName: router.sysName,
    instance: instanceLabel(peer),
    ...(view?.policy ? { policy: view.policy } : {}),
    ...(view && view.rib !== 'adj-rib-in' ? { rib: view.rib } : {}),
    ...(rib?.filtered ? { filtered: true } : {}),
  };
}

/** "pre-policy", "adj-rib-out post-policy", "loc-rib": a view in log lines and errors. */
function viewText(view: BmpRibView): string {
  const { rib, policy } = VIEWS[view];
  return [rib === 'adj-rib-in' ? undefined : rib, policy].filter((x) => x !== undefined).join(' ');
}

/** "rd 65000:1" for an RD-instance peer, "instance N" for a local-instance peer with a distinguisher. */
function instanceLabel(peer: MonitoredPeer): string | undefined {
  if (peer.peerType === BmpPeerType.RdInstance) return `rd ${formatDistinguisher(peer.peerType, peer.distinguisher)}`;
  if (peer.peerType === BmpPeerType.LocalInstance && peer.distinguisher !== 0n)
    return `instance ${formatDistinguisher(peer.peerType, peer.distinguisher)}`;
  return undefined;
}
