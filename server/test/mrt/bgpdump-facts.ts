/**
 * One comparable line per route or withdrawal, from `bgpdump -m` output and from our decoding of
 * the same MRT file. bgpdump's quirks are normalised (the path-id column of the _AP formats; the
 * deprecated BGP type printing MED and communities glued together, and the peer address in place
 * of a withdrawn prefix's; AGGREGATOR with AS 0, which RFC 7607 has us discard; IPv6 text in RFC
 * 5952 form), so each fact
 * reads: "B|A|W time peer ASn prefix#pathId path=[...] origin nh lp med c=[...] AG|NAG agg=[...]".
 */
import {
  type PathAttribute,
  type SessionContext,
  formatAsPath,
  formatIpv4,
  formatIpv6,
  formatPrefix,
  parseIpv6,
} from '../../src/bgp';
import {
  type MrtAddress,
  type MrtReadResult,
  type MrtRecord,
  MrtType,
  TABLE_DUMP_V1_CONTEXT,
  canonicalAttributes,
  decodeCanonical,
  encodeCanonical,
  mrtAttributesToCanonical,
} from '../../src/mrt';

/** bgpdump's community rendering (process_attr_community_string): three well-known names, else a:b. */
function community(c: number): string {
  if (c === 0xffffff01) return 'no-export';
  if (c === 0xffffff02) return 'no-advertise';
  if (c === 0xffffff03) return 'local-AS';
  return `${c >>> 16}:${c & 0xffff}`;
}

function address(a: MrtAddress): string {
  return a.family === 4 ? formatIpv4(a.address) : formatIpv6(a.address);
}

interface Columns {
  readonly kind: string;
  readonly time: string;
  readonly peer: string;
  readonly asn: string;
  readonly prefix: string;
  readonly pathId?: string;
  readonly rest?: string;
}

function fact(c: Columns): string {
  const id = c.pathId === undefined ? '' : `#${c.pathId}`;
  return `${c.kind} ${c.time} ${c.peer} AS${c.asn} ${c.prefix}${id}${c.rest === undefined ? '' : ` ${c.rest}`}`;
}

/**
 * IPv6 addresses (and prefixes) in RFC 5952 form: glibc's inet_ntop, which bgpdump uses, also
 * shortens a single zero field to "::", which RFC 5952 4.2.2 rules out.
 */
function ipv6Text(text: string): string {
  if (!text.includes(':')) return text;
  const [address = '', length] = text.split('/');
  const parsed = parseIpv6(address);
  const shown = parsed === undefined ? address : formatIpv6(parsed);
  return length === undefined ? shown : `${shown}/${length}`;
}

/** Facts from `bgpdump -m` lines (STATE lines and anything else without a prefix are left out). */
export function bgpdumpFacts(output: string): string[] {
  const facts: string[] = [];
  for (const line of output.split('\n')) {
    const f = line.split('|');
    const [format = '', time = '', kind = ''] = f;
    if (kind !== 'A' && kind !== 'B' && kind !== 'W') continue;
    const ap = format.endsWith('_AP');
    let k = 3;
    const peer = ipv6Text(f[k++]!);
    const asn = f[k++]!;
    const prefix = ipv6Text(f[k++]!);
    const pathId = ap ? f[k++] : undefined;
    if (kind === 'W') {
      // The deprecated type's withdrawals print the peer address in place of the prefix's
      // (two inet_ntoa calls in one printf): only the length can be compared.
      const shown = format === 'BGP' ? `*/${prefix.split('/')[1]}` : prefix;
      facts.push(fact({ kind, time, peer, asn, prefix: shown, pathId }));
      continue;
    }
    const path = f[k++]!;
    const origin = f[k++]!;
    const nh = ipv6Text(f[k++]!);
    const lp = f[k++]!;
    // The deprecated type prints MED and communities with no separator ("232914:420" for MED 23
    // and 2914:420, or MED 2 and 32914:420): compared glued, as printed (see `gluedMed`).
    const med = f[k++]!;
    const communities = format === 'BGP' ? '' : f[k++]!;
    const atomic = f[k++]!;
    // RFC 7607 2: an AGGREGATOR with AS 0 is discarded (attribute discard); bgpdump prints it.
    const aggregator = f[k]!.startsWith('0 ') ? '' : f[k]!;
    const rest = `path=[${path}] ${origin} nh ${nh} lp ${lp} med ${med} c=[${communities}] ${atomic} agg=[${aggregator}]`;
    facts.push(fact({ kind, time, peer, asn, prefix, pathId, rest }));
  }
  return facts;
}

const ORIGINS = ['IGP', 'EGP', 'INCOMPLETE'];

/** MED and communities run together, as bgpdump prints them for the deprecated BGP type. */
function gluedMed(columns: string): string {
  return columns.replace(/ med (\S+) c=\[([^\]]*)\]/, ' med $1$2 c=[]');
}

/** The columns after the prefix, from canonical attributes (what the RIB stores). */
function attributeColumns(attributes: readonly PathAttribute[], afi: number): string {
  let path = '';
  let origin = 'INCOMPLETE';
  let nextHop = '255.255.255.255'; // bgpdump's INADDR_NONE when there is none
  let mpNextHop: string | undefined;
  let lp = 0;
  let med = 0;
  let communities = '';
  let atomic = 'NAG';
  let aggregator = '';
  for (const a of attributes) {
    switch (a.type) {
      case 'as-path':
        path = a.segments.length === 0 ? '' : formatAsPath(a.segments);
        break;
      case 'origin':
        origin = ORIGINS[a.origin] ?? 'INCOMPLETE';
        break;
      case 'next-hop':
        nextHop = formatIpv4(a.address);
        break;
      case 'mp-reach-nlri':
        mpNextHop = a.nextHop.family === 4 ? formatIpv4(a.nextHop.address) : formatIpv6(a.nextHop.address);
        break;
      case 'local-pref':
        lp = a.value;
        break;
      case 'multi-exit-disc':
        med = a.value;
        break;
      case 'communities':
        communities = a.communities.map(community).join(' ');
        break;
      case 'atomic-aggregate':
        atomic = 'AG';
        break;
      case 'aggregator':
        aggregator = `${a.asn} ${formatIpv4(a.address)}`;
        break;
      default:
        break;
    }
  }
  const nh = afi === 2 || mpNextHop !== undefined ? (mpNextHop ?? nextHop) : nextHop;
  return `path=[${path}] ${origin} nh ${nh} lp ${lp} med ${med} c=[${communities}] ${atomic} agg=[${aggregator}]`;
}

function canonicalColumns(canonical: Uint8Array | undefined, afi: number): string {
  return canonical === undefined ? 'not-canonical' : attributeColumns(decodeCanonical(canonical), afi);
}

function recordTime(record: MrtRecord): string {
  const h = record.header;
  return h.microseconds === undefined
    ? String(h.timestamp)
    : `${h.timestamp}.${String(h.microseconds).padStart(6, '0')}`;
}

/**
 * Facts from our reading of the same records: each RIB entry and TABLE_DUMP record through the
 * loader's attribute conversion, each UPDATE through the canonical form the RIB interns (RFC 6793
 * merge included). Read errors are returned apart.
 */
export function ourFacts(results: Iterable<MrtReadResult>): { facts: string[]; errors: string[] } {
  const facts: string[] = [];
  const errors: string[] = [];
  let peers: readonly { address: MrtAddress; asn: number }[] = [];
  for (const result of results) {
    if (!result.ok) {
      errors.push(`@${result.error.offset}: ${result.error.reason}`);
      continue;
    }
    const record = result.record;
    const time = recordTime(record);
    switch (record.kind) {
      case 'peer-index-table':
        peers = record.peers;
        break;
      case 'rib':
        for (const e of record.entries) {
          const peer = peers[e.peerIndex];
          const converted = mrtAttributesToCanonical(e.attributes, record.afi, record.safi);
          const rest = converted.ok ? canonicalColumns(converted.canonical, record.afi) : `error ${converted.reason}`;
          facts.push(
            fact({
              kind: 'B',
              time,
              peer: peer === undefined ? '?' : address(peer.address),
              asn: peer === undefined ? '?' : String(peer.asn),
              prefix: formatPrefix(record.prefix),
              pathId: record.addPath ? String(e.pathId) : undefined,
              rest,
            }),
          );
        }
        break;
      case 'table-dump': {
        const converted = mrtAttributesToCanonical(record.attributes, record.afi, 1, TABLE_DUMP_V1_CONTEXT);
        const rest = converted.ok ? canonicalColumns(converted.canonical, record.afi) : `error ${converted.reason}`;
        const prefix = formatPrefix(record.prefix);
        facts.push(
          fact({ kind: 'B', time, peer: address(record.peerAddress), asn: String(record.peerAsn), prefix, rest }),
        );
        break;
      }
      case 'bgp4mp-message': {
        const message = record.message;
        if (message.type !== 'UPDATE') break;
        const peer = address(record.local ? record.localAddress : record.peerAddress);
        const asn = String(record.local ? record.localAsn : record.peerAsn);
        const pathId = (n: { pathId?: number }): string | undefined =>
          record.addPath ? String(n.pathId ?? 0) : undefined;
        const withdrawn = [...message.withdrawn];
        const announced: { nlri: (typeof message.nlri)[number]; afi: number }[] = message.nlri.map((nlri) => ({
          nlri,
          afi: 1,
        }));
        for (const a of message.attributes) {
          if (a.type === 'mp-unreach-nlri') withdrawn.push(...a.withdrawn);
          else if (a.type === 'mp-reach-nlri') for (const nlri of a.nlri) announced.push({ nlri, afi: a.afi });
        }
        const legacy = record.header.type === MrtType.Bgp;
        for (const n of withdrawn) {
          const prefix = legacy ? `*/${n.length}` : formatPrefix(n);
          facts.push(fact({ kind: 'W', time, peer, asn, prefix, pathId: pathId(n) }));
        }
        if (announced.length === 0) break;
        const canonical = encodeCanonical(canonicalAttributes(message.attributes, record.context as SessionContext));
        for (const { nlri, afi } of announced) {
          const columns = canonicalColumns(canonical, afi);
          const rest = legacy ? gluedMed(columns) : columns;
          facts.push(fact({ kind: 'A', time, peer, asn, prefix: formatPrefix(nlri), pathId: pathId(nlri), rest }));
        }
        break;
      }
      default:
        break;
    }
  }
  return { facts, errors };
}

/** The facts only one side has, each with its count, at most `limit` of them per side. */
export function factDifference(
  ours: readonly string[],
  theirs: readonly string[],
  limit = 20,
): { onlyOurs: string[]; onlyTheirs: string[]; total: number } {
  const count = new Map<string, number>();
  for (const f of ours) count.set(f, (count.get(f) ?? 0) + 1);
  for (const f of theirs) count.set(f, (count.get(f) ?? 0) - 1);
  const onlyOurs: string[] = [];
  const onlyTheirs: string[] = [];
  let total = 0;
  for (const [f, n] of count) {
    if (n === 0) continue;
    total += Math.abs(n);
    if (n > 0 && onlyOurs.length < limit) onlyOurs.push(`${n}x ${f}`);
    if (n < 0 && onlyTheirs.length < limit) onlyTheirs.push(`${-n}x ${f}`);
  }
  return { onlyOurs, onlyTheirs, total };
}

/** The MRT bytes with the octets of each [from, to) range taken out (torn writes, for bgpdump). */
export function withoutRanges(mrt: Uint8Array, ranges: readonly (readonly [number, number])[]): Uint8Array {
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const [from, to] of ranges) {
    parts.push(mrt.subarray(at, from));
    at = to;
  }
  parts.push(mrt.subarray(at));
  return Buffer.concat(parts);
}

/**
 * The MRT bytes with every entry of a batched TABLE_DUMP record (RIS 2000) in a TABLE_DUMP
 * record of its own, for bgpdump, which reads one entry a record. A record's entries are walked
 * by their Attribute Length and may end 4 octets past the record's Length (MRT Toolkit left View
 * and Sequence Number out of it); other records are copied as they are.
 */
export function unbatchTableDump(mrt: Uint8Array): Uint8Array {
  const view = new DataView(mrt.buffer, mrt.byteOffset, mrt.byteLength);
  const parts: Uint8Array[] = [];
  for (let at = 0; at + 12 <= mrt.length; ) {
    const type = view.getUint16(at + 4);
    const subtype = view.getUint16(at + 6);
    const length = view.getUint32(at + 8);
    const body = at + 12;
    if (type !== 12 || (subtype !== 1 && subtype !== 2)) {
      parts.push(mrt.subarray(at, body + length));
      at = body + length;
      continue;
    }
    const fixed = subtype === 1 ? 18 : 42;
    let entry = body + 4;
    while (entry < body + length) {
      const end = entry + fixed + view.getUint16(entry + fixed - 2);
      const record = Buffer.alloc(12 + 4 + end - entry);
      record.set(mrt.subarray(at, at + 8), 0);
      record.writeUInt32BE(4 + end - entry, 8);
      record.set(mrt.subarray(body, body + 4), 12);
      record.set(mrt.subarray(entry, end), 16);
      parts.push(record);
      entry = end;
    }
    at = entry;
  }
  return Buffer.concat(parts);
}
