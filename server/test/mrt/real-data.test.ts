/**
 * Public MRT files (real-data/SOURCES) loaded without any other tool: the counts bgpdump 1.6.2
 * reports for the same files, the older record types (TABLE_DUMP, the deprecated BGP type 5),
 * bzip2 compression, and RFC 6793 4.2.3 on a real UPDATE. bgpdump-diff.test.ts compares every
 * route with bgpdump's.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { formatAsPath, parsePrefix } from '../../src/bgp';
import {
  type MrtReadResult,
  canonicalAttributes,
  copiedUpdateCanonicalView,
  decodeCanonical,
  encodeCanonical,
} from '../../src/mrt';
import { loadMrtFile, mrtFileCompression, readMrtFile } from '../../src/mrt-node';
import { Rib } from '../../src/rib';
import { resultLines, ribLines } from './helpers';

const REAL_DATA = path.resolve(__dirname, '../../../test/mrt/real-data');
const file = (name: string): string => path.join(REAL_DATA, name);
const dir = mkdtempSync(path.join(tmpdir(), 'mrt-real-data-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function readAll(name: string): Promise<MrtReadResult[]> {
  const results: MrtReadResult[] = [];
  for await (const r of readMrtFile(name)) results.push(r);
  return results;
}

/** The AS path of a prefix's path from a peer, as stored in the RIB. */
function storedPath(rib: Rib, prefix: string, peer: number): string | undefined {
  const p = parsePrefix(prefix);
  assert.ok(p, prefix);
  const path = rib.exact(p)?.paths.find((x) => x.peer === peer);
  if (path === undefined) return undefined;
  const asPath = decodeCanonical(rib.attributeSets.bytes(path.attributeSetId)).find((a) => a.type === 'as-path');
  return asPath?.type === 'as-path' ? formatAsPath(asPath.segments) : undefined;
}

describe('TABLE_DUMP (v1) files', () => {
  it('RIS rrc00 2002-07-22: every one of the 115,521 routes bgpdump reads is loaded', async () => {
    const rib = new Rib();
    const stats = await loadMrtFile(file('bview.20020722.2337.gz'), rib);
    assert.deepEqual([stats.records, stats.paths, stats.errorCount, stats.peers.length], [115521, 115521, 0, 36]);
    const peer = stats.peers.find((p) => p.address === '193.203.0.1');
    assert.ok(peer);
    assert.equal(storedPath(rib, '3.0.0.0/8', peer.id), '1853 1239 80'); // bgpdump's first line
    // RFC 7607: 8 routes carry AGGREGATOR AS 0, discarded as one attribute set (not the routes).
    assert.deepEqual(
      stats.notes.map((n) => n.reason),
      ['attribute discarded: AGGREGATOR: AS number 0 (RFC 7607)'],
    );
  });

  it('RIS rrc00 2000-01-11: batched records, 4 octets longer than their Length, read as bgpkit-parser reads them', async () => {
    // bgpkit-parser tests/legacy_ripe_2000.rs: 2,490 records holding 452,018 entries.
    const rib = new Rib();
    const stats = await loadMrtFile(file('rrc00.bview.20000111.0032.gz'), rib);
    assert.deepEqual([stats.records, stats.paths, stats.errorCount, stats.peers.length], [2490, 452018, 0, 7]);
    const peer = stats.peers.find((p) => p.address === '204.152.166.29');
    assert.ok(peer);
    assert.equal(storedPath(rib, '3.0.0.0/8', peer.id), '3549 701 80'); // the file's first entry
  });

  it('OpenBGPD table dump: IPv4 and IPv6 records (31 routes)', async () => {
    const rib = new Rib();
    const stats = await loadMrtFile(file('mrtparse.openbgpd_rib_table'), rib);
    assert.deepEqual([stats.records, stats.paths, stats.errorCount], [31, 31, 0]);
    assert.ok(rib.prefixCount(6) > 0, 'IPv6 routes loaded');
  });
});

describe('the deprecated MRT type 5 (BGP, RIS 1999-2000)', () => {
  it('rrc00 2000-03-25, two torn writes: only their 24 octets are lost', async () => {
    // bgpkit-parser tests/recovery.rs and torn_mrt_records.rs: gaps of 10 octets at 188 and 14 at
    // 4554; without them, 2,580 records and 5,378 announcements and withdrawals.
    const results = await readAll(file('rrc00.updates.20000325.0345.gz'));
    assert.deepEqual(
      results.flatMap((r) => (r.ok ? [] : [[r.error.offset, r.error.reason.split(' octets')[0], r.error.fatal]])),
      [
        [188, '10', false],
        [4554, '14', false],
      ],
    );
    let elements = 0;
    for (const r of results) {
      if (!r.ok || r.record.kind !== 'bgp4mp-message' || r.record.message.type !== 'UPDATE') continue;
      elements += r.record.message.withdrawn.length + r.record.message.nlri.length;
    }
    assert.deepEqual([results.filter((r) => r.ok).length, elements], [2580, 5378]);
  });

  it('rrc00 2000-01-02: read to the end, every announcement bgpdump prints is loaded', async () => {
    const results = await readAll(file('rrc00.updates.20000102.2014.gz'));
    assert.deepEqual(
      results.filter((r) => !r.ok),
      [],
    );
    const rib = new Rib();
    const stats = await loadMrtFile(file('rrc00.updates.20000102.2014.gz'), rib);
    // bgpdump -m: 5668 A lines; 3957 records of 3957 (UPDATE, STATE_CHANGE, KEEPALIVE).
    assert.deepEqual([stats.records, stats.paths, stats.errorCount, stats.noteCount], [3957, 5668, 0, 0]);
  });

  it('rrc00 1999-12-14: BGP_OPEN and BGP_NOTIFY are read like BGP4MP messages', async () => {
    const results = await readAll(file('rrc00.updates.19991214.1621.gz'));
    const kinds = new Map<string, number>();
    for (const r of results) {
      assert.ok(r.ok, r.ok ? '' : r.error.reason);
      const key =
        r.record.kind === 'bgp4mp-message' ? `${r.record.header.type}:${r.record.message.type}` : r.record.kind;
      kinds.set(key, (kinds.get(key) ?? 0) + 1);
    }
    assert.deepEqual(Object.fromEntries(kinds), {
      '5:UPDATE': 18054,
      '5:KEEPALIVE': 120,
      '5:OPEN': 1,
      '5:NOTIFICATION': 1,
      'bgp4mp-state-change': 27,
    });
  });

  it('a file that is not MRT at all still fails as one clear error, not a crash', async () => {
    const junk = path.join(dir, 'junk.mrt');
    writeFileSync(junk, 'this is not an MRT file at all, just text\n');
    const results = await readAll(junk);
    assert.equal(results.length, 1);
    assert.ok(!results[0]!.ok && results[0]!.error.fatal);
  });
});

describe('bzip2 files (RouteViews publishes .bz2)', () => {
  it('are recognised by their magic number and read through the bzip2 library', async () => {
    assert.equal(await mrtFileCompression(file('bgpkit.updates.bz2')), 'bzip2');
    assert.equal(await mrtFileCompression(file('bview.20020722.2337.gz')), 'gzip');
    assert.equal(await mrtFileCompression(file('mrtparse.quagga_rib')), 'none');
    const rib = new Rib();
    const stats = await loadMrtFile(file('bgpkit.updates.bz2'), rib);
    // bgpdump -m: 159 A lines and 109 W lines from 85 BGP4MP_ET records.
    assert.deepEqual([stats.records, stats.paths, stats.errorCount], [85, 159, 0]);
  });

  it('a truncated bzip2 file gives one fatal error with an offset, and the records before it', async () => {
    const bytes = readFileSync(file('bgpkit.updates.bz2'));
    const truncated = path.join(dir, 'truncated.bz2');
    writeFileSync(truncated, bytes.subarray(0, 1000));
    const results = await readAll(truncated);
    const errors = results.filter((r) => !r.ok);
    assert.equal(errors.length, 1);
    const error = errors[0]!;
    assert.ok(!error.ok && error.error.fatal && error.error.reason.startsWith('bzip2: '), JSON.stringify(error));
  });

  it('two bzip2 streams in one file (pbzip2, appended files) are both read', async () => {
    const bytes = readFileSync(file('bgpkit.updates.bz2'));
    const twice = path.join(dir, 'twice.bz2');
    writeFileSync(twice, Buffer.concat([bytes, bytes]));
    const stats = await loadMrtFile(twice, new Rib());
    assert.deepEqual([stats.records, stats.paths, stats.errorCount], [170, 318, 0]);
  });
});

describe('bzip2 decoded a block at a time, read from the file a chunk at a time', () => {
  const readWith = async (name: string, options: Parameters<typeof readMrtFile>[1]): Promise<MrtReadResult[]> => {
    const results: MrtReadResult[] = [];
    for await (const r of readMrtFile(name, options)) results.push(r);
    return results;
  };
  const errors = (results: readonly MrtReadResult[]) =>
    results.flatMap((r) =>
      r.ok ? [] : [{ offset: r.error.offset, fatal: r.error.fatal, bzip2: r.error.reason.startsWith('bzip2: ') }],
    );
  const bytes = readFileSync(file('bgpkit.updates.bz2'));
  const twice = path.join(dir, 'blocks-twice.bz2');
  writeFileSync(twice, Buffer.concat([bytes, bytes]));

  it('in reads of 1, 7, 1000 octets and 64 KiB: the same records, one stream or two', async () => {
    // bgpdump-diff.test.ts compares the file's records with what bgpdump (libbz2) reads in it.
    for (const name of [file('bgpkit.updates.bz2'), twice]) {
      const whole = await readWith(name, {});
      assert.equal(whole.length, name === twice ? 170 : 85);
      assert.deepEqual(errors(whole), []);
      for (const highWaterMark of [1, 7, 1000])
        assert.deepEqual(resultLines(await readWith(name, { highWaterMark })), resultLines(whole), `${highWaterMark}`);
    }
  });

  it("a damaged or truncated second stream: the first stream's records, then one fatal error where they end", async () => {
    // Each block is handed on once its CRC is checked. (unbzip2-stream, used before for large
    // files, gave none of the good stream's records for the damaged file; seek-bzip's own decode
    // gives nothing of either.)
    const damaged = Buffer.concat([bytes, bytes]);
    damaged[bytes.length + 1000] = damaged[bytes.length + 1000]! ^ 0xff; // the second stream's block: its CRC fails
    const cases = { damaged, truncated: Buffer.concat([bytes, bytes.subarray(0, 1000)]) };
    const first = await readAll(file('bgpkit.updates.bz2'));
    // Where the first stream's data ends: after its last record (RFC 6396 3: Length counts what
    // follows the 12-octet header, an _ET record's microseconds included).
    const last = first.at(-1)!;
    assert.ok(last.ok);
    const firstEnd = last.record.header.offset + 12 + last.record.header.length;
    for (const [kind, content] of Object.entries(cases)) {
      const name = path.join(dir, `blocks-${kind}.bz2`);
      writeFileSync(name, content);
      for (const highWaterMark of [1000, undefined]) {
        const results = await readWith(name, { highWaterMark });
        assert.deepEqual(resultLines(results.filter((r) => r.ok)), resultLines(first), kind);
        assert.deepEqual(errors(results), [{ offset: firstEnd, fatal: true, bzip2: true }], kind);
      }
      const stats = await loadMrtFile(name, new Rib());
      assert.deepEqual([stats.records, stats.errorCount, stats.cutShort?.offset], [85, 1, firstEnd], kind);
    }
  });
});

describe('RFC 6793 4.2.3 on real data', () => {
  it('a 2-octet session with AS4_PATH and a real AGGREGATOR but no AS4_AGGREGATOR: the paths are merged', async () => {
    // rrc15 2010-02-27, record at offset 29144: the RIS beacon 84.205.64.0/24 from AS27664, with
    // AGGREGATOR 64531 and AS4_PATH naming AS196613 where AS_PATH has AS_TRANS.
    const results = await readAll(file('rrc15.updates.20100227.1600.gz'));
    const found = results.find((r) => r.ok && r.record.header.offset === 29144);
    assert.ok(found?.ok && found.record.kind === 'bgp4mp-message' && found.record.message.type === 'UPDATE');
    const record = found.record;
    assert.ok(record.kind === 'bgp4mp-message' && record.message.type === 'UPDATE');
    const stored = decodeCanonical(encodeCanonical(canonicalAttributes(record.message.attributes, record.context))!);
    const asPath = stored.find((a) => a.type === 'as-path');
    assert.ok(asPath?.type === 'as-path');
    assert.equal(formatAsPath(asPath.segments), '27664 16735 12956 3257 1103 1125 196613 12654');
    const aggregator = stored.find((a) => a.type === 'aggregator');
    assert.ok(aggregator?.type === 'aggregator');
    assert.equal(aggregator.asn, 64531);
  });
});

describe("BGP4MP UPDATEs' attributes copied into the canonical form", () => {
  it('give the bytes decode + canonicalAttributes + encodeCanonical give, in every public update file', async () => {
    let copied = 0;
    let files = 0;
    // Table dumps hold no UPDATE.
    for (const name of readdirSync(REAL_DATA).filter((n) => n !== 'SOURCES' && !/bview|_rib/.test(n))) {
      let inFile = 0;
      for await (const r of readMrtFile(file(name))) {
        if (!r.ok || r.record.kind !== 'bgp4mp-message' || r.record.updateBytes === undefined) continue;
        const { message, context, errors, updateBytes } = r.record;
        if (message.type !== 'UPDATE' || !context.fourOctetAs || errors.length > 0) continue;
        if (message.attributes.some((a) => a.type === 'mp-reach-nlri' || a.type === 'mp-unreach-nlri')) continue;
        // undefined: a shape left to the encoder (here MP_REACH_NLRI of VPNv4, decoded as unknown).
        const view = copiedUpdateCanonicalView(updateBytes);
        if (view === undefined) continue;
        const copy = view.slice();
        const encoded = encodeCanonical(canonicalAttributes(message.attributes, context));
        assert.deepEqual(copy, encoded, `${name} @${r.record.header.offset}`);
        inFile++;
      }
      copied += inFile;
      if (inFile > 0) files++;
    }
    // rrc15, updates.20100722, bgpkit's bzip2 file, the 2015 full table, OpenBGPD's and Quagga's.
    assert.ok(files >= 4 && copied > 90_000, `${copied} UPDATEs in ${files} files`);
  });
});

describe('loadMrtFile reads records in place (no copy per record)', () => {
  const names = readdirSync(REAL_DATA).filter((n) => n !== 'SOURCES');
  it('has the files SOURCES lists', () => assert.ok(names.length >= 21, `only ${names.length} files`));
  for (const name of names) {
    it(`${name}: the same RIB and statistics as copied records, also in 1000-octet reads`, async () => {
      const copied = new Rib();
      const expected = await loadMrtFile(file(name), copied, undefined, { borrow: false });
      const lines = ribLines(copied);
      for (const highWaterMark of [undefined, 1000]) {
        const rib = new Rib();
        const stats = await loadMrtFile(file(name), rib, undefined, { highWaterMark });
        assert.deepEqual(stats, expected, `statistics, reads of ${highWaterMark ?? 'default'} octets`);
        assert.deepEqual(ribLines(rib), lines, `routes, reads of ${highWaterMark ?? 'default'} octets`);
      }
      assert.ok(expected.records + expected.errorCount > 0, 'records (or errors) were read');
    });
  }
});
