import { compareFindings, type Finding } from './findings';
import { poolsLinkKey } from './link-keys';

// An incremental check: after a few files changed, only the files whose findings can change are
// checked again, with every file their findings depend on; the others keep the findings of the
// last check. Files are coupled only through link keys (link-keys.ts, the rule table's
// `crossFile`), so the result is the full check's, in the same order.

/** What a check found about one file: enough to answer the next check while the file is unchanged. */
export interface FileRecord {
  /** Its link keys (none for a file that could not be read). */
  readonly keys: readonly string[];
  readonly services: number;
  /** The findings about it, in the check's order. */
  readonly findings: readonly Finding[];
}

/** One file of an incremental check, in input order. */
export interface RecheckInput {
  /** As findings name it (the display path). */
  readonly file: string;
  /** Its record from the last check, when the file has not changed since. */
  readonly unchanged: FileRecord | undefined;
  /** Its link keys now. */
  readonly keys: readonly string[];
  /** A changed file's link keys at the last check, when it was in it. */
  readonly before?: readonly string[] | undefined;
  readonly services: number;
}

/** The record of a file with no keys, Services or findings (most files of a GitOps tree): one object for all. */
const emptyRecord: FileRecord = Object.freeze({ keys: Object.freeze([]), services: 0, findings: Object.freeze([]) });
const noFindings: readonly Finding[] = Object.freeze([]);

export type RecheckPlan =
  /** A pool changed, or nothing is known of the last check: check everything. */
  | { readonly all: true }
  | {
      readonly all: false;
      /** Inputs whose findings are computed again. */
      readonly recheck: ReadonlySet<number>;
      /**
       * The inputs to check, in input order (the order of related locations follows it): those
       * to recheck, every input sharing a key with them, and the pool files.
       */
      readonly model: readonly number[];
    };

/**
 * Which inputs to check again: the changed ones and every input sharing a key (old or new) with a
 * changed or gone file (its findings may mention it); checked together with every input sharing a
 * key with those, so their findings are complete. `gone` holds the keys of files that were in the
 * last check and are no longer inputs.
 */
export function planRecheck(inputs: readonly RecheckInput[], gone: readonly (readonly string[])[]): RecheckPlan {
  // Nothing recorded (a cold run): every input is checked anyway, so no key sets are built.
  if (!inputs.some((input) => input.unchanged)) return { all: true };
  const changedKeys = new Set<string>(gone.flat());
  const recheck = new Set<number>();
  inputs.forEach((input, i) => {
    if (input.unchanged) return;
    recheck.add(i);
    for (const key of input.keys) changedKeys.add(key);
    for (const key of input.before ?? []) changedKeys.add(key);
  });
  // A pool widens or narrows the pools of every Service under its config.
  if (changedKeys.has(poolsLinkKey)) return { all: true };
  addHolders(inputs, changedKeys, recheck);
  const modelKeys = new Set<string>([poolsLinkKey]);
  for (const i of recheck) for (const key of inputs[i]?.keys ?? []) modelKeys.add(key);
  const model = new Set(recheck);
  addHolders(inputs, modelKeys, model);
  return { all: false, recheck, model: [...model].sort((a, b) => a - b) };
}

function addHolders(inputs: readonly RecheckInput[], keys: ReadonlySet<string>, into: Set<number>): void {
  if (keys.size === 0) return;
  inputs.forEach((input, i) => {
    if (!into.has(i) && input.keys.some((k) => keys.has(k))) into.add(i);
  });
}

export interface RecheckResult {
  /** Every input's findings, sorted as checkManifests sorts them. */
  readonly findings: readonly Finding[];
  readonly serviceCount: number;
  /**
   * Each input's record for the next check, or undefined when a finding named no input (it
   * could not be kept with a file): the next check must then check everything.
   */
  readonly records: readonly FileRecord[] | undefined;
}

/**
 * The whole check's result from the findings of the rechecked inputs (a check of the plan's
 * model, or of everything) and the records of the others.
 */
export function completeRecheck(
  inputs: readonly RecheckInput[],
  recheck: ReadonlySet<number> | 'all',
  findings: readonly Finding[],
): RecheckResult {
  const byFile = new Map<string, number>();
  inputs.forEach((input, i) => byFile.set(input.file, i));
  const fresh = new Map<number, Finding[]>();
  let named = true;
  const extra: Finding[] = [];
  for (const finding of findings) {
    const i = byFile.get(finding.file);
    if (i === undefined) {
      named = false;
      extra.push(finding);
      continue;
    }
    if (recheck !== 'all' && !recheck.has(i)) continue;
    const list = fresh.get(i);
    if (list) list.push(finding);
    else fresh.set(i, [finding]);
  }
  const records = inputs.map((input, i): FileRecord => {
    if (input.unchanged && recheck !== 'all' && !recheck.has(i)) return input.unchanged;
    const findings = fresh.get(i);
    if (!findings && input.keys.length === 0 && input.services === 0) return emptyRecord;
    return { keys: input.keys, services: input.services, findings: findings ?? noFindings };
  });
  // Sorting is stable, and each file's findings keep the order its check gave them.
  const all = [...records.flatMap((r) => r.findings), ...extra].sort(compareFindings);
  return {
    findings: all,
    serviceCount: records.reduce((n, r) => n + r.services, 0),
    records: named ? records : undefined,
  };
}
