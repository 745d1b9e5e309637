import {
  NotificationType,
  NotificationType0,
  RequestType,
  RequestType0,
  type TextDocumentPositionParams,
} from 'vscode-languageserver-protocol';
import type { PeerStatus } from '@kube-routes/server/engine';

export type { PeerStatus };

// kube-routes' own LSP messages, declared once for the server and the VS Code extension (which
// bundles this file), in the style of vscode-languageserver-protocol. Both sides use the same
// vscode-languageserver-protocol (3.17.5, what vscode-languageserver and vscode-languageclient
// 9 pin), so these objects work with either library's connection.

/** connected: the source answered; stale: it stopped answering (last answers kept); waiting: no answer yet. */
export type RouteSourceHealth = 'connected' | 'stale' | 'waiting';

export interface RouteSourceStatus {
  /** "speaker http://127.0.0.1:8179", "MRT file fabric.mrt". */
  readonly name: string;
  readonly health: RouteSourceHealth;
  /** ISO time of the last answer (connected) or of the start of the outage (stale). */
  readonly since?: string;
  /** Why a stale source is stale. */
  readonly reason?: string;
  /** BGP peers of a speaker (an MRT file has none). */
  readonly peers?: { readonly established: number; readonly total: number };
  /** Prefixes the source holds: received by every peer (a speaker), or in the table (an MRT file). */
  readonly prefixes?: number;
}

export interface StatusResult {
  /** The route sources in use by the workspace's configs; empty when none is configured. */
  readonly sources: readonly RouteSourceStatus[];
}

/** The health of the route sources, for a status bar. */
export namespace StatusRequest {
  export const method = 'kubeRoutes/status' as const;
  export const type = new RequestType0<StatusResult, void>(method);
}

/** Sent by the server when a source appears, goes away, or changes health: ask StatusRequest again. */
export namespace StatusChangedNotification {
  export const method = 'kubeRoutes/statusChanged' as const;
  export const type = new NotificationType0(method);
}

export interface SourcePeers {
  readonly name: string;
  readonly health: RouteSourceHealth;
  /** Undefined when the source has no sessions (an MRT file) or could not be asked; see note. */
  readonly peers?: readonly PeerStatus[];
  readonly note?: string;
}

export interface PeersResult {
  readonly sources: readonly SourcePeers[];
}

/** Every BGP peer of every route source, asked now. */
export namespace PeersRequest {
  export const method = 'kubeRoutes/peers' as const;
  export const type = new RequestType0<PeersResult, void>(method);
}

export interface ServiceRoutesResult {
  /** "namespace/name". */
  readonly service: string;
  /** Its addresses, their regions, routes and paths, as Markdown tables. */
  readonly markdown: string;
}

/** The Service at a position (anywhere in its document): null when there is none. */
export namespace ServiceRoutesRequest {
  export const method = 'kubeRoutes/serviceRoutes' as const;
  export const type = new RequestType<TextDocumentPositionParams, ServiceRoutesResult | null, void>(method);
}

/** Client -> server: the workspace's trust changed (VS Code: the user trusted it). */
export namespace WorkspaceTrustNotification {
  export const method = 'kubeRoutes/workspaceTrust' as const;
  export const type = new NotificationType<{ readonly trusted: boolean }>(method);
}

/** Server -> client: the user allowed a target kube-routes.yaml names; remember it for the workspace. */
export namespace RepositorySourceAllowedNotification {
  export const method = 'kubeRoutes/repositorySourceAllowed' as const;
  export const type = new NotificationType<{ readonly key: string }>(method);
}
