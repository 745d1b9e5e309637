/**
 * Expected-value files next to fixtures (`foo.hex` -> `foo.expected.json`).
 * Set UPDATE_SNAPSHOTS=1 to (re)write them; without it a missing file fails.
 */
import { matchJsonSnapshot, type JsonValue } from '@kube-routes/test/support';
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
export type { JsonValue };

/** JSON-friendly view: bigint -> "0x…" string, Uint8Array -> "hex:…", BgpError with its name. */
export function toJson(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return `0x${value.toString(16)}`;
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (value instanceof Uint8Array) return `hex:${toHex(value)}`;
  if (value instanceof BgpError) {
    return {
      code: value.code,
      subcode: value.subcode,
      name: value.name,
      action: value.action,
      reason: value.reason,
      data: toJson(value.data),
    };
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
  matchJsonSnapshot(actual, file);
}

export function expectedFileFor(hexFile: string): string {
  return hexFile.replace(/\.hex$/, '.expected.json');
}
