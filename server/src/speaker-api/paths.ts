// Every path of the speaker's HTTP API (docs/api.md), declared once for the server and the clients.

export const apiPaths = {
  health: '/healthz',
  peers: '/v1/peers',
  lookup: '/v1/lookup',
  routes: '/v1/routes',
  watch: '/v1/watch',
  snapshot: '/v1/snapshot',
  metrics: '/metrics',
} as const;

export type ApiEndpoint = keyof typeof apiPaths;

/** For the 404 message: what there is. */
export const endpointList = [
  apiPaths.peers,
  apiPaths.lookup,
  apiPaths.routes,
  apiPaths.watch,
  apiPaths.snapshot,
  apiPaths.metrics,
  apiPaths.health,
].join(', ');
