/**
 * Shared helpers of the BMP tests: commented-hex fixtures with their directives, JSON snapshots
 * (UPDATE_SNAPSHOTS=1 rewrites them), reading a stream in pieces, and a seeded generator.
 */
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { BgpError, toHex } from '../../src/bgp';
import {
  BMP_COMMON_HEADER_LENGTH,
  type BmpDecodeResult,
  BmpStreamDecoder,
  bmpMessageTypeName,
  formatBmpResult,
  readBmp,
} from '../../src/bmp';
import { Random, matchJsonSnapshot, parseHex, type JsonValue } from '@kube-routes/test/support';
export { Random, matchJsonSnapshot, parseHex, type JsonValue };

/** Fixtures live in the source tree; the compiled tests run from server/dist/test/bmp. */
export const FIXTURES_DIR = path.resolve(__dirname, '../../../test/bmp/fixtures');

export interface HexFixture {
  /** "valid/frr-8.4.4" */
  readonly name: string;
  readonly file: string;
  readonly bytes: Uint8Array;
  /** `# @expect-errors OFFSET ...`: the message offsets where errors are reported. */
  readonly expectErrors: readonly number[];
  /** `# @expect-fatal OFFSET`: where a fatal error stops the stream. */
  readonly expectFatal: number | undefined;
}

export function hex(text: string): Uint8Array {
  return parseHex(text);
}

export function listFixtures(subdirectory: 'valid' | 'malformed'): HexFixture[] {
  const dir = path.join(FIXTURES_DIR, subdirectory);
  return readdirSync(dir)
    .filter((n) => n.endsWith('.hex'))
    .sort()
    .map((n) => {
      const file = path.join(dir, n);
      const text = readFileSync(file, 'utf8');
      const errors = /^#\s*@expect-errors\s+(.*)$/m.exec(text);
      const fatal = /^#\s*@expect-fatal\s+(\d+)\s*$/m.exec(text);
      return {
        name: `${subdirectory}/${n.replace(/\.hex$/, '')}`,
        file,
        bytes: parseHex(text),
        expectErrors: errors ? errors[1]!.trim().split(/\s+/).map(Number) : [],
        expectFatal: fatal ? Number(fatal[1]) : undefined,
      };
    });
}

/** JSON-friendly view: bigint -> "0x…", Uint8Array -> "hex:…", BgpError with its name. */
export function toJson(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return `0x${value.toString(16)}`;
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (value instanceof Uint8Array) return `hex:${toHex(value)}`;
  if (value instanceof BgpError)
    return { name: value.name, action: value.action, reason: value.reason, data: toJson(value.data) };
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'object') {
    const out: { [key: string]: JsonValue } = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toJson(v);
    return out;
  }
  return String(value);
}

/** Every result as text lines (messages with details, errors with offsets). */
export function resultLines(results: readonly BmpDecodeResult[]): string[] {
  return results.flatMap((r) => formatBmpResult(r).split('\n'));
}

/** Push chunks into a fresh stream decoder, read after each, end, and read the rest (stopping at a fatal error). */
export function readChunks(chunks: readonly Uint8Array[]): BmpDecodeResult[] {
  const stream = new BmpStreamDecoder();
  const out: BmpDecodeResult[] = [];
  const drain = (): boolean => {
    for (let r = stream.read(); r !== undefined; r = stream.read()) {
      out.push(r);
      if (!r.ok && r.error.fatal) return false;
    }
    return true;
  };
  for (const c of chunks) {
    stream.push(c);
    if (!drain()) return out;
  }
  stream.end();
  drain();
  return out;
}

/** The bytes in pieces of `size` octets. */
export function pieces(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * A byte stream as a commented-hex fixture: each message as the reader renders it, then its common
 * header on one line, then its body in rows of 16 octets. Bytes that do not frame follow as rows.
 */
export function commentedHex(bytes: Uint8Array, title: readonly string[]): string {
  const lines = title.map((t) => `# ${t}`.trimEnd());
  const results = readBmp(bytes);
  let at = 0;
  const rows = (from: number, to: number) => {
    for (let i = from; i < to; i += 16)
      lines.push(toHex(bytes.subarray(i, Math.min(to, i + 16))).replace(/(.{8})(?!$)/g, '$1 '));
  };
  for (const r of results) {
    if (!r.ok) break;
    const m = r.message;
    lines.push(
      '',
      ...formatBmpResult(r)
        .split('\n')
        .map((l) => `#   ${l}`),
    );
    const h = bytes.subarray(m.offset, m.offset + BMP_COMMON_HEADER_LENGTH);
    lines.push(
      `${toHex(h.subarray(0, 1))} ${toHex(h.subarray(1, 5))} ${toHex(h.subarray(5, 6))}   # @${m.offset} common header: version 3, length ${m.length}, ${bmpMessageTypeName(h[5]!)}`,
    );
    rows(m.offset + BMP_COMMON_HEADER_LENGTH, m.offset + m.length);
    at = m.offset + m.length;
  }
  if (at < bytes.length) {
    lines.push('', `# @${at}: ${bytes.length - at} octets that do not read as messages`);
    rows(at, bytes.length);
  }
  return `${lines.join('\n')}\n`;
}
