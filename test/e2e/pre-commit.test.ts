import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { repoRoot, runCli, tempDir, writeTree } from '@kube-routes/test/support';

// The real `pre-commit` framework (Debian package) runs our hook from .pre-commit-hooks.yaml
// on a throwaway repository: a commit that adds a duplicate cluster IP is refused.

const config = 'regions:\n  nyc3: {clusterIPRanges: [172.25.0.0/20]}\n';
const service = (name: string, ip: string) =>
  `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: shop, labels: {region: nyc3}}\nspec: {clusterIP: ${ip}}\n`;

const identity = {
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@example.com',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@example.com',
};
const git = (cwd: string, ...args: string[]) => runCli('git', args, { cwd, env: identity });

describe('pre-commit hook kube-routes-check', () => {
  const root = tempDir();
  const hooks = join(root, 'hooks');
  const work = join(root, 'work');
  const env = { ...identity, PRE_COMMIT_HOME: join(root, 'cache') };

  before(() => {
    // A repository holding only our hook definition, as users reference this project's repo.
    writeTree(hooks, { 'README.md': 'hooks\n' });
    copyFileSync(join(repoRoot, '.pre-commit-hooks.yaml'), join(hooks, '.pre-commit-hooks.yaml'));
    for (const args of [
      ['init', '-q', '-b', 'main'],
      ['add', '.'],
      ['commit', '-qm', 'hooks'],
    ])
      assert.equal(git(hooks, ...args).code, 0);
    const rev = git(hooks, 'rev-parse', 'HEAD').stdout.trim();

    writeTree(work, {
      '.pre-commit-config.yaml': `repos:\n  - repo: ${hooks}\n    rev: ${rev}\n    hooks:\n      - id: kube-routes-check\n`,
      'kube-routes.yaml': config,
      'deploy/web.yaml': service('web', '172.25.0.10'),
    });
    for (const args of [
      ['init', '-q', '-b', 'main'],
      ['add', '.'],
      ['commit', '-qm', 'base'],
    ])
      assert.equal(git(work, ...args).code, 0);
    const install = runCli('pre-commit', ['install'], { cwd: work, env });
    assert.equal(install.code, 0, install.stderr + install.stdout);
  });

  test('a commit adding a duplicate cluster IP is refused with the finding printed', () => {
    writeTree(work, { 'deploy/api.yaml': service('api', '172.25.0.10') });
    assert.equal(git(work, 'add', 'deploy/api.yaml').code, 0);
    const commit = runCli('git', ['commit', '-m', 'add api'], { cwd: work, env });
    const output = commit.stdout + commit.stderr;
    assert.notEqual(commit.code, 0, output);
    assert.match(output, /kube-routes check\.+Failed/);
    assert.match(
      output,
      /deploy\/api\.yaml:4:19: error duplicate-cluster-ip: cluster IP 172\.25\.0\.10 is also used by Service shop\/web \(region nyc3\)/,
    );
    assert.equal(git(work, 'rev-list', '--count', 'HEAD').stdout.trim(), '1', 'the commit must not exist');
  });

  test('a clean commit passes', () => {
    writeTree(work, { 'deploy/api.yaml': service('api', '172.25.0.11') });
    assert.equal(git(work, 'add', 'deploy/api.yaml').code, 0);
    const commit = runCli('git', ['commit', '-m', 'add api'], { cwd: work, env });
    const output = commit.stdout + commit.stderr;
    assert.equal(commit.code, 0, output);
    assert.match(output, /kube-routes check\.+Passed/);
    assert.equal(git(work, 'rev-list', '--count', 'HEAD').stdout.trim(), '2');
  });
});
