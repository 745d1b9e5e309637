/**
 * Expected-value files next to fixtures (`foo.hex` -> `foo.expected.json`).
 * Set UPDATE_SNAPSHOTS=1 to (re)write them; without it a missing file fails.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import {
  BgpError,
  type DecodeResult,
  effectiveAsPathInfo,
  endOfRibFamily,
  formatAfiSafi,
  formatAsPath,
  formatMessage,
  type SessionContext,
  toHex,
} from '../../../src/bgp';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** JSON-friendly view: bigint -> "0x…" string, Uint8Array -> "hex:…", BgpError with its name. */
export function toJson(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return `0x${value.toString(16)}`;
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (value instanceof Uint8Array) return `hex:${toHex(value)}`;
  if (value instanceof BgpError) {
    return { code: value.code, subcode: value.subcode, name: value.name, action: value.action, reason: value.reason, data: toJson(value.data) };
  }
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'object') {
    const out: { [key: string]: JsonValue } = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toJson(v);
    return out;
  }
  return String(value);
}

/** The snapshot of decoding one fixture: the result, its formatted form and derived views. */
export function describeDecode(result: DecodeResult, context: SessionContext, contextJson: unknown): JsonValue {
  const out: { [key: string]: JsonValue } = {};
  if (contextJson !== undefined) out.context = toJson(contextJson);
  out.result = toJson(result);
  if (result.ok) {
    out.formatted = formatMessage(result.message).split('\n');
    const message = result.message;
    if (message.type === 'UPDATE') {
      const eor = endOfRibFamily(message);
      if (eor) out.endOfRib = formatAfiSafi(eor.afi, eor.safi);
      if (message.attributes.some((a) => a.type === 'as4-path' || a.type === 'as4-aggregator')) {
        const info = effectiveAsPathInfo(message.attributes, context);
        out.effectiveAsPath = info.asPath ? formatAsPath(info.asPath) : null;
        out.effectiveAggregator = toJson(info.aggregator);
      }
    }
  }
  return out;
}

/** Compare `actual` with the JSON file, or write it when UPDATE_SNAPSHOTS=1. */
export function matchSnapshot(file: string, actual: JsonValue): void {
  const text = `${JSON.stringify(actual, null, 2)}\n`;
  if (process.env.UPDATE_SNAPSHOTS === '1') {
    writeFileSync(file, text);
    return;
  }
  if (!existsSync(file)) {
    assert.fail(
      `missing expected file ${file}\n` +
        'Create it from the current decoder output, then review it before committing:\n' +
        '  npx tsc -b server/src/bgp server/test/bgp && UPDATE_SNAPSHOTS=1 node --test server/dist/test/bgp/fixtures.test.js',
    );
  }
  assert.deepEqual(actual, JSON.parse(readFileSync(file, 'utf8')) as JsonValue, `decoded value differs from ${file} (UPDATE_SNAPSHOTS=1 rewrites it)`);
}

export function expectedFileFor(hexFile: string): string {
  return hexFile.replace(/\.hex$/, '.expected.json');
}
