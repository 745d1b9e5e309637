import assert from 'node:assert/strict';
import { parseConfig, parseIpAddress, type KubeRoutesConfig, type Route } from '@kube-routes/server/engine';
import type { ClusterService } from '@kube-routes/server/kube';

// In-memory live state for the plugin's pure parts: a config with contexts, Services as the
// kube client returns them, and route answers keyed as resolveRoutes keys them.

export const config: KubeRoutesConfig = (() => {
  const { config: parsed, errors } = parseConfig(
    [
      'externalIPPools: [172.30.0.0/24]',
      'regions:',
      '  nyc3: {asns: [64512], clusterIPRanges: [172.25.0.0/20], externalIPPools: [172.30.14.0/24], contexts: [nyc3-prod]}',
      '  sgp1: {asns: [64513], clusterIPRanges: [172.25.144.0/20], externalIPPools: [172.30.15.0/24], contexts: [sgp1-prod]}',
      '',
    ].join('\n'),
    'kube-routes.yaml',
  );
  assert.ok(parsed, JSON.stringify(errors));
  return parsed;
})();

export function svc(
  context: string,
  name: string,
  addresses: {
    clusterIPs?: string[];
    externalIPs?: string[];
    loadBalancerIPs?: string[];
    labels?: Record<string, string>;
  } = {},
): ClusterService {
  return {
    context,
    namespace: 'shop',
    name,
    type: addresses.loadBalancerIPs ? 'LoadBalancer' : 'ClusterIP',
    labels: addresses.labels ?? {},
    clusterIPs: addresses.clusterIPs ?? [],
    externalIPs: addresses.externalIPs ?? [],
    loadBalancerIPs: addresses.loadBalancerIPs ?? [],
    createdAt: '2026-01-01T00:00:00Z',
    resourceVersion: '1',
  };
}

export { routePath as path } from '@kube-routes/test/support';

/** Route answers by address, keyed by the engine's IpAddress key. */
export function answers(byIp: Readonly<Record<string, Route | undefined>>): Map<string, Route | undefined> {
  const out = new Map<string, Route | undefined>();
  for (const [ip, route] of Object.entries(byIp)) {
    const address = parseIpAddress(ip);
    assert.ok(address, ip);
    out.set(address.key, route);
  }
  return out;
}
