import { apiVersionOf, resourceTypes } from './kube-api-store';

// Discovery as a pre-aggregation API server serves it: /version, /api, /apis, the group and
// group-version documents. kubectl asks for aggregated discovery first; answering plain
// application/json (not the apidiscovery.k8s.io kinds) makes it fall back to these, as it
// does with older servers.

/** The discovery document for a path, or undefined when the path is not a discovery path. */
export function discoveryDocument(path: string, server: { readonly name: string; readonly address: string }): unknown {
  const trimmed = path.replace(/\/$/, '') || '/';
  if (trimmed === '/version')
    return {
      major: '1',
      minor: '32',
      gitVersion: `v1.32.0-kube-routes-test+${server.name}`,
      gitCommit: '0000000000000000000000000000000000000000',
      gitTreeState: 'clean',
      buildDate: '2026-01-01T00:00:00Z',
      goVersion: 'go1.23.0',
      compiler: 'gc',
      platform: 'linux/amd64',
    };
  if (trimmed === '/healthz' || trimmed === '/readyz' || trimmed === '/livez') return 'ok';
  if (trimmed === '/api')
    return {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: server.address }],
    };
  const groups = [...new Set(resourceTypes.filter((t) => t.group !== '').map((t) => t.group))].map((name) => {
    const gv = { groupVersion: `${name}/v1`, version: 'v1' };
    return { name, versions: [gv], preferredVersion: gv };
  });
  if (trimmed === '/apis') return { kind: 'APIGroupList', apiVersion: 'v1', groups };
  const group = groups.find((g) => trimmed === `/apis/${g.name}`);
  if (group) return { kind: 'APIGroup', apiVersion: 'v1', ...group };
  const gv = trimmed === '/api/v1' ? 'v1' : /^\/apis\/([^/]+\/[^/]+)$/.exec(trimmed)?.[1];
  if (gv === undefined) return undefined;
  const types = resourceTypes.filter((t) => apiVersionOf(t) === gv);
  if (types.length === 0) return undefined;
  const resources = types.flatMap((t) => [
    {
      name: t.plural,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      ...(t.shortNames.length ? { shortNames: t.shortNames } : {}),
      ...(t.plural === 'services' ? { categories: ['all'] } : {}),
    },
    {
      name: `${t.plural}/status`,
      singularName: '',
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: ['get', 'patch', 'update'],
    },
    ...(t.plural === 'services'
      ? [
          {
            name: 'services/proxy',
            singularName: '',
            namespaced: true,
            kind: 'ServiceProxyOptions',
            verbs: ['create', 'delete', 'get', 'patch', 'update'],
          },
        ]
      : []),
  ]);
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv, resources };
}
