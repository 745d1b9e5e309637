import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gunzipSync, createGzip } from 'node:zlib';
import { writeFileAtomically } from '../../src/node';

// A snapshot is written whole or not at all: the previous file survives a failure midway.

const dir = mkdtempSync(join(tmpdir(), 'kube-routes-atomic-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a complete write replaces the file, leaving no temporary file', async () => {
  const path = join(dir, 'a.mrt');
  writeFileSync(path, 'previous');
  await writeFileAtomically(path, [Buffer.from('new '), Buffer.from('table')]);
  assert.equal(readFileSync(path, 'utf8'), 'new table');
  assert.deepEqual(readdirSync(dir), ['a.mrt']);
});

test('through a transform (gzip)', async () => {
  const path = join(dir, 'b.mrt.gz');
  await writeFileAtomically(path, [Buffer.from('table')], createGzip());
  assert.equal(gunzipSync(readFileSync(path)).toString('utf8'), 'table');
  rmSync(path);
});

test('a source that fails midway (a speaker killed mid-dump) leaves the previous file intact', async () => {
  const path = join(dir, 'a.mrt');
  async function* cut(): AsyncGenerator<Uint8Array> {
    yield Buffer.alloc(100_000, 1);
    throw new Error('socket hang up');
  }
  await assert.rejects(writeFileAtomically(path, cut()), /socket hang up/);
  assert.equal(readFileSync(path, 'utf8'), 'new table');
  assert.deepEqual(readdirSync(dir), ['a.mrt'], 'the temporary file is removed');
});
