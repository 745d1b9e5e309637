import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadConfigFile, readBoundedFile, readSourceFile } from '../../src/node';

// Files a repository names are read only when regular, and never past the limit: a link to
// /dev/zero, a FIFO or a file larger than it says cannot freeze or fill the reader.

const dir = mkdtempSync(join(tmpdir(), 'kube-routes-bounded-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const at = (name: string) => join(dir, name);

writeFileSync(at('small.yaml'), 'kind: Service\n');
writeFileSync(at('big.yaml'), Buffer.alloc(3000, 'a'));
writeFileSync(at('large.yaml'), Buffer.alloc(200_000, 'b'));
writeFileSync(at('empty.yaml'), '');
symlinkSync('/dev/zero', at('zero.yaml'));
symlinkSync('/dev/zero', at('kube-routes.yaml'));
execFileSync('mkfifo', [at('fifo.yaml')]);

const cases: readonly { name: string; file: string; max: number; expected: RegExp | string }[] = [
  { name: 'a regular file', file: 'small.yaml', max: 100, expected: 'kind: Service\n' },
  { name: 'over the limit', file: 'big.yaml', max: 1024, expected: /^file is 3 KiB, over the 1 KiB limit$/ },
  { name: 'exactly at the limit', file: 'big.yaml', max: 3000, expected: 'a'.repeat(3000) },
  { name: 'a large file, one read sized by stat', file: 'large.yaml', max: 1 << 20, expected: 'b'.repeat(200_000) },
  { name: 'empty', file: 'empty.yaml', max: 1024, expected: '' },
  { name: 'a link to /dev/zero', file: 'zero.yaml', max: 1024, expected: /^file is not a regular file/ },
  { name: 'a FIFO (opening does not block)', file: 'fifo.yaml', max: 1024, expected: /^file is not a regular file/ },
  { name: 'missing', file: 'nope.yaml', max: 1024, expected: /^cannot read file: no such file or directory$/ },
  { name: 'a directory', file: '.', max: 1024, expected: /^cannot read file: is a directory$/ },
];

for (const c of cases) {
  test(`readBoundedFile: ${c.name}`, () => {
    const read = readBoundedFile(at(c.file), c.max);
    if (typeof c.expected === 'string') {
      assert.ok('bytes' in read, JSON.stringify(read));
      assert.equal(read.bytes.toString('utf8'), c.expected);
    } else {
      assert.ok('problem' in read);
      assert.match(read.problem, c.expected);
    }
  });
}

test('a manifest linked to /dev/zero is a problem, not an endless read', () => {
  const read = readSourceFile(at('zero.yaml'), 'zero.yaml');
  assert.ok('problem' in read);
  assert.match(read.problem, /not a regular file/);
});

test('a kube-routes.yaml linked to /dev/zero is one config error', () => {
  const parsed = loadConfigFile(at('kube-routes.yaml'), 'kube-routes.yaml');
  assert.equal(parsed.config, undefined);
  assert.match(parsed.errors[0]?.message ?? '', /^config is not a regular file/);
});

test('a read carries the fstat of the file it read: the stamp a cache needs, without a second stat', () => {
  const read = readSourceFile(at('small.yaml'), 'small.yaml');
  assert.ok('source' in read, JSON.stringify(read));
  const stats = statSync(at('small.yaml'));
  assert.deepEqual(
    [read.stats.size, read.stats.ino, read.stats.mtimeMs, read.stats.ctimeMs],
    [stats.size, stats.ino, stats.mtimeMs, stats.ctimeMs],
  );
  assert.equal(Buffer.from(read.bytes).toString('utf8'), read.source.text);
});

test('a read whose bytes are a shared view leaves the text of the read before it intact', () => {
  const first = readSourceFile(at('small.yaml'), 'small.yaml');
  const second = readSourceFile(at('big.yaml'), 'big.yaml');
  assert.ok('source' in first && 'source' in second);
  assert.equal(first.source.text, 'kind: Service\n');
  assert.equal(second.source.text, 'a'.repeat(3000));
  const own = readBoundedFile(at('small.yaml'), 100);
  readSourceFile(at('big.yaml'), 'big.yaml');
  assert.ok('bytes' in own);
  assert.equal(own.bytes.toString('utf8'), 'kind: Service\n', 'a read without view owns its bytes');
});
