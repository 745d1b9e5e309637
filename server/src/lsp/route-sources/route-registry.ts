import type { LiveRoutes, LiveRoutesEvents } from './live-routes';
import { routeSourceKey, type RouteSourceSpec } from './route-source-spec';

export interface RegistryEvents {
  /** Answers changed for these addresses of the files under these configs. */
  changed(configPaths: readonly (string | undefined)[], addressKeys: readonly string[]): void;
  outage(message: string): void;
  recovered(message: string): void;
  /** A source could not even be created (a malformed URL); reported once per spec. */
  invalid(message: string): void;
  /** A source's status changed kind (see LiveRoutesEvents). */
  statusChanged(): void;
}

/**
 * One LiveRoutes per configured source, shared by every config that names the same one, so a
 * speaker is asked once per address however many kube-routes.yaml files point at it.
 */
export class RouteRegistry {
  private readonly sources = new Map<string, LiveRoutes>();
  private readonly groups = new Map<string | undefined, string>();
  private readonly reportedInvalid = new Set<string>();
  private pollSeconds = 0;

  constructor(private readonly events: RegistryEvents) {}

  /** The live routes of a config group, created on first use. */
  forGroup(configPath: string | undefined, spec: RouteSourceSpec | undefined): LiveRoutes | undefined {
    if (!spec) {
      this.groups.delete(configPath);
      return undefined;
    }
    const key = routeSourceKey(spec);
    this.groups.set(configPath, key);
    const existing = this.sources.get(key);
    if (existing) return existing;
    let live: LiveRoutes;
    try {
      live = openLiveRoutes(spec, this.sourceEvents(key));
    } catch (e) {
      if (!this.reportedInvalid.has(key)) {
        this.reportedInvalid.add(key);
        this.events.invalid(
          `kube-routes: cannot use route source ${routeSourceKey(spec)}: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
      this.groups.delete(configPath);
      return undefined;
    }
    live.setPolling(this.pollSeconds);
    this.sources.set(key, live);
    this.events.statusChanged();
    return live;
  }

  setPolling(seconds: number): void {
    this.pollSeconds = seconds;
    for (const live of this.sources.values()) live.setPolling(seconds);
  }

  /** The sources in use, in the order they were first used. */
  active(): LiveRoutes[] {
    return [...this.sources.values()];
  }

  /** Stops sources no config group uses any more. */
  prune(): void {
    const used = new Set(this.groups.values());
    const before = this.sources.size;
    for (const [key, live] of this.sources) {
      if (used.has(key)) continue;
      live.dispose();
      this.sources.delete(key);
    }
    if (this.sources.size !== before) this.events.statusChanged();
  }

  dispose(): void {
    for (const live of this.sources.values()) live.dispose();
    this.sources.clear();
    this.groups.clear();
  }

  private sourceEvents(key: string): LiveRoutesEvents {
    return {
      changed: (addressKeys) => {
        const configs = [...this.groups].filter(([, k]) => k === key).map(([configPath]) => configPath);
        this.events.changed(configs, addressKeys);
      },
      outage: (message) => this.events.outage(message),
      recovered: (message) => this.events.recovered(message),
      statusChanged: () => this.events.statusChanged(),
    };
  }
}

/**
 * Opens a route source. The speaker client, MRT reader and Kubernetes client it needs are loaded
 * here, on the first source a config names, not at start-up: most workspaces have none, and
 * loading them cost every server ~6 MiB and ~100 ms before its first answer.
 */
function openLiveRoutes(spec: RouteSourceSpec, events: LiveRoutesEvents): LiveRoutes {
  const { createRouteSource } = require('./create-route-source') as typeof import('./create-route-source');
  const { LiveRoutes } = require('./live-routes') as typeof import('./live-routes');
  return new LiveRoutes(createRouteSource(spec), events);
}
