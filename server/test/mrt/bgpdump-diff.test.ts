/**
 * Differential test on public MRT files (real-data/SOURCES says where each comes from): every
 * route of a table dump and every announcement and withdrawal of an update dump, as we decode it
 * (through the attribute form the RIB stores), must equal what Debian's bgpdump 1.6.2 prints with
 * `bgpdump -m` for the same file. Runs bgpdump, so it belongs to the integration suite.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { MrtReadResult } from '../../src/mrt';
import { readMrtFile } from '../../src/mrt-node';
import { bgpdumpFacts, factDifference, ourFacts } from './bgpdump-facts';

const REAL_DATA = path.resolve(__dirname, '../../../test/mrt/real-data');

assert.equal(
  spawnSync('sh', ['-c', 'command -v bgpdump']).status,
  0,
  'bgpdump is not installed (apt-get install bgpdump; scripts/test does it)',
);

/**
 * Where bgpdump and the RFCs part ways, what each side shows. Every other file must agree fully.
 */
const DIVERGENCES: Readonly<Record<string, { reason: string; ourErrors: string[]; onlyTheirs: string[] }>> = {
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

describe('our MRT decoding agrees with bgpdump -m on public data', () => {
  it('has the files SOURCES lists', () => assert.ok(files.length >= 18, `only ${files.length} files`));
  for (const name of files) {
    it(name, async () => {
      const file = path.join(REAL_DATA, name);
      const run = spawnSync('bgpdump', ['-m', file], { encoding: 'utf8', maxBuffer: 1 << 28 });
      assert.equal(run.status, 0, run.stderr);
      const theirs = bgpdumpFacts(run.stdout);
      const results: MrtReadResult[] = [];
      for await (const r of readMrtFile(file)) results.push(r);
      const ours = ourFacts(results);
      const expected = DIVERGENCES[name] ?? { reason: '', ourErrors: [], onlyTheirs: [] };
      assert.deepEqual(ours.errors, expected.ourErrors, 'read errors');
      assert.ok(theirs.length > 0, 'bgpdump printed no routes');
      const diff = factDifference(ours.facts, theirs);
      assert.deepEqual(
        diff,
        { onlyOurs: [], onlyTheirs: expected.onlyTheirs, total: expected.onlyTheirs.length },
        `${ours.facts.length} ours, ${theirs.length} bgpdump's${expected.reason ? `; expected: ${expected.reason}` : ''}`,
      );
    });
  }
});
