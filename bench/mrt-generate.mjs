// A synthetic full-table TABLE_DUMP_V2 file for bench/mrt.mjs, written with our own writer: PREFIXES
// IPv4 /24s, each with a path from every one of PEERS peers; a new attribute set (AS path,
// communities, MED) every 8 prefixes per peer, 4-octet AS paths of 3 to 6 ASNs. gzip-compressed.
import { existsSync } from 'node:fs';
import { encodeCanonical } from '../server/dist/src/mrt/index.js';
import { writeTableDumpFile } from '../server/dist/src/mrt-node/index.js';
import { Rib } from '../server/dist/src/rib/index.js';

export async function generateTableDump(file, prefixes, peerCount) {
  if (existsSync(file)) return;
  const peers = Array.from({ length: peerCount }, (_, k) => ({
    id: k,
    address: `192.0.2.${k + 1}`,
    asn: 64500 + k,
    bgpId: `10.0.0.${k + 1}`,
  }));
  const rib = new Rib();
  for (let i = 0; i < prefixes; i++) {
    const set = Math.floor(i / 8);
    for (const peer of peers) {
      const length = 3 + ((set + peer.id) % 4);
      const asns = [
        peer.asn,
        ...Array.from({ length: length - 1 }, (_, k) => 4200000000 + ((set * 7 + k * 131 + peer.id) % 60000)),
      ];
      const attributes = [
        { type: 'origin', flags: 0x40, origin: set % 3 },
        { type: 'as-path', flags: 0x40, segments: [{ type: 2, asns }] },
        { type: 'next-hop', flags: 0x40, address: (0xc0000200 + peer.id + 1) >>> 0 },
        { type: 'multi-exit-disc', flags: 0x80, value: set % 100 },
        { type: 'communities', flags: 0xc0, communities: [((peer.asn << 16) | (set & 0xffff)) >>> 0, 0xfde80064] },
      ];
      const id = rib.attributeSets.intern(encodeCanonical(attributes));
      rib.announce(peer.id, { family: 4, address: ((0x10000000 + i) << 8) >>> 0, length: 24 }, 0, id, 1700000000);
      rib.attributeSets.release(id);
    }
  }
  await writeTableDumpFile(file, rib, peers, '10.0.0.254', 'bench', 1700000001, { gzip: true });
}
