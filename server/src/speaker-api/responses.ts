import type { LookupResult, PeerStatus, Route } from '@kube-routes/server/engine';

// The JSON bodies of the speaker's API (docs/api.md). Routes, paths and peers are the engine's
// types, so every face reads the same shapes.

export interface HealthResponse {
  readonly status: 'ok';
}

export interface PeersResponse {
  readonly peers: readonly PeerStatus[];
}

export type LookupResponse = LookupResult;

export interface RoutesResponse {
  readonly routes: readonly Route[];
  /** Only for `within`: there were more than `limit` routes. */
  readonly truncated?: boolean;
  /** Only for a truncated `within`: the cursor for the next page, passed as `after`. */
  readonly next?: string;
}

/** Any status other than 2xx. */
export interface ErrorResponse {
  readonly error: string;
}

/** A JSON answer: status and body. */
export interface ApiReply {
  readonly status: number;
  readonly body: HealthResponse | PeersResponse | LookupResponse | RoutesResponse | ErrorResponse;
}
