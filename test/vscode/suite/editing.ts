import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { checkpoint, lineText, ruleOf, waitForDiagnostics, workspaceUri, type Step } from './harness';

// The first half of the suite: the installed extension activates on YAML, its diagnostics,
// hover and free-IP code action work in the real editor, without any route source.

export const shop = workspaceUri('nyc3/shop.yaml');
export const webOld = workspaceUri('nyc3/web-old.yaml');
/** Lines (0-based) of the fixture's values. */
export const lines = { webClusterIP: 8, webExternalIP: 10, apiStart: 14, apiName: 17, oldClusterIP: 9 } as const;

async function show(uri: vscode.Uri, column = vscode.ViewColumn.One): Promise<vscode.TextEditor> {
  return vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), {
    viewColumn: column,
    preview: false,
  });
}

export const editingSteps: Step[] = [
  {
    name: 'the extension under test is the installed .vsix, and a YAML file activates it',
    async run() {
      const ext = vscode.extensions.getExtension('kube-routes.kube-routes');
      assert.ok(
        ext,
        `kube-routes.kube-routes is installed; trusted: ${vscode.workspace.isTrusted}; extensions: ${vscode.extensions.all
          .filter((e) => !e.id.startsWith('vscode.'))
          .map((e) => e.id)
          .join(', ')}`,
      );
      assert.match(
        ext.extensionPath,
        /[/\\]extensions[/\\]kube-routes\.kube-routes-0\.1\.0$/,
        'installed from the .vsix into the extensions folder',
      );
      assert.ok(existsSync(join(ext.extensionPath, 'dist/server.js')), 'the bundled server is in the package');
      // What the server loads on first use is bundled apart (extension/build.mjs, lazyModules).
      for (const lazy of ['server-clusters.js', 'server-route-source.js', 'server-live-routes.js'])
        assert.ok(existsSync(join(ext.extensionPath, 'dist', lazy)), `${lazy} is in the package`);
      assert.ok(!existsSync(join(ext.extensionPath, 'src')), 'no sources in the package');
      // The schema handed to Red Hat's YAML extension is in the package where the manifest says.
      const pkg = ext.packageJSON as { contributes?: { yamlValidation?: { fileMatch: string; url: string }[] } };
      const validation = pkg.contributes?.yamlValidation ?? [];
      assert.deepEqual(
        validation.map((v) => v.fileMatch),
        ['kube-routes.yaml'],
      );
      const schema = JSON.parse(readFileSync(join(ext.extensionPath, validation[0]?.url ?? ''), 'utf8')) as {
        title?: string;
      };
      assert.match(schema.title ?? '', /kube-routes\.yaml/);
      await show(webOld, vscode.ViewColumn.Two);
      await show(shop);
      // The workspace holds kube-routes.yaml and YAML is open: both activation events hold.
      await ext.activate();
      assert.equal(ext.isActive, true);
      const commands = await vscode.commands.getCommands(true);
      for (const id of ['kubeRoutes.showServiceRoutes', 'kubeRoutes.showPeers', 'kubeRoutes.restartServer'])
        assert.ok(commands.includes(id), `${id} is registered`);
    },
  },
  {
    name: 'diagnostics: rule ids, source, exact ranges, the other side as related information',
    async run() {
      const d = await waitForDiagnostics(shop, 'duplicate-cluster-ip on shop.yaml', (x) =>
        x.some((y) => ruleOf(y) === 'duplicate-cluster-ip'),
      );
      assert.deepEqual(d.map(ruleOf), ['duplicate-cluster-ip']);
      const dup = d[0] as vscode.Diagnostic;
      assert.equal(dup.source, 'kube-routes');
      assert.equal(dup.severity, vscode.DiagnosticSeverity.Error);
      assert.deepEqual(
        [dup.range.start.line, dup.range.start.character, dup.range.end.character],
        [lines.webClusterIP, 13, 24],
      );
      assert.match(dup.message, /172\.25\.0\.10/);
      const related = dup.relatedInformation ?? [];
      assert.equal(related.length, 1);
      assert.equal(related[0]?.location.uri.toString(), webOld.toString());
      assert.equal(related[0]?.location.range.start.line, lines.oldClusterIP);
      const other = await waitForDiagnostics(webOld, 'duplicate-cluster-ip on web-old.yaml', (x) =>
        x.some((y) => ruleOf(y) === 'duplicate-cluster-ip'),
      );
      assert.equal(other[0]?.relatedInformation?.[0]?.location.uri.toString(), shop.toString());
    },
  },
  {
    name: 'a hover on a cluster IP: region, range and the other Service using it',
    async run() {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
        'vscode.executeHoverProvider',
        shop,
        new vscode.Position(lines.webClusterIP, 16),
      );
      const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
      assert.match(text, /\*\*172\.25\.0\.10\*\* · clusterIP of Service `shop\/web`/);
      assert.match(text, /in region \*\*nyc3\*\*'s clusterIP range `172\.25\.0\.0\/20`/);
      assert.match(text, /Route: no route source/);
      assert.match(text, /Also used by:\n- Service `shop\/web-old` \(region nyc3\), clusterIP/);
    },
  },
  {
    name: 'the status bar says there is no route source',
    async run() {
      const seen = await checkpoint({ name: 'status-none', statusMatches: 'kube-routes: no route source' });
      assert.equal(seen.statusText, 'kube-routes: no route source');
    },
  },
  {
    name: 'the code action "Assign a free cluster IP" edits the document and clears the duplicate on both sides',
    async run() {
      const dup = (await waitForDiagnostics(shop, 'the duplicate', (x) => x.length > 0))[0] as vscode.Diagnostic;
      const actions = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
        'vscode.executeCodeActionProvider',
        shop,
        dup.range,
        vscode.CodeActionKind.QuickFix.value,
      );
      const titles = actions.map((a) => a.title);
      const assign = actions.find(
        (a): a is vscode.CodeAction => /^Assign a free cluster IP in nyc3: /.test(a.title) && 'edit' in a,
      );
      assert.ok(assign?.edit, `the free-IP action is offered with an edit; offered: ${JSON.stringify(titles)}`);
      assert.ok(titles.includes('Disable duplicate-cluster-ip for this line'));
      const ip = assign.title.replace(/^.*: /, '');
      assert.match(ip, /^172\.25\.0\.\d+$/);
      assert.notEqual(ip, '172.25.0.10');
      assert.equal(await vscode.workspace.applyEdit(assign.edit), true);
      const doc = await vscode.workspace.openTextDocument(shop);
      assert.equal(lineText(doc, lines.webClusterIP), `  clusterIP: ${ip}`);
      assert.deepEqual(
        await waitForDiagnostics(shop, 'the duplicate to clear on shop.yaml', (x) => x.length === 0),
        [],
      );
      assert.deepEqual(
        await waitForDiagnostics(webOld, 'the duplicate to clear on web-old.yaml', (x) => x.length === 0),
        [],
      );
    },
  },
];
