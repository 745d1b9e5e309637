/**
 * Path attributes in TABLE_DUMP_V2 RIB entries (RFC 6396 4.3.4): AS numbers always in 4 octets,
 * and MP_REACH_NLRI reduced to the next hop (length octet + address; AFI, SAFI and NLRI are
 * implied by the record). Conversions to and from the RIB's canonical attribute bytes.
 *
 * Reading is lenient where a dump differs from a session: the Optional and Transitive flag bits
 * of known attributes are taken from the attribute table rather than checked.
 */
import {
  AttributeCode,
  AttributeFlag,
  type NextHop,
  type PathAttribute,
  type SessionContext,
  attributeDescriptor,
  attributeName,
  BgpError,
  readU128,
  readU16,
  readU32,
} from '../bgp';
import { canonicalAttributes, canonicalContext, encodeCanonical } from '../rib';

/** TABLE_DUMP_V2 RIB entry attributes use 4-octet AS numbers and carry no Path Identifiers inside. */
export const TABLE_DUMP_CONTEXT: SessionContext = canonicalContext;

/** TABLE_DUMP (v1) attributes use 2-octet AS numbers, with AS4_PATH beside AS_PATH (RFC 6793). */
export const TABLE_DUMP_V1_CONTEXT: SessionContext = Object.freeze({
  fourOctetAs: false,
  extendedMessage: true,
  addPath: Object.freeze([]),
});

export type MrtAttributesResult =
  | {
      readonly ok: true;
      /** Attributes in record order; MP_REACH_NLRI expanded to the record's AFI/SAFI with no NLRI. */
      readonly attributes: PathAttribute[];
      /** Attributes dropped without losing the entry (RFC 7606 attribute-discard, duplicates). */
      readonly discarded: readonly string[];
    }
  | { readonly ok: false; readonly reason: string };

const OPTIONAL_AND_TRANSITIVE = AttributeFlag.Optional | AttributeFlag.Transitive;
const UPDATE_ATTRIBUTES_AT = 23; // header 19 + withdrawn length 2 + attributes length 2
const NO_STRINGS: readonly string[] = Object.freeze([]);
/** Resolved once: calls through the package index's re-export cost a getter each time. */
const descriptorOf = attributeDescriptor;

function abbreviatedNextHop(bytes: Uint8Array, start: number, length: number, afi: number): NextHop | string {
  if (length === 4 && afi === 1) return { family: 4, address: readU32(bytes, start) };
  if (length === 16) return { family: 6, address: readU128(bytes, start) };
  if (length === 32) return { family: 6, address: readU128(bytes, start), linkLocal: readU128(bytes, start + 16) };
  return `next hop length ${length} is not valid for AFI ${afi}`;
}

/**
 * Decode the attributes of a RIB entry of family afi/safi. MP_REACH_NLRI may be in the RFC 6396
 * form (next hop only) or, as some writers produce, a complete RFC 4760 value (its NLRI are
 * ignored). Malformed attributes whose RFC 7606 action is attribute-discard are dropped and
 * listed; any other malformation fails the entry.
 */
export function decodeMrtAttributes(
  bytes: Uint8Array,
  afi: number,
  safi: number,
  context: SessionContext = TABLE_DUMP_CONTEXT,
): MrtAttributesResult {
  const attributes: PathAttribute[] = [];
  let discarded: string[] | undefined;
  const discard = (reason: string): void => void (discarded ??= []).push(reason);
  const seen = new Uint8Array(32); // bitmap of 256 codes
  const end = bytes.length;
  let i = 0;
  while (i < end) {
    if (end - i < 3) return { ok: false, reason: `${end - i} trailing octets after the last attribute` };
    const flags = bytes[i]!;
    const code = bytes[i + 1]!;
    const headerLength = flags & AttributeFlag.ExtendedLength ? 4 : 3;
    if (end - i < headerLength) return { ok: false, reason: `truncated header of ${attributeName(code)}` };
    const valueStart = i + headerLength;
    const valueEnd = valueStart + (headerLength === 4 ? readU16(bytes, i + 2) : bytes[i + 2]!);
    if (valueEnd > end)
      return { ok: false, reason: `${attributeName(code)} overruns the attributes by ${valueEnd - end} octets` };
    i = valueEnd;
    if (seen[code >>> 3]! & (1 << (code & 7))) {
      if (code === AttributeCode.MpReachNlri || code === AttributeCode.MpUnreachNlri)
        return { ok: false, reason: `${attributeName(code)} appears twice` };
      discard(`${attributeName(code)} appears twice; later copy discarded`);
      continue;
    }
    seen[code >>> 3]! |= 1 << (code & 7);

    if (code === AttributeCode.MpReachNlri) {
      const mpFlags = (flags & ~OPTIONAL_AND_TRANSITIVE) | AttributeFlag.Optional;
      const length = valueEnd - valueStart;
      if (length >= 1 && bytes[valueStart]! + 1 === length) {
        const nextHop = abbreviatedNextHop(bytes, valueStart + 1, bytes[valueStart]!, afi);
        if (typeof nextHop === 'string') return { ok: false, reason: `MP_REACH_NLRI: ${nextHop}` };
        attributes.push({ type: 'mp-reach-nlri', flags: mpFlags, afi, safi, nextHop, nlri: [] });
        continue;
      }
      // A complete RFC 4760 value, as some writers produce.
      const full = descriptorOf(code)!.decode(bytes, valueStart, valueEnd, flags, context);
      if (full instanceof BgpError) return { ok: false, reason: full.reason };
      if (full.type !== 'mp-reach-nlri') return { ok: false, reason: 'MP_REACH_NLRI of an unsupported family' };
      attributes.push({ ...full, flags: mpFlags, afi, safi, nlri: [] });
      continue;
    }

    const descriptor = descriptorOf(code);
    if (descriptor === undefined) {
      if ((flags & AttributeFlag.Optional) === 0)
        return { ok: false, reason: `unrecognized well-known attribute ${code}` };
      attributes.push({ type: 'unknown', code, flags, value: bytes.slice(valueStart, valueEnd) });
      continue;
    }
    // Optional/Transitive come from the attribute table: a dump is not a session, and BIRD 2.0.12
    // writes NEXT_HOP and LOCAL_PREF with flags 0x00. Partial and Extended Length are kept.
    const normalized = (flags & ~OPTIONAL_AND_TRANSITIVE) | descriptor.flags;
    const value = descriptor.decode(bytes, valueStart, valueEnd, normalized, context);
    if (value instanceof BgpError) {
      if (value.action !== 'attribute-discard') return { ok: false, reason: value.reason };
      discard(value.reason);
      continue;
    }
    attributes.push(value);
  }
  return { ok: true, attributes, discarded: discarded ?? NO_STRINGS };
}

/**
 * The canonical bytes (see `canonical.ts`) for the attributes of a RIB entry, or why there are none.
 * Validation is always the codec's (`decodeMrtAttributes`); when nothing had to be discarded the
 * bytes are then assembled by copying (what decode + `encodeCanonical` would produce, without
 * building the UPDATE through the encoder), else they come from `encodeCanonical`.
 */
export function mrtAttributesToCanonical(
  bytes: Uint8Array,
  afi: number,
  safi: number,
  context: SessionContext = TABLE_DUMP_CONTEXT,
):
  | { readonly ok: true; readonly canonical: Uint8Array; readonly discarded: readonly string[] }
  | { readonly ok: false; readonly reason: string } {
  const decoded = decodeMrtAttributes(bytes, afi, safi, context);
  if (!decoded.ok) return decoded;
  // Copying keeps AS_PATH as it is: right only for 4-octet AS numbers (2-octet ones are merged with AS4_PATH).
  const copied = decoded.discarded.length === 0 && context.fourOctetAs ? copyCanonical(bytes, afi, safi) : undefined;
  const canonical = copied ?? encodeCanonical(canonicalAttributes(decoded.attributes, context));
  if (canonical === undefined) return { ok: false, reason: 'attributes cannot be encoded canonically' };
  return { ok: true, canonical, discarded: decoded.discarded };
}

/**
 * The canonical bytes of a BGP4MP UPDATE (as recorded, header included), its attributes copied,
 * when they need no change: a 4-octet-AS message the codec decoded without an error, with no
 * MP_REACH_NLRI or MP_UNREACH_NLRI (the caller knows from the decoded attributes). Then the copy
 * is what `encodeCanonical(canonicalAttributes(...))` gives, without building the UPDATE. A view
 * into one reused buffer, valid until the next call (for interning, which copies); `undefined`
 * leaves it to the encoder.
 */
export function copiedUpdateCanonicalView(update: Uint8Array): Uint8Array | undefined {
  const at = UPDATE_ATTRIBUTES_AT - 2 + readU16(update, 19);
  const start = at + 2;
  const end = start + readU16(update, at);
  const size = canonicalCopySize(update, start, end);
  if (size === undefined) return undefined;
  writeCanonicalCopy(update, start, end, 1, 1, copyScratch, size);
  return copyScratch.subarray(0, size);
}

const MAX_CANONICAL_LENGTH = 65535;
/** Where {@link copiedUpdateCanonicalView} writes: overwritten by every call. */
const copyScratch = new Uint8Array(MAX_CANONICAL_LENGTH);

/**
 * Canonical bytes by copying attributes that `decodeMrtAttributes` accepted without discarding
 * any: Optional/Transitive flag bits from the attribute table, AS4_PATH / AS4_AGGREGATOR left
 * out (on a 4-octet context canonicalAttributes drops them and keeps AS_PATH / AGGREGATOR as
 * they are), MP_REACH_NLRI expanded to AFI, SAFI, next hop, Reserved. `undefined` for the rare
 * shapes left to the encoder (a complete MP_REACH_NLRI value, any MP_UNREACH_NLRI, an UPDATE
 * over 65535 octets).
 */
function copyCanonical(bytes: Uint8Array, afi: number, safi: number): Uint8Array | undefined {
  const size = canonicalCopySize(bytes, 0, bytes.length);
  if (size === undefined) return undefined;
  const out = new Uint8Array(size);
  writeCanonicalCopy(bytes, 0, bytes.length, afi, safi, out, size);
  return out;
}

/** The size of the canonical copy of the attributes in bytes[start, end), or `undefined` (see copyCanonical). */
function canonicalCopySize(bytes: Uint8Array, start: number, end: number): number | undefined {
  let size = UPDATE_ATTRIBUTES_AT;
  for (let i = start; i < end; ) {
    const flags = bytes[i]!;
    const code = bytes[i + 1]!;
    const extended = (flags & AttributeFlag.ExtendedLength) !== 0;
    const valueStart = i + (extended ? 4 : 3);
    const valueEnd = valueStart + (extended ? readU16(bytes, i + 2) : bytes[i + 2]!);
    if (code === AttributeCode.MpReachNlri) {
      if (bytes[valueStart]! + 1 !== valueEnd - valueStart) return undefined;
      size += valueEnd - i + 4;
    } else if (code === AttributeCode.MpUnreachNlri) {
      return undefined; // dropped, or kept raw for other families: left to canonicalAttributes
    } else if (code !== AttributeCode.As4Path && code !== AttributeCode.As4Aggregator) {
      size += valueEnd - i;
    }
    i = valueEnd;
  }
  return size > MAX_CANONICAL_LENGTH ? undefined : size;
}

/** The canonical copy of the attributes in bytes[start, end) into out[0, size). */
function writeCanonicalCopy(
  bytes: Uint8Array,
  start: number,
  end: number,
  afi: number,
  safi: number,
  out: Uint8Array,
  size: number,
): void {
  out.fill(0xff, 0, 16);
  out[16] = size >>> 8;
  out[17] = size & 0xff;
  out[18] = 2; // UPDATE
  out[19] = 0; // Withdrawn Routes Length 0
  out[20] = 0;
  out[21] = (size - UPDATE_ATTRIBUTES_AT) >>> 8;
  out[22] = (size - UPDATE_ATTRIBUTES_AT) & 0xff;
  let o = UPDATE_ATTRIBUTES_AT;
  for (let i = start; i < end; ) {
    const flags = bytes[i]!;
    const code = bytes[i + 1]!;
    const extended = (flags & AttributeFlag.ExtendedLength) !== 0;
    const valueStart = i + (extended ? 4 : 3);
    const valueEnd = valueStart + (extended ? readU16(bytes, i + 2) : bytes[i + 2]!);
    if (code === AttributeCode.MpReachNlri) {
      const nextHopLength = bytes[valueStart]!;
      const length = nextHopLength + 5;
      out[o++] = (flags & ~OPTIONAL_AND_TRANSITIVE) | AttributeFlag.Optional;
      out[o++] = code;
      if (extended) out[o++] = length >>> 8;
      out[o++] = length & 0xff;
      out[o++] = afi >>> 8;
      out[o++] = afi & 0xff;
      out[o++] = safi;
      for (let k = valueStart; k < valueEnd; k++) out[o++] = bytes[k]!; // next hop length and next hop
      out[o++] = 0; // Reserved
    } else if (code !== AttributeCode.As4Path && code !== AttributeCode.As4Aggregator) {
      const descriptor = descriptorOf(code);
      out[o++] = descriptor === undefined ? flags : (flags & ~OPTIONAL_AND_TRANSITIVE) | descriptor.flags;
      for (let k = i + 1; k < valueEnd; k++) out[o++] = bytes[k]!;
    }
    i = valueEnd;
  }
}

/**
 * The RFC 6396 4.3.4 form of canonical attribute bytes (an UPDATE with no NLRI, 4-octet AS):
 * every attribute copied as is, except MP_REACH_NLRI reduced to its next hop, and MP_UNREACH_NLRI,
 * AS4_PATH and AS4_AGGREGATOR left out. Returns a reason when the bytes are not such an UPDATE.
 */
export function canonicalToMrtAttributes(canonical: Uint8Array): Uint8Array | string {
  if (canonical.length < UPDATE_ATTRIBUTES_AT || canonical[18] !== 2) return 'not an UPDATE message';
  if (readU16(canonical, 19) !== 0) return 'the UPDATE has withdrawn routes';
  const end = UPDATE_ATTRIBUTES_AT + readU16(canonical, 21);
  if (end !== canonical.length) return 'the UPDATE has NLRI or a bad attributes length';
  const out = new Uint8Array(end - UPDATE_ATTRIBUTES_AT);
  let o = 0;
  let i = UPDATE_ATTRIBUTES_AT;
  while (i < end) {
    if (end - i < 3) return 'truncated attribute';
    const flags = canonical[i]!;
    const code = canonical[i + 1]!;
    const extended = (flags & AttributeFlag.ExtendedLength) !== 0;
    const valueStart = i + (extended ? 4 : 3);
    if (valueStart > end) return 'truncated attribute';
    const valueEnd = valueStart + (extended ? readU16(canonical, i + 2) : canonical[i + 2]!);
    if (valueEnd > end) return `${attributeName(code)} overruns the attributes`;
    if (code === AttributeCode.MpReachNlri) {
      if (valueEnd - valueStart < 5) return 'MP_REACH_NLRI is too short';
      const nextHopLength = canonical[valueStart + 3]!;
      if (valueStart + 4 + nextHopLength > valueEnd) return 'MP_REACH_NLRI next hop overruns the attribute';
      const length = nextHopLength + 1;
      out[o++] = flags;
      out[o++] = code;
      if (extended) out[o++] = length >>> 8;
      out[o++] = length & 0xff;
      out.set(canonical.subarray(valueStart + 3, valueStart + 4 + nextHopLength), o);
      o += length;
    } else if (
      code !== AttributeCode.MpUnreachNlri &&
      code !== AttributeCode.As4Path &&
      code !== AttributeCode.As4Aggregator
    ) {
      out.set(canonical.subarray(i, valueEnd), o);
      o += valueEnd - i;
    }
    i = valueEnd;
  }
  return o === out.length ? out : out.slice(0, o);
}
