import {
  checkManifests,
  completeRecheck,
  type FileRecord,
  type Finding,
  type InputProblem,
  type KubeRoutesConfig,
  linkKeys,
  type ManifestFile,
  planRecheck,
  type RecheckInput,
  unreadableFile,
} from '@kube-routes/server/engine';
import type { ManifestCache } from '@kube-routes/server/manifest-cache';
import { type ManifestProbe, type ManifestRead, probeManifest, readManifestCached } from './cached-read';

/** A file of a config group: its absolute path, its display path, its Helm chart if it is a template. */
export interface CachedInput {
  readonly path: string;
  readonly display: string;
  readonly chart: string | undefined;
}

/** The last check's record of a file, as kept in its cache entry's meta. */
function recordOf(meta: unknown): FileRecord | undefined {
  if (typeof meta !== 'object' || meta === null) return undefined;
  const { keys, services, findings } = meta as Record<string, unknown>;
  return Array.isArray(keys) && typeof services === 'number' && Array.isArray(findings)
    ? (meta as FileRecord)
    : undefined;
}

/**
 * `check --cache` without route state or live clusters: each unchanged file answers with the
 * findings the last check recorded for it, and only the changed files and those sharing a link
 * key with them are checked again (with the files their findings depend on). The result is the
 * full check's, in the same order; the records are written back to the cache entries.
 */
export class CachedCheck {
  /** Entries that hold this run's records (every other entry's record is dropped at the end). */
  private readonly recorded = new Set<string>();
  private complete = true;

  constructor(
    private readonly cache: ManifestCache,
    private readonly maxFileBytes: number,
    /** Keys of the files of the last check that are inputs no longer. */
    private readonly gone: readonly (readonly string[])[],
  ) {}

  /**
   * The records of files that were in the last check and are not inputs now (deleted, renamed,
   * excluded): their keys lead to the files whose findings named them.
   */
  static goneKeys(cache: ManifestCache, inputs: ReadonlySet<string>): string[][] {
    const gone: string[][] = [];
    for (const path of cache.paths()) {
      if (inputs.has(path)) continue;
      const record = recordOf(cache.meta(path));
      if (record) gone.push([...record.keys]);
    }
    return gone;
  }

  check(
    members: readonly CachedInput[],
    config: KubeRoutesConfig,
  ): { findings: readonly Finding[]; serviceCount: number } {
    const probes = members.map((m) => this.probe(m));
    const inputs = members.map((m, i) => recheckInput(m, probes[i] as ManifestProbe));
    const plan = planRecheck(inputs, this.gone);
    const model = plan.all ? members.map((_, i) => i) : plan.model;
    const files: ManifestFile[] = [];
    const problems: InputProblem[] = [];
    for (const i of model) {
      const member = members[i] as CachedInput;
      const read = this.manifestOf(member, probes[i] as ManifestProbe);
      if ('problem' in read) problems.push(unreadableFile(member.display, read.problem));
      else files.push(read.file);
    }
    const checked = checkManifests(files, config, { inputProblems: problems });
    const result = completeRecheck(inputs, plan.all ? 'all' : plan.recheck, checked.findings);
    if (!result.records) this.complete = false;
    members.forEach((m, i) => {
      const probe = probes[i] as ManifestProbe;
      if (!('hit' in probe) && !probe.cached) return;
      this.cache.setMeta(m.path, result.records?.[i]);
      this.recorded.add(m.path);
    });
    return result;
  }

  /** Drops the records of entries that were not inputs of this check (or all of them, if it kept none). */
  finish(): void {
    this.cache.retainMeta(this.complete ? this.recorded : new Set());
  }

  private probe(member: CachedInput): ManifestProbe {
    const probe = probeManifest(this.cache, member.path, member.display, this.maxFileBytes, member.chart);
    if (!('hit' in probe) || recordOf(probe.hit.meta)) return probe;
    // In the cache but not in the last check: as good as new.
    return { ...this.manifestOf(member, probe), before: undefined, cached: true };
  }

  private manifestOf(member: CachedInput, probe: ManifestProbe): ManifestRead {
    if (!('hit' in probe)) return probe;
    const file = probe.hit.file();
    return file
      ? { file }
      : readManifestCached(this.cache, member.path, member.display, this.maxFileBytes, member.chart);
  }
}

function recheckInput(member: CachedInput, probe: ManifestProbe): RecheckInput {
  if ('hit' in probe) {
    // probe() left only hits with a record.
    const record = recordOf(probe.hit.meta) as FileRecord;
    return { file: member.display, unchanged: record, keys: record.keys, services: record.services };
  }
  const before = recordOf(probe.before)?.keys;
  if ('problem' in probe) return { file: member.display, unchanged: undefined, keys: [], before, services: 0 };
  return {
    file: member.display,
    unchanged: undefined,
    keys: linkKeys(probe.file),
    before,
    services: probe.file.services.length,
  };
}
