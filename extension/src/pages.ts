import {
  EventEmitter,
  Uri,
  ViewColumn,
  window,
  workspace,
  type Disposable,
  type Event,
  type TextDocumentContentProvider,
} from 'vscode';

// Read-only Markdown pages (peers, a Service's routes) as virtual documents of the kube-routes:
// scheme: no webview, so they open like any file, can be previewed with Markdown preview, copied
// and searched, and a second "Show" of the same page refreshes it in place.

export const pageScheme = 'kube-routes';

export class Pages implements TextDocumentContentProvider, Disposable {
  private readonly contents = new Map<string, string>();
  private readonly changes = new EventEmitter<Uri>();
  readonly onDidChange: Event<Uri> = this.changes.event;
  private readonly registration = workspace.registerTextDocumentContentProvider(pageScheme, this);

  provideTextDocumentContent(uri: Uri): string {
    return this.contents.get(uri.toString()) ?? '';
  }

  /** Shows (or refreshes) the page named `name` (a path like "peers.md") beside the editor. */
  async show(name: string, markdown: string): Promise<Uri> {
    const uri = Uri.from({ scheme: pageScheme, path: `/${name}` });
    const known = this.contents.has(uri.toString());
    this.contents.set(uri.toString(), markdown);
    if (known) this.changes.fire(uri);
    const doc = await workspace.openTextDocument(uri);
    await window.showTextDocument(doc, { viewColumn: ViewColumn.Beside, preview: true, preserveFocus: false });
    return uri;
  }

  dispose(): void {
    this.registration.dispose();
    this.changes.dispose();
  }
}
