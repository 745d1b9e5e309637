/**
 * Seeds fixtures/crashers/ from the fuzzer: walks the fuzz test's mutations of the valid fixtures
 * (same seed, same mutations) and keeps the first input of each distinct outcome (message type,
 * code/subcode, RFC 7606 action) in the wanted categories, as commented hex with its @expect.
 * Run after a build: node server/dist/test/bgp/helpers/seed-crashers.js [--write]
 * Then UPDATE_SNAPSHOTS=1 node --test server/dist/test/bgp/fixtures.test.js writes the
 * .expected.json files. The corpus is reviewed and committed; this script is not part of the suite.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { decodeMessage, toHex, type DecodeResult, type SessionContext } from '../../../src/bgp';
import { FIXTURES_DIR, listFixtures } from './fixtures';
import { mutate, mutateContext } from './mutate';
import { Prng } from './prng';

const SEED = 0x7a5e_b6f1;
const MUTATIONS_PER_FIXTURE = 160;

function outcome(result: DecodeResult): string[] {
  const errors = result.ok ? result.errors : [result.error];
  return errors.map((e) => `${e.code}/${e.subcode} ${e.action}`);
}

function reasons(result: DecodeResult): string[] {
  return (result.ok ? result.errors : [result.error]).map((e) => e.reason);
}

function commentedHex(bytes: Uint8Array): string {
  const hex = (from: number, to: number) => toHex(bytes.subarray(from, to)).replace(/(..)(?=.)/g, '$1 ');
  const lines: string[] = [];
  if (bytes.length >= 19) {
    lines.push(
      `${hex(0, 16)}  # marker`,
      `${hex(16, 18)}  # length ${(bytes[16] << 8) | bytes[17]} (${bytes.length} octets here)`,
      `${hex(18, 19)}  # type ${bytes[18]}`,
    );
    for (let i = 19; i < bytes.length; i += 16) lines.push(hex(i, Math.min(bytes.length, i + 16)));
  } else {
    lines.push(`${hex(0, bytes.length)}  # ${bytes.length} octets: shorter than a header`);
  }
  return lines.join('\n');
}

interface Candidate {
  readonly key: string;
  readonly seed: string;
  readonly index: number;
  readonly bytes: Uint8Array;
  readonly context: SessionContext;
  readonly contextChanged: boolean;
  readonly result: DecodeResult;
}

function walk(): Candidate[] {
  const rng = new Prng(SEED);
  const seen = new Map<string, Candidate>();
  for (const fixture of listFixtures('valid')) {
    for (let m = 0; m < MUTATIONS_PER_FIXTURE; m++) {
      const bytes = mutate(rng, fixture.bytes);
      const context = mutateContext(rng, fixture.context);
      const result = decodeMessage(bytes, context);
      const type = bytes.length >= 19 ? bytes[18] : -1;
      const key = `${type} ${outcome(result).join(' + ') || 'clean'}`;
      if (!seen.has(key))
        seen.set(key, {
          key,
          seed: fixture.name,
          index: m,
          bytes,
          context,
          contextChanged: context !== fixture.context,
          result,
        });
    }
  }
  return [...seen.values()];
}

const candidates = walk();
const write = process.argv.includes('--write');
const picks = process.argv.filter((a) => a.includes('='));
for (const c of candidates)
  console.log(`${c.key.padEnd(60)} ${c.seed}#${c.index} ${c.bytes.length}B ${reasons(c.result).join(' | ')}`);
if (write) {
  // name=key pairs on the command line pick what is kept and how the file is called.
  for (const pick of picks) {
    const [name, key] = pick.split('=');
    const c = candidates.find((x) => x.key === key);
    if (!c) throw new Error(`no candidate ${key}`);
    const expect = outcome(c.result);
    const text = [
      `# Found by the fuzzer (seed 0x${SEED.toString(16)}): mutation ${c.index} of ${c.seed}.`,
      ...reasons(c.result).map((r) => `# The decoder says: ${r}`),
      ...(c.contextChanged || c.context.fourOctetAs || c.context.addPath.length > 0
        ? [`# @context ${JSON.stringify(c.context)}`]
        : []),
      ...(expect.length ? expect.map((e) => `# @expect ${e}`) : ['# @expect none']),
      '',
      commentedHex(c.bytes),
      '',
    ].join('\n');
    writeFileSync(path.join(FIXTURES_DIR, 'crashers', `${name}.hex`), text);
  }
}
