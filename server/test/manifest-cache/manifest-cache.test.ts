import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { describe, test } from 'node:test';
import { readManifestFile, type ManifestFile } from '@kube-routes/server/engine';
import { collectManifestPaths, readSourceFile } from '@kube-routes/server/node';
import {
  contentHash,
  manifestCacheKey,
  openManifestCache,
  statStamp,
  type FileStamp,
} from '@kube-routes/server/manifest-cache';
import { tempDir } from '@kube-routes/test/support';

// The manifest cache keeps what readManifestFile extracted per file: it must come back exactly
// (Maps, Sets, undefined fields), be ignored when damaged or of another key, and drop files that
// are gone.

const engineTests = resolve(__dirname, '../../../test/engine');
const key = manifestCacheKey(['test', 'config-a']);

/** Every manifest of the engine's fixtures and of the real-manifest corpus, extracted. */
function extractedTrees(): Map<string, ManifestFile> {
  const out = new Map<string, ManifestFile>();
  for (const tree of ['fixtures', 'corpus']) {
    const root = join(engineTests, tree);
    const { files } = collectManifestPaths([root]);
    for (const path of files) {
      const read = readSourceFile(path, relative(root, path).split(sep).join('/'));
      if ('source' in read) out.set(path, readManifestFile(read.source));
    }
  }
  return out;
}

function stampFor(path: string): FileStamp {
  const stamp = statStamp(path);
  assert.ok(stamp, path);
  return stamp;
}

/** A stamp of a file last changed long before the cache was written (not racy). */
function settled(path: string): FileStamp {
  const old = new Date(Date.now() - 60_000);
  utimesSync(path, old, old);
  return stampFor(path);
}

describe('round trip', () => {
  test('every fixture and corpus file comes back deepStrictEqual, with the engine kinds it holds', () => {
    const extracted = extractedTrees();
    assert.ok(extracted.size > 150, `only ${extracted.size} files`);
    const all = [...extracted.values()];
    // The round trip must cover what JSON would lose: Maps, Sets, properties set to undefined.
    assert.ok(all.some((f) => f.services.some((s) => s.labels.size > 0 && s.annotations.size > 0)));
    assert.ok(all.some((f) => f.suppressions.some((s) => s.rules.size > 0)));
    assert.ok(all.some((f) => f.services.some((s) => 'loadBalancerIP' in s && s.loadBalancerIP === undefined)));
    assert.ok(all.some((f) => f.pools.length > 0));
    assert.ok(all.some((f) => f.serviceCIDRs.length > 0));
    assert.ok(all.some((f) => f.syntaxErrors.length > 0));
    assert.ok(all.some((f) => f.helmTemplate !== undefined));

    const location = join(tempDir(), 'cache');
    const writing = openManifestCache(location, key);
    for (const [path, file] of extracted) writing.set(path, stampFor(path), contentHash(readFileSync(path)), file);
    assert.equal(writing.save(), undefined);

    const reading = openManifestCache(location, key);
    assert.equal(reading.notice, undefined);
    assert.equal(reading.size, extracted.size);
    for (const [path, file] of extracted)
      assert.deepStrictEqual(reading.get(path, stampFor(path), contentHash(readFileSync(path))), file, path);
  });
});

describe('lookups', () => {
  const dir = tempDir();
  const file = (name: string): ManifestFile => ({
    file: name,
    services: [],
    pools: [],
    serviceCIDRs: [],
    syntaxErrors: [],
    suppressions: [],
  });

  test('by stamp without reading, by hash after a touch, and a miss after an edit', () => {
    const path = join(dir, 'a.yaml');
    writeFileSync(path, 'kind: Service\n');
    const location = join(dir, 'lookups.cache');
    const cache = openManifestCache(location, key);
    cache.set(path, settled(path), contentHash('kind: Service\n'), file('a'));
    assert.equal(cache.save(), undefined);

    const warm = openManifestCache(location, key);
    assert.deepStrictEqual(warm.get(path, stampFor(path)), file('a'), 'same stamp: a hit without the hash');
    utimesSync(path, new Date(), new Date());
    const touched = stampFor(path);
    assert.equal(warm.get(path, touched), undefined, 'another stamp: the hash must decide');
    assert.deepStrictEqual(warm.get(path, touched, contentHash('kind: Service\n')), file('a'), 'same content');
    writeFileSync(path, 'kind: ConfigMap\n');
    assert.equal(warm.get(path, stampFor(path), contentHash('kind: ConfigMap\n')), undefined, 'edited');
  });

  test('a file changed within the timestamp window of the last write is checked by hash', () => {
    const path = join(dir, 'racy.yaml');
    writeFileSync(path, 'a: 1\n');
    const location = join(dir, 'racy.cache');
    const cache = openManifestCache(location, key);
    cache.set(path, stampFor(path), contentHash('a: 1\n'), file('racy'));
    cache.save();
    const warm = openManifestCache(location, key);
    assert.equal(warm.get(path, stampFor(path)), undefined, 'a recent stamp alone is not trusted');
    assert.deepStrictEqual(warm.get(path, stampFor(path), contentHash('a: 1\n')), file('racy'));
    const before = statSync(location).ino;
    assert.equal(warm.save(), undefined);
    assert.equal(statSync(location).ino, before, 'confirmed by hash, nothing else changed: not rewritten');
  });

  test('files gone are dropped on save; files not looked at but present are kept', () => {
    const kept = join(dir, 'kept.yaml');
    const gone = join(dir, 'gone.yaml');
    const seen = join(dir, 'seen.yaml');
    for (const p of [kept, gone, seen]) writeFileSync(p, 'a: 1\n');
    const location = join(dir, 'prune.cache');
    const cache = openManifestCache(location, key);
    for (const p of [kept, gone, seen]) cache.set(p, settled(p), contentHash('a: 1\n'), file(p));
    cache.save();
    rmSync(gone);
    const next = openManifestCache(location, key);
    assert.ok(next.get(seen, stampFor(seen)));
    assert.equal(next.save(), undefined);
    assert.deepEqual([...openManifestCache(location, key).paths()].sort(), [kept, seen].sort());
  });

  test('a few changes are written after the sections as read; many rewrite the file', () => {
    const paths = Array.from({ length: 100 }, (_, i) => join(dir, `many-${i}.yaml`));
    for (const p of paths) writeFileSync(p, 'a: 1\n');
    const location = join(dir, 'sections.cache');
    const cache = openManifestCache(location, key);
    for (const p of paths) cache.set(p, settled(p), contentHash('a: 1\n'), file(p));
    cache.save();
    const first = readFileSync(location);
    const at = (i: number) => paths[i] ?? '';

    const few = openManifestCache(location, key);
    for (const p of paths.slice(0, 3)) few.set(p, stampFor(p), 'new', file(`${p} v2`));
    few.delete(at(3));
    few.setMeta(at(4), 'four');
    // Looked up but not decoded: kept as read.
    assert.ok(few.lookup(at(60), stampFor(at(60))));
    assert.equal(few.save(), undefined);
    const second = readFileSync(location);
    assert.ok(second.subarray(0, first.length).equals(first), 'the sections are written as they were read');
    const reread = openManifestCache(location, key);
    assert.equal(reread.size, 99);
    assert.deepStrictEqual(reread.get(at(0), stampFor(at(0)), 'new'), file(`${at(0)} v2`));
    assert.deepStrictEqual(reread.get(at(50), stampFor(at(50))), file(at(50)));
    assert.deepStrictEqual(reread.get(at(60), stampFor(at(60))), file(at(60)));
    assert.equal(reread.meta(at(4)), 'four');
    assert.deepStrictEqual(reread.get(at(4), stampFor(at(4))), file(at(4)), 'a meta change keeps the blob as read');
    assert.equal(reread.get(at(3), stampFor(at(50)), contentHash('a: 1\n')), undefined, 'deleted');

    // Changes on changes: both kept after the same sections.
    reread.set(at(5), stampFor(at(5)), 'newer', file(`${at(5)} v3`));
    assert.equal(reread.save(), undefined);
    assert.ok(readFileSync(location).subarray(0, first.length).equals(first));
    const third = openManifestCache(location, key);
    assert.deepStrictEqual(third.get(at(0), stampFor(at(0)), 'new'), file(`${at(0)} v2`));
    assert.deepStrictEqual(third.get(at(5), stampFor(at(5)), 'newer'), file(`${at(5)} v3`));
    assert.equal(third.size, 99);

    for (const p of paths.slice(6, 76)) third.set(p, stampFor(p), 'newest', file(`${p} v4`));
    assert.equal(third.save(), undefined);
    assert.ok(!readFileSync(location).subarray(0, first.length).equals(first), 'past 64 changes the file is rewritten');
    const last = openManifestCache(location, key);
    assert.equal(last.size, 99);
    assert.deepStrictEqual(last.get(at(6), stampFor(at(6)), 'newest'), file(`${at(6)} v4`));
    assert.deepStrictEqual(last.get(at(0), stampFor(at(0)), 'new'), file(`${at(0)} v2`));
    assert.deepStrictEqual(last.get(at(80), stampFor(at(80))), file(at(80)));
    assert.equal(last.meta(at(4)), 'four');
  });

  test('entries serialized in groups: each comes back whole, in any order, after rewrites that keep part of a group', () => {
    const paths = Array.from({ length: 300 }, (_, i) => join(dir, `group-${i}.yaml`));
    for (const p of paths) writeFileSync(p, 'a: 1\n');
    // One object shared by files of one group (as engine constants are): each file decodes whole.
    const shared = { start: { line: 0, column: 0 }, end: { line: 0, column: 0 } };
    const withShared = (p: string, v: string): ManifestFile => ({
      ...file(`${p} ${v}`),
      syntaxErrors: [{ message: v, range: shared }],
    });
    const location = join(dir, 'groups.cache');
    const cache = openManifestCache(location, key);
    for (const p of paths) cache.set(p, settled(p), contentHash('a: 1\n'), withShared(p, 'v1'));
    assert.equal(cache.save(), undefined);
    const firstSize = readFileSync(location).length;
    const expected = new Map(paths.map((p) => [p, withShared(p, 'v1')]));
    // Every third file anew (a whole rewrite: past 64 changes), the others copied as read.
    const rewrite = openManifestCache(location, key);
    paths.forEach((p, i) => {
      if (i % 3 !== 0) return;
      rewrite.set(p, stampFor(p), 'v2', withShared(p, 'v2'));
      expected.set(p, withShared(p, 'v2'));
    });
    rewrite.delete(paths[299] ?? '');
    expected.delete(paths[299] ?? '');
    assert.equal(rewrite.save(), undefined);
    assert.ok(readFileSync(location).length < firstSize * 1.5, 'a group kept by several rows is copied once');
    const hash = (p: string) => (expected.get(p)?.syntaxErrors[0]?.message === 'v2' ? 'v2' : contentHash('a: 1\n'));
    const backwards = openManifestCache(location, key);
    assert.equal(backwards.size, 299);
    for (const p of [...expected.keys()].reverse())
      assert.deepStrictEqual(backwards.get(p, stampFor(p), hash(p)), expected.get(p), p);
    const forwards = openManifestCache(location, key);
    for (const [p, want] of expected) assert.deepStrictEqual(forwards.get(p, stampFor(p), hash(p)), want, p);
  });

  test('a whole write streams its groups (young collections between them): 40 groups come back whole', () => {
    const paths = Array.from({ length: 40 * 32 }, (_, i) => join(dir, `stream-${i}.yaml`));
    for (const p of paths) writeFileSync(p, 'a: 1\n');
    const location = join(dir, 'stream.cache');
    const cache = openManifestCache(location, key);
    for (const p of paths) cache.set(p, settled(p), contentHash('a: 1\n'), file(p));
    assert.equal(cache.save(), undefined);
    // The collector is taken from a context of its own: this one's globals are as they were.
    assert.equal((globalThis as { gc?: unknown }).gc, undefined);
    const reading = openManifestCache(location, key);
    assert.equal(reading.notice, undefined);
    assert.equal(reading.size, paths.length);
    for (const p of paths) assert.deepStrictEqual(reading.get(p, stampFor(p), contentHash('a: 1\n')), file(p), p);
  });

  test("an entry's meta: kept with it, dropped when the entry is set anew or not retained; the annex", () => {
    const paths = ['m1', 'm2', 'm3'].map((n) => join(dir, `${n}.yaml`));
    for (const p of paths) writeFileSync(p, 'a: 1\n');
    const [one, two, three] = paths as [string, string, string];
    const location = join(dir, 'meta.cache');
    const cache = openManifestCache(location, key);
    cache.set(one, settled(one), contentHash('a: 1\n'), file('m1'), { keys: ['ip:1'] });
    cache.set(two, settled(two), contentHash('a: 1\n'), file('m2'));
    cache.setMeta(two, { keys: ['id:x'] });
    cache.set(three, settled(three), contentHash('a: 1\n'), file('m3'), 'three');
    cache.setAnnex({ folders: 1 });
    assert.equal(cache.save(), undefined);

    const warm = openManifestCache(location, key);
    assert.deepStrictEqual(warm.annex, { folders: 1 });
    assert.deepStrictEqual(warm.lookup(one, stampFor(one))?.meta, { keys: ['ip:1'] });
    assert.deepStrictEqual(warm.meta(two), { keys: ['id:x'] });
    warm.set(one, stampFor(one), 'edited', file('m1 v2'));
    assert.equal(warm.meta(one), undefined, 'new content: the meta described the old one');
    warm.retainMeta(new Set([one, three]));
    assert.equal(warm.save(), undefined);

    const last = openManifestCache(location, key);
    assert.equal(last.meta(one), undefined);
    assert.equal(last.meta(two), undefined, 'not retained');
    assert.equal(last.meta(three), 'three');
    assert.deepStrictEqual(last.get(two, stampFor(two)), file('m2'), 'the entry itself stays');
  });

  test('nothing changed: save does not rewrite the file', () => {
    const path = join(dir, 'same.yaml');
    writeFileSync(path, 'a: 1\n');
    const location = join(dir, 'same.cache');
    const cache = openManifestCache(location, key);
    cache.set(path, settled(path), contentHash('a: 1\n'), file('same'));
    cache.save();
    const before = statSync(location);
    const warm = openManifestCache(location, key);
    const hit = warm.get(path, stampFor(path));
    assert.ok(hit);
    warm.set(path, stampFor(path), contentHash('a: 1\n'), hit);
    assert.equal(warm.save(), undefined);
    assert.equal(statSync(location).ino, before.ino, 'the file was not replaced');
  });

  test('another key (version, config) is an empty cache, silently, and is rewritten on save', () => {
    const path = join(dir, 'keyed.yaml');
    writeFileSync(path, 'a: 1\n');
    const location = join(dir, 'keyed.cache');
    const cache = openManifestCache(location, key);
    cache.set(path, settled(path), contentHash('a: 1\n'), file('keyed'));
    cache.save();
    for (const other of [
      manifestCacheKey(['test', 'config-b']),
      manifestCacheKey(['other-version', 'config-a']),
      manifestCacheKey([]),
    ]) {
      const stale = openManifestCache(location, other);
      assert.equal(stale.notice, undefined);
      assert.equal(stale.size, 0);
      assert.equal(stale.get(path, stampFor(path), contentHash('a: 1\n')), undefined);
    }
    const rewritten = openManifestCache(location, manifestCacheKey(['test', 'config-b']));
    assert.equal(rewritten.save(), undefined);
    assert.equal(openManifestCache(location, key).size, 0, 'the file now holds the other key');
  });

  test('the key covers the cache format, V8 and the extraction code, and is stable', () => {
    assert.equal(manifestCacheKey(['x']), manifestCacheKey(['x']));
    assert.notEqual(manifestCacheKey(['x']), manifestCacheKey(['x', '']));
    assert.notEqual(manifestCacheKey(['ab', 'c']), manifestCacheKey(['a', 'bc']));
  });
});

describe('damaged cache files are ignored with one line, then rewritten', () => {
  const dir = tempDir();
  const path = join(dir, 'a.yaml');
  writeFileSync(path, 'a: 1\n');
  const good = join(dir, 'good.cache');
  const cache = openManifestCache(good, key);
  cache.set(path, settled(path), contentHash('a: 1\n'), {
    file: 'a.yaml',
    services: [],
    pools: [],
    serviceCIDRs: [],
    syntaxErrors: [],
    suppressions: [{ line: 1, rules: new Set(['duplicate-cluster-ip']) }],
  });
  cache.save();
  const bytes = readFileSync(good);
  const flipped = Buffer.from(bytes);
  flipped[flipped.length - 5] ^= 0xff;

  const cases: { name: string; content: Uint8Array | 'directory' }[] = [
    { name: 'empty', content: new Uint8Array() },
    { name: 'not ours', content: Buffer.from('{"eslint": "cache"}') },
    { name: 'truncated in the header', content: bytes.subarray(0, 20) },
    { name: 'truncated in the key', content: bytes.subarray(0, 40) },
    { name: 'truncated in the payload', content: bytes.subarray(0, bytes.length - 10) },
    { name: 'one byte flipped', content: flipped },
    { name: 'a directory', content: 'directory' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const location = join(dir, `${c.name.replace(/ /g, '-')}.cache`);
      if (c.content === 'directory') mkdirSync(location);
      else writeFileSync(location, c.content);
      const opened = openManifestCache(location, key);
      assert.equal(opened.size, 0);
      assert.ok(opened.notice, 'one line says the cache is ignored');
      assert.match(opened.notice, /^warning: ignoring the cache .*; it will be rewritten$/);
      assert.doesNotMatch(opened.notice, /\n/);
      assert.equal(opened.get(path, stampFor(path), contentHash('a: 1\n')), undefined);
      opened.set(path, stampFor(path), contentHash('a: 1\n'), {
        file: 'a.yaml',
        services: [],
        pools: [],
        serviceCIDRs: [],
        syntaxErrors: [],
        suppressions: [],
      });
      if (c.content === 'directory') {
        assert.match(opened.save() ?? '', /^warning: could not write the cache .*: .+$/);
        return;
      }
      assert.equal(opened.save(), undefined);
      const reopened = openManifestCache(location, key);
      assert.equal(reopened.notice, undefined);
      assert.equal(reopened.size, 1);
    });
  }
  test('the intact file reads back', () => {
    assert.equal(openManifestCache(good, key).size, 1);
    assert.deepEqual(
      readdirSync(dir).filter((n) => n.endsWith('.tmp')),
      [],
      'no temporary file is left behind',
    );
  });
  test('a missing folder is created on save', () => {
    const nested = join(dir, 'node_modules/.cache/kube-routes/cache');
    const c = openManifestCache(nested, key);
    assert.equal(c.notice, undefined);
    c.set(path, stampFor(path), contentHash('a: 1\n'), {
      file: 'a.yaml',
      services: [],
      pools: [],
      serviceCIDRs: [],
      syntaxErrors: [],
      suppressions: [],
    });
    assert.equal(c.save(), undefined);
    assert.equal(openManifestCache(nested, key).size, 1);
  });
});
