import { workspace, type ExtensionContext, type LogOutputChannel } from 'vscode';
import { languageServerNodeFlags } from '../../server/src/lsp/node-flags';
import { RepositorySourceAllowedNotification, WorkspaceTrustNotification } from '../../server/src/lsp/protocol';
import {
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';

/**
 * The id is also the settings prefix vscode-languageclient reads the trace level from
 * (kubeRoutes.trace.server), and the server's settings section: one name everywhere.
 */
export const clientId = 'kubeRoutes';

/** workspaceState key: the speakers and contexts of kube-routes.yaml the user allowed in this workspace. */
const allowedKey = 'kubeRoutes.allowedRepositorySources';

/**
 * The bundled kube-routes-language-server (dist/server.js) over Node IPC, for YAML files on disk.
 * The server does the rest: it pulls the kubeRoutes settings and registers for their changes and
 * for file events itself, so nothing is synchronised from here. Its diagnostics carry their own
 * source ("kube-routes"); the client adds no YAML validation, so Red Hat's YAML extension keeps
 * doing the YAML (syntax, schemas) and kube-routes only the routing rules.
 */
export function createClient(context: ExtensionContext, output: LogOutputChannel): LanguageClient {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    // The server's own Node flags, as its bin and release executable pass them.
    run: { module, transport: TransportKind.ipc, options: { execArgv: [...languageServerNodeFlags] } },
    debug: {
      module,
      transport: TransportKind.ipc,
      options: { execArgv: [...languageServerNodeFlags, '--nolazy', '--inspect=6019'] },
    },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: 'file', language: 'yaml' }],
    outputChannel: output,
    // Workspace trust and the targets of kube-routes.yaml the user allowed here before: the
    // server contacts nothing a repository names without them (server/src/lsp/trust.ts).
    initializationOptions: {
      workspaceTrusted: workspace.isTrusted,
      allowedRepositorySources: context.workspaceState.get<string[]>(allowedKey, []),
      // The workspace's own storage folder: the server persists its index there, not in the repository.
      storagePath: context.storageUri?.fsPath,
    },
  };
  const client = new LanguageClient(clientId, 'Kube Routes', serverOptions, clientOptions);
  context.subscriptions.push(
    workspace.onDidGrantWorkspaceTrust(
      () => void client.sendNotification(WorkspaceTrustNotification.type, { trusted: true }).catch(() => undefined),
    ),
    client.onNotification(RepositorySourceAllowedNotification.type, ({ key }) => {
      const allowed = context.workspaceState.get<string[]>(allowedKey, []);
      if (!allowed.includes(key)) void context.workspaceState.update(allowedKey, [...allowed, key]);
    }),
  );
  return client;
}
