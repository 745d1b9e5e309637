import {
  addressFieldLabel,
  manifestAddresses,
  type ManifestAddress,
  type ManifestFile,
  type ServiceManifest,
  type SourceRange,
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

export function sameStart(a: SourceRange, b: { start: { line: number; character: number } }): boolean {
  return a.start.line === b.start.line && a.start.column === b.start.character;
}

/** The IP value a diagnostic is about (findings start exactly where the value starts). */
export function literalOfDiagnostic(
  manifest: ManifestFile,
  range: { start: { line: number; character: number } },
): ServiceLiteral | undefined {
  for (const service of manifest.services) {
    for (const l of serviceLiterals(service)) if (sameStart(l.literal.range, range)) return l;
  }
  return undefined;
}

/** The Service a diagnostic is about: the one whose value or label anchor it starts at. */
export function serviceOfDiagnostic(
  manifest: ManifestFile,
  range: { start: { line: number; character: number } },
): ServiceManifest | undefined {
  for (const service of manifest.services) {
    if (sameStart(service.labelsAnchor, range) || sameStart(service.nameRange, range)) return service;
    for (const label of service.labels.values()) if (sameStart(label.range, range)) return service;
    if (serviceLiterals(service).some((l) => sameStart(l.literal.range, range))) return service;
  }
  return undefined;
}
