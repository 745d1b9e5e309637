import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ConfigStore } from '../../src/lsp/configs';

// Which kube-routes.yaml governs a file: the nearest from its folder up. While indexing, the
// folder listing the walk made answers it (no stat per folder); an open, unsaved config counts;
// forgetLookups (a config file event) goes back to the file system.

const root = mkdtempSync(join(tmpdir(), 'kube-routes-config-lookup-'));
after(() => rmSync(root, { recursive: true, force: true }));
for (const dir of ['a', 'b/c']) mkdirSync(join(root, dir), { recursive: true });
writeFileSync(join(root, 'kube-routes.yaml'), 'regions: {}\n');
writeFileSync(join(root, 'b/kube-routes.yml'), 'regions: {}\n');

interface Case {
  readonly name: string;
  /** Folder (relative) -> the config file names its listing held. */
  readonly listings?: Readonly<Record<string, readonly string[]>>;
  /** Open documents' paths (relative), whatever is on disk. */
  readonly open?: readonly string[];
  readonly forget?: boolean;
  /** File (relative) -> its config (relative), or null for none. */
  readonly expected: Readonly<Record<string, string | null>>;
}

const onDisk = { 'a/x.yaml': 'kube-routes.yaml', 'b/c/x.yaml': 'b/kube-routes.yml', 'b/x.yaml': 'b/kube-routes.yml' };

const cases: Case[] = [
  { name: 'no listing: the file system answers', expected: onDisk },
  {
    name: 'listings as on disk: the same answers',
    listings: { '': ['kube-routes.yaml'], a: [], b: ['kube-routes.yml'], 'b/c': [] },
    expected: onDisk,
  },
  {
    name: 'a listing is taken as it is (it answers instead of a stat)',
    listings: { b: [], 'b/c': [] },
    expected: { 'a/x.yaml': 'kube-routes.yaml', 'b/c/x.yaml': 'kube-routes.yaml' },
  },
  {
    name: 'a config file event forgets the listings',
    listings: { b: [], 'b/c': [] },
    forget: true,
    expected: onDisk,
  },
  {
    name: 'an open, unsaved config in a listed folder counts',
    listings: { a: [] },
    open: ['a/kube-routes.yaml'],
    expected: { 'a/x.yaml': 'a/kube-routes.yaml' },
  },
];

for (const c of cases) {
  test(`config lookup: ${c.name}`, () => {
    const open = new Set((c.open ?? []).map((p) => join(root, p)));
    const store = new ConfigStore(
      (path) => (open.has(path) ? 'regions: {}\n' : undefined),
      (path) => path,
    );
    store.reset(undefined, root);
    for (const [dir, names] of Object.entries(c.listings ?? {})) store.noteListing(join(root, dir), names);
    if (c.forget) store.forgetLookups();
    const got = Object.fromEntries(
      Object.keys(c.expected).map((file) => {
        const config = store.configPathFor(join(root, file));
        return [file, config === undefined ? null : config.slice(root.length + 1)];
      }),
    );
    assert.deepEqual(got, c.expected);
  });
}
