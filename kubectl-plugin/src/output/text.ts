import type { SourceRange } from '@kube-routes/server/engine';
import { countBySeverity, type CheckReport } from './report';
import type { Style } from './style';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function at(file: string, range: SourceRange): string {
  return `${file}:${range.start.line + 1}:${range.start.column + 1}`;
}

/** file:line:col: severity rule-id: message, related locations indented below, then a summary. */
export function formatText(report: CheckReport, style: Style): string {
  const out: string[] = [];
  for (const f of report.findings) {
    out.push(
      `${style.bold(at(f.file, f.range))}: ${style.severity(f.severity, f.severity)} ${style.dim(f.rule)}: ${f.message}`,
    );
    for (const r of f.related) out.push(`    ${at(r.file, r.range)}: ${r.message}`);
  }
  const counts = countBySeverity(report.findings);
  const scope = `${plural(report.fileCount, 'file')} (${plural(report.serviceCount, 'Service')})`;
  if (report.findings.length === 0) out.push(`No problems found in ${scope}.`);
  else {
    const files = new Set(report.findings.map((f) => f.file)).size;
    const parts = [plural(counts.error, 'error'), plural(counts.warning, 'warning'), `${counts.info} info`];
    out.push(`${parts.join(', ')} in ${files} of ${scope}.`);
  }
  return `${out.join('\n')}\n`;
}
