import type { Socket } from 'node:net';
import type { IpAddress, PeerStatus, SpeakerDynamicPeerConfig, SpeakerPeerConfig } from '@kube-routes/server/engine';
import { rangeContains } from '@kube-routes/server/engine/addresses';
import { CeaseSubcode } from '../bgp';
import type { Logger } from './log';
import type { Peer } from './peer';

/** What a group needs from the speaker: peers made like static ones, and the refusal it sends. */
export interface DynamicPeersDeps {
  readonly log: Logger;
  /** A peer for one session, its RIB id fresh; `ended` fires when the session is over. */
  newPeer(config: SpeakerPeerConfig, key: Uint8Array | undefined, ended: (peer: Peer) => void): Peer;
  /** Cease / Connection Rejected and close. */
  refuse(socket: Socket, remote: string, reason: string): void;
}

export type RefusalReason = 'max-sessions';

/** One `speaker.dynamicPeers` group and its live sessions, by remote address key. */
interface Group {
  readonly config: SpeakerDynamicPeerConfig;
  readonly key: Uint8Array | undefined;
  readonly sessions: Map<string, Peer>;
  /** Kept across reloads of an unchanged group, for the metrics. */
  readonly refused: Map<RefusalReason, number>;
}

/** Per group, for /metrics. */
export interface DynamicGroupCounts {
  readonly group: string;
  readonly sessions: number;
  readonly established: number;
  readonly maxSessions: number;
  readonly refused: ReadonlyMap<RefusalReason, number>;
}

/**
 * Dynamic neighbors: any address inside a group's prefix may open a session; each session is a
 * `Peer` of its own (passive, ASN checked against the group's ranges by the FSM) that leaves the
 * speaker when its session ends (after graceful restart, when negotiated).
 */
export class DynamicPeers {
  private groups: Group[] = [];

  constructor(private readonly deps: DynamicPeersDeps) {}

  /** Installs groups (at start and on reload); `keys` are the resolved TCP-MD5 keys by group name. */
  configure(
    next: readonly SpeakerDynamicPeerConfig[],
    keys: ReadonlyMap<string, Uint8Array>,
    staticPeer: (address: IpAddress) => boolean,
    /** The speaker's identity changed: every session restarts. */
    restartAll = false,
  ): { added: number; removed: number; changed: number; unchanged: number } {
    const counts = { added: 0, removed: 0, changed: 0, unchanged: 0 };
    const old = new Map(this.groups.map((g) => [g.config.name, g]));
    const groups: Group[] = [];
    for (const config of next) {
      const key = keys.get(config.name);
      const previous = old.get(config.name);
      old.delete(config.name);
      if (previous && !restartAll && sameGroup(previous, config, key)) {
        counts.unchanged++;
        groups.push(previous);
        // A session whose address became a static peer goes; the static peer takes over.
        for (const [k, peer] of previous.sessions)
          if (staticPeer(addressOf(peer))) this.stopSession(previous, k, peer, CeaseSubcode.PeerDeconfigured);
        continue;
      }
      if (previous) {
        counts.changed++;
        this.stopGroup(previous, CeaseSubcode.OtherConfigurationChange, 'dynamic peer group changed');
      } else counts.added++;
      groups.push({ config, key, sessions: new Map(), refused: previous?.refused ?? new Map() });
    }
    for (const g of old.values()) {
      counts.removed++;
      this.stopGroup(g, CeaseSubcode.PeerDeconfigured, 'dynamic peer group removed from the configuration');
    }
    this.groups = groups;
    return counts;
  }

  /** The group an address falls in, if any. */
  groupOf(address: IpAddress): SpeakerDynamicPeerConfig | undefined {
    return this.find(address)?.config;
  }

  /** An incoming connection from `address`: false when no group covers it. */
  accept(socket: Socket, address: IpAddress, remote: string): boolean {
    const group = this.find(address);
    if (!group) return false;
    const existing = group.sessions.get(address.key);
    if (existing) {
      existing.accept(socket);
      return true;
    }
    if (group.sessions.size >= group.config.maxSessions) {
      group.refused.set('max-sessions', (group.refused.get('max-sessions') ?? 0) + 1);
      this.deps.refuse(
        socket,
        remote,
        `dynamic peer group ${group.config.name} has its maxSessions (${group.config.maxSessions}) sessions`,
      );
      return true;
    }
    const c = group.config;
    const first = c.asns[0]?.first ?? 0;
    const config: SpeakerPeerConfig = {
      address,
      addressText: remote,
      asn: first,
      port: undefined,
      description: c.description,
      addPath: c.addPath,
      maxPrefixes: c.maxPrefixes,
      holdTime: c.holdTime,
      gracefulRestart: c.gracefulRestart,
      password: c.password,
      dynamic: { group: c.name, asns: c.asns },
    };
    const peer = this.deps.newPeer(config, group.key, (p) => {
      if (group.sessions.get(address.key) === p) group.sessions.delete(address.key);
    });
    group.sessions.set(address.key, peer);
    this.deps.log.log('info', 'dynamic-session', { peer: remote, group: c.name, sessions: group.sessions.size });
    peer.accept(socket);
    return true;
  }

  /** Every session, for /v1/peers, the snapshot and route refresh. */
  *peers(): Iterable<Peer> {
    for (const g of this.groups) yield* g.sessions.values();
  }

  statuses(): PeerStatus[] {
    return [...this.peers()].map((p) => p.status());
  }

  counts(): DynamicGroupCounts[] {
    return this.groups.map((g) => ({
      group: g.config.name,
      sessions: g.sessions.size,
      established: [...g.sessions.values()].filter((p) => p.status().state === 'Established').length,
      maxSessions: g.config.maxSessions,
      refused: g.refused,
    }));
  }

  stopAll(subcode: number, reason: string): void {
    for (const g of this.groups) this.stopGroup(g, subcode, reason);
  }

  private find(address: IpAddress): Group | undefined {
    return this.groups.find((g) => rangeContains(g.config.prefix, address));
  }

  private stopGroup(group: Group, subcode: number, reason: string): void {
    for (const [k, peer] of [...group.sessions]) this.stopSession(group, k, peer, subcode, reason);
  }

  private stopSession(group: Group, key: string, peer: Peer, subcode: number, reason = 'peer de-configured'): void {
    group.sessions.delete(key);
    peer.stop(subcode, reason);
  }
}

function addressOf(peer: Peer): IpAddress {
  return peer.config.address;
}

function sameGroup(group: Group, next: SpeakerDynamicPeerConfig, key: Uint8Array | undefined): boolean {
  const json = (c: SpeakerDynamicPeerConfig) =>
    JSON.stringify({ ...c, prefix: c.prefix.cidr, password: c.password ? c.password.kind : undefined }, (_, v) =>
      typeof v === 'bigint' ? v.toString() : v,
    );
  const a = group.key;
  const keysEqual = a === key || (a !== undefined && key !== undefined && Buffer.from(a).equals(Buffer.from(key)));
  return keysEqual && json(group.config) === json(next);
}
