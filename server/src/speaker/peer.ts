import type { Socket } from 'node:net';
import {
  Afi,
  CeaseSubcode,
  ErrorCode,
  GR_FORWARDING_STATE,
  Safi,
  createShutdownNotification,
  endOfRibFamily,
  formatAfiSafi,
  formatIpv4,
  openAsn,
  type BgpError,
  type GracefulRestartCapability,
  type NegotiatedSession,
  type NotificationMessage,
  type OpenMessage,
  type UpdateMessage,
} from '../bgp';
import type { Rib } from '../rib';
import { applyUpdateToRib } from '../rib-view';
import {
  FIRST_CONNECT_RETRY_SECONDS,
  MAX_CONNECT_RETRY_SECONDS,
  connectRetryDelay,
  resolveCollision,
  sharedFamilies,
  type DownCause,
  type SessionSettings,
} from '../fsm';
import type { PeerStatus, SpeakerConfig, SpeakerPeerConfig } from '@kube-routes/server/engine';
import { advertisedCapabilities, describeNegotiated, peerGracefulRestart } from './capabilities';
import { Connection, type ConnectionEvents } from './connection';
import type { Logger } from './log';
import { describeDownCause, peerDownCause } from './down-cause';
import type { PeerEventSink } from './peer-events';
import { rejectSocket } from './reject-socket';

export interface PeerDeps {
  readonly rib: Rib;
  /** Diagnostics that are not peer events (collisions, graceful restart, stale sweeps). */
  readonly log: Logger;
  /** Up, down with its cause, malformed messages, connect failures, max-prefix. */
  readonly events: PeerEventSink;
  /** Seconds since the epoch; injectable for tests. */
  readonly now: () => number;
  /** TCP-MD5 key for outgoing connections (incoming ones are signed by the listener's keys). */
  readonly tcpMd5Key?: Uint8Array;
  /** Opens a signed socket to the peer (the native addon; only set when a key is). */
  readonly signedSocket?: (host: string, key: Uint8Array) => Socket;
  /** A dynamic session ended and no graceful restart keeps its routes: the peer can be forgotten. */
  readonly ended?: (peer: Peer) => void;
}

/**
 * One configured peer: its current connection (and a second one during a collision), the routes
 * it sent (in the shared RIB under `id`), graceful restart as receiver, and the max-prefix guard.
 */
export class Peer implements ConnectionEvents {
  private primary: Connection | undefined;
  /** An incoming connection racing the primary (RFC 4271 6.8), until one of them is dumped. */
  private contender: Connection | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private staleTimer: NodeJS.Timeout | undefined;
  /** During a graceful restart: the families whose routes are kept stale. */
  private staleFamilies = new Set<Family>();
  /** After the peer came back: the stale families still waiting for its End-of-RIB. */
  private awaitingEndOfRib = new Set<Family>();
  private establishedAt: number | undefined;
  private capabilities: string[] = [];
  private lastError: string | undefined;
  private peerGracefulRestart: ReturnType<typeof peerGracefulRestart>;
  private stopping = false;
  private remoteBgpId = 0;
  /** The ASN of the peer's last OPEN (a dynamic peer's may be any of its group's). */
  private remoteAsn: number | undefined;
  private readonly settings: SessionSettings;

  constructor(
    readonly id: number,
    readonly config: SpeakerPeerConfig,
    private readonly speaker: SpeakerConfig,
    private readonly deps: PeerDeps,
  ) {
    this.settings = {
      localAsn: speaker.asn,
      localBgpId: speaker.routerIdValue,
      holdTime: config.holdTime,
      peerAsn: config.asn,
      peerAsns: config.dynamic?.asns,
      capabilities: advertisedCapabilities(config),
      connectRetrySeconds: FIRST_CONNECT_RETRY_SECONDS,
      maxConnectRetrySeconds: MAX_CONNECT_RETRY_SECONDS,
    };
  }

  get address(): string {
    return this.config.addressText;
  }

  /** The peer's BGP identifier from its last OPEN, dotted quad; 0.0.0.0 before any. */
  get bgpId(): string {
    return formatIpv4(this.remoteBgpId);
  }

  start(): void {
    this.stopping = false;
    this.newConnection(0);
  }

  /**
   * An incoming TCP connection from this peer's address. Every one is answered: it runs the
   * session, races the current one (RFC 4271 6.8), takes over from a peer that restarted without
   * closing TCP (RFC 4724 4.2), or gets a NOTIFICATION and is closed.
   */
  accept(socket: Socket): void {
    const current = this.primary;
    const state = current?.state.name;
    if (this.stopping) {
      rejectSocket(socket, CeaseSubcode.ConnectionRejected);
      return;
    }
    if (!current || current.isDone || state === 'Idle' || state === 'Connect' || state === 'Active') {
      if (!current || current.isDone) this.primary = this.makeConnection(current?.state.connectRetryCounter ?? 0);
      this.attachPassive(this.primary!, socket);
      return;
    }
    if (state === 'Established' && this.config.gracefulRestart && this.peerGracefulRestart && !this.contender) {
      // RFC 4724 4.2: the peer restarted and reconnected while the old session still looks up:
      // take the new connection; the old one closes as a lost connection (routes kept stale).
      this.deps.log.log('info', 'restart-takeover', { peer: this.address });
      this.contender = this.makeConnection(0);
      this.attachPassive(this.contender, socket);
      current.dispatch({
        type: 'tcp-failed',
        reason: 'the peer reconnected (restarted without closing the connection)',
      });
      return;
    }
    if (state === 'Established') {
      // RFC 4271 6.8: a collision with an Established session closes the newcomer.
      rejectSocket(socket, CeaseSubcode.ConnectionCollisionResolution);
      return;
    }
    if (this.contender) {
      // Two connections are racing already: a third is surplus.
      rejectSocket(socket, CeaseSubcode.ConnectionRejected);
      return;
    }
    this.contender = this.makeConnection(0);
    this.attachPassive(this.contender, socket);
  }

  /** An accepted socket runs the session: a connection still Idle is started (passively) first. */
  private attachPassive(connection: Connection, socket: Socket): void {
    if (connection.state.name === 'Idle') connection.dispatch({ type: 'start-passive' });
    connection.attach(socket);
  }

  /** Stops the session with a Cease; routes are removed. */
  stop(subcode: number = CeaseSubcode.AdministrativeShutdown, message = 'kube-routes-speaker shutting down'): void {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const notification: NotificationMessage =
      subcode === CeaseSubcode.AdministrativeShutdown || subcode === CeaseSubcode.AdministrativeReset
        ? createShutdownNotification(subcode, message)
        : { type: 'NOTIFICATION', code: ErrorCode.Cease, subcode, data: new Uint8Array(0) };
    for (const c of [this.contender, this.primary]) c?.dispatch({ type: 'stop', notification, reason: message });
    this.endGracefulRestart('stopped');
    this.deps.rib.removePeer(this.id);
  }

  status(): PeerStatus {
    const state = this.primary?.state.name ?? 'Idle';
    return {
      address: this.address,
      asn: this.remoteAsn ?? this.config.asn,
      description: this.config.description,
      source: 'bgp',
      ...(this.config.dynamic ? { group: this.config.dynamic.group } : {}),
      ...(this.config.password ? { tcpMd5: true } : {}),
      state,
      uptimeSeconds:
        state === 'Established' && this.establishedAt !== undefined
          ? Math.max(0, Math.floor(this.deps.now() - this.establishedAt))
          : 0,
      received: {
        'ipv4-unicast': this.deps.rib.pathCount(this.id, 4),
        'ipv6-unicast': this.deps.rib.pathCount(this.id, 6),
      },
      capabilities: state === 'Established' ? this.capabilities : [],
      lastError: this.lastError,
    };
  }

  // ConnectionEvents

  negotiated(connection: Connection, negotiated: NegotiatedSession, remoteOpen: OpenMessage): void {
    if (connection === this.contender && this.primary && !this.primary.isDone) {
      // Both connections finished the OPEN exchange: keep the one the higher identifier opened.
      const loser =
        resolveCollision(this.speaker.routerIdValue, remoteOpen.bgpId) === 'close-locally-initiated'
          ? this.primary.locallyInitiated
            ? this.primary
            : connection
          : this.primary.locallyInitiated
            ? connection
            : this.primary;
      this.deps.log.log('info', 'collision', {
        peer: this.address,
        kept: loser === connection ? 'existing' : 'incoming',
      });
      if (loser === this.primary) {
        const old = this.primary;
        this.primary = connection;
        this.contender = undefined;
        old.dispatch({ type: 'collision-dump' });
      } else {
        this.contender = undefined;
        connection.dispatch({ type: 'collision-dump' });
        return;
      }
    }
    const sent = connection.state.sentOpen;
    this.capabilities = sent ? describeNegotiated(sent, remoteOpen, negotiated) : [];
    this.peerGracefulRestart = peerGracefulRestart(remoteOpen);
    this.remoteBgpId = remoteOpen.bgpId;
    this.remoteAsn = openAsn(remoteOpen);
    if (this.staleTimer) {
      // RFC 4724 4.2: stale routes wait for End-of-RIB only in the families the restarted peer kept
      // its forwarding state for (F bit) and still negotiates; the others must go at once.
      const shared = new Set(sharedFamilies(sent, remoteOpen).flatMap((f) => familyOf(f.afi, f.safi) ?? []));
      const preserved = new Set(
        (this.peerGracefulRestart?.families ?? []).flatMap((f) =>
          (f.flags & GR_FORWARDING_STATE) !== 0 ? (familyOf(f.afi, f.safi) ?? []) : [],
        ),
      );
      this.awaitingEndOfRib = new Set([...this.staleFamilies].filter((f) => shared.has(f) && preserved.has(f)));
      const lost = [...this.staleFamilies].filter((f) => !this.awaitingEndOfRib.has(f));
      const why = this.peerGracefulRestart
        ? 'forwarding state not preserved'
        : 'peer restarted without graceful restart';
      if (this.awaitingEndOfRib.size === 0) this.endGracefulRestart(why);
      else for (const f of lost) this.sweepStaleFamily(f, why);
    }
  }

  established(connection: Connection): void {
    if (connection !== this.primary) return;
    this.establishedAt = this.deps.now();
    this.lastError = undefined;
    this.deps.events.emit({
      type: 'peer-up',
      source: 'bgp',
      peer: this.address,
      asn: this.remoteAsn ?? this.config.asn,
      capabilities: this.capabilities,
    });
  }

  update(connection: Connection, message: UpdateMessage, errors: readonly BgpError[]): void {
    if (connection !== this.primary) return;
    for (const e of errors) this.malformed(connection, e);
    const eor = endOfRibFamily(message);
    if (eor) {
      // RFC 4724 4.2: End-of-RIB ends the wait for its family: what is still stale there is gone.
      const family = familyOf(eor.afi, eor.safi);
      if (this.staleTimer && family && this.awaitingEndOfRib.delete(family)) {
        if (this.awaitingEndOfRib.size === 0) this.endGracefulRestart('end-of-rib');
        else this.sweepStaleFamily(family, 'end-of-rib');
      }
      return;
    }
    this.applyUpdate(message, connection);
  }

  down(connection: Connection, wasEstablished: boolean, cause: DownCause, reason: string): void {
    if (connection === this.contender) {
      this.contender = undefined;
      return;
    }
    if (connection !== this.primary) return;
    // Shutting down a peer that never came up is not news; its last error stays what it was.
    if (this.stopping && !wasEstablished) return;
    this.lastError = describeDownCause(cause, reason);
    this.deps.events.emit({
      type: 'peer-down',
      source: 'bgp',
      peer: this.address,
      established: wasEstablished,
      cause: peerDownCause(cause, this.stopping),
      reason: this.lastError,
    });
    if (wasEstablished) {
      this.establishedAt = undefined;
      const gr = this.peerGracefulRestart;
      // Graceful restart covers a lost connection, not a NOTIFICATION either side sent (RFC 4724 4.2).
      if (!this.stopping && cause.kind === 'transport' && this.config.gracefulRestart && gr)
        this.beginGracefulRestart(gr);
      else {
        // A session that ends otherwise also ends a restart still in progress: the stale routes
        // and those the re-established session sent go together.
        this.endGracefulRestart('session closed');
        this.deps.rib.removePeer(this.id);
      }
    }
    if (this.contender) {
      this.primary = this.contender;
      this.contender = undefined;
      return;
    }
    if (this.config.dynamic) {
      // A dynamic peer is only its sessions: gone when they are, unless graceful restart keeps its routes.
      if (!this.staleTimer) this.deps.ended?.(this);
      return;
    }
    if (this.stopping) return;
    const counter = connection.state.connectRetryCounter;
    const delay = this.config.port === undefined ? 0 : connectRetryDelay(this.settings, counter);
    this.restartTimer = setTimeout(() => this.newConnection(counter), delay * 1000);
  }

  /** RFC 7313 4: paths of the family not re-sent between BoRR and EoRR are withdrawn. */
  refreshDemarcation(connection: Connection, afi: number, safi: number, phase: 'begin' | 'end'): void {
    const family = familyOf(afi, safi);
    if (connection !== this.primary || family === undefined) return;
    if (phase === 'begin') {
      const marked = this.deps.rib.markStale(this.id, family);
      this.deps.log.log('info', 'refresh-begin', {
        peer: this.address,
        family: familyName(family),
        stalePaths: marked,
      });
    } else this.sweepStaleFamily(family, 'enhanced route refresh');
  }

  /** Asks the peer to send its routes again (ROUTE-REFRESH), when the session supports it. */
  requestRefresh(): void {
    this.primary?.dispatch({ type: 'request-refresh' });
  }

  malformed(_connection: Connection, error: BgpError): void {
    this.deps.events.emit({
      type: 'malformed',
      source: 'bgp',
      peer: this.address,
      action: error.action,
      code: error.code,
      subcode: error.subcode,
      error: error.name,
      reason: error.reason,
    });
  }

  connectFailed(_connection: Connection, target: string, error: string): void {
    this.lastError = `cannot connect to ${target}: ${error}`;
    this.deps.events.emit({ type: 'connect-failed', source: 'bgp', peer: this.address, target, error });
  }

  note(_connection: Connection, event: string, detail: string): void {
    this.deps.log.log('warn', event, { peer: this.address, detail });
  }

  private makeConnection(counter: number): Connection {
    const { tcpMd5Key: key, signedSocket } = this.deps;
    const dialer =
      this.config.port === undefined
        ? undefined
        : {
            host: this.address,
            port: this.config.port,
            localAddress: isWildcard(this.speaker.listen.host) ? undefined : this.speaker.listen.host,
            socket: key && signedSocket ? () => signedSocket(this.address, key) : undefined,
          };
    return new Connection(this.settings, this, dialer, counter);
  }

  private newConnection(counter: number): void {
    if (this.stopping) return;
    this.primary = this.makeConnection(counter);
    this.primary.start();
  }

  private applyUpdate(message: UpdateMessage, connection: Connection): void {
    const outcome = applyUpdateToRib(
      this.deps.rib,
      this.id,
      message,
      connection.receiveContext,
      this.deps.now(),
      this.config.maxPrefixes,
    );
    if (outcome.kind === 'attributes-skipped')
      this.deps.log.log('warn', 'attributes-skipped', {
        peer: this.address,
        reason: 'path attributes cannot be stored canonically',
      });
    else if (outcome.kind === 'max-paths') this.exceedMaxPrefixes(outcome.afi, outcome.safi, outcome.count, connection);
  }

  private exceedMaxPrefixes(afi: number, safi: number, count: number, connection: Connection): void {
    const limit = this.config.maxPrefixes;
    // RFC 4486 4: AFI (2), SAFI (1), upper bound (4).
    const data = new Uint8Array([
      afi >> 8,
      afi & 0xff,
      safi,
      (limit >>> 24) & 0xff,
      (limit >>> 16) & 0xff,
      (limit >>> 8) & 0xff,
      limit & 0xff,
    ]);
    const reason = `${count} ${formatAfiSafi(afi, safi)} prefixes exceed maxPrefixes ${limit}`;
    this.deps.events.emit({ type: 'max-prefix', source: 'bgp', peer: this.address, afi, safi, count, limit });
    connection.dispatch({
      type: 'stop',
      notification: { type: 'NOTIFICATION', code: ErrorCode.Cease, subcode: CeaseSubcode.MaximumPrefixesReached, data },
      reason,
    });
  }

  private beginGracefulRestart(gr: GracefulRestartCapability): void {
    // RFC 4724 4.2: keep only the families the peer's capability listed; a capability without
    // families (a receiver-only peer) keeps nothing.
    const kept = new Set(gr.families.flatMap((f) => familyOf(f.afi, f.safi) ?? []));
    if (kept.size === 0) {
      this.endGracefulRestart('no family in the graceful restart capability');
      this.deps.rib.removePeer(this.id);
      return;
    }
    const marked = this.deps.rib.markStale(this.id);
    this.staleFamilies = kept;
    this.deps.log.log('info', 'graceful-restart', {
      peer: this.address,
      stalePaths: marked,
      restartSeconds: gr.restartTime,
      families: [...kept].map(familyName),
    });
    clearTimeout(this.staleTimer);
    this.staleTimer = setTimeout(() => this.endGracefulRestart('restart-time-expired'), gr.restartTime * 1000);
    for (const f of [4, 6] as const)
      if (!kept.has(f)) this.sweepStaleFamily(f, 'family not in the graceful restart capability');
  }

  private endGracefulRestart(why: string): void {
    if (!this.staleTimer) return;
    clearTimeout(this.staleTimer);
    this.staleTimer = undefined;
    this.staleFamilies.clear();
    this.awaitingEndOfRib.clear();
    const swept = this.deps.rib.sweepStale(this.id);
    this.deps.log.log('info', 'stale-swept', { peer: this.address, paths: swept, why });
    if (this.config.dynamic && (!this.primary || this.primary.isDone)) this.deps.ended?.(this);
  }

  /** Removes the stale paths of one family (End-of-RIB, EoRR, a family lost) while the other keeps waiting. */
  private sweepStaleFamily(family: Family, why: string): void {
    this.staleFamilies.delete(family);
    if (this.deps.rib.pathCount(this.id, family) === 0) return;
    const swept = this.deps.rib.sweepStale(this.id, family);
    this.deps.log.log('info', 'stale-swept', { peer: this.address, paths: swept, why, family: familyName(family) });
  }
}

type Family = 4 | 6;

/** The RIB family of a unicast AFI/SAFI, undefined for others. */
function familyOf(afi: number, safi: number): Family | undefined {
  if (safi !== Safi.Unicast) return undefined;
  return afi === Afi.Ipv4 ? 4 : afi === Afi.Ipv6 ? 6 : undefined;
}

function familyName(family: Family): string {
  return family === 4 ? 'ipv4-unicast' : 'ipv6-unicast';
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}
