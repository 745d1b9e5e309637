/**
 * The Node adapters: files read as async iterators (plain and gzip), decompression failures as
 * data, backpressure (the source is read only as fast as records are consumed), writing files.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { type MrtReadResult, loadMrtIntoRib, readMrt, writeTableDump } from '../../src/mrt';
import {
  isGzipFile,
  loadMrtFile,
  mrtRecordsFromStream,
  readMrtFile,
  writeMrtFile,
  writeTableDumpFile,
} from '../../src/mrt-node';
import { Rib } from '../../src/rib';
import { Random, announce, concat, listFixtures, randomAttributes, resultLines, ribLines } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'mrt-node-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const fixtures = listFixtures('valid');
const birdDump = fixtures.find((f) => f.name === 'valid/bird-table-dump')!.bytes;
const birdUpdates = fixtures.find((f) => f.name === 'valid/bird-bgp4mp-addpath')!.bytes;

async function collect(iterable: AsyncIterable<MrtReadResult>): Promise<MrtReadResult[]> {
  const out: MrtReadResult[] = [];
  for await (const r of iterable) out.push(r);
  return out;
}

function bigRib(routes: number): Rib {
  const rib = new Rib();
  const random = new Random(21);
  const sets = Array.from({ length: 50 }, () => randomAttributes(random, 4));
  for (let i = 0; i < routes; i++)
    announce(rib, 0, { family: 4, address: (0x0b000000 + i * 256) >>> 0, length: 24 }, 0, sets[i % 50]!, 1700000000);
  return rib;
}
const PEERS = [{ id: 0, address: '192.0.2.1', asn: 65001, bgpId: '10.0.0.1' }];

describe('readMrtFile', () => {
  it('reads a plain file like readMrt reads its bytes, in small reads', async () => {
    const file = join(dir, 'plain.mrt');
    writeFileSync(file, concat([birdDump, birdUpdates]));
    assert.equal(await isGzipFile(file), false);
    const results = await collect(readMrtFile(file, { highWaterMark: 16 }));
    assert.deepEqual(resultLines(results), resultLines([...readMrt(concat([birdDump, birdUpdates]))]));
  });

  it('detects gzip by its magic number and decompresses (several members too)', async () => {
    const file = join(dir, 'dump.gz.anything');
    writeFileSync(file, concat([gzipSync(birdDump), gzipSync(birdUpdates)]));
    assert.equal(await isGzipFile(file), true);
    const results = await collect(readMrtFile(file));
    assert.deepEqual(resultLines(results), resultLines([...readMrt(concat([birdDump, birdUpdates]))]));
  });

  it('reports a truncated gzip file as a fatal error after the records it held', async () => {
    const file = join(dir, 'cut.gz');
    const bytes = concat([birdDump, birdUpdates]);
    const gz = gzipSync(bytes);
    writeFileSync(file, gz.subarray(0, gz.length - 30));
    const results = await collect(readMrtFile(file));
    const failures = results.filter((r) => !r.ok);
    assert.ok(failures.length >= 1);
    const last = failures[failures.length - 1]!;
    assert.ok(
      !last.ok && last.error.fatal && /^gzip: unexpected end of file/.test(last.error.reason),
      JSON.stringify(last),
    );
    assert.ok(results.filter((r) => r.ok).length > 5, 'the complete records before the cut are read');
  });

  it('rejects on IO errors', async () => {
    await assert.rejects(collect(readMrtFile(join(dir, 'missing.mrt'))), /ENOENT/);
  });

  it('stops reading the file when the consumer breaks out', async () => {
    const file = join(dir, 'big.mrt');
    await writeTableDumpFile(file, bigRib(20000), PEERS, '10.0.0.2', 'big', 1);
    let n = 0;
    for await (const r of readMrtFile(file, { highWaterMark: 1024 })) {
      assert.ok(r.ok);
      if (++n === 10) break;
    }
    assert.equal(n, 10);
  });
});

describe('backpressure', () => {
  it('pulls source chunks only as records are consumed', async () => {
    const dump = concat(writeTableDump(bigRib(20000), PEERS, '10.0.0.2', 'big', 1));
    let produced = 0;
    const source = new Readable({
      highWaterMark: 4096,
      read() {
        if (produced >= dump.length) return void this.push(null);
        const chunk = dump.subarray(produced, produced + 1024);
        produced += chunk.length;
        this.push(chunk);
      },
    });
    const records = mrtRecordsFromStream(source);
    for (let k = 0; k < 100; k++) assert.ok((await records.next()).value?.ok);
    for (let k = 0; k < 20; k++) await new Promise((resolve) => setImmediate(resolve));
    assert.ok(dump.length > 1_000_000);
    assert.ok(produced < 64 * 1024, `the source produced ${produced} octets for 100 records`);
    await records.return(undefined);
    assert.ok(source.destroyed, 'returning early destroys the source');
  });
});

describe('writing and loading files', () => {
  for (const gzip of [false, true]) {
    it(`writeTableDumpFile${gzip ? ' (gzip)' : ''} -> loadMrtFile gives the same RIB`, async () => {
      const rib = bigRib(3000);
      const file = join(dir, `rt${gzip ? '.gz' : ''}.mrt`);
      const size = await writeTableDumpFile(file, rib, PEERS, '10.0.0.2', 'rt', 1700000005, { gzip });
      assert.equal(await isGzipFile(file), gzip);
      assert.equal(size, concat(writeTableDump(rib, PEERS, '10.0.0.2', 'rt', 1700000005)).length);
      const loaded = new Rib();
      const stats = await loadMrtFile(file, loaded, PEERS);
      assert.deepEqual([stats.errorCount, stats.paths], [0, 3000]);
      assert.deepEqual(ribLines(loaded), ribLines(rib));
      const again = await loadMrtIntoRib(readMrtFile(file), new Rib(), PEERS);
      assert.deepEqual(again, stats);
    });
  }

  it('writeMrtFile writes chunks from an async iterable', async () => {
    const file = join(dir, 'chunks.mrt');
    async function* chunks() {
      yield birdDump.subarray(0, 100);
      yield birdDump.subarray(100);
    }
    assert.equal(await writeMrtFile(file, chunks()), birdDump.length);
    assert.deepEqual(resultLines(await collect(readMrtFile(file))), resultLines([...readMrt(birdDump)]));
  });
});
