import type { Located, ServiceManifest } from './manifest/model';
import { readSubstitution, splitList, type ListFormat } from './manifest/parts';

// Where a Service keeps its IP addresses, listed once for every face: the rules, the editor's
// hovers and outline, kubectl's live views. A new source of addresses is one more row.

/**
 * Annotations through which load balancer implementations take requested addresses, with how
 * each writes its list. The annotation name is the field: messages say
 * "metallb.io/loadBalancerIPs[1] 203.0.113.5".
 */
export const addressAnnotations = {
  'metallb.io/loadBalancerIPs': 'comma',
  'metallb.universe.tf/loadBalancerIPs': 'comma',
  'lbipam.cilium.io/ips': 'comma',
  'io.cilium/lb-ipam-ips': 'comma',
  'projectcalico.org/loadBalancerIPs': 'json',
  'kube-vip.io/loadbalancerIPs': 'comma',
  'purelb.io/addresses': 'comma',
} as const satisfies Record<string, ListFormat>;

export type AddressAnnotation = keyof typeof addressAnnotations;

/** Where a Service manifest holds IP addresses: a spec or status field, or an annotation. */
export type AddressField =
  | 'clusterIP'
  | 'clusterIPs'
  | 'externalIPs'
  | 'loadBalancerIP'
  | 'status.loadBalancer.ingress'
  | AddressAnnotation;

/** cluster: allocated by one cluster, announced from its region only; external: may be anycast. */
export type AddressKind = 'cluster' | 'external';

export interface ManifestAddressSource {
  readonly field: AddressField;
  readonly kind: AddressKind;
  /** An empty value means "not set" (the cluster allocates one), not an invalid address. */
  readonly emptyIsUnset: boolean;
  /** A list field gives each value its index (clusterIPs[1]); a single value has none. */
  readonly list: boolean;
  /** The values as written, each located exactly (inside the string for annotations). */
  read(service: ServiceManifest): readonly Located<string>[];
}

function single(value: Located<string> | undefined): readonly Located<string>[] {
  return value ? [value] : [];
}

function annotationSource(name: AddressAnnotation): ManifestAddressSource {
  const format = addressAnnotations[name];
  return {
    field: name,
    kind: 'external',
    emptyIsUnset: true,
    list: true,
    read: (s) => {
      const value = s.annotations.get(name);
      return value ? splitList(value, format) : [];
    },
  };
}

/** The manifest's address fields, in the order they are checked and shown. */
export const manifestAddressSources: readonly ManifestAddressSource[] = [
  { field: 'clusterIP', kind: 'cluster', emptyIsUnset: true, list: false, read: (s) => single(s.clusterIP) },
  { field: 'clusterIPs', kind: 'cluster', emptyIsUnset: true, list: true, read: (s) => s.clusterIPs },
  { field: 'externalIPs', kind: 'external', emptyIsUnset: false, list: true, read: (s) => s.externalIPs },
  { field: 'loadBalancerIP', kind: 'external', emptyIsUnset: true, list: false, read: (s) => single(s.loadBalancerIP) },
  ...(Object.keys(addressAnnotations) as AddressAnnotation[]).map(annotationSource),
  {
    field: 'status.loadBalancer.ingress',
    kind: 'external',
    emptyIsUnset: true,
    list: true,
    read: (s) => s.ingressIPs,
  },
];

/** One IP field value of a Service manifest, where it is written. */
export interface ManifestAddress {
  readonly field: AddressField;
  readonly kind: AddressKind;
  readonly emptyIsUnset: boolean;
  /** Index in a list field, for labels like clusterIPs[1]. */
  readonly index: number | undefined;
  /** The value to check: a Flux substitution's default when it has one. */
  readonly literal: Located<string>;
  /** Set for a Flux substitution without default ("${LB_IP}"): nothing to check until Flux fills it. */
  readonly unresolvedVariable?: string;
}

/** Every value of every address field, as written (empty strings and "None" included), in table order. */
export function manifestAddresses(service: ServiceManifest): ManifestAddress[] {
  const out: ManifestAddress[] = [];
  for (const { field, kind, emptyIsUnset, list, read } of manifestAddressSources) {
    read(service).forEach((written, i) => {
      const index = list ? i : undefined;
      const sub = readSubstitution(written);
      if (sub.kind === 'unset')
        out.push({ field, kind, emptyIsUnset, index, literal: written, unresolvedVariable: sub.variable });
      else out.push({ field, kind, emptyIsUnset, index, literal: sub.kind === 'default' ? sub.value : written });
    });
  }
  return out;
}

/** "clusterIPs[1]", "loadBalancerIP", "status.loadBalancer.ingress[0].ip", "metallb.io/loadBalancerIPs[1]". */
export function addressFieldLabel(a: { readonly field: AddressField; readonly index: number | undefined }): string {
  if (a.index === undefined) return a.field;
  return a.field === 'status.loadBalancer.ingress' ? `${a.field}[${a.index}].ip` : `${a.field}[${a.index}]`;
}

/** The addresses a live Service's annotations request, by the same table as manifests. */
export function annotationAddressValues(annotations: Readonly<Record<string, string>>): string[] {
  const out: string[] = [];
  const nowhere = { start: { line: 0, column: 0 }, end: { line: 0, column: 0 } };
  for (const [name, format] of Object.entries(addressAnnotations)) {
    const value = annotations[name];
    if (value) out.push(...splitList({ value, range: nowhere }, format).map((p) => p.value));
  }
  return out;
}

/** A live Service's addresses as plain data, as server/src/kube reads them from the API. */
export interface LiveServiceAddresses {
  readonly clusterIPs: readonly string[];
  readonly externalIPs?: readonly string[];
  /** status.loadBalancer.ingress IPs, spec.loadBalancerIP and the addresses load balancer annotations request. */
  readonly loadBalancerIPs?: readonly string[];
}

/** The names kubectl's live views print (-o json "field"). */
export type LiveAddressField = 'clusterIP' | 'externalIP' | 'loadBalancerIP';

export interface LiveAddressSource {
  readonly field: LiveAddressField;
  readonly kind: AddressKind;
  read(service: LiveServiceAddresses): readonly string[];
}

export const liveAddressSources: readonly LiveAddressSource[] = [
  { field: 'clusterIP', kind: 'cluster', read: (s) => s.clusterIPs },
  { field: 'externalIP', kind: 'external', read: (s) => s.externalIPs ?? [] },
  { field: 'loadBalancerIP', kind: 'external', read: (s) => s.loadBalancerIPs ?? [] },
];

export interface LiveAddress {
  readonly ip: string;
  readonly field: LiveAddressField;
  readonly kind: AddressKind;
}

/** Every address of a live Service; one already listed by an earlier row of its kind is not repeated. */
export function liveAddresses(service: LiveServiceAddresses): LiveAddress[] {
  const out: LiveAddress[] = [];
  for (const { field, kind, read } of liveAddressSources) {
    const earlier = new Set(out.filter((a) => a.kind === kind).map((a) => a.ip));
    for (const ip of read(service)) if (!earlier.has(ip)) out.push({ ip, field, kind });
  }
  return out;
}
