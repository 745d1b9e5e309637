import {
  addressFieldLabel,
  manifestAddresses,
  manifestRegion,
  type FindingSubject,
  type KubeRoutesConfig,
  type ManifestAddress,
  type ManifestFile,
  type ServiceManifest,
} from '@kube-routes/server/engine';

/** One IP field value of a Service, where it is written. */
export interface ServiceLiteral extends ManifestAddress {
  readonly service: ServiceManifest;
}

export function fieldLabel(l: ServiceLiteral): string {
  return addressFieldLabel(l);
}

/** Every IP field value of a Service, in the engine's field order. */
export function serviceLiterals(service: ServiceManifest): ServiceLiteral[] {
  return manifestAddresses(service).map((a) => ({ ...a, service }));
}

function before(a: { line: number; column: number }, b: { line: number; character: number }): boolean {
  return a.line < b.line || (a.line === b.line && a.column <= b.character);
}

function after(a: { line: number; column: number }, b: { line: number; character: number }): boolean {
  return a.line > b.line || (a.line === b.line && a.column >= b.character);
}

/** The IP value under a position (its end included, where a cursor after the last digit is). */
export function literalAt(
  manifest: ManifestFile,
  position: { line: number; character: number },
): ServiceLiteral | undefined {
  for (const service of manifest.services) {
    for (const l of serviceLiterals(service)) {
      if (before(l.literal.range.start, position) && after(l.literal.range.end, position)) return l;
    }
  }
  return undefined;
}

/** The Service a finding is about, by its subject: same namespace/name, and same region when the subject names one. */
export function serviceOfSubject(
  config: KubeRoutesConfig,
  manifest: ManifestFile,
  subject: FindingSubject,
): ServiceManifest | undefined {
  return manifest.services.find((service) => {
    if (service.id !== subject.service) return false;
    if (subject.region === undefined) return manifestRegion(config, service) === undefined;
    const label = manifestRegion(config, service);
    return (label?.region?.name ?? label?.value.value) === subject.region;
  });
}

/** The address value a finding is about, by its subject's field and index. */
export function literalOfSubject(
  config: KubeRoutesConfig,
  manifest: ManifestFile,
  subject: FindingSubject,
): ServiceLiteral | undefined {
  if (subject.field === undefined) return undefined;
  const service = serviceOfSubject(config, manifest, subject);
  return service && serviceLiterals(service).find((l) => l.field === subject.field && l.index === subject.index);
}
