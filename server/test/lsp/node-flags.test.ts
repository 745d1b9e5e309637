import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '@kube-routes/test/support';
import { languageServerNodeFlags } from '../../src/lsp/node-flags';

// The language server's Node flags are passed by every start: the bin's shebang (editors start
// it from PATH), the VS Code extension's server options and the release executables (both read
// languageServerNodeFlags).

const bin = join(repoRoot, 'server/bin/kube-routes-language-server');

test("the bin's shebang passes the language server's Node flags", () => {
  assert.ok(languageServerNodeFlags.length > 0);
  const shebang = readFileSync(bin, 'utf8').split('\n')[0];
  assert.equal(shebang, `#!/usr/bin/env -S node ${languageServerNodeFlags.join(' ')}`);
});

test('the bin started through its shebang, as from PATH, runs with those flags accepted', () => {
  // env -S splits the flags (Linux coreutils, macOS); node is the one running this test.
  const path = [dirname(process.execPath), process.env.PATH ?? ''].join(delimiter);
  const out = execFileSync(bin, ['--help'], { env: { ...process.env, PATH: path }, encoding: 'utf8' });
  assert.match(out, /^Usage: kube-routes-language-server --stdio/);
});
