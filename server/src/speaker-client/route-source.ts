import type { PeerStatus, Route } from '@kube-routes/server/engine';
import type { WatchHandlers, WatchSubscription } from './watch-follower';

/**
 * Where live route state comes from, for every face (the language server's LiveRoutes, kubectl's
 * live views): a running speaker over HTTP or the Kubernetes service proxy, or an MRT file in
 * process. SpeakerClient implements it over any of those transports.
 */
export interface RouteSource {
  /** Where it is: "http://127.0.0.1:8179", "k8s://ns/speaker:8179 (context c)", "MRT fabric.mrt". */
  readonly label: string;
  /** How messages and status lines name it: "speaker http://127.0.0.1:8179", "MRT file fabric.mrt". */
  readonly name: string;
  /** The longest matching route of an address; rejects (one line) when the source cannot answer. */
  lookup(ip: string): Promise<Route | undefined>;
  /** lookup for many addresses, a few requests at a time; the first failure rejects. */
  lookupAll(ips: readonly string[]): Promise<Map<string, Route | undefined>>;
  /** The route of exactly this prefix, [] when none. */
  routesExact(prefix: string): Promise<Route[]>;
  /**
   * The prefix and every more specific route, in address order, at most limit (the API's
   * maximum, maxRouteLimit, at most); with `after` (a previous answer's `next`), the next page.
   */
  routesWithin(prefix: string, limit: number, after?: string): Promise<WithinPage>;
  /** The BGP sessions; undefined for a recorded table, which has none. */
  peers(): Promise<PeerStatus[] | undefined>;
  /** Sessions and size, for status bars. */
  summary(): Promise<SourceSummary>;
  /** Follows changes as they happen (/v1/watch); undefined when the source cannot push (an MRT file). */
  watch(handlers: WatchHandlers): WatchSubscription | undefined;
}

/** One page of a `within` read: `next` is set when there are more, to pass as `after`. */
export interface WithinPage {
  readonly routes: Route[];
  readonly truncated: boolean;
  readonly next?: string;
}

export interface SourceSummary {
  /** Undefined for a source without BGP sessions (a recorded table). */
  readonly peers: readonly PeerStatus[] | undefined;
  readonly prefixes: number;
}
