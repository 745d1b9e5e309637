import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkManifests, parseConfig, readManifestFile } from '@kube-routes/server/engine';
import { KubeError, type KubeClient } from '@kube-routes/server/kube';
import { clusterRanges } from '../src/live/check-live';
import { findConflicts } from '../src/live/conflicts';
import { poolOverlaps } from '../src/live/pool-overlaps';

// check --live reads each context's load balancer pools and ServiceCIDRs where the API exists
// (a missing CRD is a 404: nothing, quietly), as manifests of the context's region.

function fakeClient(context: string, lists: Record<string, unknown[]>, kubevip?: unknown): KubeClient {
  return {
    context,
    list: async (path: string) => {
      const items = lists[path];
      if (!items) throw new KubeError(context, 'not-found', `context "${context}": not found (404)`);
      return { items, resourceVersion: '1' };
    },
    raw: async () => (kubevip ? { status: 200, text: JSON.stringify(kubevip) } : { status: 404, text: '{}' }),
  } as unknown as KubeClient;
}

test('live pools: each context in its region, absent CRDs give nothing, pool-overlap across clusters', async () => {
  const nyc3 = await clusterRanges(
    fakeClient('nyc3-prod', {
      '/apis/metallb.io/v1beta1/ipaddresspools': [
        { metadata: { name: 'lan', namespace: 'metallb-system' }, spec: { addresses: ['192.168.69.0/24'] } },
      ],
    }),
    'nyc3',
    'region',
  );
  const sgp1 = await clusterRanges(
    fakeClient(
      'sgp1-prod',
      {
        '/apis/networking.k8s.io/v1/servicecidrs': [{ metadata: { name: 'extra' }, spec: { cidrs: ['10.0.0.0/16'] } }],
      },
      {
        metadata: { name: 'kubevip', namespace: 'kube-system' },
        data: { 'range-global': '192.168.69.100-192.168.69.110' },
      },
    ),
    'sgp1',
    'region',
  );
  assert.deepEqual(
    [nyc3, sgp1].map((f) => [f.file, f.pools.map((p) => `${p.source} ${p.name}`), f.serviceCIDRs.map((c) => c.name)]),
    [
      ['context nyc3-prod', ['MetalLB IPAddressPool lan'], []],
      ['context sgp1-prod', ['kube-vip ConfigMap kubevip'], ['extra']],
    ],
  );
  const config = parseConfig(
    'regions:\n  nyc3: {clusterIPRanges: [10.43.0.0/16]}\n  sgp1: {clusterIPRanges: [10.96.0.0/16]}\n',
    'kube-routes.yaml',
  ).config;
  assert.ok(config);
  const { findings } = checkManifests([nyc3, sgp1, readManifestFile({ path: 'empty.yaml', text: '' })], config);
  assert.deepEqual(
    findings.map((f) => `${f.file} ${f.rule}`),
    [
      'context nyc3-prod pool-overlap',
      'context sgp1-prod service-cidr-outside-region',
      'context sgp1-prod pool-overlap',
    ],
  );
  // kubectl routes conflicts: the same rule's verdicts, one conflict per overlapping pool range.
  const conflicts = findConflicts({
    config,
    rows: [],
    zones: [],
    serviceCidrs: [],
    poolOverlaps: poolOverlaps([nyc3, sgp1], config),
  });
  assert.deepEqual(
    conflicts.map((c) => `${c.kind} ${c.address} ${c.detail.split(':')[0]}`),
    ['pool-overlap 192.168.69.0/24 context nyc3-prod', 'pool-overlap 192.168.69.100-192.168.69.110 context sgp1-prod'],
  );
});
