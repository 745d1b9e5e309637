import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { FileChangeType, type FileEvent, type PublishDiagnosticsParams } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { Checker } from './checker';
import { ClusterRegistry, type ClusterSpec, type LiveClusters } from './clusters/cluster-registry';
import { ConfigStore, isConfigFile, relativeTo, speakerUrlOf } from './configs';
import { configErrorToDiagnostic, findingToDiagnostic } from './diagnostics';
import type { FeatureContext, OpenDocument } from './features/context';
import { addressOwners } from './features/owners';
import { GlobSet } from './globs';
import { IndexCache, indexCacheLocation } from './index-cache';
import { addressKey, indexDiskFile, indexText, type IndexedFile, withConfig } from './indexed-file';
import { ManifestIndex } from './manifest-index';
import { DiagnosticsPublisher } from './publisher';
import type { LiveRoutes } from './route-sources/live-routes';
import { RouteRegistry } from './route-sources/route-registry';
import type { ProgressReport } from './progress';
import { regionSpeakers, routeSourceKey, type RouteSourceSpec } from './route-sources/route-source-spec';
import { PassScheduler } from './scheduler';
import { HeapTrim } from './heap-trim';
import { runInSlices } from './slices';
import { RepositoryTrust } from './trust';
import { defaultSettings, type Settings } from './settings';
import { folderRelative, isIndexable, listFolders, walkFolder } from './workspace-files';
import { UriSpelling, uriToPath } from './uris';

/** What the workspace needs from the connection: kept narrow so the workspace has no LSP wiring. */
export interface WorkspaceClient {
  publishDiagnostics(params: PublishDiagnosticsParams): void;
  showMessage(kind: 'error' | 'warning' | 'info', message: string): void;
  log(message: string): void;
  /** A line for the server's log (window/logMessage), not shown unless asked for. */
  info(message: string): void;
  /** Code lenses show route state: ask the client to re-request them when it changes. */
  refreshCodeLenses(): void;
  /** A route source appeared, went away or changed health (the extension's status bar asks again). */
  routeStatusChanged(): void;
  /** A question with choices (window/showMessageRequest); undefined when dismissed. */
  ask(message: string, actions: readonly string[]): Promise<string | undefined>;
  /** The user allowed a target the repository names, for this workspace: the client may remember it. */
  rememberAllowed(key: string): void;
  /** Starts showing the progress of a long task (LSP work-done progress, when the client shows it). */
  progress(title: string): ProgressReport;
}

/** Read access to the editor's open documents (vscode-languageserver's TextDocuments). */
export interface OpenDocuments {
  get(uri: string): TextDocument | undefined;
  all(): TextDocument[];
}

/** How long after the index completes its cache is written. */
const saveDelayMs = 3000;

/** How far the background read of the workspace is (files indexed of those found). */
export interface IndexingState {
  readonly done: number;
  readonly total: number;
}

/**
 * The language server's state: the workspace index, configs, findings and route sources, and
 * when to re-check. Edits and file events only mark what changed; a pass (batched, at most once
 * per debounceMs) parses the changed open documents, re-checks what they affect and publishes
 * the diagnostics that changed.
 *
 * Open documents come first: until the workspace has been read (in slices, in the background),
 * a pass checks each changed open document alone with the rules that need no other file, so
 * its own findings show at once; the first full check, when the index is complete, adds the
 * findings that need other files (duplicates, pools, anycast).
 */
export class Workspace {
  private readonly spelling = new UriSpelling();
  private readonly index = new ManifestIndex();
  private readonly configs: ConfigStore;
  private readonly checker: Checker;
  private readonly publisher: DiagnosticsPublisher;
  private readonly routes: RouteRegistry;
  private readonly clusters: ClusterRegistry;
  private readonly trust: RepositoryTrust;
  private settings: Settings = defaultSettings;
  private folders: string[] = [];
  private excludes = new GlobSet([]);

  private configured = false;
  private ready = false;
  private indexing: IndexingState = { done: 0, total: 0 };
  private generation = 0;
  private readonly dirtyDocs = new Set<string>();
  private readonly parsedVersions = new Map<string, number>();
  private readonly pendingPaths = new Set<string>();
  private readonly pendingKeys = new Set<string>();
  private readonly forcePublish = new Set<string>();
  private fullCheck = false;
  private readonly scheduler: PassScheduler;
  private readyWaiters: (() => void)[] = [];

  /** The persisted index; undefined without a place to keep it. */
  private cache: IndexCache | undefined;
  private saveTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly documents: OpenDocuments,
    /** The server's version: a cache written by another one is not used. */
    private readonly version: string,
    private readonly client: WorkspaceClient,
  ) {
    this.configs = new ConfigStore(
      (path) => this.openText(path),
      (path) => this.display(path),
    );
    this.checker = new Checker(this.index, {
      config: (p) => this.configs.config(p),
      routes: (p) => this.routesOf(p),
      live: (p, config) => this.clustersOf(p)?.liveServices(config),
    });
    this.publisher = new DiagnosticsPublisher((params) => client.publishDiagnostics(params));
    this.scheduler = new PassScheduler(
      () => this.guardedPass(),
      () => this.settings.debounceMs,
    );
    this.routes = new RouteRegistry({
      changed: (configPaths, keys) => {
        for (const configPath of configPaths) for (const key of keys) this.pendingKeys.add(addressKey(configPath, key));
        this.schedule();
        this.client.refreshCodeLenses();
      },
      outage: (message) => {
        this.client.showMessage('warning', message);
        this.client.refreshCodeLenses();
      },
      recovered: (message) => {
        this.client.showMessage('info', message);
        this.client.refreshCodeLenses();
      },
      invalid: (message) => this.client.showMessage('error', message),
      statusChanged: () => this.client.routeStatusChanged(),
    });
    this.trust = new RepositoryTrust(
      {
        showMessage: (kind, message) => client.showMessage(kind, message),
        ask: (message, actions) => client.ask(message, actions),
        remembered: (key) => client.rememberAllowed(key),
      },
      () => {
        // A yes: open the sources again and re-check everything with them.
        this.routes.dispose();
        this.clusters.dispose();
        this.fullCheck = true;
        this.schedule();
      },
    );
    this.clusters = new ClusterRegistry({
      changed: (configPaths, keys) => {
        for (const configPath of configPaths) for (const key of keys) this.pendingKeys.add(addressKey(configPath, key));
        this.schedule();
      },
      outage: (message) => this.client.showMessage('warning', message),
      recovered: (message) => this.client.showMessage('info', message),
    });
  }

  // ---- setup ------------------------------------------------------------------------------

  configure(folders: readonly string[], settings: Settings): void {
    this.configured = true;
    this.folders = [...folders];
    this.settings = settings;
    this.excludes = new GlobSet(settings.exclude);
    this.trust.configure(settings.workspaceTrusted, settings.repositorySources, settings.allowedRepositorySources);
    this.configs.reset(settings.configPath, this.folders[0]);
    this.routes.dispose();
    this.routes.setPolling(settings.routeRefreshSeconds);
    this.clusters.dispose();
    this.clusters.setPolling(settings.routeRefreshSeconds);
  }

  /** Opens the persisted index for the current folders (after the open documents' first pass: reading it takes a while). */
  private openCache(): void {
    const location = indexCacheLocation(this.settings.storagePath, this.folders);
    if (location === this.cache?.location) return;
    this.cache?.save();
    this.cache = location === undefined ? undefined : IndexCache.open(location, this.version, this.client.log);
  }

  /**
   * (Re)builds the index from the workspace folders. The open documents are checked alone
   * first; then every file is read in slices that yield to requests, with work-done progress;
   * the full check runs once the index is complete.
   */
  async buildIndex(): Promise<void> {
    const generation = ++this.generation;
    const started = performance.now();
    this.ready = false;
    this.runPass();
    this.openCache();
    this.cache?.beginWalk();
    this.cache?.takeHits();
    const cancelled = () => generation !== this.generation;
    const progress = this.client.progress('kube-routes: indexing manifests');
    const paths = await listFolders(this.folders, this.excludes, cancelled, (dir, names) =>
      this.configs.noteListing(dir, names),
    );
    if (!paths) return progress.end();
    this.dropGone(paths);
    this.indexing = { done: 0, total: paths.length };
    const heap = new HeapTrim();
    const finished = await runInSlices(
      paths,
      (path) => {
        // A file gone since the walk is an unreadable-file until its deletion event arrives.
        if (!this.isOpen(path)) this.index.set(this.readDisk(path));
      },
      {
        cancelled,
        sliced: (done) => {
          this.indexing = { done, total: paths.length };
          progress.report(done, paths.length);
          heap.check();
        },
      },
    );
    progress.end();
    if (!finished) return;
    const cached = this.cache
      ? `, ${this.cache.takeHits()} unchanged since the last session (${this.cache.location})`
      : '';
    // Open documents may have been parsed under configs found before the walk; recheck them all.
    this.reassignConfigs();
    this.ready = true;
    this.fullCheck = true;
    this.runPass();
    // Lenses were held back while the route conflicts of other files were unknown.
    this.client.refreshCodeLenses();
    this.client.info(
      `kube-routes: indexed ${paths.length} files in ${Math.round(performance.now() - started)} ms${cached}`,
    );
    for (const waiter of this.readyWaiters.splice(0)) waiter();
    this.saveSoon();
  }

  /**
   * Drops files indexed from disk that a new walk did not find. In a function of its own: the
   * set of paths would otherwise stay alive through the whole read (a local of the async build).
   */
  private dropGone(paths: readonly string[]): void {
    const fromDisk = [...this.index.all()].filter((f) => f.origin === 'disk');
    if (fromDisk.length === 0) return;
    const wanted = new Set(paths);
    for (const file of fromDisk) if (!wanted.has(file.path)) this.index.delete(file.path);
  }

  /**
   * Writes the persisted index a little after the findings are out (writing a large workspace's
   * cache holds the loop for a moment: not while the first requests about them come in), and
   * at shutdown.
   */
  private saveSoon(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => this.cache?.save(), saveDelayMs);
    this.saveTimer.unref();
  }

  /** Resolves once the index is built (requests that need the whole workspace wait for it). */
  whenReady(): Promise<void> {
    return this.ready ? Promise.resolve() : new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  dispose(): void {
    clearTimeout(this.saveTimer);
    this.cache?.save();
    this.scheduler.dispose();
    this.routes.dispose();
    this.clusters.dispose();
  }

  // ---- events -----------------------------------------------------------------------------

  documentOpened(uri: string): void {
    const path = this.spelling.remember(uri);
    this.forcePublish.add(path);
    this.documentChanged(uri);
  }

  documentChanged(uri: string): void {
    const path = this.spelling.remember(uri);
    if (isConfigFile(path)) this.configChanged(path);
    else this.dirtyDocs.add(path);
    this.schedule();
  }

  documentClosed(uri: string): void {
    const path = uriToPath(uri);
    this.dirtyDocs.delete(path);
    this.parsedVersions.delete(path);
    if (isConfigFile(path)) {
      this.configChanged(path);
    } else {
      this.publisher.clear(uri);
      // The disk's text counts again (unsaved edits are gone); a file outside the workspace leaves the index.
      this.refreshFromDisk(path, this.indexable(path) && existsSync(path));
    }
    this.schedule();
  }

  watchedFilesChanged(changes: readonly FileEvent[]): void {
    let configsMoved = false;
    for (const change of changes) {
      const path = uriToPath(change.uri);
      if (isConfigFile(path)) {
        if (change.type === FileChangeType.Changed) {
          if (!this.isOpen(path)) this.configChanged(path);
        } else {
          configsMoved = true;
          if (change.type === FileChangeType.Deleted && !this.isOpen(path)) {
            this.configs.drop(path);
            this.publisher.clear(this.spelling.uri(path));
          }
        }
        continue;
      }
      if (change.type === FileChangeType.Deleted) this.removeTree(path);
      else if (isDirectory(path))
        for (const p of walkFolder(path, this.folders, this.excludes)) this.refreshFromDisk(p, true);
      else this.refreshFromDisk(path, this.indexable(path));
    }
    if (configsMoved) {
      this.configs.forgetLookups();
      this.reassignConfigs();
      this.fullCheck = true;
    }
    this.schedule();
  }

  private configChanged(path: string): void {
    const { changed } = this.configs.load(path);
    this.publishConfig(path);
    if (changed) this.fullCheck = true;
  }

  private refreshFromDisk(path: string, keep: boolean): void {
    if (this.isOpen(path)) return; // the editor's text wins over the disk's
    const keys = keep ? this.index.set(this.readDisk(path)) : this.index.delete(path);
    this.pendingPaths.add(path);
    for (const key of keys) this.pendingKeys.add(key);
  }

  /** A deleted file, or a deleted folder and everything indexed under it. */
  private removeTree(path: string): void {
    const prefix = path + sep;
    for (const file of [...this.index.all()]) {
      if (file.path === path || file.path.startsWith(prefix)) this.refreshFromDisk(file.path, false);
    }
  }

  /** Config files appeared or went away: files may now belong to another config. */
  private reassignConfigs(): void {
    for (const file of [...this.index.all()]) {
      const moved = withConfig(file, this.configs.configPathFor(file.path));
      if (moved === file) continue;
      for (const key of this.index.set(moved)) this.pendingKeys.add(key);
      this.pendingPaths.add(file.path);
    }
    for (const entry of [...this.configs.loaded()]) this.publishConfig(entry.path);
  }

  // ---- checking ---------------------------------------------------------------------------

  private schedule(): void {
    if (this.configured) this.scheduler.request();
  }

  private runPass(): void {
    this.scheduler.runNow();
  }

  /** A failed pass is a bug, logged; the next change gets a new pass. */
  private guardedPass(): void {
    try {
      this.pass();
    } catch (e) {
      this.client.log(
        `kube-routes: internal error during a check: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
      );
    }
  }

  private pass(): void {
    if (!this.configured) return;
    for (const path of [...this.dirtyDocs]) this.parseOpen(path);
    if (!this.ready) {
      this.passWhileIndexing();
      return;
    }
    const affected = this.fullCheck
      ? this.checker.checkOpen(this.openManifests())
      : this.checker.checkAffected(this.pendingPaths, this.pendingKeys);
    this.fullCheck = false;
    this.pendingPaths.clear();
    this.pendingKeys.clear();
    for (const path of this.forcePublish) affected.add(path);
    for (const path of affected) this.publishDocument(path);
    this.forcePublish.clear();
    this.routes.prune();
    this.clusters.prune();
  }

  /**
   * Before the index is complete, each changed open document is checked alone (a config change
   * re-checks them all); what else changed is left to the full check that completes the index.
   */
  private passWhileIndexing(): void {
    const changed = this.fullCheck ? this.openManifests() : [...this.pendingPaths, ...this.forcePublish];
    const alone = [...new Set(changed)].filter((p) => this.isOpen(p) && !isConfigFile(p));
    this.pendingPaths.clear();
    this.pendingKeys.clear();
    this.checker.checkAlone(alone);
    for (const path of alone) this.publishDocument(path);
    this.forcePublish.clear();
  }

  /** Parses an open document's current text into the index (at most once per version). */
  private parseOpen(path: string): void {
    this.dirtyDocs.delete(path);
    const doc = this.documents.get(this.spelling.uri(path));
    if (!doc || (this.parsedVersions.get(path) === doc.version && this.index.get(path)?.origin === 'open')) return;
    const keys = this.index.set(indexText(path, doc.getText(), 'open', this.configs.configPathFor(path)));
    this.parsedVersions.set(path, doc.version);
    // Every new version of a document gets its publish (with that version), even when the
    // diagnostics are the same: a client can tell they are current.
    this.forcePublish.add(path);
    this.pendingPaths.add(path);
    for (const key of keys) this.pendingKeys.add(key);
  }

  private publishDocument(path: string): void {
    // Only open documents get diagnostics, and the client named each: no URI to build for the others.
    const uri = this.spelling.known(path);
    const doc = uri === undefined ? undefined : this.documents.get(uri);
    if (!doc || uri === undefined) return;
    const file = this.index.get(path);
    const diagnostics = file?.holdsServices
      ? this.checker.findingsOf(path).map((f) => findingToDiagnostic(f, (p) => this.spelling.uri(p)))
      : [];
    this.publisher.publish(uri, diagnostics, this.parsedVersions.get(path), this.forcePublish.has(path));
  }

  private publishConfig(path: string): void {
    const entry = this.configs.entry(path);
    const uri = this.spelling.uri(path);
    const diagnostics = (entry?.errors ?? []).map(configErrorToDiagnostic);
    if (diagnostics.length === 0 && !this.publisher.has(uri)) return;
    this.publisher.publish(uri, diagnostics, this.documents.get(uri)?.version);
  }

  // ---- features ---------------------------------------------------------------------------

  /** An open document parsed from its current text, with the context of its config group. */
  feature(uri: string): { doc: OpenDocument; ctx: FeatureContext } | undefined {
    const path = this.spelling.remember(uri);
    const text = this.documents.get(uri)?.getText();
    if (text === undefined || isConfigFile(path)) return undefined;
    if (this.dirtyDocs.has(path) || this.index.get(path)?.origin !== 'open') {
      this.dirtyDocs.add(path);
      this.parseOpen(path);
      this.schedule();
    }
    const file = this.index.get(path);
    if (!file?.manifest) return undefined;
    const configPath = file.configPath;
    const ctx: FeatureContext = {
      indexing: this.ready ? undefined : this.indexing,
      config: this.configs.config(configPath),
      routes: this.routesOf(configPath),
      clusters: this.clustersOf(configPath),
      findings: this.checker.findingsOf(path),
      owners: (address) => addressOwners(this.index, configPath, address),
      inUse: (address) => this.index.hasKey(addressKey(configPath, address.key)),
      display: (p) => this.display(p),
      uri: (p) => this.spelling.uri(p),
      now: () => new Date(),
    };
    return { doc: { path, uri, text, manifest: file.manifest }, ctx };
  }

  /** The route sources the workspace's configs use now. */
  routeSources(): LiveRoutes[] {
    return this.routes.active();
  }

  // ---- helpers ----------------------------------------------------------------------------

  private routesOf(configPath: string | undefined): LiveRoutes | undefined {
    const config = this.configs.config(configPath);
    // A speaker (setting, then config) wins over a recorded MRT table (setting). The config's is
    // the repository's choice: contacted only with the user's say (trust.ts). When regions name
    // speakers (regions.*.speaker), they are read, one vantage each, and speaker.api is not.
    const speakers = regionSpeakers(config);
    const configUrl = speakers.length === 0 ? speakerUrlOf(config) : undefined;
    const url =
      this.settings.speakerUrl ??
      (configUrl && this.trust.permits(`speaker ${configUrl}`, `the speaker ${configUrl} (speaker.api)`)
        ? configUrl
        : undefined);
    const regional: RouteSourceSpec = { kind: 'regions', speakers, kubeconfig: this.kubeconfigPath() };
    const list = speakers.map((s) => s.target).join(', ');
    const mrt = this.settings.mrtPath;
    const spec: RouteSourceSpec | undefined = url
      ? { kind: 'speaker', url }
      : speakers.length > 0 && this.trust.permits(routeSourceKey(regional), `the speakers ${list} (regions.*.speaker)`)
        ? regional
        : mrt
          ? { kind: 'mrt', path: mrt }
          : undefined;
    return this.routes.forGroup(configPath, spec);
  }

  /** The live clusters of a config group: the kubeRoutes.contexts setting, else every regions.*.contexts of its config. */
  private clustersOf(configPath: string | undefined): LiveClusters | undefined {
    const config = this.configs.config(configPath);
    const named = [...config.regions.values()].flatMap((r) =>
      r.contexts.map((context) => ({
        context,
        origin: `regions.${r.name}.contexts of ${configPath ? this.display(configPath) : 'kube-routes.yaml'}`,
      })),
    );
    // The config's contexts are the repository's choice (their credential plugins run): trust.ts.
    const list = [...new Set(named.map((c) => c.context))].sort().join(', ');
    const contexts = this.settings.contexts
      ? this.settings.contexts.map((context) => ({ context, origin: 'the kubeRoutes.contexts setting' }))
      : named.length > 0 && this.trust.permits(`contexts ${list}`, `the kube contexts ${list} (regions.*.contexts)`)
        ? named
        : [];
    const kubeconfig = this.kubeconfigPath();
    const spec: ClusterSpec | undefined = contexts.length > 0 ? { kubeconfig, contexts } : undefined;
    return this.clusters.forGroup(configPath, spec);
  }

  /** The paths of the open documents that are manifests (not configs). */
  private openManifests(): string[] {
    return this.documents
      .all()
      .map((d) => this.spelling.remember(d.uri))
      .filter((p) => !isConfigFile(p));
  }

  /** A closed file as the disk has it (through the persisted index when there is one). */
  private readDisk(path: string): IndexedFile {
    const configPath = this.configs.configPathFor(path);
    return this.cache ? this.cache.read(path, configPath) : indexDiskFile(path, configPath);
  }

  /** The kubeRoutes.kubeconfig setting as a path; undefined: $KUBECONFIG, else ~/.kube/config. */
  private kubeconfigPath(): string | undefined {
    const setting = this.settings.kubeconfig;
    if (setting === undefined) return undefined;
    if (setting === '~' || setting.startsWith('~/')) return join(homedir(), setting.slice(1));
    return isAbsolute(setting) || !this.folders[0] ? resolve(setting) : resolve(this.folders[0], setting);
  }

  private isOpen(path: string): boolean {
    // Every open document was named by the client (documentOpened): no URI to build for the others.
    const uri = this.spelling.known(path);
    return uri !== undefined && this.documents.get(uri) !== undefined;
  }

  private openText(path: string): string | undefined {
    const uri = this.spelling.known(path);
    return uri === undefined ? undefined : this.documents.get(uri)?.getText();
  }

  private indexable(path: string): boolean {
    return isIndexable(this.folders, this.excludes, path);
  }

  private display(path: string): string {
    const folder = this.folders.find((f) => folderRelative([f], path) !== undefined);
    return relativeTo(folder, path);
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
