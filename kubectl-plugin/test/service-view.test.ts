import assert from 'node:assert/strict';
import { test } from 'node:test';
import { joinRoutes } from '../src/live/service-routes';
import { serviceItem, serviceRow } from '../src/live/service-view';
import { answers, config, path, svc } from './live-data';

// The rows of `kubectl routes` from joined live state: the table cells, wide cells and the
// json/yaml item, with a fixed clock.

const now = Date.parse('2026-01-01T01:00:00.000Z');
const services = [
  svc('nyc3-prod', 'web', { clusterIPs: ['172.25.0.10'], externalIPs: ['172.30.0.10'] }),
  svc('sgp1-prod', 'api', { clusterIPs: ['172.25.144.5'] }),
  svc('sgp1-prod', 'idle'),
];
const routes = answers({
  '172.25.0.10': { prefix: '172.25.0.0/24', paths: [path(64512, { communities: ['64512:1'] })] },
  '172.30.0.10': {
    prefix: '172.30.0.0/24',
    paths: [path(64512), path(65000, { peer: '10.0.0.3', nextHop: '10.0.0.3' })],
  },
  '172.25.144.5': undefined,
});
const rows = joinRoutes(services, config, routes);

test('service rows: table and wide cells', () => {
  const cases: { row: number; wide: boolean; cells: string[] }[] = [
    {
      row: 0,
      wide: false,
      cells: ['shop', 'web', 'nyc3', '172.25.0.10', '172.30.0.10', 'conflict', '1,2', '64512,65000'],
    },
    { row: 1, wide: false, cells: ['shop', 'api', 'sgp1', '172.25.144.5', '<none>', 'missing', '0', '<none>'] },
    { row: 2, wide: false, cells: ['shop', 'idle', 'sgp1', '<none>', '<none>', '<none>', '<none>', '<none>'] },
    {
      row: 0,
      wide: true,
      cells: [
        'shop',
        'web',
        'nyc3',
        '172.25.0.10',
        '172.30.0.10',
        'conflict',
        '1,2',
        '64512,65000',
        'nyc3-prod',
        '10.0.0.1,10.0.0.3',
        '64512,65000',
        '64512:1',
        '60m',
      ],
    },
  ];
  for (const c of cases) {
    const row = rows[c.row];
    assert.ok(row);
    assert.deepEqual(serviceRow(row, c.wide, now), c.cells, `row ${c.row}${c.wide ? ' wide' : ''}`);
  }
});

test('service item: each address with its verdict and the origins that make it a conflict', () => {
  const row = rows[0];
  assert.ok(row);
  const item = serviceItem(row, config);
  assert.equal(item.route, 'conflict');
  assert.deepEqual(
    item.addresses.map((a) => ({
      ip: a.ip,
      field: a.field,
      route: a.route,
      prefix: a.prefix,
      wrongOrigins: a.wrongOrigins,
    })),
    [
      { ip: '172.25.0.10', field: 'clusterIP', route: 'announced', prefix: '172.25.0.0/24', wrongOrigins: undefined },
      {
        ip: '172.30.0.10',
        field: 'externalIP',
        route: 'conflict',
        prefix: '172.30.0.0/24',
        wrongOrigins: ['AS65000 (no configured region)'],
      },
    ],
  );
});
