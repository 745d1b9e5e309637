import type { Located, ManifestFile, ServiceManifest, SourceRange } from '@kube-routes/server/engine';

export type AddressFieldName = 'clusterIP' | 'clusterIPs' | 'externalIPs' | 'loadBalancerIP';

/** One IP field value of a Service, where it is written. */
export interface ServiceLiteral {
  readonly service: ServiceManifest;
  readonly field: AddressFieldName;
  readonly index: number | undefined;
  readonly literal: Located<string>;
}

export function isClusterField(field: AddressFieldName): boolean {
  return field === 'clusterIP' || field === 'clusterIPs';
}

export function fieldLabel(l: ServiceLiteral): string {
  return l.index === undefined ? l.field : `${l.field}[${l.index}]`;
}

/** Every IP field value of a Service, in source order of the fields. */
export function serviceLiterals(service: ServiceManifest): ServiceLiteral[] {
  const out: ServiceLiteral[] = [];
  if (service.clusterIP) out.push({ service, field: 'clusterIP', index: undefined, literal: service.clusterIP });
  service.clusterIPs.forEach((literal, index) => out.push({ service, field: 'clusterIPs', index, literal }));
  service.externalIPs.forEach((literal, index) => out.push({ service, field: 'externalIPs', index, literal }));
  if (service.loadBalancerIP) out.push({ service, field: 'loadBalancerIP', index: undefined, literal: service.loadBalancerIP });
  return out;
}

function before(a: { line: number; column: number }, b: { line: number; character: number }): boolean {
  return a.line < b.line || (a.line === b.line && a.column <= b.character);
}

function after(a: { line: number; column: number }, b: { line: number; character: number }): boolean {
  return a.line > b.line || (a.line === b.line && a.column >= b.character);
}

/** The IP value under a position (its end included, where a cursor after the last digit is). */
export function literalAt(manifest: ManifestFile, position: { line: number; character: number }): ServiceLiteral | undefined {
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
export function literalOfDiagnostic(manifest: ManifestFile, range: { start: { line: number; character: number } }): ServiceLiteral | undefined {
  for (const service of manifest.services) {
    for (const l of serviceLiterals(service)) if (sameStart(l.literal.range, range)) return l;
  }
  return undefined;
}

/** The Service a diagnostic is about: the one whose value or label anchor it starts at. */
export function serviceOfDiagnostic(manifest: ManifestFile, range: { start: { line: number; character: number } }): ServiceManifest | undefined {
  for (const service of manifest.services) {
    if (sameStart(service.labelsAnchor, range) || sameStart(service.nameRange, range)) return service;
    for (const label of service.labels.values()) if (sameStart(label.range, range)) return service;
    if (serviceLiterals(service).some((l) => sameStart(l.literal.range, range))) return service;
  }
  return undefined;
}
