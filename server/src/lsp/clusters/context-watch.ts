import { parseIpAddress, type LiveService } from '@kube-routes/server/engine';
import {
  clusterService,
  ipAddressService,
  KubeClient,
  KubeconfigError,
  Kubeconfig,
  KubeError,
  type IpAddressJson,
  type ServiceJson,
  type WatchEvent,
} from '@kube-routes/server/kube';

// One kube context as the editor follows it: every Service (all namespaces) and, when the
// cluster serves them, every IPAddress, listed once and then kept current with watches (resumed
// from the list's resourceVersion, listed again on 410 Gone, polled when a watch cannot be
// opened). When the context cannot be read the last Services read are kept (stale) and one
// outage event is raised; it is retried with backoff, re-reading the kubeconfig each time, so
// refreshed credentials are picked up.

export type ContextStatus =
  | { readonly kind: 'waiting' }
  | { readonly kind: 'fresh'; readonly at: Date }
  | { readonly kind: 'stale'; readonly since: Date; readonly lastRead: Date | undefined; readonly reason: string };

export interface ContextWatchEvents {
  /** The live owners of these addresses (engine IpAddress keys) are new or different. */
  changed(addressKeys: readonly string[]): void;
  /** Once per outage: the context stopped answering (or never did). */
  outage(message: string): void;
  /** Once, when it answers again after an outage. */
  recovered(message: string): void;
}

export interface ContextWatchOptions {
  /** The kubeconfig file; undefined: $KUBECONFIG, else ~/.kube/config. */
  readonly kubeconfig: string | undefined;
  readonly context: string;
  /** Where the context is named, for an unknown context's message. */
  readonly origin: string;
  /** Polling interval when a watch cannot be opened. */
  readonly pollMs: number;
  /** First retry after a failure; doubled up to maxRetryMs. */
  readonly retryMs: number;
}

const maxRetryMs = 30_000;
const servicesPath = '/api/v1/services';
const ipAddressesPath = '/apis/networking.k8s.io/v1/ipaddresses';
const userAgent = 'kube-routes-language-server';
/** How long the API server keeps one watch open (kubectl picks 5 to 10 minutes). */
const watchSeconds = 300;

/** The fields the editor keeps of a Service: what cluster-ip-allocated and hovers need. */
function liveService(context: string, json: ServiceJson): LiveService {
  const { namespace, name, clusterIPs } = clusterService(context, json);
  return { context, namespace, name, clusterIPs };
}

const serviceKey = (s: { readonly namespace: string; readonly name: string }) => `${s.namespace}/${s.name}`;

export class ContextWatch {
  status: ContextStatus = { kind: 'waiting' };
  /** Bumped whenever the Services change; views cache on it. */
  version = 0;
  private readonly services = new Map<string, LiveService>();
  /** IP -> the Service an IPAddress object allocates it to (also those of namespaces not listable). */
  private readonly allocations = new Map<string, LiveService>();
  private read = false;
  private combined: LiveService[] = [];
  /** Address key -> its owners, to tell which addresses a change touched. */
  private owners = new Map<string, string>();
  /** Cluster IP as written -> engine address key (undefined: not an address), parsed once. */
  private readonly addressKeys = new Map<string, string | undefined>();
  private lastRead: Date | undefined;
  private retryMs: number;
  private publishTimer: NodeJS.Timeout | undefined;
  private readonly stop = new AbortController();

  constructor(
    readonly options: ContextWatchOptions,
    private readonly events: ContextWatchEvents,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.retryMs = options.retryMs;
    // Failures are handled inside; the catch is for what nobody foresaw, and must not crash the server.
    void this.run().catch((e: unknown) => this.failed(e));
  }

  get context(): string {
    return this.options.context;
  }

  /** The Services last read, or undefined while the context was never read (it then counts for nothing). */
  liveServices(): readonly LiveService[] | undefined {
    return this.read ? this.combined : undefined;
  }

  dispose(): void {
    this.stop.abort();
    if (this.publishTimer) clearTimeout(this.publishTimer);
  }

  private get disposed(): boolean {
    return this.stop.signal.aborted;
  }

  private async run(): Promise<void> {
    while (!this.disposed) {
      try {
        const kubeconfig = await Kubeconfig.load(this.options.kubeconfig);
        const client = new KubeClient(await kubeconfig.access(this.context, this.options.origin), userAgent);
        await this.follow(client);
      } catch (e) {
        if (this.disposed) return;
        this.failed(e);
      }
      await sleep(this.retryMs, this.stop.signal);
      this.retryMs = Math.min(this.retryMs * 2, Math.max(maxRetryMs, this.options.retryMs));
    }
  }

  /** Lists, then watches until the context fails (throws) or the watch is disposed (returns). */
  private async follow(client: KubeClient): Promise<void> {
    let servicesVersion = await this.listServices(client);
    let addressesVersion = await this.listAddresses(client);
    this.publish();
    this.succeeded();
    const round = new AbortController();
    const stopRound = () => round.abort();
    this.stop.signal.addEventListener('abort', stopRound, { once: true });
    const services = this.watchLoop<ServiceJson>(
      client,
      servicesPath,
      () => servicesVersion,
      (v) => {
        servicesVersion = v;
      },
      (e) => this.applyService(e),
      () => this.listServices(client),
      round.signal,
    );
    const addresses =
      addressesVersion === undefined
        ? Promise.resolve()
        : this.watchLoop<IpAddressJson>(
            client,
            ipAddressesPath,
            () => addressesVersion ?? '',
            (v) => {
              addressesVersion = v;
            },
            (e) => this.applyAddress(e),
            async () => (await this.listAddresses(client)) ?? '',
            round.signal,
          );
    try {
      // The first failure ends the round (and the other watch); run() reconnects and lists again.
      await Promise.all(
        [services, addresses].map((p) =>
          p.catch((e: unknown) => {
            round.abort();
            throw e;
          }),
        ),
      );
    } finally {
      round.abort();
      this.stop.signal.removeEventListener('abort', stopRound);
    }
  }

  /**
   * Watches one resource from a version: a closed watch is opened again from the last version
   * seen, an expired one (410) is listed again. A watch that cannot be opened while the list
   * still answers (an API server or proxy without watch support, RBAC allowing only list) is
   * replaced by polling the list; a list that fails is an outage, thrown.
   */
  private async watchLoop<T>(
    client: KubeClient,
    path: string,
    version: () => string,
    setVersion: (v: string) => void,
    apply: (e: WatchEvent<T>) => void,
    relist: () => Promise<string>,
    signal: AbortSignal,
  ): Promise<void> {
    while (!signal.aborted) {
      let end: 'closed' | 'expired';
      // The server ends the watch after timeoutSeconds; if the connection died silently and it
      // cannot, the client gives up a little later and watches again.
      const watch = new AbortController();
      const abortWatch = () => watch.abort();
      signal.addEventListener('abort', abortWatch, { once: true });
      const guard = setTimeout(abortWatch, (watchSeconds + 30) * 1000);
      try {
        end = await client.watch<T>(
          path,
          { resourceVersion: version(), timeoutSeconds: String(watchSeconds) },
          (e) => {
            const seen = (e.object as { metadata?: { resourceVersion?: string } } | undefined)?.metadata
              ?.resourceVersion;
            if (seen) setVersion(seen);
            if (e.type !== 'BOOKMARK') apply(e);
          },
          watch.signal,
        );
      } catch (e) {
        if (signal.aborted) return;
        if (watch.signal.aborted) continue;
        // The cluster itself is gone: an outage. Otherwise poll the list instead of watching.
        if (e instanceof KubeError && (e.kind === 'unreachable' || e.kind === 'tls' || e.kind === 'unauthorized'))
          throw e;
        await sleep(this.options.pollMs, signal);
        if (signal.aborted) return;
        setVersion(await relist());
        this.publish();
        this.succeeded();
        continue;
      } finally {
        clearTimeout(guard);
        signal.removeEventListener('abort', abortWatch);
      }
      if (signal.aborted) return;
      if (end === 'expired') {
        setVersion(await relist());
        this.publish();
      }
    }
  }

  /** Lists every Service; returns the version to watch from. */
  private async listServices(client: KubeClient): Promise<string> {
    const list = await client.list<ServiceJson>(servicesPath);
    this.services.clear();
    for (const json of list.items) {
      const s = liveService(this.context, json);
      this.services.set(serviceKey(s), s);
    }
    return list.resourceVersion;
  }

  /** Lists the IPAddress objects; undefined when the cluster does not serve them (before 1.33) or they may not be read. */
  private async listAddresses(client: KubeClient): Promise<string | undefined> {
    try {
      const list = await client.list<IpAddressJson>(ipAddressesPath);
      this.allocations.clear();
      for (const ip of list.items) this.setAllocation(ip);
      return list.resourceVersion;
    } catch (e) {
      if (e instanceof KubeError && (e.kind === 'not-found' || e.kind === 'forbidden')) {
        this.allocations.clear();
        return undefined;
      }
      throw e;
    }
  }

  private setAllocation(ip: IpAddressJson): void {
    const owner = ipAddressService(this.context, ip);
    if (owner) this.allocations.set(ip.metadata.name, owner);
    else this.allocations.delete(ip.metadata.name);
  }

  private applyService(e: WatchEvent<ServiceJson>): void {
    const s = liveService(this.context, e.object);
    if (e.type === 'DELETED') this.services.delete(serviceKey(s));
    else if (e.type === 'ADDED' || e.type === 'MODIFIED') this.services.set(serviceKey(s), s);
    this.schedulePublish();
  }

  private applyAddress(e: WatchEvent<IpAddressJson>): void {
    if (e.type === 'DELETED') this.allocations.delete(e.object.metadata.name);
    else if (e.type === 'ADDED' || e.type === 'MODIFIED') this.setAllocation(e.object);
    this.schedulePublish();
  }

  /** A burst of watch events (a Service and its IPAddress) becomes one change. */
  private schedulePublish(): void {
    if (this.publishTimer || this.disposed) return;
    this.publishTimer = setTimeout(() => {
      this.publishTimer = undefined;
      this.publish();
    }, 10);
  }

  /** Recomputes the Services as the engine sees them and reports the addresses whose owners changed. */
  private publish(): void {
    if (this.disposed) return;
    if (this.publishTimer) {
      clearTimeout(this.publishTimer);
      this.publishTimer = undefined;
    }
    const combined = [...this.services.values()];
    const held = new Set(combined.flatMap((s) => s.clusterIPs));
    for (const [ip, owner] of this.allocations) if (!held.has(ip)) combined.push(owner);
    const owners = new Map<string, string[]>();
    for (const s of combined) {
      for (const ip of s.clusterIPs) {
        const key = this.addressKey(ip);
        if (key === undefined) continue;
        const list = owners.get(key);
        if (list) list.push(serviceKey(s));
        else owners.set(key, [serviceKey(s)]);
      }
    }
    const next = new Map([...owners].map(([key, list]) => [key, list.sort().join(',')]));
    const changed: string[] = [];
    for (const [key, sig] of next) if (this.owners.get(key) !== sig) changed.push(key);
    for (const key of this.owners.keys()) if (!next.has(key)) changed.push(key);
    this.owners = next;
    this.combined = combined;
    this.read = true;
    this.lastRead = this.now();
    if (this.status.kind === 'fresh') this.status = { kind: 'fresh', at: this.lastRead };
    this.version++;
    if (changed.length > 0) this.events.changed(changed);
  }

  private addressKey(ip: string): string | undefined {
    if (!this.addressKeys.has(ip)) {
      // Bounded: addresses of deleted Services are not worth remembering forever.
      if (this.addressKeys.size > 200_000) this.addressKeys.clear();
      this.addressKeys.set(ip, parseIpAddress(ip)?.key);
    }
    return this.addressKeys.get(ip);
  }

  private succeeded(): void {
    if (this.disposed) return;
    const was = this.status.kind;
    this.status = { kind: 'fresh', at: this.lastRead ?? this.now() };
    this.retryMs = this.options.retryMs;
    if (was === 'stale')
      this.events.recovered(`kube-routes: context "${this.context}" answers again; its Services are current.`);
  }

  private failed(e: unknown): void {
    if (this.disposed) return;
    const reason =
      e instanceof KubeError || e instanceof KubeconfigError
        ? e.message
        : `context "${this.context}": ${e instanceof Error ? e.message : String(e)}`;
    if (this.status.kind === 'stale') {
      this.status = { ...this.status, reason };
      return;
    }
    this.status = { kind: 'stale', since: this.now(), lastRead: this.lastRead, reason };
    const hint =
      e instanceof KubeconfigError
        ? 'set kubeRoutes.kubeconfig or KUBECONFIG'
        : e instanceof KubeError && (e.kind === 'unreachable' || e.kind === 'unknown-context')
          ? 'the kubeRoutes.contexts setting chooses which contexts the editor reads'
          : undefined;
    const kept = this.lastRead
      ? `keeping its Services last read at ${this.lastRead.toISOString()} (marked stale) for cluster-ip-allocated`
      : 'no Services read from it yet, so cluster-ip-allocated leaves it out until it answers';
    this.events.outage(`kube-routes: ${reason}${hint ? ` (${hint})` : ''}; ${kept}. Retrying in the background.`);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
