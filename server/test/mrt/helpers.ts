/**
 * Shared helpers of the MRT tests: commented-hex fixtures, JSON snapshots (UPDATE_SNAPSHOTS=1
 * rewrites them), a text view of a RIB, a seeded random generator and attribute builders.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import {
  AttributeFlag,
  type PathAttribute,
  formatAttribute,
  formatPrefix,
  parseIpv4,
  parseIpv6,
  parsePrefix,
  type Prefix,
} from '../../src/bgp';
import { type MrtReadResult, decodeCanonical, encodeCanonical, formatMrtResult, ribRoutes } from '../../src/mrt';
import type { Rib } from '../../src/rib';
import { Random, matchJsonSnapshot, parseHex, type JsonValue } from '@kube-routes/test/support';
export { Random, matchJsonSnapshot, parseHex, type JsonValue };

/** Fixtures live in the source tree; the compiled tests run from server/dist/test/mrt. */
export const FIXTURES_DIR = path.resolve(__dirname, '../../../test/mrt/fixtures');

export interface HexFixture {
  readonly name: string;
  readonly file: string;
  readonly bytes: Uint8Array;
  /** Offsets listed by `# @expect-errors` (records or entries reported as errors). */
  readonly expectErrors: readonly number[];
}

export function listFixtures(subdirectory: 'valid' | 'malformed'): HexFixture[] {
  const dir = path.join(FIXTURES_DIR, subdirectory);
  return readdirSync(dir)
    .filter((n) => n.endsWith('.hex'))
    .sort()
    .map((n) => {
      const file = path.join(dir, n);
      const text = readFileSync(file, 'utf8');
      const directive = /^#\s*@expect-errors\s+(.*)$/m.exec(text);
      const expectErrors = directive ? directive[1]!.trim().split(/\s+/).map(Number) : [];
      return { name: `${subdirectory}/${n.replace(/\.hex$/, '')}`, file, bytes: parseHex(text), expectErrors };
    });
}

/** Every read result as text lines (records with details, errors with offsets). */
export function resultLines(results: readonly MrtReadResult[]): string[] {
  return results.flatMap((r) => formatMrtResult(r).split('\n'));
}

/** One line per path: "prefix peer P path-id N at T: ATTR | ATTR ...", in address order. */
export function ribLines(rib: Rib, peerName: (id: number) => string = (id) => String(id)): string[] {
  const lines: string[] = [];
  for (const family of [4, 6] as const) {
    for (const route of ribRoutes(rib, family)) {
      for (const p of route.paths) {
        const attributes = decodeCanonical(rib.attributeSets.bytes(p.attributeSetId)).map(formatAttribute).join(' | ');
        lines.push(
          `${formatPrefix(route.prefix)} peer ${peerName(p.peer)} path-id ${p.pathId} at ${p.receivedAt}${p.stale ? ' stale' : ''}: ${attributes}`,
        );
      }
    }
  }
  return lines;
}

/** Concatenate chunks. */
export function concat(chunks: Iterable<Uint8Array>): Uint8Array {
  const list = [...chunks];
  const out = new Uint8Array(list.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of list) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/** Push `bytes` into a fresh reader in pieces of `size` octets, returning everything read. */
export function readInPieces(
  bytes: Uint8Array,
  size: number,
  read: (chunks: Uint8Array[]) => MrtReadResult[],
): MrtReadResult[] {
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return read(chunks);
}

export const ip4 = (text: string): number => parseIpv4(text)!;
export const ip6 = (text: string): bigint => parseIpv6(text)!;
export const prefix = (text: string): Prefix => parsePrefix(text)!;

const WK = AttributeFlag.Transitive;
const OPT = AttributeFlag.Optional;
const OPT_T = AttributeFlag.Optional | AttributeFlag.Transitive;

/** A random but valid attribute set for a family, as the speaker would store it. */
export function randomAttributes(random: Random, family: 4 | 6): PathAttribute[] {
  const asn = (): number => (random.chance(0.3) ? 4200000000 + random.int(1000) : 64512 + random.int(1000));
  const segments = [{ type: 2, asns: Array.from({ length: 1 + random.int(4) }, asn) }];
  if (random.chance(0.2)) segments.push({ type: 1, asns: [asn(), asn()] });
  const out: PathAttribute[] = [
    { type: 'origin', flags: WK, origin: random.int(3) },
    { type: 'as-path', flags: WK, segments },
  ];
  if (family === 4) out.push({ type: 'next-hop', flags: WK, address: (0x0a000000 + random.int(0xffff)) >>> 0 });
  else {
    const address = (0x20010db8n << 96n) | BigInt(random.int(0xffff));
    out.push({
      type: 'mp-reach-nlri',
      flags: OPT,
      afi: 2,
      safi: 1,
      nextHop: random.chance(0.3)
        ? { family: 6, address, linkLocal: (0xfe80n << 112n) | BigInt(1 + random.int(99)) }
        : { family: 6, address },
      nlri: [],
    });
  }
  if (random.chance(0.5)) out.push({ type: 'multi-exit-disc', flags: OPT, value: random.int(1000) });
  if (random.chance(0.5)) out.push({ type: 'local-pref', flags: WK, value: 50 + random.int(200) });
  if (random.chance(0.2)) out.push({ type: 'atomic-aggregate', flags: WK });
  if (random.chance(0.2)) out.push({ type: 'aggregator', flags: OPT_T, asn: asn(), address: random.u32() });
  if (random.chance(0.6))
    out.push({
      type: 'communities',
      flags: OPT_T,
      communities: Array.from(
        { length: 1 + random.int(3) },
        () => ((64512 + random.int(1000)) * 65536 + random.int(65536)) >>> 0,
      ),
    });
  if (random.chance(0.3)) out.push({ type: 'originator-id', flags: OPT, originatorId: random.u32() });
  if (random.chance(0.3)) out.push({ type: 'cluster-list', flags: OPT, clusterIds: [random.u32(), random.u32()] });
  if (random.chance(0.3))
    out.push({
      type: 'extended-communities',
      flags: OPT_T,
      communities: [0x0002fde800000000n | BigInt(random.int(1000))],
    });
  if (random.chance(0.4))
    out.push({
      type: 'large-communities',
      flags: OPT_T,
      communities: [{ globalAdministrator: asn(), localData1: random.int(10), localData2: random.u32() }],
    });
  if (random.chance(0.1))
    out.push({
      type: 'unknown',
      code: 200 + random.int(50),
      flags: OPT_T,
      value: Uint8Array.of(random.int(256), random.int(256)),
    });
  return out;
}

/** Intern an attribute set and announce one path (the RIB keeps its own reference). */
export function announce(
  rib: Rib,
  peer: number,
  p: Prefix,
  pathId: number,
  attributes: readonly PathAttribute[],
  receivedAt: number,
): void {
  const bytes = encodeCanonical(attributes);
  assert.ok(bytes, 'test attributes must encode canonically');
  const id = rib.attributeSets.intern(bytes);
  rib.announce(peer, p, pathId, id, receivedAt);
  rib.attributeSets.release(id);
}
