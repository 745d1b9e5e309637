import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ConfigError, Finding, FindingSubject, Severity, SourceRange } from '@kube-routes/server/engine';
import { DiagnosticSeverity, type Diagnostic, type Range } from 'vscode-languageserver';

export const diagnosticSource = 'kube-routes';
/** The code of kube-routes.yaml's own problems (they come from no rule). */
export const configErrorCode = 'invalid-config';

// The rule docs of the checkout the server runs from (server/dist/src/lsp -> the repository):
// a file:// link always opens, offline, at the same version as the rules that produced the
// finding. An installation without docs/rules.md gets no link rather than a dead one.
const rulesDocPath = resolve(__dirname, '../../../../docs/rules.md');
const rulesDocUri = existsSync(rulesDocPath) ? pathToFileURL(rulesDocPath).href : undefined;

export function ruleDocUrl(rule: string): string | undefined {
  return rulesDocUri && `${rulesDocUri}#${rule}`;
}

const severities: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

/** Engine positions are already 0-based UTF-16, as LSP counts them. */
export function toRange(range: SourceRange): Range {
  return {
    start: { line: range.start.line, character: range.start.column },
    end: { line: range.end.line, character: range.end.column },
  };
}

export function findingToDiagnostic(finding: Finding, uriOf: (path: string) => string): Diagnostic {
  const href = ruleDocUrl(finding.rule);
  return {
    range: toRange(finding.range),
    severity: severities[finding.severity],
    code: finding.rule,
    ...(href ? { codeDescription: { href } } : {}),
    source: diagnosticSource,
    message: finding.message,
    ...(finding.subject ? { data: { subject: finding.subject } satisfies DiagnosticData } : {}),
    ...(finding.related.length > 0
      ? {
          relatedInformation: finding.related.map((r) => ({
            location: { uri: uriOf(r.file), range: toRange(r.range) },
            message: r.message,
          })),
        }
      : {}),
  };
}

/** What a diagnostic carries back to code actions (LSP keeps `data` between publish and request). */
export interface DiagnosticData {
  readonly subject: FindingSubject;
}

const optional = (v: unknown, type: 'string' | 'number') => v === undefined || typeof v === type;

/** The finding's subject, from a diagnostic the client sent back: checked, since any client may send anything. */
export function subjectOf(diagnostic: Diagnostic): FindingSubject | undefined {
  const data: unknown = diagnostic.data;
  if (typeof data !== 'object' || data === null || !('subject' in data)) return undefined;
  const s: unknown = data.subject;
  if (typeof s !== 'object' || s === null) return undefined;
  const r = s as Record<string, unknown>;
  if (typeof r.service !== 'string') return undefined;
  if (!optional(r.region, 'string') || !optional(r.field, 'string') || !optional(r.address, 'string')) return undefined;
  if (!optional(r.index, 'number')) return undefined;
  return s as FindingSubject;
}

export function configErrorToDiagnostic(error: ConfigError): Diagnostic {
  return {
    range: toRange(error.range),
    severity: DiagnosticSeverity.Error,
    code: configErrorCode,
    source: diagnosticSource,
    message: error.message,
  };
}
