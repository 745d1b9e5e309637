import { existsSync, statSync } from 'node:fs';
import { dirname, resolve, relative, isAbsolute, sep } from 'node:path';
import {
  buildModel,
  checkManifests,
  isExcluded,
  readManifestFile,
  regionOfContext,
  type CheckModel,
  type Finding,
  type ManifestFile,
  type VantageRoute,
} from '@kube-routes/server/engine';
import { isVantageSource } from '@kube-routes/server/speaker-client';
import { collectManifestPaths, findConfigFile, helmChartOf, readSourceFile } from '@kube-routes/server/node';
import type { ClusterService } from '@kube-routes/server/kube';
import { jsonFinding } from '../output/json';
import { UsageError, type CliIO } from '../cli/io';
import { LiveConfigErrors, LiveRun } from '../live/live-run';
import type { LiveFlags } from '../live/flags';
import { listServices } from '../live/services';
import { formatAsPath } from '../live/service-view';
import {
  explainRoutes,
  liveInstances,
  manifestInstances,
  otherOwners,
  type DeclaredPools,
  type ExplainedInstance,
  type Explanation,
  type ExplainRouteState,
  type ExplainedPath,
} from './explanation';
import { clusterRanges } from '../live/check-live';

// `kubectl routes explain NAMESPACE/NAME`: one Service from manifests (-f) and/or live contexts,
// its region and where that came from, each address with its source and pool, the routes and
// verdicts, the other owners of its addresses, and its findings.

export interface ExplainFlags extends LiveFlags {
  readonly filename: string[];
}

function readManifests(run: LiveRun, paths: readonly string[]): ManifestFile[] {
  const { io } = run;
  const collected = collectManifestPaths(paths.map((p) => resolve(io.cwd, p)));
  if (collected.errors.length > 0) throw new UsageError(collected.errors.join('\n'));
  const display = (abs: string) => {
    const rel = relative(io.cwd, abs);
    return (rel === '' || isAbsolute(rel) ? abs : rel).split(sep).join('/');
  };
  const files: ManifestFile[] = [];
  for (const path of collected.files) {
    if (isExcluded(run.config, display(path))) continue;
    const read = readSourceFile(path, display(path));
    if (!('source' in read)) continue;
    const chart = helmChartOf(path);
    files.push(readManifestFile(read.source, chart === undefined ? undefined : display(chart)));
  }
  return files;
}

export async function runExplain(run: LiveRun, target: string, flags: ExplainFlags): Promise<number> {
  const { io } = run;
  const [namespace, name] = target.includes('/') ? target.split('/', 2) : ['default', target];
  if (!namespace || !name) throw new UsageError(`invalid Service "${target}": expected NAMESPACE/NAME`);
  const id = `${namespace}/${name}`;

  let model: CheckModel | undefined;
  let findings: Finding[] = [];
  if (flags.filename.length > 0) {
    const files = readManifests(run, flags.filename);
    model = buildModel(files, run.config);
    findings = checkManifests(files, run.config).findings.filter((f) => f.subject?.service === id);
  }
  let live: ClusterService[] = [];
  let livePools: DeclaredPools = [];
  const useClusters = flags.filename.length === 0 || flags.context.length > 0 || flags.allContexts;
  if (useClusters) {
    const clients = await run.clients(await run.contexts(true));
    const lists = await run.eachContext(clients, (c) =>
      listServices(c, { allNamespaces: true, names: [], namespace: undefined, selector: undefined }),
    );
    live = [...lists.values()].flatMap((l) => l.items);
    // Each context's pools, in its region: an address's pool is named even without manifests.
    const label = run.config.regionLabels[0];
    const ranges = await run.eachContext(clients, (c) =>
      clusterRanges(c, regionOfContext(run.config, c.context), label),
    );
    livePools = buildModel([...ranges.values()], run.config).pools;
  }
  const declared = [...(model?.pools ?? []), ...livePools];
  const mine = live.filter((s) => s.namespace === namespace && s.name === name);
  const instances: ExplainedInstance[] = [
    ...(model ? manifestInstances(model, id, declared) : []),
    ...liveInstances(run.config, mine, declared),
  ];
  if (instances.length === 0) {
    io.stderr(
      `error: Service ${id} not found in ${flags.filename.length > 0 ? flags.filename.join(', ') : ''}${flags.filename.length > 0 && useClusters ? ' or ' : ''}${useClusters ? 'the contexts read' : ''}\n`,
    );
    run.finish(2);
    return 2;
  }
  const source = await run.routeSource();
  let routes: ExplainRouteState | undefined;
  if (source) {
    const vantages = isVantageSource(source) ? source : undefined;
    const answers = new Map<string, readonly VantageRoute[]>();
    routes = { answers, regions: vantages?.regions ?? [], unreachable: [] };
    for (const ip of new Set(instances.flatMap((i) => i.addresses.map((a) => a.ip)))) {
      try {
        answers.set(
          ip,
          vantages ? await vantages.lookupEach(ip) : [{ vantage: undefined, route: await source.lookup(ip) }],
        );
      } catch (e) {
        run.record(e);
        routes = undefined;
        break;
      }
    }
    if (routes && vantages) routes = { ...routes, unreachable: vantages.unreachable() };
  }
  const explanation: Explanation = {
    apiVersion: 'kube-routes/v1',
    kind: 'ServiceExplanation',
    service: id,
    instances,
    routes: explainRoutes(model?.config ?? run.config, instances, routes),
    otherOwners: otherOwners(id, instances, model, live, run.config),
    findings,
    routeSource: source?.label,
  };
  // JSON findings as check -o json prints them: 1-based lines and columns.
  const json = {
    ...explanation,
    findings: findings.map(jsonFinding),
  };
  io.stdout(flags.output === 'json' ? `${JSON.stringify(json, null, 2)}\n` : formatExplanation(explanation));
  return run.finish(findings.some((f) => f.severity === 'error') ? 1 : 0);
}

function formatExplanation(e: Explanation): string {
  const out: string[] = [`Service ${e.service}`];
  for (const i of e.instances) {
    out.push(`  ${i.origin}: region ${i.region ?? '<none>'} (from ${i.regionFrom})`);
    for (const a of i.addresses)
      out.push(
        `    ${a.source} ${a.ip} at ${a.at}: ${a.pools.length > 0 ? `in ${a.pools.join(', ')}` : 'in no configured range or pool'}`,
      );
  }
  out.push(`Routes${e.routeSource ? ` (${e.routeSource})` : ': no route state (pass --bgp FILE or --speaker URL)'}:`);
  const pathLine = (indent: string, p: ExplainedPath) =>
    `${indent}peer ${p.peer} next hop ${p.nextHop || '<none>'} AS path ${formatAsPath({ asPath: p.asPath } as Parameters<typeof formatAsPath>[0]) || '<empty>'} origin AS${p.originAs ?? '?'} (region ${p.originRegion ?? '<none>'})`;
  for (const r of e.routes) {
    out.push(`  ${r.ip}: ${r.verdict}${r.prefix ? ` via ${r.prefix}` : ''}${r.vantages ? ' (all regions)' : ''}`);
    // Per region's speaker: what each vantage sees, with its own verdict.
    if (r.vantages) {
      for (const v of r.vantages) {
        out.push(`    seen from region ${v.region}: ${v.verdict}${v.prefix ? ` via ${v.prefix}` : ''}`);
        for (const p of v.paths) out.push(pathLine('      ', p));
      }
    } else for (const p of r.paths) out.push(pathLine('    ', p));
  }
  out.push(`Other owners:${e.otherOwners.length === 0 ? ' none' : ''}`);
  for (const o of e.otherOwners)
    out.push(`  ${o.ip}: Service ${o.service} (region ${o.region ?? '<none>'}) at ${o.at}`);
  out.push(`Findings:${e.findings.length === 0 ? ' none' : ''}`);
  for (const f of e.findings)
    out.push(
      `  ${f.file}:${f.range.start.line + 1}:${f.range.start.column + 1}: ${f.severity} ${f.rule}: ${f.message}`,
    );
  return `${out.join('\n')}\n`;
}

function configAbove(path: string): string | undefined {
  let dir = path;
  try {
    if (!statSync(path).isDirectory()) dir = dirname(path);
  } catch {
    dir = dirname(path);
  }
  return findConfigFile(dir, existsSync);
}

/** The explain command's action: loaded when explain runs (see cli/lazy.ts). */
export async function explainAction(
  io: CliIO,
  given: ExplainFlags,
  target: string,
  setExitCode: (code: number) => void,
): Promise<void> {
  // With manifests, the config is the one that governs them (as for check), unless --config says.
  const first = given.filename[0];
  const nearest = given.config === undefined && first !== undefined ? configAbove(resolve(io.cwd, first)) : undefined;
  const flags: ExplainFlags = nearest ? { ...given, config: nearest } : given;
  let run: LiveRun;
  try {
    run = LiveRun.open(flags, io);
  } catch (e) {
    if (!(e instanceof LiveConfigErrors)) throw e;
    for (const err of e.errors)
      io.stderr(`${err.file}:${err.range.start.line + 1}:${err.range.start.column + 1}: ${err.message}\n`);
    setExitCode(2);
    return;
  }
  setExitCode(await runExplain(run, target, flags));
}
