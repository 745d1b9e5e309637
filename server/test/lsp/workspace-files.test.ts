import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { GlobSet } from '../../src/lsp/globs';
import { listFolders, walkFolder } from '../../src/lsp/workspace-files';

// The background listing (relative paths built folder by folder) finds the same files as the
// reference walk (path.relative per entry), nested workspace folders and exclude globs included.

const root = mkdtempSync(join(tmpdir(), 'kube-routes-workspace-files-'));
after(() => rmSync(root, { recursive: true, force: true }));
const tree = [
  'a.yaml',
  'kube-routes.yaml',
  'notes.txt',
  'apps/web/service.yaml',
  'apps/web/deploy.yml',
  'apps/web/values.json',
  'apps/generated/out.yaml',
  'apps/.hidden/x.yaml',
  'node_modules/pkg/x.yaml',
  'nested/b.yaml',
  'nested/generated/c.yaml',
  'nested/deep/d.yaml',
];
for (const file of tree) {
  mkdirSync(dirname(join(root, file)), { recursive: true });
  writeFileSync(join(root, file), 'kind: Service\n');
}

interface Case {
  readonly name: string;
  readonly folders: readonly string[];
  readonly exclude: readonly string[];
  readonly expected: readonly string[];
}

const cases: Case[] = [
  {
    name: 'one folder, an exclude glob',
    folders: [''],
    exclude: ['**/generated/**'],
    expected: [
      'a.yaml',
      'apps/web/deploy.yml',
      'apps/web/service.yaml',
      'apps/web/values.json',
      'nested/b.yaml',
      'nested/deep/d.yaml',
    ],
  },
  {
    name: 'a nested workspace folder listed first: its files relative to it',
    folders: ['nested', ''],
    exclude: ['generated/**'],
    expected: [
      'a.yaml',
      'apps/generated/out.yaml',
      'apps/web/deploy.yml',
      'apps/web/service.yaml',
      'apps/web/values.json',
      'nested/b.yaml',
      'nested/b.yaml',
      'nested/deep/d.yaml',
      'nested/deep/d.yaml',
    ],
  },
];

for (const c of cases) {
  test(`workspace listing: ${c.name}`, async () => {
    const folders = c.folders.map((f) => join(root, f));
    const excludes = new GlobSet(c.exclude);
    const listed = await listFolders(folders, excludes, () => false);
    const walked = folders.flatMap((f) => walkFolder(f, folders, excludes)).sort();
    const rel = (paths: readonly string[]) => paths.map((p) => p.slice(root.length + 1));
    assert.deepEqual(rel(listed ?? []), c.expected);
    assert.deepEqual(listed, walked);
  });
}
