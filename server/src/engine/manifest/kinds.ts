import { isMap, type YAMLMap } from 'yaml';
import type { Located, ObjectManifest, PoolManifest, PoolSource, ServiceCidrManifest, ServiceManifest } from './model';
import { splitList } from './parts';
import type { YamlReader } from './yaml-reader';

// The document-kind dispatch: one row per kind of object kube-routes reads (kind + API group ->
// extractor). Every other document is skipped; a reader that wants to skip documents early can
// ask documentKind() before parsing them in full.

/** Where extractors put what they read from one file. */
export interface ManifestSink {
  readonly services: ServiceManifest[];
  readonly pools: PoolManifest[];
  readonly serviceCIDRs: ServiceCidrManifest[];
}

export interface DocumentKind {
  readonly kind: string;
  /** API groups ("" for the core group); a document without apiVersion is accepted. */
  readonly groups: readonly string[];
  /** Only objects of this metadata.name are read (kube-vip's ConfigMap): a scan may skip the others. */
  readonly onlyNamed?: string;
  read(reader: YamlReader, node: YAMLMap, meta: ObjectManifest, out: ManifestSink): void;
}

function pool(source: PoolSource, meta: ObjectManifest, ranges: Located<string>[], out: ManifestSink): void {
  if (ranges.length > 0) out.pools.push({ ...meta, source, ranges });
}

function readService(reader: YamlReader, node: YAMLMap, meta: ObjectManifest, out: ManifestSink): void {
  const spec = reader.map(node, 'spec');
  const ingress = reader.items(reader.map(reader.map(node, 'status'), 'loadBalancer'), 'ingress');
  const sharing = [...meta.annotations.keys()].some((k) => /allow-shared-ip$|sharing-key$/.test(k));
  const ports = (sharing ? reader.items(spec, 'ports') : []).flatMap((item) => {
    const port = reader.resolve(item);
    if (!isMap(port)) return [];
    const number = Number(reader.scalar(port, 'port'));
    return Number.isInteger(number) ? [{ port: number, protocol: reader.scalar(port, 'protocol') ?? 'TCP' }] : [];
  });
  // Every field written out (no spread): V8 keeps such objects compact, 10,000 Services add up.
  out.services.push({
    file: meta.file,
    kind: meta.kind,
    namespace: meta.namespace,
    name: meta.name,
    nameRange: meta.nameRange,
    labelsAnchor: meta.labelsAnchor,
    labels: meta.labels,
    annotations: meta.annotations,
    id: `${meta.namespace}/${meta.name || '<no name>'}`,
    type: reader.located(spec, 'type'),
    clusterIP: reader.located(spec, 'clusterIP', true),
    clusterIPs: reader.list(spec, 'clusterIPs', true),
    externalIPs: reader.list(spec, 'externalIPs', true),
    loadBalancerIP: reader.located(spec, 'loadBalancerIP', true),
    ingressIPs: ingress.flatMap((item) => {
      const entry = reader.resolve(item);
      const ip = isMap(entry) ? reader.located(entry, 'ip', true) : undefined;
      return ip ? [ip] : [];
    }),
    ipFamilies: reader.list(spec, 'ipFamilies'),
    ports,
  });
}

function readMetalLbPool(reader: YamlReader, node: YAMLMap, meta: ObjectManifest, out: ManifestSink): void {
  pool('MetalLB IPAddressPool', meta, reader.list(reader.map(node, 'spec'), 'addresses', true), out);
}

function readCiliumPool(reader: YamlReader, node: YAMLMap, meta: ObjectManifest, out: ManifestSink): void {
  const spec = reader.map(node, 'spec');
  // spec.blocks since Cilium 1.15; spec.cidrs before.
  const blocks = [...reader.items(spec, 'blocks'), ...reader.items(spec, 'cidrs')];
  const ranges = blocks.flatMap((item): Located<string>[] => {
    const block = reader.resolve(item);
    if (!isMap(block)) return [];
    const cidr = reader.located(block, 'cidr', true);
    if (cidr) return [cidr];
    const start = reader.located(block, 'start');
    const stop = reader.located(block, 'stop');
    return start && stop ? [{ value: `${start.value}-${stop.value}`, range: start.range }] : [];
  });
  pool('CiliumLoadBalancerIPPool', meta, ranges, out);
}

function readCalicoPool(reader: YamlReader, node: YAMLMap, meta: ObjectManifest, out: ManifestSink): void {
  const spec = reader.map(node, 'spec');
  // Only pools Calico hands to LoadBalancer Services; workload and tunnel pools are pod ranges.
  if (!reader.list(spec, 'allowedUses').some((u) => u.value === 'LoadBalancer')) return;
  const cidr = reader.located(spec, 'cidr', true);
  pool('Calico IPPool', meta, cidr ? [cidr] : [], out);
}

function readPureLbGroup(reader: YamlReader, node: YAMLMap, meta: ObjectManifest, out: ManifestSink): void {
  const local = reader.map(reader.map(node, 'spec'), 'local');
  // spec.local.{v4pools,v6pools}[].pool, or the older single spec.local.pool; the pool is the range handed out.
  const entries = [
    local,
    ...[...reader.items(local, 'v4pools'), ...reader.items(local, 'v6pools')].map(reader.resolve, reader),
  ];
  const ranges = entries.flatMap((entry) => {
    if (!isMap(entry)) return [];
    const range = reader.located(entry, 'pool', true) ?? reader.located(entry, 'subnet', true);
    return range ? [range] : [];
  });
  pool('PureLB ServiceGroup', meta, ranges, out);
}

const kubeVipConfigMap = 'kubevip';

function readKubeVipConfigMap(reader: YamlReader, node: YAMLMap, meta: ObjectManifest, out: ManifestSink): void {
  if (meta.name !== kubeVipConfigMap) return;
  const data = reader.stringMap(reader.map(node, 'data'), true);
  const ranges: Located<string>[] = [];
  for (const [key, value] of data) if (/^(cidr|range)-/.test(key)) ranges.push(...splitList(value, 'comma'));
  pool('kube-vip ConfigMap', meta, ranges, out);
}

function readServiceCidr(reader: YamlReader, node: YAMLMap, meta: ObjectManifest, out: ManifestSink): void {
  out.serviceCIDRs.push({ ...meta, cidrs: reader.list(reader.map(node, 'spec'), 'cidrs', true) });
}

/** The table: every kind of document kube-routes reads. */
export const documentKinds: readonly DocumentKind[] = [
  { kind: 'Service', groups: [''], read: readService },
  { kind: 'IPAddressPool', groups: ['metallb.io'], read: readMetalLbPool },
  { kind: 'CiliumLoadBalancerIPPool', groups: ['cilium.io'], read: readCiliumPool },
  { kind: 'IPPool', groups: ['projectcalico.org', 'crd.projectcalico.org'], read: readCalicoPool },
  { kind: 'ServiceGroup', groups: ['purelb.io'], read: readPureLbGroup },
  { kind: 'ConfigMap', groups: [''], onlyNamed: kubeVipConfigMap, read: readKubeVipConfigMap },
  { kind: 'ServiceCIDR', groups: ['networking.k8s.io'], read: readServiceCidr },
];

const byKind = new Map(documentKinds.map((k) => [k.kind, k]));

/** The API group of an apiVersion: "" for "v1", "metallb.io" for "metallb.io/v1beta1". */
export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** The row for a document's kind and apiVersion, if kube-routes reads such documents. */
export function documentKind(kind: string | undefined, apiVersion: string | undefined): DocumentKind | undefined {
  const row = kind === undefined ? undefined : byKind.get(kind);
  if (!row) return undefined;
  return apiVersion === undefined || row.groups.includes(apiGroup(apiVersion)) ? row : undefined;
}

/** "List" and typed lists ("ServiceList"): their items are objects, of the list's item kind when they carry none. */
export function listItemKind(kind: string | undefined): string | undefined {
  if (kind === 'List') return '';
  return kind?.endsWith('List') ? kind.slice(0, -4) : undefined;
}
