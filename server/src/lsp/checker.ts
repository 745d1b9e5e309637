import {
  checkManifests,
  unreadableFile,
  manifestAddresses,
  parseIpAddress,
  rulesById,
  type Finding,
  type InputProblem,
  type KubeRoutesConfig,
  type LiveServices,
  type ManifestFile,
} from '@kube-routes/server/engine';
import { poolsKey, poolsKeyConfig, type IndexedFile } from './indexed-file';
import type { ManifestIndex } from './manifest-index';
import type { LiveRoutes, WantedAddress } from './route-sources/live-routes';

export interface CheckContext {
  config(configPath: string | undefined): KubeRoutesConfig;
  /** The live route state of the files under a config, if a source is configured. */
  routes(configPath: string | undefined): LiveRoutes | undefined;
  /** The Services of the live clusters the files under a config are checked against, if any were read. */
  live?(configPath: string | undefined, config: KubeRoutesConfig): LiveServices | undefined;
}

/**
 * Runs the engine over the index and keeps the findings per file. A full check of 10,000
 * Services costs ~150 ms, too slow for every keystroke, so an edit re-checks only what it can
 * affect: the rules couple files only through shared addresses (duplicates, conflicts) and
 * shared Service ids (anycast), so the changed files plus the files sharing a key with them
 * (before or after the edit) are the files whose findings can change. Their findings need
 * every file that shares a key with them in the check too; those partners' own findings are
 * not kept, because their other partners were not in the check.
 */
export class Checker {
  private readonly findings = new Map<string, readonly Finding[]>();

  constructor(
    private readonly index: ManifestIndex,
    private readonly context: CheckContext,
  ) {}

  findingsOf(path: string): readonly Finding[] {
    return this.findings.get(path) ?? [];
  }

  /** Re-checks the changed files and every file linked to them by the changed keys; returns the paths re-checked. */
  checkAffected(changedPaths: Iterable<string>, changedKeys: Iterable<string>): Set<string> {
    const affected = new Set<string>();
    for (const path of changedPaths) {
      if (this.index.get(path)) affected.add(path);
      else this.findings.delete(path);
    }
    const keys = [...changedKeys];
    this.index.ownersOf(keys, affected);
    // A pool changed: any Service under its config may enter or leave it, so all of them are re-checked.
    const poolConfigs = new Set(keys.map(poolsKeyConfig).filter((c) => c !== undefined));
    if (poolConfigs.size > 0)
      for (const file of this.index.all()) if (poolConfigs.has(file.configPath ?? '')) affected.add(file.path);
    const checked = new Set(affected);
    for (const path of affected) this.index.ownersOf(this.index.get(path)?.keys ?? [], checked);
    // Pools declared anywhere under a config decide membership and pool-overlap for all its files.
    const configs = new Set([...checked].map((p) => this.index.get(p)?.configPath));
    this.index.ownersOf([...configs].map(poolsKey), checked);
    this.run(checked, affected);
    return affected;
  }

  /**
   * Checks each file alone with the rules that need no other file, while the workspace is still
   * being read: findings the check of the whole workspace keeps (fileRulesOnly), never a guess
   * such as "no duplicate" made before the other files are known.
   */
  checkAlone(paths: Iterable<string>): void {
    for (const path of paths) {
      const file = this.index.get(path);
      if (!file) {
        this.findings.delete(path);
        continue;
      }
      const { findings } = checkManifests(file.manifest ? [file.manifest] : [], this.context.config(file.configPath), {
        inputProblems: file.manifest ? [] : [unreadable(file)],
        fileRulesOnly: true,
      });
      this.findings.set(path, findings);
    }
  }

  /**
   * Re-checks the open documents (only theirs are shown) with every file linked to them, when
   * anything may have changed (the index completed, a config or settings change). Other files'
   * findings are dropped: a file's are computed when it is opened. Checking the whole
   * workspace instead held the server for most of a second on the GitOps bench tree.
   */
  checkOpen(openPaths: Iterable<string>): Set<string> {
    const open = new Set([...openPaths].filter((p) => this.index.get(p)));
    this.findings.clear();
    const checked = new Set(open);
    for (const path of open) this.index.ownersOf(this.index.get(path)?.keys ?? [], checked);
    const configs = new Set([...checked].map((p) => this.index.get(p)?.configPath));
    this.index.ownersOf([...configs].map(poolsKey), checked);
    this.run(checked, open);
    return open;
  }

  private run(checked: ReadonlySet<string>, keep: ReadonlySet<string>): void {
    const groups = new Map<string | undefined, IndexedFile[]>();
    for (const path of checked) {
      const file = this.index.get(path);
      if (!file) continue;
      const group = groups.get(file.configPath);
      if (group) group.push(file);
      else groups.set(file.configPath, [file]);
    }
    for (const [configPath, files] of groups) {
      const byFile = this.checkGroup(configPath, files, keep);
      for (const file of files) if (keep.has(file.path)) this.findings.set(file.path, byFile.get(file.path) ?? []);
    }
  }

  private checkGroup(
    configPath: string | undefined,
    files: readonly IndexedFile[],
    keep: ReadonlySet<string>,
  ): Map<string, Finding[]> {
    const manifests: ManifestFile[] = [];
    const problems: InputProblem[] = [];
    // In path order, as the CLI reads them: the order of related locations and "also used by"
    // lists follows the input order, and must not depend on which files an edit touched first.
    const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    for (const f of sorted) {
      if (f.manifest) manifests.push(f.manifest);
      else problems.push(unreadable(f));
    }
    const live = this.context.routes(configPath);
    if (live) this.askFor(live, manifests, keep);
    const config = this.context.config(configPath);
    const result = checkManifests(manifests, config, {
      inputProblems: problems,
      routes: live?.table(),
      live: this.context.live?.(configPath, config),
    });
    const byFile = new Map<string, Finding[]>();
    for (const finding of result.findings) {
      // A BGP finding about an address the source has never answered for would be a guess
      // ("no route" only because nobody asked yet): hold it back until the answer arrives.
      if (live && rulesById.get(finding.rule)?.needsRoutes && !answered(live, finding)) continue;
      const list = byFile.get(finding.file);
      if (list) list.push(finding);
      else byFile.set(finding.file, [finding]);
    }
    return byFile;
  }

  /** Asks the source for the addresses of kept files it has not answered for. */
  private askFor(live: LiveRoutes, manifests: readonly ManifestFile[], keep: ReadonlySet<string>): void {
    const wanted: WantedAddress[] = [];
    for (const m of manifests) {
      if (!keep.has(m.file)) continue;
      for (const s of m.services) {
        for (const { literal } of manifestAddresses(s)) {
          const address = parseIpAddress(literal.value);
          if (address && !live.known(address.key)) wanted.push({ key: address.key, text: literal.value });
        }
      }
    }
    live.want(wanted);
  }
}

function unreadable(file: IndexedFile): InputProblem {
  return unreadableFile(file.path, file.problem ?? 'cannot read file');
}

/** Whether the source has answered for the address a finding is about. */
function answered(live: LiveRoutes, finding: Finding): boolean {
  const address = finding.subject?.address === undefined ? undefined : parseIpAddress(finding.subject.address);
  return address === undefined || live.known(address.key);
}
