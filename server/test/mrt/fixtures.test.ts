/**
 * Data-driven tests over the commented-hex fixtures (fixtures/README.md says where each comes from):
 * - valid/: read and load without any error; the records, load statistics and resulting RIB match
 *   `NAME.expected.json` (UPDATE_SNAPSHOTS=1 rewrites it);
 * - malformed/: errors are reported at exactly the `# @expect-errors` offsets, everything else
 *   loads, and the same snapshot comparison applies.
 * Every fixture reads the same whether the bytes arrive at once or in small pieces.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type MrtReadResult,
  MrtReader,
  decodeCanonical,
  encodeCanonical,
  loadMrtIntoRibSync,
  readMrt,
} from '../../src/mrt';
import { Rib } from '../../src/rib';
import {
  type HexFixture,
  type JsonValue,
  listFixtures,
  matchJsonSnapshot,
  readInPieces,
  resultLines,
  ribLines,
} from './helpers';

function readChunks(chunks: Uint8Array[]): MrtReadResult[] {
  const reader = new MrtReader();
  const out: MrtReadResult[] = [];
  for (const c of chunks) {
    reader.push(c);
    for (let r = reader.read(); r !== undefined; r = reader.read()) out.push(r);
  }
  reader.end();
  for (let r = reader.read(); r !== undefined; r = reader.read()) out.push(r);
  return out;
}

function run(fixture: HexFixture) {
  const results = [...readMrt(fixture.bytes)];
  const rib = new Rib();
  const stats = loadMrtIntoRibSync(results, rib);
  return { results, rib, stats };
}

function snapshotOf(fixture: HexFixture): JsonValue {
  const { results, rib, stats } = run(fixture);
  return {
    records: resultLines(results),
    load: {
      records: stats.records,
      routes: stats.routes,
      paths: stats.paths,
      withdrawn: stats.withdrawn,
      attributeSets: stats.attributeSets,
      peers: stats.peers.map((p) => `${p.id}: ${p.address} AS${p.asn} bgp-id ${p.bgpId}`),
      errors: stats.errors.map((e) => `@${e.offset} ${e.reason}`),
      notes: stats.notes.map((e) => `@${e.offset} ${e.reason}`),
    },
    rib: ribLines(rib),
  };
}

function checkCommon(fixture: HexFixture): void {
  it('reads the same in 1-, 7- and 64-octet pieces as at once', () => {
    const whole = resultLines([...readMrt(fixture.bytes)]);
    for (const size of [1, 7, 64])
      assert.deepEqual(resultLines(readInPieces(fixture.bytes, size, readChunks)), whole, `pieces of ${size}`);
  });

  it('matches the expected JSON', () => {
    matchJsonSnapshot(snapshotOf(fixture), fixture.file.replace(/\.hex$/, '.expected.json'));
  });

  it('stores attribute sets in canonical form, one reference per path', () => {
    const { rib } = run(fixture);
    const lines = ribLines(rib);
    for (const line of lines) assert.match(line, /: /);
    const store = rib.attributeSets;
    const refs = new Map<number, number>();
    for (const family of [4, 6] as const) {
      for (const route of rib.covered(
        family === 4 ? { family: 4, address: 0, length: 0 } : { family: 6, address: 0n, length: 0 },
      )) {
        for (const p of route.paths) {
          const bytes = store.bytes(p.attributeSetId);
          assert.deepEqual(encodeCanonical(decodeCanonical(bytes)), bytes, 'canonical bytes re-encode to themselves');
          refs.set(p.attributeSetId, (refs.get(p.attributeSetId) ?? 0) + 1);
        }
      }
    }
    for (const [id, n] of refs)
      assert.equal(store.refCount(id), n, `attribute set ${id}: the loader released its own references`);
    assert.equal(store.size, refs.size, 'no attribute set outlives its paths');
  });
}

describe('valid MRT fixtures', () => {
  const fixtures = listFixtures('valid');
  it('exist', () => assert.ok(fixtures.length >= 7, `only ${fixtures.length} valid fixtures`));
  for (const fixture of fixtures) {
    describe(fixture.name, () => {
      it('reads and loads without errors', () => {
        const { results, stats } = run(fixture);
        assert.deepEqual(
          results.filter((r) => !r.ok),
          [],
        );
        assert.deepEqual(stats.errors, []);
        assert.ok(stats.records > 0 && stats.paths > 0);
      });
      checkCommon(fixture);
    });
  }
});

describe('malformed MRT fixtures', () => {
  const fixtures = listFixtures('malformed');
  it('exist', () => assert.ok(fixtures.length >= 10, `only ${fixtures.length} malformed fixtures`));
  for (const fixture of fixtures) {
    describe(fixture.name, () => {
      it(`reports errors at offsets ${fixture.expectErrors.join(', ') || '(missing @expect-errors!)'}`, () => {
        assert.ok(
          fixture.expectErrors.length > 0,
          'malformed fixtures must list the offsets of their errors with # @expect-errors',
        );
        const { stats } = run(fixture);
        const offsets = [...new Set(stats.errors.map((e) => e.offset))].sort((a, b) => a - b);
        assert.deepEqual(offsets, fixture.expectErrors);
      });
      it('loads everything else', () => {
        const { stats } = run(fixture);
        assert.ok(stats.paths > 0, 'some routes load despite the errors');
      });
      checkCommon(fixture);
    });
  }
});
