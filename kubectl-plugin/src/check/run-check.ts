import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import {
  checkManifests,
  compareFindings,
  emptyConfig,
  unreadableFile,
  globMatches,
  isExcluded,
  readManifestFile,
  severityRank,
  type ConfigError,
  type Finding,
  type InputProblem,
  type KubeRoutesConfig,
  type LiveServices,
  type RouteTable,
  type ManifestFile,
  type Severity,
} from '@kube-routes/server/engine';
import {
  collectManifestPaths,
  configFileNames,
  decodeSource,
  helmChartOf,
  loadConfigFile,
} from '@kube-routes/server/node';
import type { ManifestCache } from '@kube-routes/server/manifest-cache';
import { readManifestCached, type ManifestRead } from './cached-read';
import { CachedCheck } from './cached-check';
import { openCheckCache, saveCheckCache, useConfigs } from './check-cache';
import { FolderListings } from './folder-listings';
import { UsageError, type CliIO } from '../cli/io';
import type { RouteSource } from '@kube-routes/server/speaker-client';
import { lazy } from '../cli/lazy';
import { renderKustomization, type Rendered } from './kustomize';

// --bgp and --speaker only: the MRT reader and the speaker client load when asked for.
const routeSource = lazy(() => require('../live/open-route-source') as typeof import('../live/open-route-source'));
const speakerTable = lazy(() => require('./speaker-route-table') as typeof import('./speaker-route-table'));
import type { CheckReport } from '../output/report';

export interface CheckOptions {
  readonly config: string | undefined;
  readonly failOn: Severity;
  readonly maxFileBytes: number;
  /** Globs (relative to the working directory, ** for any depth) of paths to skip; kube-routes.yaml's exclude: adds its own. */
  readonly exclude?: readonly string[];
  /** Kustomization folders (-k) rendered with kubectl kustomize, findings moved to their origin files. */
  readonly kustomize?: readonly string[];
  /** An MRT file loaded in-process instead of a speaker. */
  readonly bgp?: string | undefined;
  /** A kube-routes-speaker API URL: the BGP rules run against its routes. */
  readonly speaker?: string | RouteSource | undefined;
  /** Services of live clusters (--live): the live rules run against them. */
  readonly live?: LiveServices | undefined;
  /** Pools and ServiceCIDRs read from live clusters (--live), checked with every group's manifests. */
  readonly liveFiles?: readonly ManifestFile[];
  /**
   * When set, a speaker that cannot be read is reported here and the BGP rules are left out,
   * instead of ending the check (--live shows what the clusters answered, as kubectl does).
   */
  readonly onRouteSourceError?: (message: string) => void;
  /** --cache: the cache file, and the kube-routes version its key names. */
  readonly cache?: { readonly location: string; readonly version: string } | undefined;
}

/** Config errors end the run with exit code 2; they are printed as file:line:col: message. */
export class ConfigErrors extends Error {
  constructor(readonly errors: readonly ConfigError[]) {
    super(`${errors.length} config error(s)`);
  }
}

const stdinName = '<stdin>';

interface Input {
  /** Absolute path, or stdin. */
  readonly path: string;
  readonly display: string;
  /** A rendered kustomization: its text, and how its findings return to their origin files. */
  readonly rendered?: Rendered;
}

/** Checks PATHs together, each group of files against the kube-routes.yaml that governs it. */
export async function runCheck(
  paths: readonly string[],
  options: CheckOptions,
  io: CliIO,
): Promise<{ report: CheckReport; exitCode: number }> {
  const kustomize = options.kustomize ?? [];
  if (paths.length === 0 && kustomize.length === 0)
    throw new UsageError('no paths given: pass files, directories, -k DIR, or - for standard input');
  const under = io.cwd.endsWith(sep) ? io.cwd : io.cwd + sep;
  const display = (abs: string) => {
    // Most paths are below the working directory (a walk of "."): cut, without path.relative's cost.
    const rel = abs.startsWith(under) && !abs.includes(`${sep}..`) ? abs.slice(under.length) : relative(io.cwd, abs);
    const shown = rel === '' || isAbsolute(rel) ? abs : rel;
    return sep === '/' ? shown : shown.split(sep).join('/');
  };

  // Opened before the walk: it keeps the folder listings.
  const cache = options.cache && openCheckCache(options.cache, options, io);
  const listings = cache && FolderListings.from(cache.annex);
  const collected = collectManifestPaths(
    paths.filter((p) => p !== '-').map((p) => resolve(io.cwd, p)),
    listings,
  );
  if (collected.errors.length > 0) {
    const shown = collected.errors.map((e) => e.replace(io.cwd + sep, ''));
    throw new UsageError(shown.join('\n'));
  }
  const exclude = options.exclude ?? [];
  const excludedByFlag = (shown: string) => {
    if (exclude.length === 0) return false;
    const parts = shown.split('/');
    return exclude.some((g) => parts.some((_, i) => globMatches(g, parts.slice(0, i + 1).join('/'))));
  };
  const inputs: Input[] = collected.files
    .map((p) => ({ path: p, display: display(p) }))
    .filter((input) => !excludedByFlag(input.display));
  if (paths.includes('-')) inputs.push({ path: stdinName, display: stdinName });
  for (const dir of kustomize) {
    const rendered = renderKustomization(dir, io.cwd, display);
    // The kustomization's own folder decides which kube-routes.yaml governs it.
    inputs.push({ path: join(resolve(io.cwd, dir), 'kustomization.yaml'), display: rendered.source.path, rendered });
  }

  if (options.speaker && options.bgp)
    throw new UsageError('--speaker and --bgp are alternatives: pass one route source');
  // One load for every config group.
  const mrtRoutes = options.bgp
    ? (await routeSource().openMrtFile(resolve(io.cwd, options.bgp), options.bgp, (line) => io.stderr(`${line}\n`)))
        .table
    : undefined;
  const groups = groupByConfig(
    inputs,
    options.config ? resolve(io.cwd, options.config) : undefined,
    io.cwd,
    collected.folders,
  );
  const configs = cache && useConfigs(cache, groups.keys());
  // Findings depend on the files alone: unchanged files answer with what the last check found.
  const incremental =
    cache &&
    !mrtRoutes &&
    !options.speaker &&
    !options.live &&
    (options.liveFiles?.length ?? 0) === 0 &&
    kustomize.length === 0 &&
    !paths.includes('-')
      ? new CachedCheck(cache, options.maxFileBytes, CachedCheck.goneKeys(cache, new Set(inputs.map((i) => i.path))))
      : undefined;
  const findings: Finding[] = [];
  let serviceCount = 0;
  for (const [configPath, members] of groups) {
    const config = configPath === undefined ? emptyConfig : loadConfig(configPath, display(configPath));
    if (configPath === undefined) {
      io.stderr(
        `warning: no kube-routes.yaml found above ${members
          .map((m) => m.display)
          .slice(0, 3)
          .join(
            ', ',
          )}${members.length > 3 ? ', ...' : ''}; region rules did not run. Create one, or pass --config FILE.\n`,
      );
    }
    if (incremental) {
      const checked = members.filter((input) => !isExcluded(config, input.display));
      const result = incremental.check(
        checked.map((input) => ({ path: input.path, display: input.display, chart: chartOf(input.path, display) })),
        config,
      );
      findings.push(...result.findings);
      serviceCount += result.serviceCount;
      continue;
    }
    const files: ManifestFile[] = [];
    const problems: InputProblem[] = [];
    for (const input of members) {
      if (input.path !== stdinName && !input.rendered && isExcluded(config, input.display)) continue;
      const read = await readInput(input, cache, options.maxFileBytes, io, display);
      if ('problem' in read) problems.push(unreadableFile(input.display, read.problem));
      else files.push(read.file);
    }
    const routes =
      mrtRoutes ??
      (options.speaker ? await speakerRoutes(options.speaker, files, options.onRouteSourceError) : undefined);
    files.push(...(options.liveFiles ?? []));
    const result = checkManifests(files, config, { inputProblems: problems, routes, live: options.live });
    const mappers = new Map(members.flatMap((m) => (m.rendered ? [[m.display, m.rendered.mapFinding] as const] : [])));
    findings.push(...result.findings.map((f) => mappers.get(f.file)?.(f) ?? f));
    serviceCount += result.serviceCount;
  }
  if (kustomize.length > 0 || (options.liveFiles?.length ?? 0) > 0) {
    // Overlays rendering one base move their findings to the same place, live pools are checked
    // with every config group: keep one of each.
    const seen = new Set<string>();
    const unique = findings.filter((f) => {
      const key = `${f.rule} ${f.file} ${f.range.start.line}:${f.range.start.column} ${f.message}`;
      return !seen.has(key) && seen.add(key);
    });
    findings.length = 0;
    findings.push(...unique.sort(compareFindings));
  }
  if (cache) {
    // A check with route state or live clusters records nothing: the next one checks every file.
    if (incremental) incremental.finish();
    else cache.retainMeta(new Set());
    const problem = saveCheckCache(cache, configs ?? '', listings ?? FolderListings.from(undefined));
    if (problem) io.stderr(`${problem}\n`);
  }
  const failing = findings.some((f) => severityRank[f.severity] >= severityRank[options.failOn]);
  return { report: { findings, fileCount: inputs.length, serviceCount }, exitCode: failing ? 1 : 0 };
}

async function readInput(
  input: Input,
  cache: ManifestCache | undefined,
  maxFileBytes: number,
  io: CliIO,
  display: (abs: string) => string,
): Promise<ManifestRead> {
  if (input.rendered) return { file: readManifestFile(input.rendered.source) };
  if (input.path === stdinName) {
    const read = decodeSource(await io.readStdin(), stdinName, maxFileBytes);
    return 'problem' in read ? read : { file: readManifestFile(read.source) };
  }
  return readManifestCached(cache, input.path, input.display, maxFileBytes, chartOf(input.path, display));
}

/** The Helm chart a file is a template of, as findings name it. */
function chartOf(path: string, display: (abs: string) => string): string | undefined {
  const chart = helmChartOf(path);
  return chart && display(chart);
}

async function speakerRoutes(
  speaker: string | RouteSource,
  files: readonly ManifestFile[],
  onError: ((message: string) => void) | undefined,
): Promise<RouteTable | undefined> {
  try {
    return await speakerTable().speakerRouteTable(speaker, files);
  } catch (e) {
    if (!onError || !(e instanceof UsageError)) throw e;
    onError(`${e.message}; the BGP rules did not run`);
    return undefined;
  }
}

function loadConfig(path: string, display: string): KubeRoutesConfig {
  const parsed = loadConfigFile(path, display);
  if (!parsed.config) throw new ConfigErrors(parsed.errors);
  return parsed.config;
}

/** Files governed by the same config are checked together; the key is the config path. */
function groupByConfig(
  inputs: readonly Input[],
  explicit: string | undefined,
  cwd: string,
  walked: ReadonlyMap<string, string | undefined>,
): Map<string | undefined, Input[]> {
  const groups = new Map<string | undefined, Input[]>();
  const byDir = new Map<string, string | undefined>();
  // Folders share their parents: each folder is looked at once, not once per folder below it.
  const configOf = (dir: string): string | undefined => {
    if (byDir.has(dir)) return byDir.get(dir);
    const parent = dirname(dir);
    // The walk saw what the folders it listed hold; only the others are looked at here.
    const here = walked.has(dir)
      ? walked.get(dir)
      : configFileNames.map((name) => join(dir, name)).find((p) => existsSync(p));
    const found = here ?? (parent === dir ? undefined : configOf(parent));
    byDir.set(dir, found);
    return found;
  };
  for (const input of inputs) {
    let config = explicit;
    if (config === undefined) config = configOf(input.path === stdinName ? cwd : dirname(input.path));
    const group = groups.get(config);
    if (group) group.push(input);
    else groups.set(config, [input]);
  }
  return groups;
}
