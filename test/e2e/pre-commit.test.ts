import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { before, describe, test } from 'node:test';
import { repoRoot, tempDir, writeTree } from '@kube-routes/test/support';

// The real `pre-commit` framework (Debian package) runs our hooks from a local clone of this
// repository (its committed HEAD), as users reference it with repo:, rev: and id:.
// kube-routes-check installs itself (language: node) on a PATH with git, Node and pre-commit but
// no kubectl-routes; kube-routes-check-system uses the kubectl-routes on PATH.

const config = 'regions:\n  nyc3: {clusterIPRanges: [172.25.0.0/20]}\n';
const service = (name: string, ip: string) =>
  `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: shop, labels: {region: nyc3}}\nspec: {clusterIP: ${ip}}\n`;

const identity = {
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@example.com',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@example.com',
};

/** process.env's PATH without any folder holding a kubectl-routes (node_modules/.bin and the like). */
const pathWithout = (exe: string) =>
  (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => dir && !existsSync(join(dir, exe)))
    .join(delimiter);
const bareEnv = { ...process.env, ...identity, PATH: pathWithout('kubectl-routes'), NO_COLOR: '1' };

function run(cwd: string, env: NodeJS.ProcessEnv, cmd: string, ...args: string[]) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { code: r.status, output: r.stdout + r.stderr };
}

/** A repository using one hook of `hooks` at `rev`, with one Service committed, pre-commit installed. */
function userRepo(root: string, hooks: string, rev: string, id: string, env: NodeJS.ProcessEnv): string {
  const work = join(root, `work-${id}`);
  writeTree(work, {
    '.pre-commit-config.yaml': `repos:\n  - repo: ${hooks}\n    rev: ${rev}\n    hooks:\n      - id: ${id}\n`,
    'kube-routes.yaml': config,
    'deploy/web.yaml': service('web', '172.25.0.10'),
  });
  for (const args of [
    ['init', '-q', '-b', 'main'],
    ['add', '.'],
    ['commit', '-qm', 'base'],
  ])
    assert.equal(run(work, env, 'git', ...args).code, 0);
  const install = run(work, env, 'pre-commit', 'install');
  assert.equal(install.code, 0, install.output);
  return work;
}

function refusesDuplicateThenPassesFix(work: string, env: NodeJS.ProcessEnv): void {
  writeTree(work, { 'deploy/api.yaml': service('api', '172.25.0.10') });
  assert.equal(run(work, env, 'git', 'add', 'deploy/api.yaml').code, 0);
  const refused = run(work, env, 'git', 'commit', '-m', 'add api');
  assert.notEqual(refused.code, 0, refused.output);
  assert.match(refused.output, /kube-routes check\.+Failed/);
  assert.match(
    refused.output,
    /deploy\/api\.yaml:4:19: error duplicate-cluster-ip: cluster IP 172\.25\.0\.10 is also used by Service shop\/web \(region nyc3\)/,
  );
  assert.equal(run(work, env, 'git', 'rev-list', '--count', 'HEAD').output.trim(), '1', 'the commit must not exist');

  writeTree(work, { 'deploy/api.yaml': service('api', '172.25.0.11') });
  assert.equal(run(work, env, 'git', 'add', 'deploy/api.yaml').code, 0);
  const passed = run(work, env, 'git', 'commit', '-m', 'add api');
  assert.equal(passed.code, 0, passed.output);
  assert.match(passed.output, /kube-routes check\.+Passed/);
  assert.equal(run(work, env, 'git', 'rev-list', '--count', 'HEAD').output.trim(), '2');
  cacheIsWrittenThenReused(work, env);
}

/**
 * The hooks run with --cache: the commits above wrote .kube-routes-cache at the repository root.
 * A run with nothing changed reads it and finds every file as recorded, so it leaves the file as
 * it was (a cache of another key, or a damaged one, would be rewritten); a changed file is read
 * again, its conflict with an unchanged file found, and the cache rewritten.
 */
function cacheIsWrittenThenReused(work: string, env: NodeJS.ProcessEnv): void {
  const cache = join(work, '.kube-routes-cache');
  assert.ok(existsSync(cache), 'the hook wrote .kube-routes-cache');
  assert.match(run(work, env, 'git', 'status', '--porcelain').output, /^\?\? \.kube-routes-cache$/m);
  const written = statSync(cache);
  const again = run(work, env, 'pre-commit', 'run', '--all-files');
  assert.equal(again.code, 0, again.output);
  const reused = statSync(cache);
  assert.equal(reused.ino, written.ino, 'nothing changed: the cache was read, not rewritten');
  assert.equal(reused.mtimeMs, written.mtimeMs);

  writeTree(work, { 'deploy/api.yaml': service('api', '172.25.0.10') });
  assert.equal(run(work, env, 'git', 'add', 'deploy/api.yaml').code, 0);
  const refused = run(work, env, 'git', 'commit', '-m', 'api takes web');
  assert.notEqual(refused.code, 0, refused.output);
  assert.match(
    refused.output,
    /deploy\/api\.yaml:4:19: error duplicate-cluster-ip: cluster IP 172\.25\.0\.10 is also used by Service shop\/web/,
  );
  assert.doesNotMatch(refused.output, /ignoring the cache/);
  assert.notEqual(statSync(cache).ino, written.ino, 'the changed file was recorded: the cache was rewritten');
  assert.equal(run(work, env, 'git', 'reset', '-q', '--hard').code, 0);
}

describe('pre-commit hooks', () => {
  const root = tempDir();
  const hooks = join(root, 'kube-routes');
  let rev = '';

  before(() => {
    const clone = run(root, bareEnv, 'git', 'clone', '-q', repoRoot, hooks);
    assert.equal(clone.code, 0, clone.output);
    rev = run(hooks, bareEnv, 'git', 'rev-parse', 'HEAD').output.trim();
  });

  test('kube-routes-check installs itself where no kubectl-routes is on PATH, and refuses a duplicate cluster IP', {
    timeout: 15 * 60_000,
  }, () => {
    assert.notEqual(run(root, bareEnv, 'sh', '-c', 'command -v kubectl-routes').code, 0, 'kubectl-routes is on PATH');
    const env = { ...bareEnv, PRE_COMMIT_HOME: join(root, 'cache-node') };
    const work = userRepo(root, hooks, rev, 'kube-routes-check', env);
    refusesDuplicateThenPassesFix(work, env);
  });

  test('kube-routes-check-system runs the kubectl-routes on PATH', () => {
    const env = {
      ...bareEnv,
      PATH: `${join(repoRoot, 'node_modules/.bin')}${delimiter}${bareEnv.PATH}`,
      PRE_COMMIT_HOME: join(root, 'cache-system'),
    };
    const work = userRepo(root, hooks, rev, 'kube-routes-check-system', env);
    refusesDuplicateThenPassesFix(work, env);
  });
});
