import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCidr, type IpRange } from '@kube-routes/server/engine';
import { findConflicts } from '../src/live/conflicts';
import { joinRoutes } from '../src/live/service-routes';
import { answers, config, path, svc } from './live-data';

// findConflicts over in-memory live state: each kind of conflict from one small fabric.

function zone(cidr: string): IpRange {
  // The config's own range objects: the report names their owner by identity.
  for (const r of config.regions.values())
    for (const range of [...r.clusterIPRanges, ...r.externalIPPools]) if (range.cidr === cidr) return range;
  const parsed = parseCidr(cidr);
  assert.ok('range' in parsed, cidr);
  return parsed.range;
}

test('findConflicts: every kind, sorted by kind and address', () => {
  const services = [
    svc('nyc3-prod', 'web', { clusterIPs: ['172.25.0.10'], externalIPs: ['172.30.0.10'] }),
    svc('sgp1-prod', 'web', { externalIPs: ['172.30.0.10'] }),
    svc('sgp1-prod', 'api', { clusterIPs: ['172.25.0.10'], externalIPs: ['172.30.0.11'] }),
    svc('nyc3-prod', 'shop', { externalIPs: ['172.30.0.11'] }),
  ];
  const rows = joinRoutes(
    services,
    config,
    answers({
      '172.25.0.10': { prefix: '172.25.0.0/24', paths: [path(64512)] },
      '172.30.0.10': { prefix: '172.30.0.0/24', paths: [path(64512), path(64513)] },
      '172.30.0.11': { prefix: '172.30.0.0/24', paths: [path(64512), path(64513)] },
    }),
  );
  const conflicts = findConflicts({
    config,
    rows,
    zones: [
      {
        zone: zone('172.25.0.0/20'),
        routes: [
          { prefix: '172.25.0.0/24', paths: [path(64512)] },
          { prefix: '172.25.8.0/24', paths: [path(64512)] },
        ],
      },
    ],
    serviceCidrs: [{ context: 'sgp1-prod', region: 'sgp1', cidrs: [{ name: 'kubernetes', cidr: '172.25.0.0/16' }] }],
  });
  assert.deepEqual(
    conflicts.map((c) => `${c.kind} ${c.address} ${c.services.join(' ')}`),
    [
      'duplicate-cluster-ip 172.25.0.10 nyc3-prod/shop/web sgp1-prod/shop/api',
      'service-cidr-outside-region 172.25.0.0/16 ',
      'shared-external-ip 172.30.0.11 sgp1-prod/shop/api nyc3-prod/shop/shop',
      'unowned-route 172.25.8.0/24 ',
      'wrong-origin 172.25.0.10 sgp1-prod/shop/api',
      // Two Services, so no anycast: each region's origin is wrong for the other. 172.30.0.10 (one Service, both regions) is fine.
      'wrong-origin 172.30.0.11 sgp1-prod/shop/api nyc3-prod/shop/shop',
    ],
  );
  const wrong = conflicts.find((c) => c.kind === 'wrong-origin');
  assert.equal(
    wrong?.detail,
    'covered by 172.25.0.0/24, originated by AS64512 (region nyc3) via 10.0.0.1 from peer 10.0.0.1; the Service is in region sgp1',
  );
  const unowned = conflicts.find((c) => c.kind === 'unowned-route');
  assert.equal(
    unowned?.detail,
    "announced in region nyc3's clusterIP range 172.25.0.0/20 by AS64512 (region nyc3) via 10.0.0.1 from peer 10.0.0.1, but no Service uses an address in it",
  );
});
