import type { KubeObject, ResourceType } from './kube-api-store';

// Server-side printing (meta.k8s.io Table), which kubectl get asks for in its Accept header:
// the columns the real API server prints for Services, and Name/Age for the other types.

interface Column {
  readonly name: string;
  readonly type: string;
  readonly format: string;
  readonly description: string;
  readonly priority: number;
  readonly cell: (o: KubeObject, now: number) => string | number;
}

/** kubectl's duration.HumanDuration: 45s, 2m5s, 45m, 3h20m, 20h, 2d5h, 45d, 2y3d. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8)
    return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const years = Math.floor(hours / 24 / 365);
  if (hours < 24 * 365 * 8) return `${years}y${Math.floor(hours / 24) % 365}d`;
  return `${years}y`;
}

const age = (o: KubeObject, now: number) => {
  const created = Date.parse(o.metadata.creationTimestamp ?? '');
  return Number.isNaN(created) ? '<unknown>' : humanDuration(now - created);
};

type Fields = Record<string, unknown>;
const fields = (o: KubeObject, key: string) => (o[key] ?? {}) as Fields;
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function externalIp(o: KubeObject): string {
  const s = fields(o, 'spec');
  const external = list(s.externalIPs).map(String);
  if (s.type === 'LoadBalancer') {
    const ingress = list((fields(o, 'status').loadBalancer as Fields | undefined)?.ingress).map((i) =>
      String((i as Fields).ip ?? (i as Fields).hostname ?? ''),
    );
    const all = [...ingress, ...external].filter((x) => x !== '');
    return all.length > 0 ? all.join(',') : '<pending>';
  }
  if (s.type === 'ExternalName') return String(s.externalName ?? '<none>');
  return external.length > 0 ? external.join(',') : '<none>';
}

function ports(o: KubeObject): string {
  const p = list(fields(o, 'spec').ports).map((x) => {
    const port = x as Fields;
    return `${String(port.port)}${port.nodePort ? `:${String(port.nodePort)}` : ''}/${String(port.protocol ?? 'TCP')}`;
  });
  return p.length > 0 ? p.join(',') : '<none>';
}

function selector(o: KubeObject): string {
  const sel = Object.entries((fields(o, 'spec').selector ?? {}) as Record<string, string>);
  return sel.length > 0 ? sel.map(([k, v]) => `${k}=${v}`).join(',') : '<none>';
}

const nameColumn: Column = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace.',
  priority: 0,
  cell: (o) => o.metadata.name,
};
const ageColumn: Column = {
  name: 'Age',
  type: 'string',
  format: '',
  description: 'CreationTimestamp of the object.',
  priority: 0,
  cell: age,
};

const serviceColumns: readonly Column[] = [
  nameColumn,
  {
    name: 'Type',
    type: 'string',
    format: '',
    description: 'The type of the service.',
    priority: 0,
    cell: (o) => String(fields(o, 'spec').type ?? 'ClusterIP'),
  },
  {
    name: 'Cluster-IP',
    type: 'string',
    format: '',
    description: 'The cluster IP of the service.',
    priority: 0,
    cell: (o) => String(fields(o, 'spec').clusterIP || '<none>'),
  },
  {
    name: 'External-IP',
    type: 'string',
    format: '',
    description: 'The external IPs of the service.',
    priority: 0,
    cell: externalIp,
  },
  { name: 'Port(s)', type: 'string', format: '', description: 'The ports of the service.', priority: 0, cell: ports },
  ageColumn,
  {
    name: 'Selector',
    type: 'string',
    format: '',
    description: 'The selector of the service.',
    priority: 1,
    cell: selector,
  },
];

function columnsFor(type: ResourceType): readonly Column[] {
  return type.plural === 'services' ? serviceColumns : [nameColumn, ageColumn];
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** A meta.k8s.io Table of objects; withColumns false for watch events after the first. */
export function toTable(
  type: ResourceType,
  objects: readonly KubeObject[],
  options: {
    apiVersion: string;
    includeObject: IncludeObject;
    withColumns: boolean;
    metadata: Record<string, unknown>;
  },
): Record<string, unknown> {
  const columns = columnsFor(type);
  const now = Date.now();
  const embed = (o: KubeObject) => {
    if (options.includeObject === 'None') return undefined;
    if (options.includeObject === 'Object') return o;
    return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
  };
  return {
    kind: 'Table',
    apiVersion: options.apiVersion,
    metadata: options.metadata,
    columnDefinitions: options.withColumns ? columns.map(({ cell: _cell, ...c }) => c) : null,
    rows: objects.map((o) => ({ cells: columns.map((c) => c.cell(o, now)), object: embed(o) })),
  };
}
