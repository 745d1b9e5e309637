import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

// Shared by the wire-format suites (BGP, MRT, BMP): fixtures as commented hex, and expected
// values as JSON files next to them.

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Commented hex: `#` starts a comment, whitespace is ignored. Throws on stray characters (a broken fixture is a test bug). */
export function parseHex(text: string): Uint8Array {
  const digits = text
    .split('\n')
    .map((line) => line.replace(/#.*$/, ''))
    .join('')
    .replace(/\s+/g, '');
  if (!/^[0-9a-fA-F]*$/.test(digits))
    throw new Error(`non-hex characters in fixture: ${digits.replace(/[0-9a-fA-F]/g, '').slice(0, 20)}`);
  if (digits.length % 2 !== 0) throw new Error('odd number of hex digits in fixture');
  return Uint8Array.from(Buffer.from(digits, 'hex'));
}

/** Compares a value with the JSON file, or (UPDATE_SNAPSHOTS=1) writes it. */
export function matchJsonSnapshot(actual: JsonValue, file: string): void {
  const text = `${JSON.stringify(actual, null, 2)}\n`;
  if (process.env.UPDATE_SNAPSHOTS === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    return;
  }
  assert.ok(
    existsSync(file),
    `missing snapshot ${file}; run the tests with UPDATE_SNAPSHOTS=1 to create it, then review it`,
  );
  assert.deepEqual(
    JSON.parse(text),
    JSON.parse(readFileSync(file, 'utf8')),
    `output differs from ${file}; if intended, run with UPDATE_SNAPSHOTS=1`,
  );
}
