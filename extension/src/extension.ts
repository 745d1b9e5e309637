import { window, type ExtensionContext } from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { createClient } from './client';
import { commandIds, registerCommands } from './commands';
import { Pages } from './pages';
import { RouteStatusBar } from './status-bar';

// Activated by a YAML file or a workspace holding kube-routes.yaml (package.json). Starts the
// bundled language server, and adds what plain LSP has no place for: the route-state status
// bar item and the peers and Service routes pages.

let client: LanguageClient | undefined;

export async function activate(context: ExtensionContext): Promise<void> {
  // A log channel: vscode-languageclient 10 and newer log with levels into it.
  const output = window.createOutputChannel('Kube Routes', { log: true });
  client = createClient(context, output);
  const pages = new Pages();
  context.subscriptions.push(
    output,
    pages,
    new RouteStatusBar(client, commandIds.showPeers),
    ...registerCommands(client, pages),
  );
  try {
    await client.start();
  } catch (e) {
    // The status bar shows "server stopped"; the reason goes where the user looks first.
    void window.showErrorMessage(
      `Kube Routes: the language server did not start: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
