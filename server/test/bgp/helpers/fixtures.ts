/**
 * Fixture files: commented hex (`.hex`). `#` starts a comment, whitespace is
 * ignored. Directives live in comments:
 *   # @context {"fourOctetAs": true, "addPath": [{"afi": 1, "safi": 1}]}
 *   # @expect 3/5 treat-as-withdraw      (one line per expected error, in order)
 */
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_SESSION, type SessionContext } from '../../../src/bgp';
import { parseHex } from '@kube-routes/test/support';
export { parseHex };

/** Fixtures live in the source tree; this helper runs from server/dist/test/bgp/helpers. */
export const FIXTURES_DIR = path.resolve(__dirname, '../../../../test/bgp/fixtures');

export interface Fixture {
  /** Path relative to the fixtures directory, e.g. "valid/keepalive.hex". */
  readonly name: string;
  readonly file: string;
  readonly bytes: Uint8Array;
  readonly context: SessionContext;
  /** The raw @context JSON (undefined when the default session applies). */
  readonly contextJson: unknown;
  /** Expected errors as "code/subcode action". */
  readonly expect: readonly string[];
}

export function readFixture(file: string): Fixture {
  const text = readFileSync(file, 'utf8');
  let contextJson: unknown;
  const expect: string[] = [];
  for (const line of text.split('\n')) {
    const context = /^#\s*@context\s+(.*)$/.exec(line);
    if (context) contextJson = JSON.parse(context[1]);
    const expected = /^#\s*@expect\s+(.*)$/.exec(line);
    if (expected) expect.push(expected[1].trim());
  }
  const context: SessionContext = { ...DEFAULT_SESSION, ...(contextJson as Partial<SessionContext> | undefined) };
  return { name: path.relative(FIXTURES_DIR, file), file, bytes: parseHex(text), context, contextJson, expect };
}

/** All `.hex` fixtures in a subdirectory, sorted by name. */
export function listFixtures(subdirectory: string): Fixture[] {
  const dir = path.join(FIXTURES_DIR, subdirectory);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith('.hex'))
    .sort()
    .map((n) => readFixture(path.join(dir, n)));
}

/** Bytes from a hex string with optional spaces, e.g. "ff ff 00 13 04". */
export function hex(text: string): Uint8Array {
  return parseHex(text);
}
