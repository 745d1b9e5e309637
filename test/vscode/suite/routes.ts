import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { FakeSpeaker, fakePeer, fakeRoute } from '../../support/fake-speaker';
import { lines, shop } from './editing';
import { checkpoint, kubeRoutesDiagnostics, ruleOf, waitForDiagnostics, waitForEvent, type Step } from './harness';

// The second half: a settings change brings a route source (a fake speaker API, started here in
// the extension host), and with it route diagnostics, the status bar's counts, the screenshot,
// the pages of the commands, and a restart of the server.

// Received a little while ago, so the screenshot's ages look like a live fabric's (nothing asserts them).
const receivedAt = new Date(Date.now() - 125_000).toISOString();
const speaker = new FakeSpeaker([
  fakeRoute('172.25.0.0/24', [
    { originAs: 64512, peer: '127.0.0.2', asPath: [65001, 64512], communities: ['64512:100'], receivedAt },
    { originAs: 64512, peer: '127.0.0.3', asPath: [65002, 64512], receivedAt },
  ]),
  // The web Service's external IP, announced from the other region: route-origin-mismatch.
  fakeRoute('172.30.0.10/32', [{ originAs: 64513, peer: '127.0.0.4', nextHop: '10.0.1.4', receivedAt }]),
]);
speaker.peers = [
  fakePeer('127.0.0.2', 65001, { 'ipv4-unicast': 2, 'ipv6-unicast': 1 }),
  fakePeer('127.0.0.3', 65002, {}, 'Active'),
];

const connected = 'kube-routes: connected · 1/2 peers · 3 prefixes';

async function pageText(uri: unknown): Promise<string> {
  assert.ok(uri instanceof vscode.Uri, 'the command returns the page it opened');
  assert.equal(uri.scheme, 'kube-routes');
  assert.equal(
    vscode.window.activeTextEditor?.document.uri.toString(),
    uri.toString(),
    'the page is the active editor',
  );
  return (await vscode.workspace.openTextDocument(uri)).getText();
}

export const routeSteps: Step[] = [
  {
    name: 'a settings change (kubeRoutes.speakerUrl) takes effect without a reload: route diagnostics appear',
    async run() {
      await speaker.start();
      await vscode.workspace
        .getConfiguration('kubeRoutes')
        .update('speakerUrl', speaker.url, vscode.ConfigurationTarget.Workspace);
      const d = await waitForDiagnostics(shop, 'route diagnostics', (x) =>
        x.some((y) => ruleOf(y) === 'route-origin-mismatch'),
      );
      const mismatch = d.find((x) => ruleOf(x) === 'route-origin-mismatch') as vscode.Diagnostic;
      assert.equal(mismatch.range.start.line, lines.webExternalIP);
      assert.match(mismatch.message, /172\.30\.0\.10\/32, originated by AS64513 \(region sgp1\)/);
      assert.ok(speaker.count('/v1/lookup') > 0, 'the server asked the speaker');
    },
  },
  {
    name: 'the status bar shows the speaker connected, with peer and prefix counts',
    async run() {
      const seen = await checkpoint({ name: 'status-connected', statusMatches: connected });
      assert.equal(seen.statusText, connected);
    },
  },
  {
    name: "a hover with the route's paths, shown in the workbench beside the Problems panel (screenshot)",
    async run() {
      // One editor, no chat panel: room for the hover, the squiggles and the Problems panel.
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.commands.executeCommand('workbench.action.closeAuxiliaryBar');
      const editor = await vscode.window.showTextDocument(
        await vscode.workspace.openTextDocument(shop),
        vscode.ViewColumn.One,
      );
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', shop);
      assert.deepEqual(
        lenses.map((l) => [l.range.start.line, l.command?.title]),
        [
          [0, 'conflict: AS64513 (sgp1)'],
          [lines.apiStart, 'announced · 2 paths · AS64512 (nyc3)'],
        ],
      );
      await vscode.commands.executeCommand('workbench.actions.view.problems');
      await vscode.commands.executeCommand('workbench.action.focusActiveEditorGroup');
      // The cluster IP the code action assigned: no diagnostic of its own, so the hover is all kube-routes'.
      const at = new vscode.Position(lines.webClusterIP, 16);
      editor.selection = new vscode.Selection(at, at);
      await vscode.commands.executeCommand('editor.action.showHover');
      const seen = await checkpoint({
        name: 'hover',
        hoverMatches: 'clusterIP of Service shop/web',
        statusMatches: connected,
        lensMatches: 'announced · 2 paths',
        screenshot: 'vscode-workbench.png',
      });
      assert.match(
        seen.hoverText ?? '',
        /^172\.25\.0\.\d+ · clusterIP of Service shop\/webRegion: in region nyc3's clusterIP range 172\.25\.0\.0\/20/,
      );
      assert.match(
        seen.hoverText ?? '',
        /Route 172\.25\.0\.0\/24, 2 paths \(speaker http:\/\/127\.0\.0\.1:\d+, as of /,
      );
      assert.match(
        seen.hoverText ?? '',
        /127\.0\.0\.2\s+10\.0\.0\.2\s+65001 64512\s+AS64512 \(nyc3\)/,
        'the paths table is on screen',
      );
      assert.ok(seen.screenshot?.endsWith('vscode-workbench.png'));
    },
  },
  {
    name: '"Kube Routes: Show Routes for Service" opens a table of the Service under the cursor',
    async run() {
      const editor = await vscode.window.showTextDocument(
        await vscode.workspace.openTextDocument(shop),
        vscode.ViewColumn.One,
      );
      const at = new vscode.Position(lines.apiName, 2);
      editor.selection = new vscode.Selection(at, at);
      const text = await pageText(await vscode.commands.executeCommand('kubeRoutes.showServiceRoutes'));
      assert.match(text, /^# Service `shop\/api`\n/);
      assert.match(
        text,
        /\n\| clusterIP +\| 172\.25\.0\.30 +\| nyc3 172\.25\.0\.0\/20 +\| `172\.25\.0\.0\/24` +\| 2 +\| AS64512 \(nyc3\) +\|\n/,
        'an aligned summary row',
      );
      assert.match(text, /\n## Paths of `172\.25\.0\.0\/24`\n\n\| peer +\| next hop +\| AS path +\|/);
      assert.match(text, /\n\| 127\.0\.0\.3 +\| 10\.0\.0\.3 +\| 65002 64512 +\| AS64512 \(nyc3\) +\|/);
    },
  },
  {
    name: '"Kube Routes: Show Peers" lists the speaker\'s peers, and clicking the status bar item opens them',
    async run() {
      const text = await pageText(await vscode.commands.executeCommand('kubeRoutes.showPeers'));
      assert.match(text, /^# Kube Routes: peers\n\n## speaker http:\/\/127\.0\.0\.1:\d+ · connected\n/);
      assert.match(
        text,
        /\n\| 127\.0\.0\.2 +\| AS65001 +\| – +\| bgp +\| Established +\| 1m0s +\| ipv4 2, ipv6 1 +\| – +\|\n/,
      );
      assert.match(text, /\n\| 127\.0\.0\.3 +\| AS65002 +\| – +\| bgp +\| Active +\| – +\|/);
      // Away from the page, then back through the status bar, as a user would.
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(shop), vscode.ViewColumn.One);
      const opened = waitForEvent(
        'the peers page from the status bar',
        vscode.window.onDidChangeActiveTextEditor,
        () => {
          const uri = vscode.window.activeTextEditor?.document.uri;
          return uri?.scheme === 'kube-routes' && uri.path === '/peers.md' ? uri : undefined;
        },
      );
      await checkpoint({ name: 'click-status', clickStatus: true });
      assert.equal((await opened).path, '/peers.md');
    },
  },
  {
    name: '"Kube Routes: Restart Server" restarts it: diagnostics are cleared, then published again',
    async run() {
      let cleared = false;
      const watching = vscode.languages.onDidChangeDiagnostics(() => {
        if (kubeRoutesDiagnostics(shop).length === 0) cleared = true;
      });
      try {
        await vscode.commands.executeCommand('kubeRoutes.restartServer');
        const d = await waitForDiagnostics(
          shop,
          'diagnostics after the restart',
          (x) => cleared && x.some((y) => ruleOf(y) === 'route-origin-mismatch'),
        );
        assert.ok(d.length > 0);
      } finally {
        watching.dispose();
      }
      assert.equal(cleared, true, "the old server's diagnostics went away with it");
      const seen = await checkpoint({ name: 'status-after-restart', statusMatches: connected });
      assert.equal(seen.statusText, connected);
    },
  },
  {
    name: 'the speaker going silent turns the status bar to stale (kubeRoutes.routeRefreshSeconds applied live)',
    async run() {
      // Stale whichever comes first, the restart this setting causes or the next refresh.
      await vscode.workspace
        .getConfiguration('kubeRoutes')
        .update('routeRefreshSeconds', 0.2, vscode.ConfigurationTarget.Workspace);
      speaker.broken = true;
      const seen = await checkpoint({ name: 'status-stale', statusMatches: 'kube-routes: stale' });
      assert.equal(seen.statusText, 'kube-routes: stale', 'no counts from a speaker that does not answer');
      speaker.broken = false;
    },
  },
  {
    name: 'a second settings change (the speaker URL removed) takes the route state away again',
    async run() {
      await vscode.workspace
        .getConfiguration('kubeRoutes')
        .update('speakerUrl', undefined, vscode.ConfigurationTarget.Workspace);
      const d = await waitForDiagnostics(
        shop,
        'no route diagnostics',
        (x) => !x.some((y) => ruleOf(y).startsWith('route-')),
      );
      assert.deepEqual(d.map(ruleOf), []);
      const seen = await checkpoint({ name: 'status-none-again', statusMatches: 'kube-routes: no route source' });
      assert.equal(seen.statusText, 'kube-routes: no route source');
      await speaker.stop();
    },
  },
];
