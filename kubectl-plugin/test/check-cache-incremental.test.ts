import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import type { FileRecord } from '@kube-routes/server/engine';
import { statStamp } from '@kube-routes/server/manifest-cache';
import { Random, tempDir, testSeed, writeTree } from '@kube-routes/test/support';
import { defaultCacheName, openCheckCache } from '../src/check/check-cache';
import { runCheck } from '../src/check/run-check';

// `check --cache` answers unchanged files with the findings the last check recorded for them and
// checks again only what a change can reach. Differential: seeded trees, seeded edits of every
// kind (an address made to collide with an unchanged file, a collision removed, files added,
// deleted, renamed, broken, a pool or the config changed...), and after each edit the warm run
// must print exactly what a run without the cache prints. Files and folders get stamps old
// enough to be trusted, so unchanged ones are answered from the cache, not hashed or listed.

const regions = ['nyc3', 'sgp1'] as const;
const config = (comment: string) =>
  `${comment}\nexternalIPPools: [172.30.0.0/28]\nregions:\n  nyc3: {clusterIPRanges: [172.25.0.0/28], externalIPPools: [172.30.1.0/28]}\n  sgp1: {clusterIPRanges: [172.25.1.0/28], externalIPPools: [172.30.2.0/28]}\n`;

/** Small address and name spaces, so edits keep making and breaking collisions. */
function clusterIp(r: Random): string {
  return `172.25.${r.int(2)}.${1 + r.int(6)}`;
}
function externalIp(r: Random): string {
  return `172.30.${r.int(3)}.${1 + r.int(4)}`;
}
function service(r: Random): string {
  const name = r.pick(['web', 'api', 'db', 'cache']);
  const region = r.pick([...regions, 'nowhere']);
  const external = r.chance(0.5) ? `\n  externalIPs: [${externalIp(r)}]` : '';
  const sharing = r.chance(0.2) ? ', annotations: {metallb.io/allow-shared-ip: k}' : '';
  const suppress = r.chance(0.15) ? '# kube-routes-disable-next-line duplicate-cluster-ip\n' : '';
  return `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: ${r.pick(['shop', 'ops'])}, labels: {region: ${region}}${sharing}}\nspec:\n  ${suppress.replace('\n', '\n  ')}clusterIP: ${clusterIp(r)}${external}\n`;
}
function pool(r: Random): string {
  const region = r.pick(regions);
  return `apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {name: lb, namespace: metallb-system, labels: {region: ${region}}}\nspec:\n  addresses: [172.30.${3 + r.int(2)}.0/29]\n`;
}
const other = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: "1"}\n';

/** A manifest file: one to three documents, mostly Services. */
function manifest(r: Random): string {
  const docs = Array.from({ length: 1 + r.int(3) }, () => (r.chance(0.8) ? service(r) : other));
  return docs.join('---\n');
}

function initialTree(r: Random): Record<string, string> {
  const tree: Record<string, string> = { 'kube-routes.yaml': config('# v0') };
  for (let i = 0; i < 14; i++) tree[`clusters/${r.pick(regions)}/app-${i}.yaml`] = manifest(r);
  tree['clusters/pools.yaml'] = pool(r);
  tree['clusters/settings.yaml'] = other;
  tree['charts/web/Chart.yaml'] = 'name: web\n';
  tree['charts/web/templates/svc.yaml'] = 'kind: Service\nmetadata: {name: {{ .Release.Name }}}\n';
  return tree;
}

/** The manifest files of the tree now (relative paths). */
function manifests(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path);
      else if (path.startsWith('clusters/') && path.endsWith('.yaml')) out.push(path);
    }
  };
  walk('');
  return out.sort();
}

let tick = 0;
/** Writes a file with a stamp of its own, old enough to be trusted without a hash. */
function put(dir: string, rel: string, text: string | Uint8Array): void {
  const path = join(dir, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  const when = new Date(Date.now() - 600_000 + ++tick * 1000);
  utimesSync(path, when, when);
}

/** Folders an edit changed get an old stamp of their own too, so unchanged ones are trusted without a listing. */
function settleFolders(dir: string): void {
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true }))
      if (entry.isDirectory()) walk(join(path, entry.name));
    if (statSync(path).mtimeMs > Date.now() - 60_000) {
      const when = new Date(Date.now() - 600_000 + ++tick * 1000);
      utimesSync(path, when, when);
    }
  };
  walk(dir);
}

interface Edit {
  readonly name: string;
  /** Applies the edit; false when it does not apply to this tree (then another is drawn). */
  readonly apply: (dir: string, r: Random) => boolean;
}

/** The address of another file's Service, written into a changed file: a collision with an unchanged file. */
function collide(dir: string, r: Random, field: 'clusterIP' | 'externalIPs'): boolean {
  const files = manifests(dir).filter((f) => readFileSync(join(dir, f), 'utf8').includes('kind: Service'));
  if (files.length < 2) return false;
  const from = r.pick(files);
  const to = r.pick(files.filter((f) => f !== from));
  const pattern = field === 'clusterIP' ? /clusterIP: (\S+)/ : /externalIPs: \[([^\]]+)\]/;
  const address = pattern.exec(readFileSync(join(dir, from), 'utf8'))?.[1];
  const text = readFileSync(join(dir, to), 'utf8');
  if (!address || !pattern.test(text)) return false;
  put(dir, to, text.replace(pattern, field === 'clusterIP' ? `clusterIP: ${address}` : `externalIPs: [${address}]`));
  return true;
}

const edits: Edit[] = [
  { name: 'a cluster IP made to collide with an unchanged file', apply: (dir, r) => collide(dir, r, 'clusterIP') },
  { name: 'an external IP made to collide with an unchanged file', apply: (dir, r) => collide(dir, r, 'externalIPs') },
  {
    name: 'a collision removed (a fresh address)',
    apply: (dir, r) => {
      const f = r.pick(manifests(dir));
      const text = readFileSync(join(dir, f), 'utf8');
      if (!text.includes('clusterIP:')) return false;
      put(dir, f, text.replace(/clusterIP: \S+/, `clusterIP: 172.25.${r.int(2)}.${9 + r.int(6)}`));
      return true;
    },
  },
  {
    name: 'a file added',
    apply: (dir, r) => {
      put(dir, `clusters/${r.pick(regions)}/new-${tick}.yaml`, manifest(r));
      return true;
    },
  },
  {
    name: 'a file deleted',
    apply: (dir, r) => {
      const files = manifests(dir);
      if (files.length < 4) return false;
      rmSync(join(dir, r.pick(files)));
      return true;
    },
  },
  {
    name: 'a file renamed',
    apply: (dir, r) => {
      const f = r.pick(manifests(dir));
      const to = join(dir, `clusters/${r.pick(regions)}/moved-${++tick}.yaml`);
      mkdirSync(dirname(to), { recursive: true });
      renameSync(join(dir, f), to);
      return true;
    },
  },
  {
    name: 'a file rewritten',
    apply: (dir, r) => {
      put(dir, r.pick(manifests(dir)), manifest(r));
      return true;
    },
  },
  {
    name: 'a Service renamed (its id)',
    apply: (dir, r) => {
      const f = r.pick(manifests(dir));
      const text = readFileSync(join(dir, f), 'utf8');
      if (!text.includes('name: ')) return false;
      put(dir, f, text.replace(/name: \w+/, `name: ${r.pick(['web', 'api', 'db', 'cache', 'mail'])}`));
      return true;
    },
  },
  {
    name: 'a pool file changed',
    apply: (dir, r) => {
      put(dir, 'clusters/pools.yaml', r.chance(0.2) ? other : pool(r));
      return true;
    },
  },
  {
    name: 'a pool added to a Service file',
    apply: (dir, r) => {
      const f = r.pick(manifests(dir));
      put(dir, f, `${readFileSync(join(dir, f), 'utf8')}---\n${pool(r)}`);
      return true;
    },
  },
  {
    name: 'the config changed',
    apply: (dir) => {
      put(dir, 'kube-routes.yaml', config(`# v${tick}`));
      return true;
    },
  },
  {
    name: 'a file touched, content unchanged',
    apply: (dir, r) => {
      const f = r.pick(manifests(dir));
      put(dir, f, readFileSync(join(dir, f)));
      return true;
    },
  },
  {
    name: 'a file broken (YAML syntax)',
    apply: (dir, r) => {
      const f = r.pick(manifests(dir));
      put(dir, f, `${readFileSync(join(dir, f), 'utf8')}spec: [unclosed\n`);
      return true;
    },
  },
  {
    name: 'a file made unreadable (binary)',
    apply: (dir, r) => {
      put(dir, r.pick(manifests(dir)), new Uint8Array([0x6b, 0, 0x3a]));
      return true;
    },
  },
  {
    name: 'a Helm template added or its chart removed',
    apply: (dir, r) => {
      const chart = join(dir, 'charts/web/Chart.yaml');
      if (existsSync(chart) && r.chance(0.5)) rmSync(chart);
      else put(dir, `charts/web/templates/extra-${tick}.yaml`, 'kind: Service\n');
      if (!existsSync(chart) && r.chance(0.5)) put(dir, 'charts/web/Chart.yaml', 'name: web\n');
      return true;
    },
  },
];

async function check(dir: string, cached: boolean, location = join(dir, '..', defaultCacheName)): Promise<string> {
  let stderr = '';
  const { report } = await runCheck(
    ['.'],
    {
      config: undefined,
      failOn: 'error',
      maxFileBytes: 1 << 20,
      cache: cached ? { location, version: '1.0.0' } : undefined,
    },
    {
      cwd: dir,
      stdout: () => {},
      stderr: (t) => void (stderr += t),
      readStdin: async () => new Uint8Array(),
      color: false,
    },
  );
  assert.equal(stderr, '');
  return JSON.stringify(report);
}

describe('check --cache: warm = cold after seeded edits', () => {
  const seed = testSeed(1313);
  for (let s = 0; s < 4; s++) {
    test(`seed ${seed + s} (TEST_SEED=${seed} replays these four)`, async () => {
      const r = new Random(seed + s);
      const dir = join(tempDir(), 'repo');
      writeTree(dir, initialTree(r));
      const old = new Date(Date.now() - 3_600_000);
      for (const f of manifests(dir)) utimesSync(join(dir, f), old, old);
      settleFolders(dir);
      assert.equal(await check(dir, true), await check(dir, false), 'cold');
      const seen = new Set<string>();
      for (let step = 0; step < 24; step++) {
        let edit = r.pick(edits);
        while (!edit.apply(dir, r)) edit = r.pick(edits);
        settleFolders(dir);
        seen.add(edit.name);
        const cold = await check(dir, false);
        assert.equal(await check(dir, true), cold, `step ${step}: ${edit.name}`);
      }
      assert.ok(seen.size >= 8, `only ${seen.size} kinds of edit drawn`);
    });
  }
});

describe('check --cache: what answers from the records', () => {
  const r = new Random(7);
  const svc = (name: string, ip: string) =>
    `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: shop, labels: {region: nyc3}}\nspec: {clusterIP: ${ip}}\n`;

  /** Adds a made-up finding to a file's record: it shows only if the file was answered from it. */
  function plant(dir: string, rel: string): void {
    const cache = openCheckCache(
      { location: join(dir, '..', defaultCacheName), version: '1.0.0' },
      { config: undefined, maxFileBytes: 1 << 20 },
      { cwd: dir, stdout: () => {}, stderr: () => {}, readStdin: async () => new Uint8Array(), color: false },
    );
    const path = join(dir, rel);
    const stamp = statStamp(path);
    assert.ok(stamp);
    const hit = cache.lookup(path, stamp);
    const record = hit?.meta as FileRecord | undefined;
    assert.ok(record, `${rel} has a record`);
    const planted = { ...record.findings[0], rule: 'planted', message: 'from the record' };
    cache.setMeta(path, { ...record, findings: [...record.findings, planted] });
    assert.equal(cache.save(), undefined);
  }

  const cases = [
    { name: 'an unrelated file changed: the planted record answers', change: 'clusters/nyc3/c.yaml', shows: true },
    { name: 'a file sharing an address changed: checked again', change: 'clusters/nyc3/b.yaml', shows: false },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const dir = join(tempDir(), 'repo');
      writeTree(dir, {
        'kube-routes.yaml': config('# records'),
        'clusters/nyc3/a.yaml': svc('a', '172.25.0.99'),
        'clusters/nyc3/b.yaml': svc('b', '172.25.0.99'),
        'clusters/nyc3/c.yaml': svc('c', '172.25.0.3'),
      });
      const old = new Date(Date.now() - 3_600_000);
      for (const f of manifests(dir)) utimesSync(join(dir, f), old, old);
      await check(dir, true);
      plant(dir, 'clusters/nyc3/a.yaml');
      put(dir, c.change, svc(c.change.slice(-6, -5), c.change.endsWith('b.yaml') ? '172.25.0.4' : freeClusterIp(r)));
      const warm = await check(dir, true);
      assert.equal(warm.includes('from the record'), c.shows, warm);
    });
  }
});

function freeClusterIp(r: Random): string {
  return `172.25.0.${10 + r.int(3)}`;
}

describe('check --cache: nothing changed, nothing written', () => {
  // Stamps taken 1.5 s before the cold run are too recent to trust then (hashed, listed again), and
  // old enough 0.6 s later: confirming them must not make a write of its own.
  const cases = [
    { name: 'files and folders old enough to trust', age: 3_600_000, wait: 0, inside: false },
    { name: 'files and folders written just now', age: 0, wait: 0, inside: false },
    { name: 'files and folders that became old enough since the last run', age: 1500, wait: 600, inside: false },
    // Writing the cache changes its folder's times: that folder is listed again, and found the same.
    { name: 'the cache file in the checked folder (the default)', age: 3_600_000, wait: 0, inside: true },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const dir = join(tempDir(), 'repo');
      writeTree(dir, initialTree(new Random(11)));
      const when = new Date(Date.now() - c.age);
      const stamp = (path: string) => {
        for (const entry of readdirSync(path, { withFileTypes: true }))
          if (entry.isDirectory()) stamp(join(path, entry.name));
          else utimesSync(join(path, entry.name), when, when);
        utimesSync(path, when, when);
      };
      if (c.age > 0) stamp(dir);
      const location = c.inside ? join(dir, defaultCacheName) : join(dir, '..', defaultCacheName);
      await check(dir, true, location);
      // The second run settles what the first could not trust yet (and the folder it wrote into).
      const cold = c.inside ? await check(dir, true, location) : await check(dir, false);
      const written = statSync(location);
      await new Promise((resolve) => setTimeout(resolve, c.wait));
      assert.equal(await check(dir, true, location), cold);
      assert.equal(statSync(location).ino, written.ino, 'not rewritten');
    });
  }
});

describe('check --cache: findings that depend on more than the files', () => {
  test('standard input: every file is checked, and the next run checks every file again', async () => {
    const dir = join(tempDir(), 'repo');
    const svc = (name: string, ip: string) =>
      `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: shop, labels: {region: nyc3}}\nspec: {clusterIP: ${ip}}\n`;
    writeTree(dir, {
      'kube-routes.yaml': config('# stdin'),
      'clusters/nyc3/a.yaml': svc('a', '172.25.0.5'),
      'clusters/nyc3/b.yaml': svc('b', '172.25.0.5'),
    });
    const old = new Date(Date.now() - 3_600_000);
    for (const f of manifests(dir)) utimesSync(join(dir, f), old, old);
    settleFolders(dir);
    const stdin = svc('piped', '172.25.0.6');
    const run = async (paths: string[], cached: boolean) => {
      const { report } = await runCheck(
        paths,
        {
          config: undefined,
          failOn: 'error',
          maxFileBytes: 1 << 20,
          cache: cached ? { location: join(dir, '..', defaultCacheName), version: '1.0.0' } : undefined,
        },
        {
          cwd: dir,
          stdout: () => {},
          stderr: () => {},
          readStdin: async () => new TextEncoder().encode(stdin),
          color: false,
        },
      );
      return JSON.stringify(report);
    };
    assert.match(await run(['.'], true), /duplicate-cluster-ip/);
    // Changed before a run with standard input: a's record of its conflict with b no longer holds.
    put(dir, 'clusters/nyc3/b.yaml', svc('b', '172.25.0.7'));
    const piped = await run(['.', '-'], true);
    assert.equal(piped, await run(['.', '-'], false));
    assert.match(piped, /"fileCount":3,"serviceCount":3/, 'standard input was checked');
    const after = await run(['.'], true);
    assert.equal(after, await run(['.'], false));
    assert.doesNotMatch(after, /duplicate-cluster-ip/, 'the conflict that went away is gone from a.yaml too');
  });
});
