import { type Disposable, StatusBarAlignment, ThemeColor, window, type StatusBarItem } from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';
import { StatusChangedNotification, StatusRequest, type StatusResult } from '../../server/src/lsp/protocol';
import { statusView } from './status-text';

/** Peer and prefix counts change without a health change; ask again now and then for them. */
const countsRefreshMs = 30_000;

/**
 * The route-state item in the status bar. The server says when health changes
 * (kubeRoutes/statusChanged); the item then asks kubeRoutes/status. Clicking opens the peers view.
 */
export class RouteStatusBar implements Disposable {
  private readonly item: StatusBarItem;
  private readonly disposables: Disposable[] = [];
  private status: StatusResult | undefined;
  private asked = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Before the first start the client is Stopped too, but that is not worth a red item. */
  private started = false;

  constructor(
    private readonly client: LanguageClient,
    showPeersCommand: string,
  ) {
    this.item = window.createStatusBarItem('kubeRoutes.status', StatusBarAlignment.Left, 10);
    this.item.name = 'Kube Routes';
    this.item.command = showPeersCommand;
    this.render();
    this.item.show();
    this.disposables.push(
      client.onDidChangeState((e) => {
        if (e.newState !== State.Stopped) this.started = true;
        if (e.newState === State.Running) this.refresh();
        else this.status = undefined;
        this.render();
      }),
    );
    // vscode-languageclient keeps this handler across restarts of the server.
    this.disposables.push(client.onNotification(StatusChangedNotification.type, () => this.refresh()));
    this.timer = setInterval(() => this.refresh(), countsRefreshMs);
  }

  refresh(): void {
    if (this.client.state !== State.Running) return;
    // Answers can arrive out of order; only the latest question counts.
    const question = ++this.asked;
    this.client.sendRequest(StatusRequest.type).then(
      (status) => {
        if (question === this.asked) {
          this.status = status;
          this.render();
        }
      },
      () => undefined, // a restart in progress: its Running state asks again
    );
  }

  private render(): void {
    const state =
      this.client.state === State.Running
        ? 'running'
        : this.client.state === State.Starting || !this.started
          ? 'starting'
          : 'stopped';
    const view = statusView(this.status, state);
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.backgroundColor = view.warning ? new ThemeColor('statusBarItem.warningBackground') : undefined;
  }

  dispose(): void {
    clearInterval(this.timer);
    for (const d of this.disposables) d.dispose();
    this.item.dispose();
  }
}
