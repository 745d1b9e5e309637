import type { ConfigError, Finding, SourceRange } from '@kube-routes/server/engine';

const pos = (r: SourceRange) => `${r.start.line + 1}:${r.start.column + 1}-${r.end.line + 1}:${r.end.column + 1}`;

/** One line per finding with its exact range, related locations indented: readable snapshots. */
export function renderFindings(findings: readonly Finding[]): string {
  if (findings.length === 0) return '(no findings)\n';
  const lines: string[] = [];
  for (const f of findings) {
    lines.push(`${f.file}:${pos(f.range)} ${f.severity} ${f.rule}: ${f.message}`);
    for (const r of f.related) lines.push(`    ${r.file}:${pos(r.range)} ${r.message}`);
  }
  return `${lines.join('\n')}\n`;
}

export function renderConfigErrors(errors: readonly ConfigError[]): string {
  if (errors.length === 0) return '(valid)\n';
  return `${errors.map((e) => `${e.file}:${pos(e.range)} ${e.message}`).join('\n')}\n`;
}
