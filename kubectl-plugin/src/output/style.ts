import type { Severity } from '@kube-routes/server/engine';

export interface Style {
  readonly bold: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly severity: (severity: Severity, s: string) => string;
}

const sgr = (code: string) => (s: string) => `\u001b[${code}m${s}\u001b[0m`;

export function terminalStyle(color: boolean): Style {
  if (!color) return { bold: (s) => s, dim: (s) => s, severity: (_, s) => s };
  const bySeverity: Record<Severity, (s: string) => string> = {
    error: sgr('1;31'),
    warning: sgr('1;33'),
    info: sgr('1;36'),
  };
  return { bold: sgr('1'), dim: sgr('2'), severity: (severity, s) => bySeverity[severity](s) };
}
