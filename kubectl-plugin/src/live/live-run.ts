import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import {
  emptyConfig,
  type ConfigError,
  type IpRange,
  type KubeRoutesConfig,
  type RegionConfig,
} from '@kube-routes/server/engine';
import { findConfigFile, loadConfigFile } from '@kube-routes/server/node';
import { KubeClient, KubeconfigError, KubeError, Kubeconfig } from '@kube-routes/server/kube';
import { UsageError, type CliIO } from '../cli/io';
import { MergedRouteSource, type RouteSource, type Vantage } from '@kube-routes/server/speaker-client';
import type { LiveFlags } from './flags';
import {
  openMrtFile,
  proxiedSpeakerClient,
  speakerClient,
  unavailableSource,
  type SpeakerOrigin,
} from './open-route-source';

// One run of a live command: the region config, the contexts to read, their clients, the route
// source, and every problem met on the way. Problems are collected, not thrown, so the contexts
// that answered are still shown; the run then ends with exit code 2.

/** A config that cannot be parsed ends the command: printed as file:line:col, exit 2. */
export class LiveConfigErrors extends Error {
  constructor(readonly errors: readonly ConfigError[]) {
    super('config errors');
  }
}

export interface ContextTarget {
  readonly context: string;
  /** Where the name came from, when it was not typed: "regions.nyc3.contexts of kube-routes.yaml". */
  readonly origin?: string;
}

export class LiveRun {
  /** One line each; printed by finish(). */
  readonly problems: string[] = [];
  private kubeconfigLoad: Promise<Kubeconfig> | undefined;
  private targets: ContextTarget[] | undefined;

  private constructor(
    readonly io: CliIO,
    readonly flags: LiveFlags,
    readonly config: KubeRoutesConfig,
    readonly configDisplay: string | undefined,
  ) {}

  static open(flags: LiveFlags, io: CliIO): LiveRun {
    const path = flags.config ? resolve(io.cwd, flags.config) : findConfigFile(io.cwd, existsSync);
    if (!path) return new LiveRun(io, flags, emptyConfig, undefined);
    const display = relative(io.cwd, path) || path;
    const parsed = loadConfigFile(path, display);
    if (!parsed.config) throw new LiveConfigErrors(parsed.errors);
    return new LiveRun(io, flags, parsed.config, display);
  }

  kubeconfig(): Promise<Kubeconfig> {
    return (this.kubeconfigLoad ??= Kubeconfig.load(
      this.flags.kubeconfig ? resolve(this.io.cwd, this.flags.kubeconfig) : undefined,
    ).catch((e: unknown) => {
      throw e instanceof KubeconfigError ? new UsageError(`${e.message}; pass --kubeconfig FILE or set KUBECONFIG`) : e;
    }));
  }

  /** The contexts of the config (regions.*.contexts), with where each is listed. */
  configContexts(): ContextTarget[] {
    const out: ContextTarget[] = [];
    for (const region of this.config.regions.values()) {
      for (const context of region.contexts)
        out.push({ context, origin: `regions.${region.name}.contexts of ${this.configDisplay ?? 'kube-routes.yaml'}` });
    }
    return out;
  }

  /** --context and --all-contexts; else all of the config's (when defaultAll and it lists any); else the current context. */
  async contexts(defaultAll: boolean): Promise<ContextTarget[]> {
    if (this.targets) return this.targets;
    const chosen: ContextTarget[] = this.flags.context.map((context) => ({ context }));
    if (this.flags.allContexts) {
      const listed = this.configContexts();
      if (listed.length === 0) {
        throw new UsageError(
          this.configDisplay
            ? `--all-contexts: ${this.configDisplay} lists no contexts; add them under regions.REGION.contexts, or pass --context NAME`
            : '--all-contexts: no kube-routes.yaml found in this folder or above (it lists the contexts under regions.REGION.contexts); pass --config FILE or --context NAME',
        );
      }
      chosen.push(...listed);
    }
    if (chosen.length === 0 && defaultAll) chosen.push(...this.configContexts());
    if (chosen.length === 0) {
      const current = (await this.kubeconfig()).currentContext;
      if (!current)
        throw new UsageError(
          `the kubeconfig ${(await this.kubeconfig()).source} has no current context; pass --context NAME (or --all-contexts)`,
        );
      chosen.push({ context: current });
    }
    const seen = new Set<string>();
    this.targets = chosen.filter((t) => !seen.has(t.context) && seen.add(t.context));
    return this.targets;
  }

  /** A client per context that resolved; the others are recorded as problems. */
  async clients(targets: readonly ContextTarget[]): Promise<KubeClient[]> {
    const kubeconfig = await this.kubeconfig();
    const clients = await Promise.all(
      targets.map(async (t) => {
        try {
          return new KubeClient(await kubeconfig.access(t.context, t.origin));
        } catch (e) {
          this.record(e);
          return undefined;
        }
      }),
    );
    return clients.filter((c): c is KubeClient => c !== undefined);
  }

  /** Runs fn for every context in parallel; the contexts that failed are recorded and left out. */
  async eachContext<T>(
    clients: readonly KubeClient[],
    fn: (client: KubeClient) => Promise<T>,
  ): Promise<Map<string, T>> {
    const settled = await Promise.all(
      clients.map(async (client) => {
        try {
          return { context: client.context, value: await fn(client) };
        } catch (e) {
          this.record(e);
          return undefined;
        }
      }),
    );
    // In the order the contexts were asked, not the order they answered: output is stable.
    return new Map(settled.filter((s) => s !== undefined).map((s) => [s.context, s.value]));
  }

  /**
   * The route source, in order: --speaker URL, --bgp FILE (an MRT dump), every regions.*.speaker
   * of the config (one vantage each, merged), speaker.api of the config (one vantage of no
   * region: read only when no region names a speaker); k8s:// URLs go through the API.
   */
  async routeSource(): Promise<RouteSource | undefined> {
    const { speaker, bgp } = this.flags;
    if (speaker && bgp) throw new UsageError('--speaker and --bgp both give route state; pass one of them');
    if (bgp) return (await openMrtFile(resolve(this.io.cwd, bgp), bgp, (line) => this.io.stderr(`${line}\n`))).client;
    if (speaker?.startsWith('k8s://')) {
      const [first] = await this.contexts(false);
      const [client] = first ? await this.clients([first]) : [];
      if (!client) return undefined;
      return proxiedSpeakerClient(speaker, client);
    }
    if (speaker) return speakerClient(speaker);
    const regional = [...this.config.regions.values()].filter((r) => r.speaker !== undefined);
    if (regional.length > 0) return this.regionalSource(regional);
    const api = this.config.speaker?.api;
    if (!api) return undefined;
    const host = api.host === '0.0.0.0' ? '127.0.0.1' : api.host === '::' ? '::1' : api.host;
    return speakerClient(`http://${host.includes(':') ? `[${host}]` : host}:${api.port}`);
  }

  /**
   * One vantage per region's speaker. A region that cannot be reached (its speaker or its
   * context) is one error line, naming it, and is left out: the other regions still answer.
   */
  private async regionalSource(regions: readonly RegionConfig[]): Promise<RouteSource> {
    const where = this.configDisplay ?? 'kube-routes.yaml';
    const vantages = await Promise.all(
      regions.map(async (r): Promise<Vantage> => {
        const target = r.speaker ?? '';
        const origin: SpeakerOrigin = { where: `regions.${r.name}.speaker of ${where}`, prefix: `region ${r.name}: ` };
        try {
          if (!target.startsWith('k8s://')) return { region: r.name, source: speakerClient(target, origin) };
          // Through the region's own context (one given by --context first): its API server proxies.
          const context = r.contexts.find((c) => this.flags.context.includes(c)) ?? r.contexts[0] ?? '';
          const kubeconfig = await this.kubeconfig();
          const client = new KubeClient(await kubeconfig.access(context, `regions.${r.name}.contexts of ${where}`));
          return { region: r.name, source: proxiedSpeakerClient(target, client, origin) };
        } catch (e) {
          if (!(e instanceof KubeError || e instanceof UsageError)) throw e;
          return { region: r.name, source: unavailableSource(target, e) };
        }
      }),
    );
    return new MergedRouteSource(vantages, {
      annotate: (region, e) => this.naming(region, e),
      unreachable: (_region, e) => this.record(e),
      fail: (message) => new UsageError(message),
    });
  }

  /** A region's failure as one line that names the region. */
  private naming(region: string, e: unknown): unknown {
    if (!(e instanceof KubeError || e instanceof UsageError)) return e;
    return e.message.startsWith(`region ${region}:`) ? e : new UsageError(`region ${region}: ${e.message}`);
  }

  /** The ranges route state is fetched by: every region's clusterIP ranges and pools, and the global pools. */
  zones(): IpRange[] {
    const zones = [...this.config.externalIPPools];
    for (const r of this.config.regions.values()) zones.push(...r.clusterIPRanges, ...r.externalIPPools);
    return zones;
  }

  /**
   * Records an expected failure (a context, the speaker); anything else is a bug and propagates.
   * Once per message: a context that is down fails every read of it (Services, pools), one line says so.
   */
  record(e: unknown): void {
    if (!(e instanceof KubeError || e instanceof UsageError)) throw e;
    if (!this.problems.includes(e.message)) this.problems.push(e.message);
  }

  /**
   * Prints the problems, and a warning when some contexts did not answer; the exit code is 2
   * when anything failed, else ok.
   */
  finish(ok: number, answered?: { readonly count: number; readonly of: number; readonly what?: string }): number {
    for (const p of this.problems) this.io.stderr(`error: ${p}\n`);
    if (this.problems.length === 0) return ok;
    if (answered && answered.count > 0 && answered.count < answered.of) {
      this.io.stderr(
        `warning: ${answered.what ?? 'the results are'} incomplete: ${answered.count} of ${answered.of} context${answered.of === 1 ? '' : 's'} answered\n`,
      );
    }
    return 2;
  }
}
