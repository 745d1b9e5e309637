import type { KubeRoutesConfig } from './config/model';
import { compareFindings, type Finding, type FindingSubject, type Severity } from './findings';
import type { ManifestFile } from './manifest/model';
import type { LiveServices } from './live-services';
import type { RouteTable } from './route-state';
import { buildModel } from './rules/model';
import { rules, rulesById } from './rules';
import { yamlSyntax } from './rules/input-rules';
import type { RelatedReport, ReportedLocation } from './rules/rule';
import { emptyRange } from './source';

export interface CheckResult {
  readonly findings: readonly Finding[];
  readonly serviceCount: number;
}

/** A finding produced outside the rules (e.g. a file that could not be read), before overrides. */
export interface InputProblem {
  readonly rule: 'yaml-syntax' | 'unreadable-file';
  readonly at: ReportedLocation;
  readonly message: string;
}

/** A file that could not be read, as the finding every face reports for it. */
export function unreadableFile(file: string, message: string): InputProblem {
  return { rule: 'unreadable-file', at: { file, range: emptyRange }, message };
}

/**
 * Checks all manifest files together (so conflicts across files are found) against one config.
 * Pure: the same files and config always give the same, sorted findings.
 */
export interface CheckOptions {
  /** Files that could not be read, reported as findings. */
  readonly inputProblems?: readonly InputProblem[];
  /** Route state for the BGP rules. */
  readonly routes?: RouteTable;
  /** Services of live clusters, for the live rules (cluster-ip-allocated). */
  readonly live?: LiveServices;
  /**
   * Only the rules that need no other file (not `crossFile`): what one file alone can be told
   * for sure, before the rest of its workspace is read.
   */
  readonly fileRulesOnly?: boolean;
}

export function checkManifests(
  files: readonly ManifestFile[],
  config: KubeRoutesConfig,
  options: CheckOptions = {},
): CheckResult {
  const { inputProblems = [], routes, live, fileRulesOnly = false } = options;
  const findings: Finding[] = [];
  const suppressed = suppressionIndex(files);
  // One finding per problem and position, however many paths lead a rule to it.
  const seen = new Set<string>();
  const emit = (
    ruleId: string,
    defaultSeverity: Severity,
    at: ReportedLocation & { readonly subject?: FindingSubject | undefined },
    message: string,
    related: readonly RelatedReport[] = [],
  ) => {
    const setting = config.ruleSeverities.get(ruleId) ?? defaultSeverity;
    if (setting === 'off') return;
    const lineRules = suppressed.get(at.file)?.get(at.range.start.line);
    if (lineRules && (lineRules.size === 0 || lineRules.has(ruleId))) return;
    const { start, end } = at.range;
    const key = `${ruleId}\u0000${at.file}\u0000${start.line}:${start.column}-${end.line}:${end.column}\u0000${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    findings.push({
      rule: ruleId,
      severity: setting,
      file: at.file,
      range: at.range,
      message,
      related,
      ...(at.subject ? { subject: at.subject } : {}),
    });
  };

  for (const p of inputProblems) emit(p.rule, rulesById.get(p.rule)?.defaultSeverity ?? 'error', p.at, p.message);
  for (const file of files) {
    for (const e of file.syntaxErrors)
      emit(
        yamlSyntax.id,
        yamlSyntax.defaultSeverity,
        { file: file.file, range: e.range },
        `${e.message}; the Services in this document are not checked until it parses`,
      );
  }

  const model = buildModel(files, config, routes, live);
  const haveRegions = config.regions.size > 0;
  for (const rule of rules) {
    if (
      !rule.check ||
      (rule.needsRegions && !haveRegions) ||
      (rule.needsRoutes && !routes) ||
      (rule.needsLive && !live) ||
      (rule.crossFile && fileRulesOnly)
    )
      continue;
    rule.check(model, (at, message, related) => emit(rule.id, rule.defaultSeverity, at, message, related));
  }
  findings.sort(compareFindings);
  return { findings, serviceCount: model.services.length };
}

function suppressionIndex(files: readonly ManifestFile[]): Map<string, Map<number, ReadonlySet<string>>> {
  const index = new Map<string, Map<number, ReadonlySet<string>>>();
  for (const file of files) {
    if (file.suppressions.length === 0) continue;
    const lines = new Map<number, ReadonlySet<string>>();
    for (const s of file.suppressions) lines.set(s.line, s.rules);
    index.set(file.file, lines);
  }
  return index;
}
