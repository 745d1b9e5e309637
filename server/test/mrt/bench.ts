/**
 * Not a test: measures writing and loading a large TABLE_DUMP_V2 file.
 *
 *   node server/dist/test/mrt/bench.js [prefixes=1000000] [peers=1] [prefixes per attribute set=8]
 *
 * Builds a RIB of IPv4 /24s (each prefix has a path from every peer; a new attribute set every N
 * prefixes, per peer), writes it plain and gzipped with writeTableDumpFile, and loads both with
 * loadMrtFile, printing times and the process RSS.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PathAttribute } from '../../src/bgp';
import { type MrtPeer, encodeCanonical } from '../../src/mrt';
import { loadMrtFile, writeTableDumpFile } from '../../src/mrt-node';
import { Rib } from '../../src/rib';

async function main(): Promise<void> {
  const prefixes = Number(process.argv[2] ?? 1_000_000);
  const peerCount = Number(process.argv[3] ?? 1);
  const perSet = Number(process.argv[4] ?? 8);
  const peers: MrtPeer[] = Array.from({ length: peerCount }, (_, k) => ({
    id: k,
    address: `192.0.2.${k + 1}`,
    asn: 65001 + k,
    bgpId: `10.0.0.${k + 1}`,
  }));
  const ms = (start: bigint): string => `${(Number(process.hrtime.bigint() - start) / 1e6).toFixed(0)} ms`;
  const rss = (): string => `${(process.memoryUsage().rss / 1e6).toFixed(0)} MB RSS`;

  let t = process.hrtime.bigint();
  const rib = new Rib();
  for (let i = 0; i < prefixes; i++) {
    const set = Math.floor(i / perSet);
    for (const peer of peers) {
      const attributes: PathAttribute[] = [
        { type: 'origin', flags: 0x40, origin: 0 },
        {
          type: 'as-path',
          flags: 0x40,
          segments: [{ type: 2, asns: [peer.asn, 64512 + (set % 1000), 4200000000 + set] }],
        },
        { type: 'next-hop', flags: 0x40, address: (0xc0000200 + peer.id + 1) >>> 0 },
        { type: 'communities', flags: 0xc0, communities: [((65000 << 16) | (set & 0xffff)) >>> 0] },
      ];
      const id = rib.attributeSets.intern(encodeCanonical(attributes)!);
      rib.announce(peer.id, { family: 4, address: ((0x10000000 + i) << 8) >>> 0, length: 24 }, 0, id, 1700000000);
      rib.attributeSets.release(id);
    }
  }
  console.log(
    `built RIB: ${prefixes} prefixes x ${peerCount} peers, ${rib.attributeSets.size} attribute sets, ${ms(t)}`,
  );

  const dir = mkdtempSync(join(tmpdir(), 'mrt-bench-'));
  try {
    for (const gzip of [false, true]) {
      const file = join(dir, gzip ? 'dump.mrt.gz' : 'dump.mrt');
      t = process.hrtime.bigint();
      const size = await writeTableDumpFile(file, rib, peers, '10.0.0.254', 'bench', 1700000001, { gzip });
      console.log(`write ${gzip ? 'gzip ' : ''}: ${ms(t)}, ${size} octets (${statSync(file).size} on disk)`);
      const loaded = new Rib();
      t = process.hrtime.bigint();
      const stats = await loadMrtFile(file, loaded);
      console.log(
        `load  ${gzip ? 'gzip ' : ''}: ${ms(t)}, ${stats.routes} routes, ${stats.paths} paths, ${stats.attributeSets} attribute sets, ${stats.errorCount} errors, ${rss()}`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
