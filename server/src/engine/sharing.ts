import type { ServiceManifest } from './manifest/model';

// Address sharing between Services, as the load balancer implementations allow it: Services
// carrying the same sharing key may share an address when no port/protocol pair is served by
// both (and, unless cross-namespace sharing is allowed, within one namespace). One row per
// annotation.

export interface SharingAnnotation {
  readonly annotation: string;
  /** Keys only match within one implementation. */
  readonly implementation: 'MetalLB' | 'Cilium' | 'PureLB';
  /** The annotation listing other namespaces that may share ("*" for any). */
  readonly crossNamespace?: string;
}

export const sharingAnnotations: readonly SharingAnnotation[] = [
  { annotation: 'metallb.io/allow-shared-ip', implementation: 'MetalLB' },
  { annotation: 'metallb.universe.tf/allow-shared-ip', implementation: 'MetalLB' },
  {
    annotation: 'lbipam.cilium.io/sharing-key',
    implementation: 'Cilium',
    crossNamespace: 'lbipam.cilium.io/sharing-cross-namespace',
  },
  { annotation: 'purelb.io/allow-shared-ip', implementation: 'PureLB' },
];

export interface SharingKey {
  readonly annotation: string;
  readonly implementation: SharingAnnotation['implementation'];
  readonly key: string;
  /** Namespaces allowed to share besides the Service's own; "*" for all. */
  readonly namespaces: ReadonlySet<string> | '*';
}

export function sharingKey(service: ServiceManifest): SharingKey | undefined {
  for (const row of sharingAnnotations) {
    const value = service.annotations.get(row.annotation)?.value.trim();
    if (!value) continue;
    const cross = row.crossNamespace ? service.annotations.get(row.crossNamespace)?.value : undefined;
    const list = (cross ?? '')
      .split(',')
      .map((n) => n.trim())
      .filter((n) => n.length > 0);
    return {
      annotation: row.annotation,
      implementation: row.implementation,
      key: value,
      namespaces: list.includes('*') ? '*' : new Set(list),
    };
  }
  return undefined;
}

function allows(key: SharingKey, namespace: string): boolean {
  return key.namespaces === '*' || key.namespaces.has(namespace);
}

/** Whether two Services may share an address; when they may not though they asked to, why. */
export type SharingVerdict = { readonly shared: true } | { readonly shared: false; readonly why?: string };

export function sharingVerdict(a: ServiceManifest, b: ServiceManifest): SharingVerdict {
  const ka = sharingKey(a);
  const kb = sharingKey(b);
  if (!ka || !kb) return { shared: false };
  if (ka.implementation !== kb.implementation || ka.key !== kb.key)
    return {
      shared: false,
      why: `their sharing keys differ (${ka.annotation} "${ka.key}", ${kb.annotation} "${kb.key}")`,
    };
  if (a.namespace !== b.namespace && !(allows(ka, b.namespace) && allows(kb, a.namespace)))
    return {
      shared: false,
      why: `they share the ${ka.implementation} key "${ka.key}" but are in namespaces ${a.namespace} and ${b.namespace}, and cross-namespace sharing is not allowed`,
    };
  const ports = new Set(a.ports.map((p) => `${p.port}/${p.protocol}`));
  const both = b.ports.map((p) => `${p.port}/${p.protocol}`).filter((p) => ports.has(p));
  if (both.length > 0)
    return {
      shared: false,
      why: `they share the ${ka.implementation} key "${ka.key}" but both serve port ${[...new Set(both)].join(', ')}`,
    };
  return { shared: true };
}
