import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkManifests,
  emptyConfig,
  parseCidr,
  parseConfig,
  rangeContains,
  readManifestFile,
  linkKeys,
  poolsLinkKey,
  rules,
  rulesById,
  type KubeRoutesConfig,
  type ManifestFile,
  type Route,
  type RouteTable,
} from '@kube-routes/server/engine';

/** A naive longest-prefix match over a route list: the reference the fixtures are written against. */
function routeTable(routes: readonly Route[]): RouteTable {
  const ranges = routes.flatMap((route) => {
    const parsed = parseCidr(route.prefix);
    return 'range' in parsed ? [{ route, range: parsed.range, length: Number(route.prefix.split('/')[1]) }] : [];
  });
  return {
    source: 'routes.json',
    lookup: (address) =>
      ranges.filter((r) => rangeContains(r.range, address)).sort((a, b) => b.length - a.length)[0]?.route,
  };
}
import { matchSnapshot } from '@kube-routes/test/support';
import { renderFindings } from './render';

/** The case's manifests (*.yaml, *.yml, *.json, in sub-folders too), as paths relative to it, in name order. */
function manifestPaths(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) => {
      const path = prefix ? `${prefix}/${e.name}` : e.name;
      if (e.isDirectory()) return manifestPaths(dir, path);
      return /\.(ya?ml|json)$/.test(e.name) && path !== 'kube-routes.yaml' && e.name !== 'routes.json' ? [path] : [];
    });
}

// Each folder under fixtures/ is one case: manifests (*.yaml, *.yml, *.json, also in sub-folders, read in name order), and
// expected.txt, the findings they must produce; with routes.json (Route[]), the BGP rules run too. The config is the case's own kube-routes.yaml,
// else the shared fixtures/kube-routes.yaml; cases named no-config-* run without one.
const fixtures = resolve(__dirname, '../../../test/engine/fixtures');

interface Fixture {
  readonly manifests: ManifestFile[];
  readonly config: KubeRoutesConfig;
  readonly routes: RouteTable | undefined;
}

function loadFixture(name: string, dir: string): Fixture {
  const files = manifestPaths(dir);
  assert.ok(files.length > 0, `fixture ${name} has no manifests`);
  let config = emptyConfig;
  if (!name.startsWith('no-config')) {
    const own = join(dir, 'kube-routes.yaml');
    const path = existsSync(own) ? own : join(fixtures, 'kube-routes.yaml');
    const parsed = parseConfig(readFileSync(path, 'utf8'), 'kube-routes.yaml');
    assert.deepEqual(parsed.errors, [], `fixture ${name} has an invalid config`);
    config = parsed.config ?? emptyConfig;
  }
  const manifests = files.map((f) => readManifestFile({ path: f, text: readFileSync(join(dir, f), 'utf8') }));
  const routesFile = join(dir, 'routes.json');
  const routes = existsSync(routesFile)
    ? routeTable(JSON.parse(readFileSync(routesFile, 'utf8')) as Route[])
    : undefined;
  return { manifests, config, routes };
}

const names = readdirSync(fixtures)
  .sort()
  .filter((name) => statSync(join(fixtures, name)).isDirectory());

for (const name of names) {
  test(`fixture ${name}`, () => {
    const { manifests, config, routes } = loadFixture(name, join(fixtures, name));
    const { findings } = checkManifests(manifests, config, { routes });
    matchSnapshot(renderFindings(findings), join(fixtures, name, 'expected.txt'));
  });
}

// The language server publishes a file's fileRulesOnly findings before the workspace is read:
// none of them may be one the full check would not report (a rule missing its crossFile flag).
test('fixtures: every file checked alone reports only findings of the full check', () => {
  let alone = 0;
  let crossFile = 0;
  for (const name of names) {
    const { manifests, config, routes } = loadFixture(name, join(fixtures, name));
    const { findings } = checkManifests(manifests, config, { routes });
    const full = new Set(findings.map((f) => JSON.stringify(f)));
    crossFile += findings.filter((f) => rulesById.get(f.rule)?.crossFile).length;
    for (const manifest of manifests) {
      for (const finding of checkManifests([manifest], config, { routes, fileRulesOnly: true }).findings) {
        alone++;
        assert.ok(full.has(JSON.stringify(finding)), `${name}: ${finding.file}: ${finding.rule}: ${finding.message}`);
      }
    }
  }
  // Both sides are exercised: findings from files alone, and crossFile findings they leave out.
  assert.ok(alone > 0 && crossFile > 0, `${alone} findings alone, ${crossFile} of crossFile rules`);
});

// check --cache and the editor re-check a file with only the files sharing a link key with it
// (and the pool files): on every fixture, that check must give each file the findings the full
// check gives it, route rules included.
test('fixtures: a file checked with the files sharing its link keys gets the full check findings', () => {
  let compared = 0;
  const given = new Set<string>();
  for (const name of names) {
    const { manifests, config, routes } = loadFixture(name, join(fixtures, name));
    const { findings } = checkManifests(manifests, config, { routes });
    const keys = manifests.map((m) => new Set(linkKeys(m)));
    for (const set of keys) for (const key of set) given.add(key.split(':')[0] ?? key);
    manifests.forEach((manifest, i) => {
      const mine = keys[i] ?? new Set<string>();
      const linked = manifests.filter(
        (_, j) => j === i || [...(keys[j] ?? [])].some((k) => k === poolsLinkKey || mine.has(k)),
      );
      const alone = checkManifests(linked, config, { routes }).findings.filter((f) => f.file === manifest.file);
      const full = findings.filter((f) => f.file === manifest.file);
      assert.deepStrictEqual(alone, full, `${name}: ${manifest.file}`);
      compared += full.length;
    });
  }
  assert.ok(compared > 50, `only ${compared} findings compared`);
  // Every kind of link key a rule names is one linkKeys gives.
  const named = new Set(rules.flatMap((r) => r.crossFile ?? []));
  assert.ok(named.size > 0);
  for (const kind of named) assert.ok(given.has(kind), `no fixture file has a ${kind} key`);
});
