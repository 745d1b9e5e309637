import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, test } from 'node:test';
import {
  DiagnosticSeverity,
  FileChangeType,
  type Diagnostic,
  type DocumentSymbol,
} from 'vscode-languageserver-protocol';
import * as rpc from 'vscode-languageserver-protocol/node';
import {
  LspClient,
  languageServerBin,
  lspConfigYaml,
  positionOf,
  runCli,
  serviceYaml,
  startWorkspace,
  tempDir,
  writeTree,
  type TextDiagnostic,
} from '@kube-routes/test/support';

// The language server over stdio, driven by a JSON-RPC client: the lifecycle, diagnostics from
// the workspace index (open and closed files, unsaved edits, file events, excludes), the config
// file's own diagnostics and reloads, and the outline.

const rules = (diagnostics: readonly Diagnostic[]) => diagnostics.map((d) => d.code);
const has = (rule: string) => (diagnostics: readonly Diagnostic[]) => rules(diagnostics).includes(rule);
const hasNot = (rule: string) => (diagnostics: readonly Diagnostic[]) => !rules(diagnostics).includes(rule);

const web = serviceYaml({ name: 'web', region: 'nyc3', clusterIP: '172.25.0.10' });
const cart = serviceYaml({ name: 'cart', region: 'nyc3', clusterIP: '172.25.0.20' });
const ledger = serviceYaml({ name: 'ledger', namespace: 'payments', region: 'nyc3', clusterIP: '172.25.0.20' });

describe('language server: lifecycle', () => {
  test('initialize advertises the features, registers file watchers, and shutdown exits 0', async () => {
    const root = tempDir('kube-routes-lsp-');
    writeTree(root, { 'kube-routes.yaml': lspConfigYaml });
    const { client, init } = await LspClient.start({ root });
    assert.equal(init.serverInfo?.name, 'kube-routes-language-server');
    const caps = init.capabilities;
    assert.equal(caps.hoverProvider, true);
    assert.equal(caps.documentSymbolProvider, true);
    assert.deepEqual(caps.codeLensProvider, { resolveProvider: false });
    assert.deepEqual(caps.codeActionProvider, { codeActionKinds: ['quickfix', 'refactor.rewrite'] });
    assert.deepEqual(caps.textDocumentSync, { openClose: true, change: 2, save: { includeText: false } });
    const watchers = await client.waitFor('the file watcher registration', () =>
      client.registrations.find((r) => r.method === 'workspace/didChangeWatchedFiles'),
    );
    assert.deepEqual(watchers.registerOptions, { watchers: [{ globPattern: '**/*.{yaml,yml}' }] });
    assert.equal(await client.shutdown(), 0);
    assert.equal(client.stderr, '');
  });

  test('--node-ipc: the same server over Node IPC (the VS Code client), settings pushed with didChangeConfiguration', async () => {
    const root = tempDir('kube-routes-lsp-');
    writeTree(root, { 'kube-routes.yaml': lspConfigYaml, 'nyc3/cart.yaml': cart, 'vendor/ledger.yaml': ledger });
    const child = fork(languageServerBin, ['--node-ipc'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const connection = rpc.createProtocolConnection(new rpc.IPCMessageReader(child), new rpc.IPCMessageWriter(child));
    const published: rpc.PublishDiagnosticsParams[] = [];
    let notify: () => void = () => undefined;
    connection.onNotification(rpc.PublishDiagnosticsNotification.type, (p) => {
      published.push(p);
      notify();
    });
    connection.listen();
    const uri = pathToFileURL(join(root, 'nyc3/cart.yaml')).href;
    const diagnosticsOf = (want: (d: readonly Diagnostic[]) => boolean) =>
      new Promise<Diagnostic[]>((resolve) => {
        const check = () => {
          const last = published.filter((p) => p.uri === uri).at(-1);
          if (last && want(last.diagnostics)) resolve(last.diagnostics);
        };
        notify = check;
        check();
      });
    const init = await connection.sendRequest(rpc.InitializeRequest.type, {
      processId: process.pid,
      rootUri: pathToFileURL(root).href,
      capabilities: {},
      initializationOptions: { kubeRoutes: { exclude: ['vendor/**'] } },
    });
    assert.equal(init.serverInfo?.name, 'kube-routes-language-server');
    await connection.sendNotification(rpc.InitializedNotification.type, {});
    await connection.sendNotification(rpc.DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId: 'yaml', version: 1, text: cart },
    });
    assert.deepEqual(await diagnosticsOf(() => true), [], 'vendor/ is excluded by initializationOptions');
    await connection.sendNotification(rpc.DidChangeConfigurationNotification.type, {
      settings: { kubeRoutes: { exclude: [] } },
    });
    const d = await diagnosticsOf(has('duplicate-cluster-ip'));
    assert.equal(d[0]?.relatedInformation?.[0]?.location.uri, pathToFileURL(join(root, 'vendor/ledger.yaml')).href);
    await connection.sendRequest(rpc.ShutdownRequest.type);
    await connection.sendNotification(rpc.ExitNotification.type);
    const code = await new Promise<number | null>((resolve) =>
      child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', resolve),
    );
    connection.dispose();
    assert.equal(code, 0);
  });

  test('without a transport flag the bin prints usage and exits 2', () => {
    const run = runCli(process.execPath, [languageServerBin]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^error: no transport given: pass --stdio/);
    assert.match(run.stderr, /--node-ipc/);
  });
});

describe('language server: diagnostics from the workspace index', () => {
  test('a duplicate between an open file and a closed one: exact range, related location, rule link', async () => {
    const client = await startWorkspace({
      'kube-routes.yaml': lspConfigYaml,
      'nyc3/cart.yaml': cart,
      'nyc3/payments.yaml': ledger,
    });
    await client.open('nyc3/cart.yaml', cart);
    const diagnostics = await client.waitForDiagnostics('nyc3/cart.yaml', has('duplicate-cluster-ip'));
    assert.equal(diagnostics.length, 1);
    const [d] = diagnostics as [TextDiagnostic];
    assert.equal(d.source, 'kube-routes');
    assert.equal(d.severity, DiagnosticSeverity.Error);
    assert.deepEqual(d.range, { start: { line: 8, character: 13 }, end: { line: 8, character: 24 } });
    assert.match(d.message, /^cluster IP 172\.25\.0\.20 is also used by Service payments\/ledger \(region nyc3\)/);
    assert.deepEqual(d.relatedInformation, [
      {
        location: {
          uri: client.uri('nyc3/payments.yaml'),
          range: { start: { line: 8, character: 13 }, end: { line: 8, character: 24 } },
        },
        message: 'Service payments/ledger (region nyc3) also uses 172.25.0.20',
      },
    ]);
    const href = d.codeDescription?.href ?? '';
    assert.match(href, /^file:\/\/.*\/docs\/rules\.md#duplicate-cluster-ip$/);
    assert.ok(existsSync(fileURLToPath(href.replace(/#.*$/, ''))), `${href} exists`);
    // The closed side is not published: diagnostics are shown for open documents.
    assert.equal(client.diagnostics.has(client.uri('nyc3/payments.yaml')), false);
  });

  test('fixing one side clears both; unsaved edits count over the disk; closing reverts to the disk', async () => {
    const client = await startWorkspace({
      'kube-routes.yaml': lspConfigYaml,
      'nyc3/cart.yaml': cart,
      'nyc3/payments.yaml': ledger,
    });
    await client.open('nyc3/cart.yaml', cart);
    await client.open('nyc3/payments.yaml', ledger);
    await client.waitForDiagnostics('nyc3/payments.yaml', has('duplicate-cluster-ip'));
    await client.waitForDiagnostics('nyc3/cart.yaml', has('duplicate-cluster-ip'));

    // Unsaved: the ledger moves to a free address in the editor only.
    await client.change('nyc3/payments.yaml', ledger.replace('172.25.0.20', '172.25.0.21'));
    assert.deepEqual(await client.waitForDiagnostics('nyc3/payments.yaml', (d) => d.length === 0), []);
    assert.deepEqual(await client.waitForDiagnostics('nyc3/cart.yaml', (d) => d.length === 0), []);

    // Closed without saving: the disk's 172.25.0.20 counts again.
    await client.close('nyc3/payments.yaml');
    const back = await client.waitForDiagnostics('nyc3/cart.yaml', has('duplicate-cluster-ip'));
    assert.equal(back[0]?.relatedInformation?.[0]?.location.uri, client.uri('nyc3/payments.yaml'));
    assert.deepEqual(client.diagnostics.get(client.uri('nyc3/payments.yaml'))?.diagnostics, []);
  });

  test('every version of an edited document gets a publish carrying that version', async () => {
    const client = await startWorkspace({ 'kube-routes.yaml': lspConfigYaml, 'nyc3/web.yaml': web });
    await client.open('nyc3/web.yaml', web);
    await client.waitForDiagnostics('nyc3/web.yaml', () => true);
    const version = await client.change('nyc3/web.yaml', `${web}# a comment\n`);
    await client.waitFor('the publish of the new version', () =>
      client.published.find((p) => p.uri === client.uri('nyc3/web.yaml') && p.version === version),
    );
    assert.deepEqual(client.diagnostics.get(client.uri('nyc3/web.yaml'))?.diagnostics, []);
  });

  test('a broken manifest is a yaml-syntax diagnostic; the rest of the workspace is still checked', async () => {
    const client = await startWorkspace({
      'kube-routes.yaml': lspConfigYaml,
      'nyc3/cart.yaml': cart,
      'nyc3/payments.yaml': ledger,
    });
    const broken = `${cart}---\napiVersion: v1\nkind: Service\nmetadata: {name: x, labels: {region: nyc3}\n`;
    await client.open('nyc3/cart.yaml', broken);
    // The file's own findings first (yaml-syntax), then the duplicate once the workspace is read.
    const diagnostics = await client.waitForDiagnostics('nyc3/cart.yaml', has('duplicate-cluster-ip'));
    assert.deepEqual(rules(diagnostics).sort(), ['duplicate-cluster-ip', 'yaml-syntax']);
  });

  test('workspace file events: created, changed, deleted and renamed files on disk', async () => {
    const client = await startWorkspace({ 'kube-routes.yaml': lspConfigYaml, 'nyc3/cart.yaml': cart });
    const root = client.root;
    await client.open('nyc3/cart.yaml', cart);
    await client.waitForDiagnostics('nyc3/cart.yaml', (d) => d.length === 0);

    writeFileSync(join(root, 'nyc3/payments.yaml'), ledger);
    await client.filesChanged([{ path: 'nyc3/payments.yaml', type: FileChangeType.Created }]);
    await client.waitForDiagnostics('nyc3/cart.yaml', has('duplicate-cluster-ip'), 'duplicate after create');

    writeFileSync(join(root, 'nyc3/payments.yaml'), ledger.replace('172.25.0.20', '172.25.0.22'));
    await client.filesChanged([{ path: 'nyc3/payments.yaml', type: FileChangeType.Changed }]);
    await client.waitForDiagnostics('nyc3/cart.yaml', (d) => d.length === 0, 'clear after change');

    writeFileSync(join(root, 'nyc3/payments.yaml'), ledger);
    await client.filesChanged([{ path: 'nyc3/payments.yaml', type: FileChangeType.Changed }]);
    await client.waitForDiagnostics('nyc3/cart.yaml', has('duplicate-cluster-ip'), 'duplicate again');

    renameSync(join(root, 'nyc3/payments.yaml'), join(root, 'nyc3/ledger.yaml'));
    await client.filesChanged([
      { path: 'nyc3/payments.yaml', type: FileChangeType.Deleted },
      { path: 'nyc3/ledger.yaml', type: FileChangeType.Created },
    ]);
    const renamed = await client.waitForDiagnostics(
      'nyc3/cart.yaml',
      (d) => d[0]?.relatedInformation?.[0]?.location.uri === client.uri('nyc3/ledger.yaml'),
      'related location follows the rename',
    );
    assert.equal(renamed.length, 1);

    rmSync(join(root, 'nyc3/ledger.yaml'));
    await client.filesChanged([{ path: 'nyc3/ledger.yaml', type: FileChangeType.Deleted }]);
    await client.waitForDiagnostics('nyc3/cart.yaml', (d) => d.length === 0, 'clear after delete');

    // A whole folder appears (a checkout), then goes away.
    writeTree(root, { 'sgp1/more/ledger.yaml': ledger });
    await client.filesChanged([{ path: 'sgp1', type: FileChangeType.Created }]);
    await client.waitForDiagnostics('nyc3/cart.yaml', has('duplicate-cluster-ip'), 'duplicate from a new folder');
    rmSync(join(root, 'sgp1'), { recursive: true });
    await client.filesChanged([{ path: 'sgp1', type: FileChangeType.Deleted }]);
    await client.waitForDiagnostics('nyc3/cart.yaml', (d) => d.length === 0, 'clear after the folder is deleted');
  });

  test('node_modules, hidden folders and the exclude setting are not indexed', async () => {
    const client = await startWorkspace(
      {
        'kube-routes.yaml': lspConfigYaml,
        'nyc3/cart.yaml': cart,
        'node_modules/chart/ledger.yaml': ledger,
        '.cache/ledger.yaml': ledger,
        'vendor/ledger.yaml': ledger,
        'deploy/ledger.yaml': ledger.replace('ledger', 'ledger2'),
      },
      { settings: { exclude: ['vendor/**', '**/deploy'] } },
    );
    await client.open('nyc3/cart.yaml', cart);
    assert.deepEqual(await client.waitForDiagnostics('nyc3/cart.yaml', () => true), []);
    await client.changeSettings({ exclude: ['vendor/**'] });
    const d = await client.waitForDiagnostics(
      'nyc3/cart.yaml',
      has('duplicate-cluster-ip'),
      'deploy/ indexed once no longer excluded',
    );
    assert.equal(d[0]?.relatedInformation?.length, 1);
    assert.equal(d[0]?.relatedInformation?.[0]?.location.uri, client.uri('deploy/ledger.yaml'));
    // Excluded again: the new walk drops it from the index, and the duplicate goes.
    await client.changeSettings({ exclude: ['vendor/**', '**/deploy'] });
    const after = await client.waitForDiagnostics(
      'nyc3/cart.yaml',
      (ds) => ds.length === 0,
      'deploy/ dropped from the index once excluded again',
    );
    assert.deepEqual(after, []);
  });
});

describe('language server: kube-routes.yaml', () => {
  test('schema errors are diagnostics on the config; an edit to it re-checks every file', async () => {
    const sgpWeb = serviceYaml({ name: 'web', region: 'sgp1', clusterIP: '172.25.144.10' });
    const client = await startWorkspace({ 'kube-routes.yaml': lspConfigYaml, 'sgp1/web.yaml': sgpWeb });
    await client.open('sgp1/web.yaml', sgpWeb);
    assert.deepEqual(await client.waitForDiagnostics('sgp1/web.yaml', () => true), []);

    // Unsaved config edit: the region sgp1 is renamed, so the manifest's label names no region.
    await client.open('kube-routes.yaml', lspConfigYaml);
    const renamed = lspConfigYaml.replace('  sgp1:', '  sgp2:');
    await client.change('kube-routes.yaml', renamed);
    const unknown = await client.waitForDiagnostics('sgp1/web.yaml', has('unknown-region'));
    assert.match(unknown[0]?.message ?? '', /region "sgp1" is not a configured region \(did you mean "sgp2"\?\)/);
    assert.deepEqual(client.diagnostics.get(client.uri('kube-routes.yaml'))?.diagnostics ?? [], []);

    // A schema error: located on the key, with "did you mean"; the last valid config stays in force.
    const broken = renamed.replace('    asns: [64513]', '    asn: [64513]');
    await client.change('kube-routes.yaml', broken);
    const configDiagnostics = await client.waitForDiagnostics('kube-routes.yaml', (d) => d.length > 0);
    assert.equal(configDiagnostics.length, 1);
    assert.equal(configDiagnostics[0]?.code, 'invalid-config');
    assert.equal(configDiagnostics[0]?.source, 'kube-routes');
    assert.deepEqual(configDiagnostics[0]?.range.start, positionOf(broken, 'asn: [64513]'));
    assert.match(configDiagnostics[0]?.message ?? '', /unknown key "asn" in regions\.sgp2 \(did you mean "asns"\?\)/);
    assert.ok(has('unknown-region')(client.diagnostics.get(client.uri('sgp1/web.yaml'))?.diagnostics ?? []));

    // Fixed and closed: the disk's config (with sgp1) is in force again.
    await client.change('kube-routes.yaml', lspConfigYaml);
    await client.waitForDiagnostics('kube-routes.yaml', (d) => d.length === 0);
    await client.close('kube-routes.yaml');
    await client.waitForDiagnostics('sgp1/web.yaml', hasNot('unknown-region'));
  });

  test('a config changed on disk reloads; a config created deeper takes over its folder', async () => {
    const sgpWeb = serviceYaml({ name: 'web', region: 'sgp1', clusterIP: '172.25.144.10' });
    const client = await startWorkspace({ 'kube-routes.yaml': lspConfigYaml, 'team/web.yaml': sgpWeb });
    await client.open('team/web.yaml', sgpWeb);
    assert.deepEqual(await client.waitForDiagnostics('team/web.yaml', () => true), []);

    writeFileSync(join(client.root, 'kube-routes.yaml'), lspConfigYaml.replace('172.25.144.0/20', '172.25.160.0/20'));
    await client.filesChanged([{ path: 'kube-routes.yaml', type: FileChangeType.Changed }]);
    await client.waitForDiagnostics('team/web.yaml', has('cluster-ip-outside-region'));

    writeFileSync(
      join(client.root, 'team/kube-routes.yaml'),
      'regions:\n  sgp1: {clusterIPRanges: [172.25.144.0/20]}\n',
    );
    await client.filesChanged([{ path: 'team/kube-routes.yaml', type: FileChangeType.Created }]);
    await client.waitForDiagnostics('team/web.yaml', (d) => d.length === 0, 'the nearer config governs');

    rmSync(join(client.root, 'team/kube-routes.yaml'));
    await client.filesChanged([{ path: 'team/kube-routes.yaml', type: FileChangeType.Deleted }]);
    await client.waitForDiagnostics('team/web.yaml', has('cluster-ip-outside-region'), 'back to the root config');
  });

  test('the configPath setting names the config for every file', async () => {
    const sgpWeb = serviceYaml({ name: 'web', region: 'sgp1', clusterIP: '172.25.144.10' });
    const client = await startWorkspace(
      {
        'kube-routes.yaml': lspConfigYaml,
        'ops/other.yaml': 'regions:\n  fra1: {clusterIPRanges: [172.25.32.0/20]}\n',
        'sgp1/web.yaml': sgpWeb,
      },
      { settings: { configPath: 'ops/other.yaml' } },
    );
    await client.open('sgp1/web.yaml', sgpWeb);
    const d = await client.waitForDiagnostics('sgp1/web.yaml', has('unknown-region'));
    assert.match(
      d[0]?.message ?? '',
      /known regions: fra1\. Fix the region label or add the region to ops\/other\.yaml\./,
    );
  });
});

describe('language server: outline', () => {
  test('document symbols: one per Service, with its IP values as children', async () => {
    const text = `${web}---\n# the cart\n${cart}`;
    const client = await startWorkspace({ 'kube-routes.yaml': lspConfigYaml, 'nyc3/shop.yaml': text });
    await client.open('nyc3/shop.yaml', text);
    const symbols = (await client.symbols('nyc3/shop.yaml')) as DocumentSymbol[];
    assert.deepEqual(
      symbols.map((s) => [s.name, s.detail, s.range.start.line, s.selectionRange.start.line]),
      [
        ['shop/web', 'region nyc3 · clusterIP 172.25.0.10', 0, 3],
        ['shop/cart', 'region nyc3 · clusterIP 172.25.0.20', 13, 16],
      ],
    );
    assert.deepEqual(
      symbols[1]?.children?.map((c) => [c.name, c.range.start.line]),
      [['clusterIP 172.25.0.20', 21]],
    );
  });
});
