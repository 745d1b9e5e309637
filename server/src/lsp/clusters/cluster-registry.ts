import {
  indexLiveServices,
  type IpAddress,
  type KubeRoutesConfig,
  type LiveAllocation,
  type LiveServices,
} from '@kube-routes/server/engine';
import type { ContextStatus, ContextWatch } from './context-watch';

// The live clusters of the workspace's config groups: one ContextWatch per (kubeconfig,
// context), shared by every config group that reads the same context, so a cluster is listed
// and watched once however many kube-routes.yaml files name it.

export interface ClusterContext {
  readonly context: string;
  /** Where it is named: "regions.nyc3.contexts of kube-routes.yaml", "the kubeRoutes.contexts setting". */
  readonly origin: string;
}

export interface ClusterSpec {
  /** Undefined: $KUBECONFIG, else ~/.kube/config. */
  readonly kubeconfig: string | undefined;
  readonly contexts: readonly ClusterContext[];
}

export interface ClusterRegistryEvents {
  /** Live owners changed for these addresses of the files under these configs. */
  changed(configPaths: readonly (string | undefined)[], addressKeys: readonly string[]): void;
  outage(message: string): void;
  recovered(message: string): void;
}

export interface ContextState {
  readonly context: string;
  readonly status: ContextStatus;
}

const watchKey = (kubeconfig: string | undefined, context: string) => `${kubeconfig ?? ''}\u0000${context}`;
const specKey = (spec: ClusterSpec) =>
  `${spec.kubeconfig ?? ''}\u0000${spec.contexts.map((c) => c.context).join('\u0000')}`;

/** A config group's live clusters, as the checker and the features consult them. */
export class LiveClusters {
  private cached:
    | { readonly versions: string; readonly config: KubeRoutesConfig; readonly live: LiveServices | undefined }
    | undefined;

  constructor(
    readonly key: string,
    readonly watches: readonly ContextWatch[],
  ) {}

  /**
   * The engine's view: the Services of every context read at least once (the last known ones
   * while a context is down); undefined while none was ever read, so cluster-ip-allocated
   * invents nothing for a context it knows nothing about.
   */
  liveServices(config: KubeRoutesConfig): LiveServices | undefined {
    const versions = this.watches.map((w) => w.version).join(',');
    if (this.cached?.versions === versions && this.cached.config === config) return this.cached.live;
    const read = this.watches.filter((w) => w.liveServices() !== undefined);
    const live =
      read.length === 0
        ? undefined
        : indexLiveServices(
            read.flatMap((w) => w.liveServices() ?? []),
            config,
            `contexts ${read.map((w) => w.context).join(', ')}`,
          );
    this.cached = { versions, config, live };
    return live;
  }

  /** Every live Service holding the address, in the contexts' order. */
  owners(config: KubeRoutesConfig, address: IpAddress): readonly LiveAllocation[] {
    return this.liveServices(config)?.allocatedTo(address) ?? [];
  }

  states(): ContextState[] {
    return this.watches.map((w) => ({ context: w.context, status: w.status }));
  }
}

export class ClusterRegistry {
  private readonly watches = new Map<string, ContextWatch>();
  private readonly groups = new Map<string | undefined, LiveClusters>();
  private pollMs = 30_000;

  constructor(private readonly events: ClusterRegistryEvents) {}

  /** The live clusters of a config group (undefined without contexts), created on first use. */
  forGroup(configPath: string | undefined, spec: ClusterSpec | undefined): LiveClusters | undefined {
    if (!spec || spec.contexts.length === 0) {
      this.groups.delete(configPath);
      return undefined;
    }
    const key = specKey(spec);
    const existing = this.groups.get(configPath);
    if (existing?.key === key) return existing;
    const seen = new Set<string>();
    const watches: ContextWatch[] = [];
    for (const c of spec.contexts) {
      if (seen.has(c.context)) continue;
      seen.add(c.context);
      watches.push(this.watch(spec.kubeconfig, c));
    }
    const view = new LiveClusters(key, watches);
    this.groups.set(configPath, view);
    return view;
  }

  /** How often to list a context whose watch cannot be opened; retries after an outage start at a second (or this, when shorter). */
  setPolling(seconds: number): void {
    this.pollMs = seconds > 0 ? seconds * 1000 : 30_000;
  }

  /** Stops watching contexts no config group reads any more. */
  prune(): void {
    const used = new Set<ContextWatch>();
    for (const view of this.groups.values()) for (const w of view.watches) used.add(w);
    for (const [key, w] of this.watches) {
      if (used.has(w)) continue;
      w.dispose();
      this.watches.delete(key);
    }
  }

  dispose(): void {
    for (const w of this.watches.values()) w.dispose();
    this.watches.clear();
    this.groups.clear();
  }

  private watch(kubeconfig: string | undefined, c: ClusterContext): ContextWatch {
    const key = watchKey(kubeconfig, c.context);
    const existing = this.watches.get(key);
    if (existing) return existing;
    let watch: ContextWatch | undefined;
    const groupsReading = () =>
      [...this.groups]
        .filter(([, view]) => watch !== undefined && view.watches.includes(watch))
        .map(([configPath]) => configPath);
    // Loaded on the first cluster a config names (the Kubernetes client is large; most workspaces name none).
    const { ContextWatch } = require('./context-watch') as typeof import('./context-watch');
    watch = new ContextWatch(
      { kubeconfig, context: c.context, origin: c.origin, pollMs: this.pollMs, retryMs: Math.min(1_000, this.pollMs) },
      {
        changed: (addressKeys) => this.events.changed(groupsReading(), addressKeys),
        outage: (message) => this.events.outage(message),
        recovered: (message) => this.events.recovered(message),
      },
    );
    this.watches.set(key, watch);
    return watch;
  }
}
