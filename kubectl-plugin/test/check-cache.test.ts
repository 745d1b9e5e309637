import assert from 'node:assert/strict';
import { readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { statStamp } from '@kube-routes/server/manifest-cache';
import { tempDir, writeTree } from '@kube-routes/test/support';
import { cacheLocation, defaultCacheName, openCheckCache } from '../src/check/check-cache';
import { runCheck, type CheckOptions } from '../src/check/run-check';

// `check --cache`: only extraction is cached, the rules see every file each run. Each case runs
// the check with the cache and without it on the same tree, and the two must agree at every step;
// "doctored" plants a wrong cache entry (web's Service removed) to show whether the cache was
// read (the doctored result shows through) or ignored (a version, config or flag changed).

const config = 'regions:\n  nyc3: {clusterIPRanges: [172.25.0.0/20]}\n';
const service = (name: string, ip: string) =>
  `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: shop, labels: {region: nyc3}}\nspec: {clusterIP: ${ip}}\n`;
const tree = {
  'kube-routes.yaml': config,
  // Outside the region's range: web has a finding of its own, which the doctored entry hides.
  'deploy/web.yaml': service('web', '172.25.99.10'),
  'deploy/api.yaml': service('api', '172.25.0.11'),
  'deploy/db.yaml': service('db', '172.25.0.12'),
  'deploy/other.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n',
};

interface Run {
  readonly findings: readonly string[];
  readonly stderr: string;
}

async function check(cwd: string, options: Partial<CheckOptions> & { cached: boolean }): Promise<Run> {
  let stderr = '';
  const { report } = await runCheck(
    ['deploy'],
    {
      config: undefined,
      failOn: 'error',
      maxFileBytes: options.maxFileBytes ?? 1 << 20,
      exclude: options.exclude,
      cache: options.cached
        ? (options.cache ?? { location: join(cwd, defaultCacheName), version: '1.0.0' })
        : undefined,
    },
    { cwd, stdout: () => {}, stderr: (t) => void (stderr += t), readStdin: async () => new Uint8Array(), color: false },
  );
  return {
    findings: report.findings.map(
      (f) => `${f.file}:${f.range.start.line + 1}:${f.range.start.column + 1} ${f.rule}: ${f.message}`,
    ),
    stderr,
  };
}

/** Files last changed a minute ago: their stamps are trusted without a hash (not racily recent). */
function settle(dir: string): void {
  const old = new Date(Date.now() - 60_000);
  for (const f of Object.keys(tree)) {
    try {
      utimesSync(join(dir, f), old, old);
    } catch {
      // Deleted by the case.
    }
  }
}

/** The cache as a default run of check() opens it. */
function defaultKeyCache(dir: string) {
  const io = { cwd: dir, stdout: () => {}, stderr: () => {}, readStdin: async () => new Uint8Array(), color: false };
  return openCheckCache(
    { location: join(dir, defaultCacheName), version: '1.0.0' },
    { config: undefined, maxFileBytes: 1 << 20, exclude: [], kustomize: [] },
    io,
  );
}

/** Replaces web.yaml's cache entry by one without its Service, under the key a default run uses. */
function doctor(dir: string): void {
  const cache = defaultKeyCache(dir);
  const path = join(dir, 'deploy/web.yaml');
  const stamp = statStamp(path);
  assert.ok(stamp);
  const entry = cache.get(path, stamp);
  assert.ok(entry, 'web.yaml is in the cache under the default key');
  cache.set(path, stamp, 'doctored', { ...entry, services: [] });
  assert.equal(cache.save(), undefined);
}

interface Case {
  readonly name: string;
  /** Between the first cached run and the one checked. */
  readonly change: (dir: string) => void;
  /** Options of the checked run (both the cached and the uncached one). */
  readonly options?: Partial<CheckOptions>;
  /** Whether the doctored entry shows through: the cache was read. */
  readonly cacheRead: boolean;
  readonly expect?: (warm: Run, dir: string) => void;
}

const cases: Case[] = [
  {
    name: 'nothing changed: the cached extraction is used',
    change: () => {},
    cacheRead: true,
  },
  {
    name: "a changed file's new conflict with an unchanged file is found",
    change: (dir) => writeFileSync(join(dir, 'deploy/api.yaml'), service('api', '172.25.0.12')),
    cacheRead: true,
    expect: (warm) =>
      assert.ok(
        warm.findings.some((f) =>
          /^deploy\/api\.yaml:4:19 duplicate-cluster-ip: cluster IP 172\.25\.0\.12 is also used by Service shop\/db/.test(
            f,
          ),
        ),
        warm.findings.join('\n'),
      ),
  },
  {
    name: 'a new file is read, and conflicts with a cached one',
    change: (dir) => writeFileSync(join(dir, 'deploy/new.yaml'), service('new', '172.25.0.11')),
    cacheRead: true,
    expect: (warm) =>
      assert.ok(
        warm.findings.some((f) => f.startsWith('deploy/new.yaml:4:19 duplicate-cluster-ip')),
        warm.findings.join('\n'),
      ),
  },
  {
    name: 'a deleted file is dropped from the results and from the cache',
    change: (dir) => rmSync(join(dir, 'deploy/db.yaml')),
    cacheRead: true,
    expect: (_, dir) => {
      const paths = [...defaultKeyCache(dir).paths()].map((p) => p.slice(dir.length + 1)).sort();
      assert.deepEqual(paths, ['deploy/api.yaml', 'deploy/other.yaml', 'deploy/web.yaml']);
    },
  },
  {
    name: 'a touched file with the same content is taken from the cache by its hash',
    change: (dir) => utimesSync(join(dir, 'deploy/web.yaml'), new Date(), new Date()),
    // The doctored entry's hash is not web.yaml's: the touched file is read again.
    cacheRead: false,
  },
  {
    name: 'kube-routes.yaml changed: the cache is ignored and rewritten',
    change: (dir) => writeFileSync(join(dir, 'kube-routes.yaml'), `${config}# reviewed\n`),
    cacheRead: false,
  },
  {
    name: 'another kube-routes version: the cache is ignored',
    change: () => {},
    options: { cache: { location: '', version: '2.0.0' } },
    cacheRead: false,
  },
  {
    name: '--exclude changed: the cache is ignored',
    change: () => {},
    options: { exclude: ['deploy/other.yaml'] },
    cacheRead: false,
  },
  {
    name: '--max-file-size changed: the cache is ignored',
    change: () => {},
    options: { maxFileBytes: 1 << 19 },
    cacheRead: false,
  },
  {
    name: 'a truncated cache file: ignored with one line, rewritten',
    change: (dir) => {
      const bytes = readFileSync(join(dir, defaultCacheName));
      writeFileSync(join(dir, defaultCacheName), bytes.subarray(0, bytes.length >> 1));
    },
    cacheRead: false,
    expect: (warm, dir) => {
      assert.match(
        warm.stderr,
        /^warning: ignoring the cache .*\.kube-routes-cache: (truncated|damaged \(checksum\)); it will be rewritten\n$/,
      );
      assert.ok(readFileSync(join(dir, defaultCacheName)).length > 100, 'rewritten whole');
    },
  },
  {
    name: 'a cache file of something else: ignored with one line',
    change: (dir) => writeFileSync(join(dir, defaultCacheName), '{"version": "7.0", "files": {}}\n'),
    cacheRead: false,
    expect: (warm) =>
      assert.match(
        warm.stderr,
        /^warning: ignoring the cache .*: not a kube-routes cache file; it will be rewritten\n$/,
      ),
  },
];

describe('check --cache', () => {
  for (const c of cases) {
    test(c.name, async () => {
      const dir = tempDir();
      writeTree(dir, tree);
      settle(dir);
      const cold = await check(dir, { cached: true });
      assert.deepEqual(cold.findings, (await check(dir, { cached: false })).findings, 'cold with --cache = no cache');
      assert.equal(cold.stderr, '');
      const warm = await check(dir, { cached: true });
      assert.deepEqual(warm.findings, cold.findings, 'warm = cold');

      doctor(dir);
      c.change(dir);
      const options = c.options?.cache
        ? { ...c.options, cache: { ...c.options.cache, location: join(dir, defaultCacheName) } }
        : c.options;
      const uncached = await check(dir, { ...options, cached: false });
      const checked = await check(dir, { ...options, cached: true });
      const webFindings = (r: Run) => r.findings.filter((f) => f.startsWith('deploy/web.yaml')).length;
      assert.ok(webFindings(uncached) > 0, 'web.yaml has a finding of its own');
      if (c.cacheRead) {
        // The doctored entry shows through: web's Service is missing, so its region finding is gone.
        assert.equal(webFindings(checked), 0, checked.findings.join('\n'));
      } else {
        assert.deepEqual(checked.findings, uncached.findings);
      }
      assert.deepEqual(
        checked.findings.filter((f) => !f.startsWith('deploy/web.yaml')),
        uncached.findings.filter((f) => !f.startsWith('deploy/web.yaml')),
        'every other file is checked as without the cache',
      );
      c.expect?.(checked, dir);
      // And the run after agrees with a run without the cache (a rewritten cache is sound).
      if (!c.cacheRead) assert.deepEqual((await check(dir, { ...options, cached: true })).findings, uncached.findings);
    });
  }
});

describe('the cache location', () => {
  const dir = tempDir();
  writeTree(dir, { 'folder/.keep': '' });
  const table: { flag: string | undefined; expected: string }[] = [
    { flag: undefined, expected: join(dir, '.kube-routes-cache') },
    { flag: 'ci.cache', expected: join(dir, 'ci.cache') },
    { flag: 'folder', expected: join(dir, 'folder/.kube-routes-cache') },
    {
      flag: 'node_modules/.cache/kube-routes/',
      expected: join(dir, 'node_modules/.cache/kube-routes/.kube-routes-cache'),
    },
    { flag: '/var/tmp/kr.cache', expected: '/var/tmp/kr.cache' },
  ];
  for (const row of table)
    test(`--cache-location ${row.flag ?? '(default)'}`, () => assert.equal(cacheLocation(row.flag, dir), row.expected));
});
