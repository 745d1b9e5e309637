/**
 * Differential test on public MRT files (real-data/SOURCES says where each comes from): every
 * route of a table dump and every announcement and withdrawal of an update dump, as we decode it
 * (through the attribute form the RIB stores), must equal what Debian's bgpdump 1.6.2 prints with
 * `bgpdump -m` for the same file. Runs bgpdump, so it belongs to the integration suite.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { MrtReadResult } from '../../src/mrt';
import { readMrtFile } from '../../src/mrt-node';
import { bgpdumpFacts, factDifference, ourFacts, unbatchTableDump, withoutRanges } from './bgpdump-facts';

const REAL_DATA = path.resolve(__dirname, '../../../test/mrt/real-data');

assert.equal(
  spawnSync('sh', ['-c', 'command -v bgpdump']).status,
  0,
  'bgpdump is not installed (apt-get install bgpdump; scripts/test does it)',
);

interface Divergence {
  readonly reason: string;
  /** Our read errors, as `@offset: reason`. */
  readonly ourErrors: readonly string[];
  /** What only each side shows (all of it: these lists are short). */
  readonly onlyOurs?: readonly string[];
  readonly onlyTheirs?: readonly string[];
  /**
   * bgpdump is given a copy of the (decompressed) file that it can read: a file it misreads is
   * still compared route by route, with what we read from the file as it is.
   */
  readonly forBgpdump?: (mrt: Uint8Array) => Uint8Array;
}

/**
 * Where bgpdump and the RFCs part ways, or bgpdump cannot read a file as it is, what each side
 * shows. Every other file must agree fully.
 */
const DIVERGENCES: Readonly<Record<string, Divergence>> = {
  'rrc00.bview.20000111.0032.gz': {
    reason:
      'bgpdump reads one entry of each batched TABLE_DUMP record (the first one, then nothing it can frame); it reads the copy with every entry in a record of its own',
    ourErrors: [],
    forBgpdump: unbatchTableDump,
  },
  'rrc00.updates.20000325.0345.gz': {
    reason:
      'two torn writes (bgpkit-parser tests/torn_mrt_records.rs): bgpdump trusts the 10-octet header at 188, whose Length takes two octets of the next timestamp, and prints garbage; it reads the copy without the 24 torn octets',
    ourErrors: [
      '@188: 10 octets do not frame MRT records (BGP/BGP_UPDATE: BGP message: Withdrawn Routes Length 33274 exceeds the message, in a record of 14556 octets with no record header after it); resynchronised at offset 198',
      '@4554: 14 octets do not frame MRT records (unknown MRT type 772); resynchronised at offset 4568',
    ],
    forBgpdump: (mrt) =>
      withoutRanges(mrt, [
        [188, 198],
        [4554, 4568],
      ]),
  },
  'updates.et-header.2015.gz': {
    reason:
      'four announcements whose AS_PATH holds AS 0: RFC 7607 makes the UPDATE malformed, handled as treat-as-withdraw (RFC 7606); bgpdump prints them',
    ourErrors: [],
    onlyOurs: [
      '1x W 1445565707.651767 206.220.231.55 AS3856 103.225.92.0/24',
      '1x W 1445565707.651767 206.220.231.55 AS3856 103.225.95.0/24',
      '1x W 1445565707.651767 206.220.231.55 AS3856 103.225.94.0/24',
      '1x W 1445565707.651767 206.220.231.55 AS3856 103.225.93.0/24',
    ],
    onlyTheirs: [
      '1x A 1445565707.651767 206.220.231.55 AS3856 103.225.92.0/24 path=[65005 65005 65005 65005 65005 0] IGP nh 198.32.167.118 lp 100 med 0 c=[3856:52900] NAG agg=[]',
      '1x A 1445565707.651767 206.220.231.55 AS3856 103.225.95.0/24 path=[65005 65005 65005 65005 65005 0] IGP nh 198.32.167.118 lp 100 med 0 c=[3856:52900] NAG agg=[]',
      '1x A 1445565707.651767 206.220.231.55 AS3856 103.225.94.0/24 path=[65005 65005 65005 65005 65005 0] IGP nh 198.32.167.118 lp 100 med 0 c=[3856:52900] NAG agg=[]',
      '1x A 1445565707.651767 206.220.231.55 AS3856 103.225.93.0/24 path=[65005 65005 65005 65005 65005 0] IGP nh 198.32.167.118 lp 100 med 0 c=[3856:52900] NAG agg=[]',
    ],
  },
  'updates.nlri_mask_trailing_bits.gz': {
    reason:
      'the NLRI field ends with a prefix length (/11) and no address octets: RFC 7606 5.3 makes the whole UPDATE malformed (session reset), bgpdump prints the prefix before it',
    ourErrors: ['@0: BGP4MP_MESSAGE: BGP message: NLRI: IPv4 prefix /11 overruns the field'],
    onlyTheirs: [
      '1x A 1289168632 12.0.1.63 AS7018 11.13.0.0/13 path=[7018 3549 12389 48275 51044] IGP nh 12.0.1.63 lp 0 med 0 c=[6923:3339] NAG agg=[]',
    ],
  },
};

const files = readdirSync(REAL_DATA)
  .filter((n) => n !== 'SOURCES')
  .sort();
const scratch = mkdtempSync(path.join(tmpdir(), 'bgpdump-diff-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('our MRT decoding agrees with bgpdump -m on public data', () => {
  it('has the files SOURCES lists', () => assert.ok(files.length >= 21, `only ${files.length} files`));
  for (const name of files) {
    it(name, async () => {
      const file = path.join(REAL_DATA, name);
      const expected = DIVERGENCES[name] ?? { reason: '', ourErrors: [] };
      let theirFile = file;
      if (expected.forBgpdump) {
        theirFile = path.join(scratch, `${name}.for-bgpdump`);
        writeFileSync(theirFile, expected.forBgpdump(gunzipSync(readFileSync(file))));
      }
      const run = spawnSync('bgpdump', ['-m', theirFile], { encoding: 'utf8', maxBuffer: 1 << 28 });
      assert.equal(run.status, 0, run.stderr);
      const theirs = bgpdumpFacts(run.stdout);
      const results: MrtReadResult[] = [];
      for await (const r of readMrtFile(file)) results.push(r);
      const ours = ourFacts(results);
      assert.deepEqual(ours.errors, expected.ourErrors, 'read errors');
      assert.ok(theirs.length > 0, 'bgpdump printed no routes');
      const diff = factDifference(ours.facts, theirs);
      const onlyOurs = expected.onlyOurs ?? [];
      const onlyTheirs = expected.onlyTheirs ?? [];
      assert.deepEqual(
        diff,
        { onlyOurs, onlyTheirs, total: onlyOurs.length + onlyTheirs.length },
        `${ours.facts.length} ours, ${theirs.length} bgpdump's${expected.reason ? `; expected: ${expected.reason}` : ''}`,
      );
    });
  }
});
