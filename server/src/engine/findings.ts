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

/** One problem, located exactly. Every face (CLI, language server) renders these. */
export interface Finding {
  readonly rule: string;
  readonly severity: Severity;
  readonly file: string;
  readonly range: SourceRange;
  readonly message: string;
  readonly related: readonly RelatedLocation[];
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
