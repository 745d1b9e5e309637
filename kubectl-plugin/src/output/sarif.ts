import { pathToFileURL } from 'node:url';
import { rules, type Finding, type Severity, type SourceRange } from '@kube-routes/server/engine';
import type { CheckReport } from './report';

const levels: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

function region(range: SourceRange) {
  return {
    startLine: range.start.line + 1,
    startColumn: range.start.column + 1,
    endLine: range.end.line + 1,
    endColumn: range.end.column + 1,
  };
}

function artifact(file: string) {
  const uri = file.split('/').map(encodeURIComponent).join('/');
  return file.startsWith('/') || file.startsWith('<') ? { uri } : { uri, uriBaseId: '%SRCROOT%' };
}

/** SARIF 2.1.0, with rule metadata from the rule table and paths relative to the working directory. */
export function formatSarif(report: CheckReport, cwd: string, version: string): string {
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const result = (f: Finding) => ({
    ruleId: f.rule,
    ruleIndex: ruleIndex.get(f.rule) ?? -1,
    level: levels[f.severity],
    message: { text: f.message },
    locations: [{ physicalLocation: { artifactLocation: artifact(f.file), region: region(f.range) } }],
    ...(f.related.length > 0
      ? {
          relatedLocations: f.related.map((r, id) => ({
            id,
            message: { text: r.message },
            physicalLocation: { artifactLocation: artifact(r.file), region: region(r.range) },
          })),
        }
      : {}),
  });
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'kube-routes',
            version,
            rules: rules.map((r) => ({
              id: r.id,
              name: r.id.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase()),
              shortDescription: { text: r.summary },
              fullDescription: { text: `${r.summary} ${r.help}` },
              help: { text: r.help },
              defaultConfiguration: { level: levels[r.defaultSeverity] },
            })),
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(cwd.endsWith('/') ? cwd : `${cwd}/`).href } },
        columnKind: 'utf16CodeUnits',
        results: report.findings.map(result),
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
