import type { Finding, SourceRange } from '@kube-routes/server/engine';
import { countBySeverity, type CheckReport } from './report';

/** Positions are 1-based; end.column is the column after the last character (as in SARIF). */
export interface JsonRange {
  readonly start: { readonly line: number; readonly column: number };
  readonly end: { readonly line: number; readonly column: number };
}

export interface JsonFinding {
  readonly rule: string;
  readonly severity: 'error' | 'warning' | 'info';
  readonly file: string;
  readonly range: JsonRange;
  readonly message: string;
  readonly related: readonly { readonly file: string; readonly range: JsonRange; readonly message: string }[];
}

export interface JsonCheckResult {
  readonly apiVersion: 'kube-routes/v1';
  readonly kind: 'CheckResult';
  readonly findings: readonly JsonFinding[];
  readonly summary: {
    readonly files: number;
    readonly services: number;
    readonly errors: number;
    readonly warnings: number;
    readonly infos: number;
  };
}

export function jsonRange(range: SourceRange): JsonRange {
  return {
    start: { line: range.start.line + 1, column: range.start.column + 1 },
    end: { line: range.end.line + 1, column: range.end.column + 1 },
  };
}

/** A finding as every JSON answer prints it (check -o json, explain -o json). */
export function jsonFinding(f: Finding): JsonFinding {
  return {
    rule: f.rule,
    severity: f.severity,
    file: f.file,
    range: jsonRange(f.range),
    message: f.message,
    related: f.related.map((r) => ({ file: r.file, range: jsonRange(r.range), message: r.message })),
  };
}

export function formatJson(report: CheckReport): string {
  const counts = countBySeverity(report.findings);
  const result: JsonCheckResult = {
    apiVersion: 'kube-routes/v1',
    kind: 'CheckResult',
    findings: report.findings.map(jsonFinding),
    summary: {
      files: report.fileCount,
      services: report.serviceCount,
      errors: counts.error,
      warnings: counts.warning,
      infos: counts.info,
    },
  };
  return `${JSON.stringify(result, null, 2)}\n`;
}
