import { randomUUID } from 'node:crypto';

// The state of one test cluster, with the semantics of the real API server that clients rely
// on: one resourceVersion counter per cluster, every change recorded as a watch event, lists
// that report the version they are consistent with, and label/field selectors.

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [field: string]: unknown;
}

/** A Kubernetes object as JSON. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface ResourceType {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly singular: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  /** Field selector keys beyond metadata.name and metadata.namespace, with how to read them. */
  readonly fields?: Readonly<Record<string, (o: KubeObject) => string>>;
  /** A CustomResourceDefinition's type: served only by servers installed with it (options.crds). */
  readonly crd?: boolean;
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');
const spec = (o: KubeObject) => (o.spec ?? {}) as Record<string, unknown>;

/** What kube-routes reads: Services, Namespaces, Nodes, and the service IP allocation API. */
export const resourceTypes: readonly ResourceType[] = [
  {
    group: '',
    version: 'v1',
    plural: 'services',
    singular: 'service',
    kind: 'Service',
    namespaced: true,
    shortNames: ['svc'],
    fields: { 'spec.clusterIP': (o) => str(spec(o).clusterIP), 'spec.type': (o) => str(spec(o).type) },
  },
  {
    group: '',
    version: 'v1',
    plural: 'namespaces',
    singular: 'namespace',
    kind: 'Namespace',
    namespaced: false,
    shortNames: ['ns'],
    fields: { 'status.phase': (o) => str((o.status as Record<string, unknown> | undefined)?.phase) },
  },
  {
    group: '',
    version: 'v1',
    plural: 'nodes',
    singular: 'node',
    kind: 'Node',
    namespaced: false,
    shortNames: ['no'],
    fields: { 'spec.unschedulable': (o) => String(spec(o).unschedulable === true) },
  },
  {
    group: 'networking.k8s.io',
    version: 'v1',
    plural: 'servicecidrs',
    singular: 'servicecidr',
    kind: 'ServiceCIDR',
    namespaced: false,
    shortNames: [],
  },
  {
    group: 'networking.k8s.io',
    version: 'v1',
    plural: 'ipaddresses',
    singular: 'ipaddress',
    kind: 'IPAddress',
    namespaced: false,
    shortNames: ['ip'],
  },
  // kube-vip keeps its ranges in the kube-system/kubevip ConfigMap.
  {
    group: '',
    version: 'v1',
    plural: 'configmaps',
    singular: 'configmap',
    kind: 'ConfigMap',
    namespaced: true,
    shortNames: ['cm'],
  },
  // Load balancer pools: CRDs, present only where the load balancer is installed.
  {
    group: 'metallb.io',
    version: 'v1beta1',
    plural: 'ipaddresspools',
    singular: 'ipaddresspool',
    kind: 'IPAddressPool',
    namespaced: true,
    shortNames: [],
    crd: true,
  },
  {
    group: 'cilium.io',
    version: 'v2',
    plural: 'ciliumloadbalancerippools',
    singular: 'ciliumloadbalancerippool',
    kind: 'CiliumLoadBalancerIPPool',
    namespaced: false,
    shortNames: ['ippools'],
    crd: true,
  },
];

export function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoredEvent {
  readonly resourceVersion: number;
  readonly plural: string;
  readonly type: WatchEventType;
  readonly object: KubeObject;
  /** The object before a MODIFIED, so a filtered watch can turn it into ADDED or DELETED. */
  readonly previous: KubeObject | undefined;
}

/** A parsed selector: a predicate over an object, or an error message for a 400. */
export type Selector = ((o: KubeObject) => boolean) | { readonly error: string };

/** Splits on commas outside parentheses: "a in (x,y),b" -> ["a in (x,y)", "b"]. */
function splitRequirements(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of text) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

/** Label selectors as the API server accepts them: =, ==, !=, in, notin, exists, !exists. */
export function parseLabelSelector(text: string | null): Selector {
  if (!text) return () => true;
  const tests: ((labels: Record<string, string>) => boolean)[] = [];
  for (const req of splitRequirements(text)) {
    let m: RegExpExecArray | null;
    if ((m = /^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$/.exec(req))) {
      const [, key = '', op, value = ''] = m;
      tests.push(op === '!=' ? (l) => l[key] !== value : (l) => l[key] === value);
    } else if ((m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(req))) {
      const [, key = '', op, list = ''] = m;
      const values = new Set(list.split(',').map((v) => v.trim()));
      tests.push(
        op === 'in'
          ? (l) => l[key] !== undefined && values.has(l[key])
          : (l) => l[key] === undefined || !values.has(l[key]),
      );
    } else if ((m = /^(!?)([\w./-]+)$/.exec(req))) {
      const [, not, key = ''] = m;
      tests.push(not ? (l) => !(key in l) : (l) => key in l);
    } else {
      return { error: `unable to parse requirement: ${JSON.stringify(req)}` };
    }
  }
  return (o) => tests.every((t) => t(o.metadata.labels ?? {}));
}

/** Field selectors: metadata.name and metadata.namespace for every type, plus the type's own fields. */
export function parseFieldSelector(text: string | null, type: ResourceType): Selector {
  if (!text) return () => true;
  const tests: ((o: KubeObject) => boolean)[] = [];
  for (const req of splitRequirements(text)) {
    const m = /^([\w.]+)\s*(==|=|!=)\s*(.*)$/.exec(req);
    if (!m) return { error: `invalid selector: '${text}'; can't understand '${req}'` };
    const [, field = '', op, value = ''] = m;
    const read =
      field === 'metadata.name'
        ? (o: KubeObject) => o.metadata.name
        : field === 'metadata.namespace'
          ? (o: KubeObject) => o.metadata.namespace ?? ''
          : type.fields?.[field];
    if (!read)
      return {
        error: `"${field}" is not a known field selector: only "metadata.name", "metadata.namespace"${Object.keys(
          type.fields ?? {},
        )
          .map((f) => `, "${f}"`)
          .join('')}`,
      };
    tests.push(op === '!=' ? (o) => read(o) !== value : (o) => read(o) === value);
  }
  return (o) => tests.every((t) => t(o));
}

const keyOf = (namespace: string | undefined, name: string) => `${namespace ?? ''}/${name}`;

export class ObjectStore {
  private version = 1000;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly history: StoredEvent[] = [];
  /** Events at or below this version were forgotten: a watch from before it gets 410 Gone. */
  private compactedThrough = 0;
  private readonly listeners = new Set<(e: StoredEvent) => void>();

  get resourceVersion(): number {
    return this.version;
  }

  private bucket(plural: string): Map<string, KubeObject> {
    let b = this.objects.get(plural);
    if (!b) this.objects.set(plural, (b = new Map()));
    return b;
  }

  get(plural: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.bucket(plural).get(keyOf(namespace, name));
  }

  all(plural: string): KubeObject[] {
    return [...this.bucket(plural).values()];
  }

  /** Creates or replaces an object; assigns uid, creationTimestamp and the next resourceVersion. */
  put(type: ResourceType, input: KubeObject): KubeObject {
    const bucket = this.bucket(type.plural);
    const key = keyOf(input.metadata.namespace, input.metadata.name);
    const previous = bucket.get(key);
    const object: KubeObject = {
      ...structuredClone(input),
      apiVersion: apiVersionOf(type),
      kind: type.kind,
      metadata: {
        ...structuredClone(input.metadata),
        uid: previous?.metadata.uid ?? input.metadata.uid ?? randomUUID(),
        creationTimestamp:
          previous?.metadata.creationTimestamp ??
          input.metadata.creationTimestamp ??
          new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        resourceVersion: String(++this.version),
      },
    };
    bucket.set(key, object);
    this.record({
      resourceVersion: this.version,
      plural: type.plural,
      type: previous ? 'MODIFIED' : 'ADDED',
      object,
      previous,
    });
    return object;
  }

  delete(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const bucket = this.bucket(type.plural);
    const key = keyOf(namespace, name);
    const previous = bucket.get(key);
    if (!previous) return undefined;
    bucket.delete(key);
    const object = { ...previous, metadata: { ...previous.metadata, resourceVersion: String(++this.version) } };
    this.record({ resourceVersion: this.version, plural: type.plural, type: 'DELETED', object, previous });
    return object;
  }

  private record(event: StoredEvent): void {
    this.history.push(event);
    for (const listener of this.listeners) listener(event);
  }

  /** Events of a type after a version, or 'expired' when they were compacted away. */
  eventsSince(plural: string, resourceVersion: number): StoredEvent[] | 'expired' {
    if (resourceVersion < this.compactedThrough) return 'expired';
    return this.history.filter((e) => e.plural === plural && e.resourceVersion > resourceVersion);
  }

  /** Forgets the event history, as etcd compaction does: older watches get 410 Gone. */
  compact(): void {
    this.compactedThrough = this.version;
    this.history.length = 0;
  }

  subscribe(listener: (e: StoredEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
