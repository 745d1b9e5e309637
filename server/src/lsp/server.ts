import {
  CodeActionKind,
  CodeLensRefreshRequest,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  MessageType,
  ShowMessageNotification,
  ShowMessageRequest,
  TextDocuments,
  TextDocumentSyncKind,
  type ClientCapabilities,
  type Connection,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { codeActions } from './features/code-actions';
import { codeLenses } from './features/code-lens';
import { hoverAt } from './features/hover';
import { serviceRoutes } from './features/service-routes';
import { documentSymbols } from './features/symbols';
import {
  PeersRequest,
  RepositorySourceAllowedNotification,
  ServiceRoutesRequest,
  StatusChangedNotification,
  StatusRequest,
  WorkspaceTrustNotification,
} from './protocol';
import { WorkDoneProgress } from './progress';
import { routePeers, routeStatus } from './route-status';
import { Workspace } from './workspace';
import { readSettings, sameSettings, type Settings } from './settings';
import { uriToPath } from './uris';

export const serverName = 'kube-routes-language-server';

/**
 * Wires the LSP connection to a Workspace. Every handler is guarded: a failure in one request is
 * logged and answered with an empty result, and the server keeps serving.
 */
export function startServer(connection: Connection, version: string): void {
  const documents = new TextDocuments(TextDocument);
  let capabilities: ClientCapabilities = {};
  let initialSettings: Settings = readSettings(undefined);
  let folders: string[] = [];
  let settings: Settings = initialSettings;

  const workspace = new Workspace(documents, version, {
    publishDiagnostics: (params) => void connection.sendDiagnostics(params).catch(logError),
    // A notification (window/showMessage), not showMessageRequest: nothing waits for the user.
    showMessage: (kind, message) => {
      const type = kind === 'error' ? MessageType.Error : kind === 'warning' ? MessageType.Warning : MessageType.Info;
      void connection.sendNotification(ShowMessageNotification.type, { type, message }).catch(logError);
    },
    log: (message) => connection.console.error(message),
    info: (message) => connection.console.log(message),
    refreshCodeLenses: () => {
      if (capabilities.workspace?.codeLens?.refreshSupport)
        void connection.sendRequest(CodeLensRefreshRequest.type).catch(logError);
    },
    // A notification clients without the kube-routes extension ignore; cheap, so always sent.
    routeStatusChanged: () => void connection.sendNotification(StatusChangedNotification.type).catch(logError),
    ask: async (message, actions) => {
      const answer = await connection
        .sendRequest(ShowMessageRequest.type, {
          type: MessageType.Warning,
          message,
          actions: actions.map((title) => ({ title })),
        })
        .catch(() => null);
      return answer?.title;
    },
    progress: (title) => new WorkDoneProgress(connection.window.createWorkDoneProgress(), title, logError),
    rememberAllowed: (key) => {
      allowedSources.add(key);
      void connection.sendNotification(RepositorySourceAllowedNotification.type, { key }).catch(logError);
    },
  });
  /** Trust and earlier yeses come from the client (initializationOptions, notifications), not the settings. */
  let trusted = true;
  const allowedSources = new Set<string>();
  const withClientState = (s: Settings): Settings => ({
    ...s,
    storagePath: initialSettings.storagePath,
    workspaceTrusted: trusted,
    allowedRepositorySources: [...new Set([...s.allowedRepositorySources, ...allowedSources])],
  });

  function logError(e: unknown): void {
    connection.console.error(`kube-routes: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  }

  function guard<P, R>(fallback: R, handler: (params: P) => R | Promise<R>): (params: P) => Promise<R> {
    return async (params) => {
      try {
        return await handler(params);
      } catch (e) {
        logError(e);
        return fallback;
      }
    };
  }

  function guardEvent<P>(handler: (params: P) => void): (params: P) => void {
    return (params) => {
      try {
        handler(params);
      } catch (e) {
        logError(e);
      }
    };
  }

  async function pullSettings(): Promise<Settings> {
    if (!capabilities.workspace?.configuration) return initialSettings;
    try {
      const section: unknown = await connection.workspace.getConfiguration('kubeRoutes');
      // A client with no such section answers null: initializationOptions still count then.
      return section === null || section === undefined ? initialSettings : withClientState(readSettings(section));
    } catch (e) {
      logError(e);
      return initialSettings;
    }
  }

  async function restart(): Promise<void> {
    workspace.configure(folders, settings);
    await workspace.buildIndex();
    // Sources may have gone with the old settings without a new one taking their place.
    void connection.sendNotification(StatusChangedNotification.type).catch(logError);
  }

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    capabilities = params.capabilities;
    initialSettings = readSettings(params.initializationOptions);
    trusted = initialSettings.workspaceTrusted;
    for (const key of initialSettings.allowedRepositorySources) allowedSources.add(key);
    settings = initialSettings;
    folders =
      params.workspaceFolders?.map((f) => uriToPath(f.uri)) ??
      (params.rootUri ? [uriToPath(params.rootUri)] : params.rootPath ? [params.rootPath] : []);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.RefactorRewrite] },
        codeLensProvider: { resolveProvider: false },
        documentSymbolProvider: true,
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: serverName, version },
    };
  });

  connection.onInitialized(() => {
    void (async () => {
      if (capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration) {
        await connection.client
          .register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*.{yaml,yml}' }] })
          .catch(logError);
      }
      if (capabilities.workspace?.didChangeConfiguration?.dynamicRegistration) {
        await connection.client
          .register(DidChangeConfigurationNotification.type, { section: 'kubeRoutes' })
          .catch(logError);
      }
      if (capabilities.workspace?.workspaceFolders) {
        connection.workspace.onDidChangeWorkspaceFolders(
          guardEvent((event) => {
            const removed = new Set(event.removed.map((f) => uriToPath(f.uri)));
            folders = [...folders.filter((f) => !removed.has(f)), ...event.added.map((f) => uriToPath(f.uri))];
            void restart().catch(logError);
          }),
        );
      }
      settings = await pullSettings();
      await restart();
    })().catch(logError);
  });

  connection.onDidChangeConfiguration(
    guardEvent((params) => {
      void (async () => {
        // Clients that cannot be asked push the settings with the notification instead.
        const next = capabilities.workspace?.configuration
          ? await pullSettings()
          : withClientState(readSettings(params.settings));
        if (sameSettings(next, settings)) return;
        settings = next;
        await restart();
      })().catch(logError);
    }),
  );

  connection.onNotification(
    WorkspaceTrustNotification.type,
    guardEvent((params) => {
      if (params.trusted === trusted) return;
      trusted = params.trusted;
      settings = withClientState(settings);
      void restart().catch(logError);
    }),
  );

  documents.onDidOpen(guardEvent((e) => workspace.documentOpened(e.document.uri)));
  documents.onDidChangeContent(guardEvent((e) => workspace.documentChanged(e.document.uri)));
  documents.onDidClose(guardEvent((e) => workspace.documentClosed(e.document.uri)));
  connection.onDidChangeWatchedFiles(guardEvent((params) => workspace.watchedFilesChanged(params.changes)));

  connection.onHover(
    guard(null, (params) => {
      const input = workspace.feature(params.textDocument.uri);
      return input ? hoverAt(input.ctx, input.doc, params.position) : null;
    }),
  );

  connection.onCodeAction(
    // Answered at once, also while the workspace is read (no free address is offered until then).
    guard([], async (params) => {
      const input = workspace.feature(params.textDocument.uri);
      return input ? codeActions(input.ctx, input.doc, params.range, params.context.diagnostics) : [];
    }),
  );

  connection.onCodeLens(
    guard([], (params) => {
      const input = workspace.feature(params.textDocument.uri);
      return input ? codeLenses(input.ctx, input.doc) : [];
    }),
  );

  connection.onDocumentSymbol(
    guard([], (params) => {
      const input = workspace.feature(params.textDocument.uri);
      return input ? documentSymbols(input.ctx, input.doc) : [];
    }),
  );

  // kube-routes' own requests (protocol.ts), for the VS Code extension's status bar and views.
  connection.onRequest(
    StatusRequest.type,
    guard({ sources: [] }, () => routeStatus(workspace.routeSources())),
  );
  connection.onRequest(
    PeersRequest.type,
    guard({ sources: [] }, () => routePeers(workspace.routeSources())),
  );
  connection.onRequest(
    ServiceRoutesRequest.type,
    guard(null, async (params) => {
      await workspace.whenReady(); // routes of every config group are set up by the first pass
      const input = workspace.feature(params.textDocument.uri);
      return input ? serviceRoutes(input.ctx, input.doc, params.position) : null;
    }),
  );

  connection.onShutdown(() => workspace.dispose());

  documents.listen(connection);
  connection.listen();
}
