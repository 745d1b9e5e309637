import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { runCheck } from '../src/check/run-check';

// `check -k DIR` renders with the real kubectl on PATH and moves findings back to the files each
// resource came from (kustomize's origin annotations): two overlays of one base, one conflict.
const cwd = resolve(__dirname, '../../test/fixtures/kustomize');

test('check -k: overlays rendered by kubectl kustomize, findings in the origin files, once each', async () => {
  const { report, exitCode } = await runCheck(
    [],
    { config: undefined, failOn: 'error', maxFileBytes: 1 << 20, kustomize: ['overlays/nyc3', 'overlays/sgp1'] },
    { cwd, stdout: () => {}, stderr: () => {}, readStdin: async () => new Uint8Array(), color: false },
  );
  assert.equal(exitCode, 1);
  assert.deepEqual(
    report.findings.map((f) => `${f.file}:${f.range.start.line + 1}:${f.range.start.column + 1} ${f.rule}`),
    ['base/service.yaml:7:34 external-ip-conflict', 'overlays/nyc3/api.yaml:7:45 external-ip-conflict'],
  );
});
