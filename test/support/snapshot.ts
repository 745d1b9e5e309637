import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Compares text with a file in the source tree; UPDATE_SNAPSHOTS=1 rewrites the file instead. */
export function matchSnapshot(actual: string, snapshotFile: string): void {
  if (process.env.UPDATE_SNAPSHOTS === '1') {
    mkdirSync(dirname(snapshotFile), { recursive: true });
    writeFileSync(snapshotFile, actual);
    return;
  }
  assert.ok(
    existsSync(snapshotFile),
    `missing snapshot ${snapshotFile}; run the tests with UPDATE_SNAPSHOTS=1 to create it`,
  );
  assert.equal(
    actual,
    readFileSync(snapshotFile, 'utf8'),
    `output differs from ${snapshotFile}; if the change is intended, run with UPDATE_SNAPSHOTS=1`,
  );
}
