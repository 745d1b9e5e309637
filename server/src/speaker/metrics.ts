import type { Registry } from 'prom-client';
import type { PeerStatus } from '@kube-routes/server/engine';
import type { DynamicGroupCounts } from './dynamic-peers';
import { peerLabel, type PeerEvent } from './peer-events';

export interface MetricsSource {
  peers(): PeerStatus[];
  watcherCount(): number;
  ribMemoryBytes(): number;
  ribPrefixes(family: 4 | 6): number;
  /** Paths added or changed and withdrawn, per peer name, since start. */
  changeCounts(): Iterable<{ readonly peer: string; readonly announcements: number; readonly withdrawals: number }>;
  /** Malformed messages per peer and RFC 7606 action, since start. */
  malformedCounts(): Iterable<{ readonly peer: string; readonly action: string; readonly count: number }>;
  /** Dynamic peer groups: sessions now and connections refused, per group. */
  dynamicGroups?(): Iterable<DynamicGroupCounts>;
}

/** Malformed messages per peer (its label in routes) and RFC 7606 action, counted from peer events. */
export class MalformedCounts {
  private readonly byPeer = new Map<string, Map<string, number>>();

  observe(event: PeerEvent): void {
    if (event.type !== 'malformed') return;
    const peer = peerLabel(event);
    let actions = this.byPeer.get(peer);
    if (!actions) this.byPeer.set(peer, (actions = new Map()));
    actions.set(event.action, (actions.get(event.action) ?? 0) + 1);
  }

  *entries(): Iterable<{ readonly peer: string; readonly action: string; readonly count: number }> {
    for (const [peer, actions] of this.byPeer) for (const [action, count] of actions) yield { peer, action, count };
  }
}

/** Prometheus' text exposition format, as prom-client's Registry names it. */
const prometheusContentType = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * Prometheus metrics (text format on /metrics). Gauges are read from the speaker at scrape time;
 * counters are bumped by the RIB feed and by peer events, so nothing extra runs per route unless
 * something changed. prom-client (and the OpenTelemetry API it loads, ~10 MiB of resident code)
 * is loaded at the first scrape, not at start: a speaker no one scrapes never carries it, and the
 * process metrics (CPU, memory, event loop lag) count from that first scrape on.
 */
export class SpeakerMetrics {
  private registry: Promise<Registry> | undefined;

  constructor(private readonly source: MetricsSource) {}

  text(): Promise<string> {
    this.registry ??= import('prom-client').then((prom) => register(prom, this.source));
    return this.registry.then((r) => r.metrics());
  }

  get contentType(): string {
    return prometheusContentType;
  }
}

function register(prom: typeof import('prom-client'), source: MetricsSource): Registry {
  const { Counter, Gauge, Registry, collectDefaultMetrics } = prom;
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry, prefix: 'kube_routes_speaker_' });
  new Gauge({
    name: 'kube_routes_speaker_sessions',
    help: 'Peers by BGP FSM state and source (bgp or bmp).',
    labelNames: ['state', 'source'],
    registers,
    collect() {
      this.reset();
      for (const p of source.peers()) this.inc({ state: p.state, source: p.source });
    },
  });
  new Gauge({
    name: 'kube_routes_speaker_prefixes_received',
    help: 'Paths received and held, per peer and address family.',
    labelNames: ['peer', 'family', 'source'],
    registers,
    collect() {
      this.reset();
      for (const p of source.peers())
        for (const [family, n] of Object.entries(p.received))
          this.set({ peer: p.address, family, source: p.source }, n ?? 0);
    },
  });
  new Gauge({
    name: 'kube_routes_speaker_rib_prefixes',
    help: 'Prefixes in the RIB, per address family.',
    labelNames: ['family'],
    registers,
    collect() {
      this.set({ family: 'ipv4-unicast' }, source.ribPrefixes(4));
      this.set({ family: 'ipv6-unicast' }, source.ribPrefixes(6));
    },
  });
  new Gauge({
    name: 'kube_routes_speaker_rib_memory_bytes',
    help: 'Estimated memory of the RIB: tries, paths and interned attribute sets.',
    registers,
    collect() {
      this.set(source.ribMemoryBytes());
    },
  });
  new Gauge({
    name: 'kube_routes_speaker_watchers',
    help: 'Open /v1/watch streams.',
    registers,
    collect() {
      this.set(source.watcherCount());
    },
  });
  // Counted in plain arrays on the hot path (a label lookup per route would cost more than
  // the route), turned into Prometheus counters at scrape time.
  new Counter({
    name: 'kube_routes_speaker_announcements_total',
    help: 'Paths added or changed, per peer.',
    labelNames: ['peer'],
    registers,
    collect() {
      this.reset();
      for (const c of source.changeCounts()) this.inc({ peer: c.peer }, c.announcements);
    },
  });
  new Counter({
    name: 'kube_routes_speaker_withdrawals_total',
    help: 'Paths withdrawn, per peer.',
    labelNames: ['peer'],
    registers,
    collect() {
      this.reset();
      for (const c of source.changeCounts()) this.inc({ peer: c.peer }, c.withdrawals);
    },
  });
  new Counter({
    name: 'kube_routes_speaker_malformed_messages_total',
    help: 'Malformed messages per peer and RFC 7606 action (treat-as-withdraw, attribute-discard, session-reset).',
    labelNames: ['peer', 'action'],
    registers,
    collect() {
      this.reset();
      for (const c of source.malformedCounts()) this.inc({ peer: c.peer, action: c.action }, c.count);
    },
  });
  new Gauge({
    name: 'kube_routes_speaker_dynamic_sessions',
    help: 'Sessions of each dynamic peer group, by state (established or other), and the group maximum.',
    labelNames: ['group', 'state'],
    registers,
    collect() {
      this.reset();
      for (const g of source.dynamicGroups?.() ?? []) {
        this.set({ group: g.group, state: 'established' }, g.established);
        this.set({ group: g.group, state: 'other' }, g.sessions - g.established);
        this.set({ group: g.group, state: 'max' }, g.maxSessions);
      }
    },
  });
  new Counter({
    name: 'kube_routes_speaker_dynamic_refused_total',
    help: 'Connections a dynamic peer group refused (Cease / Connection Rejected), by reason.',
    labelNames: ['group', 'reason'],
    registers,
    collect() {
      this.reset();
      for (const g of source.dynamicGroups?.() ?? [])
        for (const [reason, n] of g.refused) this.inc({ group: g.group, reason }, n);
    },
  });
  return registry;
}
