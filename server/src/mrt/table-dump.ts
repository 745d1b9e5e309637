/**
 * Writing a RIB as a TABLE_DUMP_V2 snapshot (RFC 6396 4.3, RFC 8050): one PEER_INDEX_TABLE, then
 * one RIB_IPV4_UNICAST record per IPv4 prefix and one RIB_IPV6_UNICAST record per IPv6 prefix,
 * in address order, with consecutive sequence numbers. A prefix with any non-zero Path
 * Identifier is written with the _ADDPATH subtype. Attributes are the stored canonical ones in
 * the RFC 6396 4.3.4 form (4-octet AS_PATH, MP_REACH_NLRI holding only the next hop).
 */
import { EncodeError, type Prefix, formatPrefix, parseIpv4, parseIpv6 } from '../bgp';
import type { Family, Rib, RouteView } from '../rib';
import { canonicalToMrtAttributes } from './attributes';
import { RecordBuffer, type RibEntryInput, writePeerIndexTable, writeRibRecord } from './encode';
import type { MrtPeer } from './peers';
import type { MrtAddress, MrtPeerEntry } from './types';

export interface TableDumpOptions {
  /** Records are gathered into chunks of about this many octets (default 64 KiB). */
  readonly chunkSize?: number;
}

/** Routes asked from the RIB at a time while walking it (bounds the views held at once). */
const BATCH = 2048;

function parseAddress(text: string): MrtAddress | undefined {
  if (text.includes(':')) {
    const address = parseIpv6(text);
    return address === undefined ? undefined : { family: 6, address };
  }
  const address = parseIpv4(text);
  return address === undefined ? undefined : { family: 4, address };
}

/**
 * Every route of one family in address order (then length), without asking the RIB for all of
 * them at once: a subtree with too many routes is split in halves.
 */
export function* ribRoutes(rib: Rib, family: Family): Generator<RouteView> {
  const max = family === 4 ? 32 : 128;
  const stack: Prefix[] = [family === 4 ? { family: 4, address: 0, length: 0 } : { family: 6, address: 0n, length: 0 }];
  while (stack.length > 0) {
    const p = stack.pop()!;
    const views = rib.covered(p, BATCH);
    if (views.length < BATCH) {
      yield* views;
      continue;
    }
    if (views[0]!.prefix.length === p.length) yield views[0]!;
    if (p.length >= max) continue;
    const length = p.length + 1;
    if (p.family === 4) {
      stack.push({ family: 4, address: (p.address | (1 << (32 - length))) >>> 0, length });
      stack.push({ family: 4, address: p.address, length });
    } else {
      stack.push({ family: 6, address: p.address | (1n << BigInt(128 - length)), length });
      stack.push({ family: 6, address: p.address, length });
    }
  }
}

/**
 * The RIB as TABLE_DUMP_V2 bytes, in chunks. `peers` must list every peer that has paths in the
 * RIB (their order is the PEER_INDEX_TABLE order); the RIB must not change while the generator
 * runs. Throws `EncodeError` for an unknown peer, bad addresses, or attribute bytes that are not
 * canonical, before yielding the chunk that would hold them.
 */
export function* writeTableDump(
  rib: Rib,
  peers: readonly MrtPeer[],
  collectorBgpId: string,
  viewName: string,
  timestampSeconds: number,
  options: TableDumpOptions = {},
): Generator<Uint8Array> {
  const chunkSize = options.chunkSize ?? 1 << 16;
  const collector = parseIpv4(collectorBgpId);
  if (collector === undefined)
    throw new EncodeError(`collector BGP ID ${JSON.stringify(collectorBgpId)} is not an IPv4 address`);
  const index = new Map<number, number>();
  const entries: MrtPeerEntry[] = peers.map((peer, k) => {
    const address = parseAddress(peer.address);
    const bgpId = parseIpv4(peer.bgpId);
    if (address === undefined)
      throw new EncodeError(`peer ${peer.id}: address ${JSON.stringify(peer.address)} is not an IP address`);
    if (bgpId === undefined)
      throw new EncodeError(`peer ${peer.id}: BGP ID ${JSON.stringify(peer.bgpId)} is not an IPv4 address`);
    if (index.has(peer.id)) throw new EncodeError(`peer id ${peer.id} is listed twice`);
    index.set(peer.id, k);
    return { bgpId, address, asn: peer.asn, as4: true };
  });

  const out = new RecordBuffer(chunkSize + 4096);
  writePeerIndexTable(out, timestampSeconds, collector, viewName, entries);

  // Attribute set ids are small integers: the dump form of each set, converted once.
  const attributeCache: (Uint8Array | undefined)[] = [];
  const attributesOf = (set: number, prefix: Prefix): Uint8Array => {
    let bytes = attributeCache[set];
    if (bytes === undefined) {
      const converted = canonicalToMrtAttributes(rib.attributeSets.bytes(set));
      if (typeof converted === 'string')
        throw new EncodeError(`${formatPrefix(prefix)}: attribute set ${set}: ${converted}`);
      attributeCache[set] = bytes = converted;
    }
    return bytes;
  };

  let sequence = 0;
  for (const family of [4, 6] as const) {
    for (const route of ribRoutes(rib, family)) {
      let addPath = false;
      const ribEntries: RibEntryInput[] = route.paths.map((path) => {
        const peerIndex = index.get(path.peer);
        if (peerIndex === undefined)
          throw new EncodeError(`${formatPrefix(route.prefix)}: peer id ${path.peer} is not in the peers list`);
        if (path.pathId !== 0) addPath = true;
        return {
          peerIndex,
          originatedTime: path.receivedAt,
          pathId: path.pathId,
          attributes: attributesOf(path.attributeSetId, route.prefix),
        };
      });
      writeRibRecord(out, timestampSeconds, 1, addPath, sequence, route.prefix, ribEntries);
      sequence = (sequence + 1) >>> 0;
      if (out.length >= chunkSize) yield out.take();
    }
  }
  if (out.length > 0) yield out.take();
}
