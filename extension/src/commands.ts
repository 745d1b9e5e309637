import { commands, window, type Disposable } from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';
import { PeersRequest, ServiceRoutesRequest } from '../../server/src/lsp/protocol';
import { alignTables } from './markdown-tables';
import type { Pages } from './pages';
import { peersMarkdown } from './peers-markdown';

export const commandIds = {
  showServiceRoutes: 'kubeRoutes.showServiceRoutes',
  showPeers: 'kubeRoutes.showPeers',
  restartServer: 'kubeRoutes.restartServer',
} as const;

/** A page name from a Service id: "shop/web" -> "routes shop.web.md" (one page per Service). */
function pageName(service: string): string {
  return `routes ${service.replace(/[^A-Za-z0-9._-]+/g, '.')}.md`;
}

function running(client: LanguageClient): boolean {
  if (client.state === State.Running) return true;
  void window.showWarningMessage('The kube-routes language server is not running; run "Kube Routes: Restart Server".');
  return false;
}

export function registerCommands(client: LanguageClient, pages: Pages): Disposable[] {
  return [
    commands.registerCommand(commandIds.showServiceRoutes, async () => {
      const editor = window.activeTextEditor;
      if (editor?.document.languageId !== 'yaml' || editor.document.uri.scheme !== 'file') {
        void window.showInformationMessage(
          'Kube Routes: open a Service manifest (YAML) and put the cursor in a Service.',
        );
        return undefined;
      }
      if (!running(client)) return undefined;
      const result = await client.sendRequest(ServiceRoutesRequest.type, {
        textDocument: client.code2ProtocolConverter.asTextDocumentIdentifier(editor.document),
        position: client.code2ProtocolConverter.asPosition(editor.selection.active),
      });
      if (!result) {
        void window.showInformationMessage('Kube Routes: no Service at the cursor.');
        return undefined;
      }
      return pages.show(pageName(result.service), alignTables(result.markdown));
    }),
    commands.registerCommand(commandIds.showPeers, async () => {
      if (!running(client)) return undefined;
      return pages.show('peers.md', alignTables(peersMarkdown(await client.sendRequest(PeersRequest.type))));
    }),
    commands.registerCommand(commandIds.restartServer, async () => {
      await client.restart();
    }),
  ];
}
