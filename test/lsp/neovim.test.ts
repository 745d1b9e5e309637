import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { languageServerBin, lspConfigYaml, repoRoot, serviceYaml, tempDir, writeTree } from '@kube-routes/test/support';

// A real editor: Debian's Neovim, headless, attaches the server to a fixture workspace with
// its own LSP client (test/lsp/nvim/kube-routes.lua), shows the diagnostics, a hover, and
// applies a code action through vim.lsp.util.apply_workspace_edit.

interface NvimDiagnostic {
  readonly code: string;
  readonly source: string;
  readonly lnum: number;
  readonly col: number;
  readonly end_col: number;
  readonly message: string;
  readonly href: string;
  readonly related: readonly { location: { uri: string } }[];
}

interface NvimResult {
  readonly error?: string;
  readonly steps: readonly string[];
  readonly diagnostics_before: readonly NvimDiagnostic[];
  readonly hover: { contents: { kind: string; value: string } };
  readonly actions: readonly string[];
  readonly chosen: string;
  readonly line_after: string;
  readonly diagnostics_after: readonly NvimDiagnostic[];
  readonly progress: readonly { kind: string; title: string | null; percentage: number | null }[];
}

test('Neovim 0.7 attaches the server: diagnostics, a hover, an applied code action, indexing progress', () => {
  const root = tempDir('kube-routes-nvim-');
  const cart = serviceYaml({ name: 'cart', region: 'nyc3', clusterIP: '172.25.0.20' });
  writeTree(root, {
    'kube-routes.yaml': lspConfigYaml,
    'nyc3/cart.yaml': cart,
    'nyc3/payments.yaml': serviceYaml({
      name: 'ledger',
      namespace: 'payments',
      region: 'nyc3',
      clusterIP: '172.25.0.20',
    }),
  });
  const home = join(root, '.home');
  mkdirSync(home);
  const out = join(root, '.result.json');
  // A throwaway HOME and XDG folders: no user config, and Neovim's logs stay in the test folder.
  const env = {
    ...process.env,
    HOME: home,
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_DATA_HOME: join(home, 'data'),
    XDG_STATE_HOME: join(home, 'state'),
    XDG_CACHE_HOME: join(home, 'cache'),
    NVIM_LOG_FILE: join(home, 'nvim.log'),
    KR_SERVER: languageServerBin,
    KR_OUT: out,
    KR_ROOT: root,
  };
  const run = spawnSync(
    'nvim',
    ['--headless', '-u', join(repoRoot, 'test/lsp/nvim/kube-routes.lua'), 'nyc3/cart.yaml'],
    { cwd: root, env, encoding: 'utf8', timeout: 90_000 },
  );
  assert.equal(run.error, undefined, 'nvim is installed (Debian package neovim)');
  const result = JSON.parse(readFileSync(out, 'utf8')) as NvimResult;
  assert.equal(run.status, 0, `nvim failed: ${JSON.stringify(result)}\n${run.stderr}`);
  assert.deepEqual(result.steps, ['initialized', 'diagnostics', 'hover', 'applied']);

  const [d] = result.diagnostics_before;
  assert.equal(result.diagnostics_before.length, 1);
  assert.equal(d?.code, 'duplicate-cluster-ip');
  assert.equal(d?.source, 'kube-routes');
  assert.deepEqual([d?.lnum, d?.col, d?.end_col], [8, 13, 24]);
  assert.match(d?.message ?? '', /^cluster IP 172\.25\.0\.20 is also used by Service payments\/ledger/);
  assert.match(d?.href ?? '', /docs\/rules\.md#duplicate-cluster-ip$/);
  assert.match(d?.related[0]?.location.uri ?? '', /\/nyc3\/payments\.yaml$/);

  assert.equal(result.hover.contents.kind, 'markdown');
  assert.match(result.hover.contents.value, /^\*\*172\.25\.0\.20\*\* · clusterIP of Service `shop\/cart`/);
  assert.match(
    result.hover.contents.value,
    /Also used by:\n- Service `payments\/ledger` \(region nyc3\), clusterIP: \[nyc3\/payments\.yaml:9\]/,
  );

  assert.deepEqual(result.actions, [
    'Assign a free cluster IP in nyc3: 172.25.0.2',
    'Disable duplicate-cluster-ip for this line',
  ]);
  assert.equal(result.line_after, '  clusterIP: 172.25.0.2');
  assert.deepEqual(result.diagnostics_after, []);

  // Neovim asks for window.workDoneProgress: the index read is shown from begin to end.
  const kinds = result.progress.map((p) => p.kind);
  assert.equal(kinds[0], 'begin');
  assert.equal(result.progress[0]?.title, 'kube-routes: indexing manifests');
  assert.equal(kinds.at(-1), 'end');
  // Two files: the server may have read them all before Neovim answered the create request.
  assert.equal(result.progress.filter((p) => p.percentage !== null).at(-1)?.percentage, 100);
});
