import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkManifests, parseConfig, readManifestFile, rules } from '@kube-routes/server/engine';
import { repoRoot } from '@kube-routes/test/support';

// docs/rules.md is executable: every rule has a section, each "Bad" example produces the rule
// and each "Good" example does not, under the config block at the top of the page.
const doc = readFileSync(join(repoRoot, 'docs/rules.md'), 'utf8');
const [intro = '', ...sections] = doc.split(/^## /m);
const configBlock = /```yaml\n# kube-routes.yaml used by the examples\n([\s\S]*?)```/.exec(intro)?.[1];

test('docs/rules.md has a section per rule, in table order', () => {
  assert.deepEqual(sections.map((s) => s.split('\n', 1)[0]), rules.map((r) => r.id));
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
      const { findings } = checkManifests([readManifestFile({ path: `${id}.yaml`, text: yaml })], config);
      const ruleFindings = findings.filter((f) => f.rule === id);
      if (kind === 'Bad') assert.ok(ruleFindings.length > 0, `the Bad example of ${id} must produce it`);
      else assert.deepEqual(findings, [], `the Good example of ${id} must produce no findings`);
    }
  });
}
