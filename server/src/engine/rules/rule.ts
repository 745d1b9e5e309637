import type { FindingSubject, Severity } from '../findings';
import type { SourceRange } from '../source';
import type { LinkKind } from '../link-keys';
import type { CheckModel } from './model';

export interface ReportedLocation {
  readonly file: string;
  readonly range: SourceRange;
}

export interface RelatedReport extends ReportedLocation {
  readonly message: string;
}

/** Where a rule reports, and what about: every rule names its subject. */
export interface FindingAt extends ReportedLocation {
  readonly subject: FindingSubject | undefined;
}

export type Report = (at: FindingAt, message: string, related?: readonly RelatedReport[]) => void;

/** One row of the rule table: identity, docs, and a pure check over the model. */
export interface Rule {
  readonly id: string;
  readonly defaultSeverity: Severity;
  /** One line: what the rule catches. */
  readonly summary: string;
  /** Why it matters and what to do; shown as SARIF help and in hovers. */
  readonly help: string;
  /** Rules that compare against configured regions stay quiet when there are none. */
  readonly needsRegions: boolean;
  /** BGP rules run only when route state (a speaker or an MRT snapshot) is given. */
  readonly needsRoutes?: boolean;
  /** Live-cluster rules run only when live Services are given (kubectl routes check --live). */
  readonly needsLive?: boolean;
  /**
   * Its findings about a file depend on other files (duplicates, pools, a chart's templates,
   * anycast sets): a check of one file alone cannot decide them, so `fileRulesOnly` skips it.
   * The kinds of link key (link-keys.ts) that carry those inputs: files sharing no such key
   * cannot change each other's findings, which the editor and `check --cache` rely on.
   */
  readonly crossFile?: readonly LinkKind[];
  /** Absent for rules whose findings come from reading input (yaml-syntax, unreadable-file). */
  readonly check?: (model: CheckModel, report: Report) => void;
}
