import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  completeRecheck,
  type FileRecord,
  type Finding,
  planRecheck,
  type RecheckInput,
} from '@kube-routes/server/engine';

// The incremental check's plan over link keys, and the merge of fresh findings with records.
// The differential test (kubectl-plugin/test/check-cache-incremental.test.ts) holds the whole to a
// full check; this table shows the rules one by one.

const record = (keys: string[], findings: Finding[] = []): FileRecord => ({ keys, services: 1, findings });
const same = (file: string, keys: string[]): RecheckInput => ({ file, unchanged: record(keys), keys, services: 1 });
const changed = (file: string, keys: string[], before?: string[]): RecheckInput => ({
  file,
  unchanged: undefined,
  keys,
  before,
  services: 1,
});

const table: {
  name: string;
  inputs: RecheckInput[];
  gone?: string[][];
  recheck: number[] | 'all';
  model?: number[];
}[] = [
  { name: 'nothing changed', inputs: [same('a', ['ip:1']), same('b', ['ip:1'])], recheck: [], model: [] },
  {
    name: 'a changed file and the file sharing its new address',
    inputs: [changed('a', ['ip:1']), same('b', ['ip:1']), same('c', ['ip:2'])],
    recheck: [0, 1],
    model: [0, 1],
  },
  {
    name: 'the file sharing its old address (a conflict that went away)',
    inputs: [changed('a', ['ip:3'], ['ip:2']), same('b', ['ip:1']), same('c', ['ip:2'])],
    recheck: [0, 2],
    model: [0, 2],
  },
  {
    name: 'a file gone: the files sharing its keys',
    inputs: [same('b', ['ip:1']), same('c', ['id:x'])],
    gone: [['id:x']],
    recheck: [1],
    model: [1],
  },
  {
    name: "the model holds the rechecked files' other partners and every pool file, in input order",
    inputs: [same('p', ['pools']), same('x', ['ip:9', 'id:s']), changed('a', ['ip:1']), same('b', ['ip:1', 'id:s'])],
    recheck: [2, 3],
    model: [0, 1, 2, 3],
  },
  {
    name: 'no records (a cold run): everything, without building key sets',
    inputs: [changed('a', ['ip:1']), changed('b', ['ip:2'])],
    recheck: 'all',
  },
  {
    name: 'a pool file changed: everything',
    inputs: [changed('p', [], ['pools']), same('b', ['ip:1'])],
    recheck: 'all',
  },
];

for (const row of table) {
  test(`planRecheck: ${row.name}`, () => {
    const plan = planRecheck(row.inputs, row.gone ?? []);
    if (row.recheck === 'all') {
      assert.equal(plan.all, true);
      return;
    }
    assert.ok(!plan.all);
    assert.deepEqual([...plan.recheck].sort(), row.recheck);
    assert.deepEqual(plan.model, row.model);
  });
}

const finding = (file: string, line: number, rule = 'duplicate-cluster-ip'): Finding => ({
  rule,
  severity: 'error',
  file,
  range: { start: { line, column: 0 }, end: { line, column: 1 } },
  message: `${file}:${line}`,
  related: [],
});

test('completeRecheck: records answer for the others, fresh findings for the rechecked, sorted', () => {
  const kept = finding('b', 3);
  const inputs: RecheckInput[] = [
    changed('a', ['ip:1']),
    { file: 'b', unchanged: { keys: ['ip:2'], services: 2, findings: [kept] }, keys: ['ip:2'], services: 2 },
    same('c', ['ip:1']),
  ];
  // The model's check also reports about c, which is only in the model when not rechecked: dropped.
  const result = completeRecheck(inputs, new Set([0]), [finding('a', 1), finding('c', 9)]);
  assert.deepEqual(result.findings, [finding('a', 1), kept]);
  assert.equal(result.serviceCount, 4);
  assert.equal(result.records?.[1], inputs[1]?.unchanged, 'an unchanged record is kept as it is');
  assert.deepEqual(result.records?.[0], { keys: ['ip:1'], services: 1, findings: [finding('a', 1)] });
});

test('completeRecheck: a finding about no input is shown, and no records are kept', () => {
  const result = completeRecheck([changed('a', [])], 'all', [finding('elsewhere', 1), finding('a', 2)]);
  assert.deepEqual(
    result.findings.map((f) => f.file),
    ['a', 'elsewhere'],
  );
  assert.equal(result.records, undefined);
});
