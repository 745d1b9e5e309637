import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '@kube-routes/test/support';
import { installCodeServer } from './code-server';
import { runVsCodeSuite } from './driver';

// The VS Code extension in a real VS Code: package the .vsix (so packaging is tested), install
// it into code-server's VS Code server, open the fixture workspace in headless Chromium and run
// the suite in test/vscode/suite inside the extension host. Nothing here skips: a missing
// code-server or Chromium is a failure with the command that fixes it.

const chromiumPath = '/usr/bin/chromium';
const resultsDir = join(repoRoot, 'test-results');

function npm(args: readonly string[]): void {
  const r = spawnSync('npm', args, { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(r.status, 0, `npm ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
}

test('the packaged extension in a real VS Code: diagnostics, hover, code action, status bar, settings, commands', {
  timeout: 15 * 60_000,
}, async () => {
  assert.ok(
    existsSync(chromiumPath),
    `${chromiumPath} is missing: apt-get install -y chromium (scripts/test installs it)`,
  );
  const codeServer = installCodeServer(repoRoot);

  npm(['run', 'package', '-w', 'extension']);
  const vsix = join(repoRoot, 'extension/dist/kube-routes.vsix');
  assert.ok(statSync(vsix).size > 0, 'the .vsix was written');
  npm(['run', 'build:tests', '-w', 'extension']);

  const result = await runVsCodeSuite({
    codeServer,
    vsix,
    suite: join(repoRoot, 'extension/dist/test/suite.js'),
    fixture: join(repoRoot, 'test/vscode/fixture'),
    resultsDir,
    chromiumPath,
    timeoutMs: 10 * 60_000,
  });
  // The workbench logs a lot; the suite's own lines come last.
  const tail = result.log.split('\n').slice(-80).join('\n');
  assert.equal(result.exitCode, 0, `the suite failed in VS Code (all logs in test-results/vscode-*.log):\n${tail}`);
  // A run that never reached the suite (or ran no step) must not pass for one that asserted.
  assert.match(result.summary ?? '', /: (\d+) passed, 0 failed$/, `no summary from the suite:\n${tail}`);
  assert.ok(Number(/: (\d+) passed/.exec(result.summary ?? '')?.[1]) >= 10, result.summary);
  const screenshot = join(resultsDir, 'vscode-workbench.png');
  assert.deepEqual(result.screenshots, [screenshot]);
  assert.ok(statSync(screenshot).size > 10_000, 'a screenshot of the workbench was saved');
});
