import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema, parseConfig, rules } from '@kube-routes/server/engine';
import { matchSnapshot } from '@kube-routes/test/support';
import { renderConfigErrors } from './render';

// Each NAME.yaml under config-fixtures/ is a kube-routes.yaml; NAME.expected.txt holds its errors.
const fixtures = resolve(__dirname, '../../../test/engine/config-fixtures');

const files = readdirSync(fixtures)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

// A missing or emptied folder must fail, not run no test.
test('config fixtures exist', () =>
  assert.ok(files.length >= 18, `only ${files.length} config fixtures in ${fixtures}`));

for (const file of files) {
  test(`config ${file}`, () => {
    const { config, errors } = parseConfig(readFileSync(join(fixtures, file), 'utf8'), file);
    assert.equal(config === undefined, errors.length > 0, 'a config is returned exactly when there are no errors');
    matchSnapshot(renderConfigErrors(errors), join(fixtures, file.replace(/\.yaml$/, '.expected.txt')));
  });
}

test('the schema lists exactly the rules of the rule table', () => {
  const schemaRules = Object.keys(
    ((configSchema.properties as Record<string, { properties: object }>).rules ?? { properties: {} }).properties,
  );
  assert.deepEqual(schemaRules.sort(), rules.map((r) => r.id).sort());
});

test('the default config: region labels and nothing else', () => {
  const { config, errors } = parseConfig('', 'empty.yaml');
  assert.deepEqual(errors, []);
  assert.deepEqual(config?.regionLabels, ['region', 'topology.kubernetes.io/region']);
  assert.equal(config?.regions.size, 0);
});

test('the generated config validator is the schema compiled now (else run scripts/generate-config-validator.mjs)', async () => {
  const script = resolve(__dirname, '../../../../scripts/generate-config-validator.mjs');
  const { validatorSource, validatorPath } = (await import(script)) as {
    validatorSource: () => string;
    validatorPath: string;
  };
  assert.equal(readFileSync(validatorPath, 'utf8'), validatorSource());
});
