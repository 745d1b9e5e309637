import type { RoutePath } from '@kube-routes/server/engine';

/** A path as the speaker reports it, originated by `originAs` (undefined: the peer's own iBGP route), for in-memory route state. */
export function routePath(originAs: number | undefined, overrides: Partial<RoutePath> = {}): RoutePath {
  return {
    peer: '10.0.0.1',
    pathId: 0,
    nextHop: '10.0.0.1',
    asPath: originAs === undefined ? [] : [originAs],
    originAs,
    origin: 'igp',
    med: undefined,
    localPref: undefined,
    communities: [],
    largeCommunities: [],
    extendedCommunities: [],
    stale: false,
    receivedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}
