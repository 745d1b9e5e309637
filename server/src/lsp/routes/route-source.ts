import type { PeerStatus, Route } from '@kube-routes/server/engine';

/**
 * Where live route state comes from. The speaker API is one; an MRT snapshot (a file loaded
 * and looked up locally) is meant to be another: it implements the same calls, and
 * createRouteSource below is the one place that picks an implementation.
 */
export interface RouteSource {
  /** For messages and hovers: "speaker http://127.0.0.1:8179". */
  readonly name: string;
  /** The longest matching route of each address (as written); rejects when the source cannot answer. */
  lookup(addresses: readonly string[]): Promise<Map<string, Route | undefined>>;
  /** Every route inside a prefix, more specifics included, to tell which addresses are taken. */
  routesWithin(prefix: string): Promise<readonly Route[]>;
  /** Its sessions and size, for the editor's status bar and peers view; rejects when it cannot answer. */
  summary(): Promise<SourceSummary>;
  /** Pushes "something changed" as it happens, when the source can (a speaker's /v1/watch). */
  follow?(onChange: () => void): { close(): void };
}

export interface SourceSummary {
  /** Undefined for a source without BGP sessions (a recorded table). */
  readonly peers: readonly PeerStatus[] | undefined;
  readonly prefixes: number;
}

export type RouteSourceSpec = { readonly kind: 'speaker'; readonly url: string } | { readonly kind: 'mrt'; readonly path: string };

export function routeSourceKey(spec: RouteSourceSpec): string {
  return spec.kind === 'speaker' ? `speaker ${spec.url}` : `mrt ${spec.path}`;
}
