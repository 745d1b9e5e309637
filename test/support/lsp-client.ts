import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CodeActionRequest,
  CodeLensRequest,
  ConfigurationRequest,
  createProtocolConnection,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidChangeWatchedFilesNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DidSaveTextDocumentNotification,
  DocumentSymbolRequest,
  ExitNotification,
  HoverRequest,
  InitializedNotification,
  InitializeRequest,
  LogMessageNotification,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ShowMessageNotification,
  ShowMessageRequest,
  type ShowMessageRequestParams,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type ClientCapabilities,
  type CodeAction,
  type CodeLens,
  type Command,
  type Diagnostic,
  type DocumentSymbol,
  type FileChangeType,
  type Hover,
  type InitializeResult,
  type LogMessageParams,
  type Position,
  type ProtocolConnection,
  type ProgressToken,
  type PublishDiagnosticsParams,
  type Range,
  type Registration,
  type ShowMessageParams,
  type SymbolInformation,
  type TextEdit,
  type WorkDoneProgressBegin,
  WorkDoneProgressCreateRequest,
  type WorkDoneProgressEnd,
  type WorkDoneProgressReport,
} from 'vscode-languageserver-protocol/node';
import { StatusChangedNotification } from '@kube-routes/server/lsp-protocol';
import { repoRoot } from './run-cli';

// A test client for kube-routes-language-server: the real bin over stdio, spoken to with
// vscode-jsonrpc. It records every notification and lets tests wait for the one they need
// (each incoming message re-evaluates the waiters; nothing sleeps).

export const languageServerBin = resolve(repoRoot, 'server/bin/kube-routes-language-server');

export interface LspClientOptions {
  /** The workspace folder. */
  readonly root: string;
  /** The "kubeRoutes" settings section, answered to workspace/configuration. */
  readonly settings?: Record<string, unknown>;
  /** Sent as initializationOptions (for clients without workspace/configuration). */
  readonly initializationOptions?: Record<string, unknown>;
  /** Defaults to a client that supports configuration pulls and watched-file registration. */
  readonly capabilities?: ClientCapabilities;
  /** The action title chosen for every window/showMessageRequest (default: dismissed). */
  readonly answer?: string;
  /** The server to start instead of server/bin under this Node: a release executable. */
  readonly executable?: string;
  /** The server's environment (default: this process's). */
  readonly env?: NodeJS.ProcessEnv;
}

export const defaultClientCapabilities: ClientCapabilities = {
  workspace: {
    configuration: true,
    didChangeConfiguration: { dynamicRegistration: false },
    didChangeWatchedFiles: { dynamicRegistration: true },
    workspaceFolders: true,
    codeLens: { refreshSupport: true },
  },
  textDocument: {
    publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true },
    hover: { contentFormat: ['markdown', 'plaintext'] },
    codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'refactor.rewrite'] } } },
    documentSymbol: { hierarchicalDocumentSymbolSupport: true },
  },
};

/** One $/progress notification of work-done progress. */
export interface WorkDoneProgressParams {
  readonly token: ProgressToken;
  readonly value: WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd;
}

/** A Diagnostic whose message is plain text, as kube-routes publishes them. */
export type TextDiagnostic = Diagnostic & { message: string };

function textDiagnostic(d: Diagnostic): TextDiagnostic {
  if (typeof d.message !== 'string')
    throw new Error(`diagnostic ${String(d.code)} has a MarkupContent message; kube-routes sends plain text`);
  return { ...d, message: d.message };
}

export class LspClient {
  /** The latest publishDiagnostics per URI. */
  readonly diagnostics = new Map<string, PublishDiagnosticsParams>();
  /** Every publishDiagnostics, in order. */
  readonly published: PublishDiagnosticsParams[] = [];
  readonly messages: ShowMessageParams[] = [];
  /** window/showMessageRequest: questions the server asked. */
  readonly questions: ShowMessageRequestParams[] = [];
  /** window/logMessage: where the server reports errors it caught. */
  readonly logs: LogMessageParams[] = [];
  readonly registrations: Registration[] = [];
  /** kube-routes' own kubeRoutes/statusChanged notifications received (protocol.ts). */
  statusChanges = 0;
  codeLensRefreshes = 0;
  /** Tokens the server asked for with window/workDoneProgress/create. */
  readonly progressTokens: ProgressToken[] = [];
  /** Every $/progress notification, in order. */
  readonly progress: WorkDoneProgressParams[] = [];
  stderr = '';
  settings: Record<string, unknown>;
  exit: Promise<number | null>;
  private readonly versions = new Map<string, number>();
  private readonly texts = new Map<string, string>();
  private readonly waiters = new Set<() => void>();

  private constructor(
    readonly root: string,
    private readonly child: ChildProcess,
    readonly connection: ProtocolConnection,
    private readonly options: LspClientOptions,
  ) {
    this.settings = { ...options.settings };
    this.exit = new Promise((done) =>
      child.once('exit', (code) => {
        this.notify();
        done(code);
      }),
    );
  }

  /** Spawns the server and completes initialize / initialized. */
  static async start(options: LspClientOptions): Promise<{ client: LspClient; init: InitializeResult }> {
    const [program, ...args] = options.executable ? [options.executable] : [process.execPath, languageServerBin];
    const child = spawn(program, [...args, '--stdio'], {
      cwd: options.root,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    if (!child.stdout || !child.stdin || !child.stderr) throw new Error('no stdio pipes');
    const connection = createProtocolConnection(
      new StreamMessageReader(child.stdout),
      new StreamMessageWriter(child.stdin),
    );
    const client = new LspClient(options.root, child, connection, options);
    child.stderr.on('data', (chunk: Buffer) => {
      client.stderr += chunk.toString('utf8');
    });
    client.listen();
    connection.listen();
    const init = await connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: pathToFileURL(options.root).href,
      workspaceFolders: [{ uri: pathToFileURL(options.root).href, name: 'workspace' }],
      capabilities: options.capabilities ?? defaultClientCapabilities,
      initializationOptions: options.initializationOptions,
    });
    await connection.sendNotification(InitializedNotification.type, {});
    return { client, init };
  }

  private listen(): void {
    const c = this.connection;
    c.onNotification(PublishDiagnosticsNotification.type, (p) => {
      this.diagnostics.set(p.uri, p);
      this.published.push(p);
      this.notify();
    });
    c.onNotification(ShowMessageNotification.type, (p) => {
      this.messages.push(p);
      this.notify();
    });
    c.onNotification(LogMessageNotification.type, (p) => {
      this.logs.push(p);
      this.notify();
    });
    c.onRequest(ShowMessageRequest.type, (p) => {
      this.questions.push(p);
      this.notify();
      return p.actions?.find((a) => a.title === this.options.answer) ?? null;
    });
    c.onRequest(ConfigurationRequest.type, (p) =>
      p.items.map((item) => (item.section === 'kubeRoutes' ? this.settings : null)),
    );
    c.onRequest(RegistrationRequest.type, (p) => {
      this.registrations.push(...p.registrations);
      this.notify();
    });
    c.onRequest('workspace/codeLens/refresh', () => {
      this.codeLensRefreshes++;
      this.notify();
      return null;
    });
    c.onRequest(WorkDoneProgressCreateRequest.type, (p) => {
      this.progressTokens.push(p.token);
      this.notify();
    });
    c.onNotification('$/progress', (p: WorkDoneProgressParams) => {
      this.progress.push(p);
      this.notify();
    });
    c.onNotification(StatusChangedNotification.type, () => {
      this.statusChanges++;
      this.notify();
    });
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Resolves with the first defined value of check, evaluated now and after every message from the server. */
  waitFor<T>(what: string, check: () => T | undefined, timeoutMs = 30_000): Promise<T> {
    return new Promise((resolvePromise, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(tryNow);
      };
      const tryNow = () => {
        let value: T | undefined;
        try {
          value = check();
        } catch (e) {
          done();
          reject(e);
          return;
        }
        if (value !== undefined) {
          done();
          resolvePromise(value);
        } else if (this.child.exitCode !== null) {
          done();
          reject(
            new Error(`server exited (${this.child.exitCode}) while waiting for ${what}; stderr:\n${this.stderr}`),
          );
        }
      };
      // A safety net so a broken server fails the test instead of hanging it; not a timing assertion.
      const timer = setTimeout(() => {
        this.waiters.delete(tryNow);
        reject(new Error(`timed out waiting for ${what}; stderr:\n${this.stderr}`));
      }, timeoutMs);
      this.waiters.add(tryNow);
      tryNow();
    });
  }

  /**
   * The diagnostics of a file once they satisfy the predicate (e.g. a rule appears or clears).
   * LSP 3.18 lets a message be MarkupContent; kube-routes sends plain text, and this checks it.
   */
  waitForDiagnostics(
    relPath: string,
    predicate: (diagnostics: readonly TextDiagnostic[]) => boolean,
    what = 'diagnostics',
  ): Promise<TextDiagnostic[]> {
    const uri = this.uri(relPath);
    return this.waitFor(`${what} on ${relPath}`, () => {
      const p = this.diagnostics.get(uri);
      if (!p) return undefined;
      const version = this.versions.get(uri);
      if (version !== undefined && p.version !== undefined && p.version !== version) return undefined;
      const plain = p.diagnostics.map(textDiagnostic);
      return predicate(plain) ? plain : undefined;
    });
  }

  uri(relPath: string): string {
    return pathToFileURL(join(this.root, relPath)).href;
  }

  text(relPath: string): string {
    return this.texts.get(this.uri(relPath)) ?? '';
  }

  async open(relPath: string, text: string, languageId = 'yaml'): Promise<void> {
    const uri = this.uri(relPath);
    this.versions.set(uri, 1);
    this.texts.set(uri, text);
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId, version: 1, text },
    });
  }

  /** Replaces the whole text (a range-less change, valid under incremental sync too). */
  async change(relPath: string, text: string): Promise<number> {
    const uri = this.uri(relPath);
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    this.texts.set(uri, text);
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version },
      contentChanges: [{ text }],
    });
    return version;
  }

  /** Applies text edits (as a code action returns them) to the open document and sends the change. */
  async applyEdits(relPath: string, edits: readonly TextEdit[]): Promise<string> {
    const text = applyTextEdits(this.text(relPath), edits);
    await this.change(relPath, text);
    return text;
  }

  async close(relPath: string): Promise<void> {
    const uri = this.uri(relPath);
    this.versions.delete(uri);
    await this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  async save(relPath: string): Promise<void> {
    await this.connection.sendNotification(DidSaveTextDocumentNotification.type, {
      textDocument: { uri: this.uri(relPath) },
    });
  }

  async filesChanged(changes: readonly { path: string; type: FileChangeType }[]): Promise<void> {
    await this.connection.sendNotification(DidChangeWatchedFilesNotification.type, {
      changes: changes.map((c) => ({ uri: this.uri(c.path), type: c.type })),
    });
  }

  async changeSettings(settings: Record<string, unknown>): Promise<void> {
    this.settings = { ...settings };
    await this.connection.sendNotification(DidChangeConfigurationNotification.type, {
      settings: { kubeRoutes: settings },
    });
  }

  hover(relPath: string, position: Position): Promise<Hover | null> {
    return this.connection.sendRequest(HoverRequest.type, { textDocument: { uri: this.uri(relPath) }, position });
  }

  async codeActions(relPath: string, range: Range, diagnostics: Diagnostic[]): Promise<CodeAction[]> {
    const result = await this.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri: this.uri(relPath) },
      range,
      context: { diagnostics },
    });
    return (result ?? []).filter((a): a is CodeAction => !isCommand(a));
  }

  async codeLenses(relPath: string): Promise<CodeLens[]> {
    return (
      (await this.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: this.uri(relPath) } })) ?? []
    );
  }

  async symbols(relPath: string): Promise<(DocumentSymbol | SymbolInformation)[]> {
    return (
      (await this.connection.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: this.uri(relPath) } })) ??
      []
    );
  }

  /** shutdown + exit; resolves with the server's exit code. */
  async shutdown(): Promise<number | null> {
    if (this.child.exitCode === null) {
      await this.connection.sendRequest(ShutdownRequest.type);
      await this.connection.sendNotification(ExitNotification.type);
    }
    const code = await this.exit;
    this.connection.dispose();
    return code;
  }

  /** Ends the server without the protocol's goodbye (after a failed test). */
  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
    this.connection.dispose();
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The options the client was started with. */
  get startOptions(): LspClientOptions {
    return this.options;
  }
}

function isCommand(value: CodeAction | Command): value is Command {
  return typeof (value as Command).command === 'string';
}

/** Applies LSP text edits (non-overlapping, as servers send them) to a text. */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\r' && text[i + 1] === '\n') {
      lineStarts.push(i + 2);
      i++;
    } else if (c === '\n' || c === '\r') lineStarts.push(i + 1);
  }
  const offset = (p: Position) => Math.min(text.length, (lineStarts[p.line] ?? text.length) + p.character);
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}
