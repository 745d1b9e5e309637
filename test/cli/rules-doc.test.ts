import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  checkManifests,
  indexLiveServices,
  parseCidr,
  parseConfig,
  rangeContains,
  readManifestFile,
  rules,
  type KubeRoutesConfig,
  type LiveServices,
  type RouteTable,
} from '@kube-routes/server/engine';
import { repoRoot, routePath } from '@kube-routes/test/support';

// docs/rules.md is executable: every rule has a section, each "Bad" example produces the rule
// and each "Good" example does not, under the config block at the top of the page.
const doc = readFileSync(join(repoRoot, 'docs/rules.md'), 'utf8');
const [intro = '', ...sections] = doc.split(/^## /m);
const configBlock = /```yaml\n# kube-routes.yaml used by the examples\n([\s\S]*?)```/.exec(intro)?.[1];
const routesBlock = /```text\n# routes used by the examples\n([\s\S]*?)```/.exec(intro)?.[1] ?? '';
const liveBlock = /```text\n# live Services used by the examples\n([\s\S]*?)```/.exec(intro)?.[1] ?? '';

/** "PREFIX AS [AS...]" lines: one path per origin AS. */
function exampleRoutes(text: string): RouteTable {
  const routes = text
    .trim()
    .split('\n')
    .map((line) => {
      const [prefix = '', ...asns] = line.trim().split(/\s+/);
      const parsed = parseCidr(prefix);
      if (!('range' in parsed)) throw new Error(`bad example route ${line}`);
      const paths = asns.map((asn, i) => routePath(Number(asn), { pathId: i + 1, nextHop: `10.9.0.${i + 1}` }));
      return { route: { prefix, paths }, range: parsed.range, length: Number(prefix.split('/')[1]) };
    });
  return {
    source: 'the example routes',
    lookup: (a) => routes.filter((r) => rangeContains(r.range, a)).sort((x, y) => y.length - x.length)[0]?.route,
  };
}

/** "CONTEXT NAMESPACE/NAME CLUSTER-IP..." lines. */
function exampleLive(text: string, config: KubeRoutesConfig): LiveServices {
  const services = text
    .trim()
    .split('\n')
    .map((line) => {
      const [context = '', id = '', ...clusterIPs] = line.trim().split(/\s+/);
      const [namespace = '', name = ''] = id.split('/');
      return { context, namespace, name, clusterIPs };
    });
  return indexLiveServices(services, config, 'the example clusters');
}

test('docs/rules.md has a section per rule, in table order', () => {
  assert.deepEqual(
    sections.map((s) => s.split('\n', 1)[0]),
    rules.map((r) => r.id),
  );
});

for (const section of sections) {
  const id = section.split('\n', 1)[0] ?? '';
  const examples = [...section.matchAll(/^(Bad|Good)[^\n]*:\n```yaml\n([\s\S]*?)```/gm)];
  if (id === 'unreadable-file') continue; // its input is bytes, covered by test/cli/check.test.ts
  test(`docs/rules.md examples for ${id}`, () => {
    assert.ok(configBlock, 'the config block is missing');
    const { config } = parseConfig(configBlock, 'kube-routes.yaml');
    assert.ok(config);
    assert.deepEqual(examples.map((e) => e[1]).sort(), ['Bad', 'Good'], `${id} needs one Bad and one Good example`);
    for (const [, kind, yaml = ''] of examples) {
      const routes = rules.find((r) => r.id === id)?.needsRoutes ? exampleRoutes(routesBlock) : undefined;
      const live = rules.find((r) => r.id === id)?.needsLive ? exampleLive(liveBlock, config) : undefined;
      const path = /^# file: (\S+)/.exec(yaml)?.[1] ?? `${id}.yaml`;
      const { findings } = checkManifests([readManifestFile({ path, text: yaml })], config, {
        routes,
        live,
      });
      const ruleFindings = findings.filter((f) => f.rule === id);
      if (kind === 'Bad') assert.ok(ruleFindings.length > 0, `the Bad example of ${id} must produce it`);
      else assert.deepEqual(findings, [], `the Good example of ${id} must produce no findings`);
    }
  });
}
