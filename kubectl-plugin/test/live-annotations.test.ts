import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterService } from '@kube-routes/server/kube';

// Live Services read their outside addresses the way manifests do: status, spec, and the load
// balancer annotations of the engine's table (a Calico JSON list, comma lists), each once.

test('a live Service: status, spec.loadBalancerIP and every load balancer annotation, deduplicated', () => {
  const s = clusterService('nyc3-prod', {
    metadata: {
      name: 'web',
      namespace: 'shop',
      annotations: {
        'metallb.io/loadBalancerIPs': '203.0.113.5, 203.0.113.6',
        'projectcalico.org/loadBalancerIPs': '["203.0.113.7"]',
        'lbipam.cilium.io/ips': '203.0.113.8',
        'purelb.io/addresses': '203.0.113.5',
        'unrelated.example/ips': '192.0.2.1',
      },
    },
    spec: { type: 'LoadBalancer', clusterIP: '172.25.0.10', loadBalancerIP: '203.0.113.9' },
    status: { loadBalancer: { ingress: [{ ip: '203.0.113.5' }] } },
  });
  assert.deepEqual(s.loadBalancerIPs, ['203.0.113.5', '203.0.113.9', '203.0.113.6', '203.0.113.8', '203.0.113.7']);
});
