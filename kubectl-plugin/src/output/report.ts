import type { Finding, Severity } from '@kube-routes/server/engine';

/** What a check run produced, for every output format. */
export interface CheckReport {
  readonly findings: readonly Finding[];
  readonly fileCount: number;
  readonly serviceCount: number;
}

export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}
