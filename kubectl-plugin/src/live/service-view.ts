import {
  regionOfAsn,
  type KubeRoutesConfig,
  type LiveAddressField,
  type RoutePath,
  type RouteVerdict,
} from '@kube-routes/server/engine';
import { humanDuration } from '../output/duration';
import { formatTable, orNone } from '../output/table';
import type { ServiceRoutes } from './service-routes';

// The rows of `kubectl routes`: one per Service per context, in table, wide, name, json and yaml
// forms. Pure: the clock is passed in.

export const serviceColumns = [
  'NAMESPACE',
  'NAME',
  'REGION',
  'CLUSTER-IP',
  'EXTERNAL-IPS',
  'ROUTE',
  'PATHS',
  'ORIGIN-AS',
];
export const wideColumns = ['CONTEXT', 'NEXT-HOPS', 'AS-PATH', 'COMMUNITIES', 'AGE'];
const routeColumn = serviceColumns.indexOf('ROUTE');

const unique = (values: Iterable<string>) => [...new Set(values)];
/** Distinct and sorted (numbers numerically): path order depends on which router spoke first. */
const sorted = (values: Iterable<string>) => unique(values).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));

function paths(row: ServiceRoutes): RoutePath[] {
  return row.addresses.flatMap((a) => a.route?.paths ?? []);
}

export function formatAsPath(path: RoutePath): string {
  return path.asPath.map((a) => (typeof a === 'number' ? String(a) : `{${a.join(',')}}`)).join(' ');
}

/** The ROUTE cell: the worst state; <none> without addresses; <unknown> without route state. */
export function routeCell(row: ServiceRoutes, deleted = false): string {
  if (deleted) return 'deleted';
  if (row.addresses.length === 0) return '<none>';
  return row.state ?? '<unknown>';
}

export function serviceRow(row: ServiceRoutes, wide: boolean, now: number, deleted = false): string[] {
  const s = row.service;
  const routed = row.addresses.filter((a) => a.state !== undefined);
  const cells = [
    s.namespace,
    s.name,
    row.region ?? '<none>',
    orNone(s.clusterIPs.slice(0, 1)),
    orNone(unique([...s.loadBalancerIPs, ...s.externalIPs])),
    routeCell(row, deleted),
    routed.length === 0 ? '<none>' : unique(routed.map((a) => String(a.route?.paths.length ?? 0))).join(','),
    orNone(
      sorted(
        paths(row)
          .map((p) => (p.originAs === undefined ? '' : String(p.originAs)))
          .filter((x) => x !== ''),
      ),
    ),
  ];
  if (!wide) return cells;
  const received = paths(row)
    .map((p) => Date.parse(p.receivedAt))
    .filter((t) => !Number.isNaN(t));
  return [
    ...cells,
    s.context,
    orNone(
      sorted(
        paths(row)
          .map((p) => p.nextHop)
          .filter((h) => h !== ''),
      ),
    ),
    orNone(
      sorted(
        paths(row)
          .map(formatAsPath)
          .filter((p) => p !== ''),
      ),
    ),
    orNone(sorted(paths(row).flatMap((p) => [...p.communities, ...p.largeCommunities]))),
    received.length === 0 ? '<none>' : humanDuration(now - Math.max(...received)),
  ];
}

const stateColours: Record<RouteVerdict | 'deleted', string> = {
  announced: '32',
  missing: '33',
  conflict: '1;31',
  stale: '35',
  deleted: '2',
};

export function servicePaint(color: boolean): ((column: number, value: string) => string) | undefined {
  if (!color) return undefined;
  return (column, value) => {
    const code = column === routeColumn ? stateColours[value as RouteVerdict] : undefined;
    return code ? `\u001b[${code}m${value}\u001b[0m` : value;
  };
}

export function serviceTable(
  rows: readonly ServiceRoutes[],
  options: { wide: boolean; headers: boolean; color: boolean; now: number },
): string {
  return formatTable(
    options.wide ? [...serviceColumns, ...wideColumns] : serviceColumns,
    rows.map((r) => serviceRow(r, options.wide, options.now)),
    { headers: options.headers, paint: servicePaint(options.color) },
  );
}

/** -o name: as kubectl prints it, for piping into kubectl. */
export function serviceName(row: ServiceRoutes): string {
  return `service/${row.service.name}\n`;
}

/** One item of -o json/yaml (kind ServiceRouteList): the Service, its region, and each address with its route. */
export interface ServiceRouteItem {
  readonly context: string;
  readonly region: string | undefined;
  readonly namespace: string;
  readonly name: string;
  readonly type: string;
  readonly clusterIPs: readonly string[];
  readonly externalIPs: readonly string[];
  readonly loadBalancerIPs: readonly string[];
  /** The worst verdict over the addresses; "unknown" without route state; absent without addresses. */
  readonly route: RouteVerdict | 'unknown' | 'deleted' | undefined;
  readonly addresses: readonly {
    readonly ip: string;
    readonly field: LiveAddressField;
    readonly route: RouteVerdict | 'unknown';
    readonly prefix: string | undefined;
    readonly paths: readonly RoutePath[] | undefined;
    /** "AS64513 (region sgp1)" for each origin that makes the verdict a conflict. */
    readonly wrongOrigins: readonly string[] | undefined;
  }[];
  readonly createdAt: string | undefined;
}

export function serviceItem(row: ServiceRoutes, config: KubeRoutesConfig): ServiceRouteItem {
  const s = row.service;
  return {
    context: s.context,
    region: row.region,
    namespace: s.namespace,
    name: s.name,
    type: s.type,
    clusterIPs: s.clusterIPs,
    externalIPs: s.externalIPs,
    loadBalancerIPs: s.loadBalancerIPs,
    route: row.addresses.length === 0 ? undefined : (row.state ?? 'unknown'),
    addresses: row.addresses.map((a) => ({
      ip: a.ip,
      field: a.field,
      route: a.state ?? 'unknown',
      prefix: a.route?.prefix,
      paths: a.route?.paths,
      wrongOrigins:
        a.wrongPaths.length === 0
          ? undefined
          : unique(a.wrongPaths.map((p) => `AS${p.originAs} (${regionName(config, p.originAs)})`)),
    })),
    createdAt: s.createdAt,
  };
}

function regionName(config: KubeRoutesConfig, asn: number | undefined): string {
  const region = asn === undefined ? undefined : regionOfAsn(config, asn);
  return region ? `region ${region}` : 'no configured region';
}
