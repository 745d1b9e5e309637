/**
 * AS_PATH / AS4_PATH segments (RFC 4271 4.3, RFC 5065, RFC 6793) and the
 * RFC 6793 4.2.3 reconstruction of the real path from AS_PATH + AS4_PATH.
 */
import type { PathAttribute } from './attribute-types';
import { type ByteWriter, EncodeError, readU16, readU32 } from './bytes';
import { AS_TRANS } from './open';
import type { SessionContext } from './session-context';

export const AsPathSegmentType = {
  AsSet: 1,
  AsSequence: 2,
  AsConfedSequence: 3,
  AsConfedSet: 4,
} as const;

export interface AsPathSegment {
  /** 1 AS_SET, 2 AS_SEQUENCE, 3 AS_CONFED_SEQUENCE, 4 AS_CONFED_SET (see `AsPathSegmentType`). */
  readonly type: number;
  readonly asns: readonly number[];
}

/**
 * Decode segments from bytes[start, end) with 2- or 4-octet ASNs.
 * Returns the reason when malformed (RFC 7606 7.2: unknown segment type,
 * zero segment length, overrun, or a lone trailing octet; RFC 7607: AS 0).
 */
export function decodeAsPathSegments(
  bytes: Uint8Array,
  start: number,
  end: number,
  asnSize: 2 | 4,
): AsPathSegment[] | string {
  const segments: AsPathSegment[] = [];
  let i = start;
  while (i < end) {
    if (end - i < 2) return 'truncated segment header';
    const type = bytes[i];
    const count = bytes[i + 1];
    if (type < AsPathSegmentType.AsSet || type > AsPathSegmentType.AsConfedSet)
      return `unrecognized segment type ${type}`;
    if (count === 0) return 'segment length is zero';
    i += 2;
    if (i + count * asnSize > end) return `segment of ${count} ASNs overruns the attribute`;
    const asns = new Array<number>(count);
    for (let k = 0; k < count; k++) {
      const asn = asnSize === 4 ? readU32(bytes, i) : readU16(bytes, i);
      if (asn === 0) return 'AS number 0 (RFC 7607)';
      asns[k] = asn;
      i += asnSize;
    }
    segments.push({ type, asns });
  }
  return segments;
}

/**
 * Encode segments. Sequences longer than 255 ASNs are split into several
 * segments (RFC 4271 5.1.2); a set or confederation set that long, an empty
 * segment, or an ASN too large for the width throws EncodeError.
 */
export function encodeAsPathSegments(segments: readonly AsPathSegment[], asnSize: 2 | 4, out: ByteWriter): void {
  const maxAsn = asnSize === 4 ? 0xffffffff : 0xffff;
  for (const segment of segments) {
    const { type, asns } = segment;
    if (type < AsPathSegmentType.AsSet || type > AsPathSegmentType.AsConfedSet)
      throw new EncodeError(`AS_PATH segment type ${type}`);
    if (asns.length === 0) throw new EncodeError('empty AS_PATH segment');
    const splittable = type === AsPathSegmentType.AsSequence || type === AsPathSegmentType.AsConfedSequence;
    if (asns.length > 255 && !splittable) throw new EncodeError(`AS_PATH set of ${asns.length} ASNs (max 255)`);
    for (let from = 0; from < asns.length; from += 255) {
      const chunk = asns.slice(from, from + 255);
      out.u8(type);
      out.u8(chunk.length);
      for (const asn of chunk) {
        if (!Number.isInteger(asn) || asn < 0 || asn > maxAsn) {
          throw new EncodeError(
            asnSize === 2 && asn > 0xffff
              ? `ASN ${asn} needs a 4-octet session (see splitAs4Path)`
              : `ASN ${String(asn)} out of range`,
          );
        }
        if (asnSize === 4) out.u32(asn);
        else out.u16(asn);
      }
    }
  }
}

/** "65001 65002 {65003,65004} (65010 65011) [65012,65013]"; "empty" for an empty path. */
export function formatAsPath(segments: readonly AsPathSegment[]): string {
  if (segments.length === 0) return 'empty';
  return segments
    .map((s) => {
      switch (s.type) {
        case AsPathSegmentType.AsSet:
          return `{${s.asns.join(',')}}`;
        case AsPathSegmentType.AsConfedSequence:
          return `(${s.asns.join(' ')})`;
        case AsPathSegmentType.AsConfedSet:
          return `[${s.asns.join(',')}]`;
        default:
          return s.asns.join(' ');
      }
    })
    .join(' ');
}

/** Path length for route selection and RFC 6793: an AS_SET counts 1, confederation segments 0 (RFC 4271 9.1.2.2, RFC 5065 5.3). */
export function asPathLength(segments: readonly AsPathSegment[]): number {
  let n = 0;
  for (const s of segments) {
    if (s.type === AsPathSegmentType.AsSequence) n += s.asns.length;
    else if (s.type === AsPathSegmentType.AsSet) n += 1;
  }
  return n;
}

function isConfed(segment: AsPathSegment): boolean {
  return segment.type === AsPathSegmentType.AsConfedSequence || segment.type === AsPathSegmentType.AsConfedSet;
}

/**
 * RFC 6793 4.2.3: combine the AS_PATH received from a 2-octet speaker with
 * its AS4_PATH. If AS_PATH has fewer ASNs than AS4_PATH, AS4_PATH is ignored.
 * Otherwise the leading ASNs of AS_PATH (with adjacent confederation
 * segments) are prepended to AS4_PATH so the result has as many ASNs as
 * AS_PATH; two AS_SEQUENCEs meeting at the join become one. Confederation
 * segments in AS4_PATH are ignored.
 */
export function mergeAs4Path(asPath: readonly AsPathSegment[], as4Path: readonly AsPathSegment[]): AsPathSegment[] {
  const as4 = as4Path.filter((s) => !isConfed(s));
  const total = asPathLength(asPath);
  const as4Length = asPathLength(as4);
  if (total < as4Length) return [...asPath];
  let take = total - as4Length;
  const leading: AsPathSegment[] = [];
  for (const segment of asPath) {
    if (isConfed(segment)) {
      leading.push(segment); // leading, or adjacent to a prepended segment
      continue;
    }
    if (take === 0) break;
    if (segment.type === AsPathSegmentType.AsSet) {
      leading.push(segment);
      take -= 1;
    } else {
      const n = Math.min(take, segment.asns.length);
      leading.push(n === segment.asns.length ? segment : { type: segment.type, asns: segment.asns.slice(0, n) });
      take -= n;
    }
  }
  // The split point was inside one AS_SEQUENCE of the original path: join it again.
  const last = leading[leading.length - 1];
  const first = as4[0];
  if (
    last !== undefined &&
    first !== undefined &&
    last.type === AsPathSegmentType.AsSequence &&
    first.type === AsPathSegmentType.AsSequence &&
    last.asns.length + first.asns.length <= 255
  ) {
    return [
      ...leading.slice(0, -1),
      { type: AsPathSegmentType.AsSequence, asns: [...last.asns, ...first.asns] },
      ...as4.slice(1),
    ];
  }
  return [...leading, ...as4];
}

/**
 * RFC 6793 4.2.2, for sending to a 2-octet speaker: AS_PATH with AS_TRANS in
 * place of every 4-octet ASN, and the AS4_PATH to send alongside it (without
 * confederation segments), or `undefined` when every ASN fits in 2 octets.
 */
export function splitAs4Path(segments: readonly AsPathSegment[]): {
  asPath: AsPathSegment[];
  as4Path: AsPathSegment[] | undefined;
} {
  let needsAs4 = false;
  const asPath = segments.map((s) => {
    if (!s.asns.some((a) => a > 0xffff)) return s;
    needsAs4 = true;
    return { type: s.type, asns: s.asns.map((a) => (a > 0xffff ? AS_TRANS : a)) };
  });
  return { asPath, as4Path: needsAs4 ? segments.filter((s) => !isConfed(s)) : undefined };
}

function find<T extends PathAttribute['type']>(
  attributes: readonly PathAttribute[],
  type: T,
): Extract<PathAttribute, { type: T }> | undefined {
  for (const a of attributes) if (a.type === type) return a as Extract<PathAttribute, { type: T }>;
  return undefined;
}

/** The aggregator of a route after RFC 6793 4.2.3. */
export interface Aggregator {
  readonly asn: number;
  readonly address: number;
}

/** The real AS path and aggregator of an UPDATE's attributes after RFC 6793 4.2.3. */
export interface EffectiveAs4Info {
  /** `undefined` when the UPDATE has no AS_PATH. */
  readonly asPath: readonly AsPathSegment[] | undefined;
  readonly aggregator: Aggregator | undefined;
}

/**
 * Apply RFC 6793 4.2.3 to the attributes received on a session. On a 4-octet
 * session AS4_PATH/AS4_AGGREGATOR are ignored. On a 2-octet session, when both
 * AGGREGATOR and AS4_AGGREGATOR were received: if AGGREGATOR carries an ASN
 * other than AS_TRANS, both AS4 attributes are ignored, else AS4_AGGREGATOR
 * replaces it. In every other case AS_PATH and AS4_PATH are merged with
 * {@link mergeAs4Path} (a real AGGREGATOR alone does not void AS4_PATH: FRR's
 * bgp_attr_munge_as4_attrs and bgpdump merge too).
 */
export function effectiveAsPathInfo(attributes: readonly PathAttribute[], context: SessionContext): EffectiveAs4Info {
  const asPath = find(attributes, 'as-path')?.segments;
  const aggregatorAttribute = find(attributes, 'aggregator');
  let aggregator: Aggregator | undefined = aggregatorAttribute && {
    asn: aggregatorAttribute.asn,
    address: aggregatorAttribute.address,
  };
  if (context.fourOctetAs) return { asPath, aggregator };
  const as4Aggregator = find(attributes, 'as4-aggregator');
  const as4Path = find(attributes, 'as4-path');
  if (aggregator !== undefined && as4Aggregator !== undefined) {
    if (aggregator.asn !== AS_TRANS) return { asPath, aggregator };
    aggregator = { asn: as4Aggregator.asn, address: as4Aggregator.address };
  }
  if (asPath === undefined || as4Path === undefined) return { asPath, aggregator };
  return { asPath: mergeAs4Path(asPath, as4Path.segments), aggregator };
}
