import type { AddressField } from './service-addresses';
import type { SourceRange } from './source';

export type Severity = 'error' | 'warning' | 'info';
export type SeveritySetting = Severity | 'off';

export const severityRank: Record<Severity, number> = { error: 3, warning: 2, info: 1 };

/** Another place that takes part in a finding: the other side of a conflict. */
export interface RelatedLocation {
  readonly file: string;
  readonly range: SourceRange;
  readonly message: string;
}

/**
 * What a finding is about, so faces find the Service and value without parsing positions back:
 * a Service (namespace/name, in its region), and for an address finding its field and value.
 */
export interface FindingSubject {
  /** namespace/name. */
  readonly service: string;
  /** The configured region, else the region label's value; absent without a label. */
  readonly region?: string;
  readonly field?: AddressField;
  /** Index in a list field (clusterIPs, externalIPs). */
  readonly index?: number;
  /** The value as written. */
  readonly address?: string;
}

/** One problem, located exactly. Every face (CLI, language server) renders these. */
export interface Finding {
  readonly rule: string;
  readonly severity: Severity;
  readonly file: string;
  readonly range: SourceRange;
  readonly message: string;
  readonly related: readonly RelatedLocation[];
  /** Undefined for findings about a whole file (yaml-syntax, unreadable-file). */
  readonly subject?: FindingSubject;
}

export function compareFindings(a: Finding, b: Finding): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return (
    a.range.start.line - b.range.start.line ||
    a.range.start.column - b.range.start.column ||
    (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0) ||
    (a.message < b.message ? -1 : a.message > b.message ? 1 : 0)
  );
}
