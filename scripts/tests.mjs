#!/usr/bin/env node
// Runs the compiled tests: `unit` (pure and in-process: no daemons, editors or Debian packages)
// or `all`. Fails when a suite's folder holds no tests, so a broken build cannot pass as green.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

// Compiled test folders of the unit loop; every test file in them is pure or in-process.
const unitRoots = ['server/dist/test', 'kubectl-plugin/dist/test', 'test/dist/architecture'];
// Test files under unitRoots that drive real daemons (BIRD, bgpdump): run by `all` only.
const needDaemons = ['server/dist/test/mrt/interop.test.js', 'server/dist/test/mrt/bgpdump-diff.test.js'];
// Cross-package tests: real processes, kubectl, daemons, editors.
const integrationRoots = ['test/dist'];

function testFiles(dir) {
  const abs = join(root, dir);
  if (!existsSync(abs)) throw new Error(`${dir} is missing; did the build (tsc -b) run?`);
  const out = [];
  for (const entry of readdirSync(abs, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.test.js')) out.push(relative(root, join(entry.parentPath, entry.name)));
  }
  if (out.length === 0) throw new Error(`${dir} holds no compiled tests`);
  return out;
}

function select(suite) {
  for (const file of needDaemons) {
    if (!existsSync(join(root, file))) throw new Error(`${file} is listed as needing daemons but does not exist`);
  }
  const unit = unitRoots.flatMap(testFiles).filter((f) => !needDaemons.includes(f));
  if (suite === 'unit') return unit;
  if (suite === 'all') return [...new Set([...unit, ...needDaemons, ...integrationRoots.flatMap(testFiles)])];
  throw new Error(`unknown suite "${suite}"; use unit or all`);
}

const [suite = 'unit', ...nodeArgs] = process.argv.slice(2);
let files;
try {
  files = select(suite).sort();
} catch (error) {
  console.error(`error: ${error.message}`);
  process.exit(2);
}
console.error(`running ${files.length} ${suite} test files`);
const run = spawnSync(process.execPath, ['--test', ...nodeArgs, ...files], { cwd: root, stdio: 'inherit' });
process.exit(run.status ?? 1);
