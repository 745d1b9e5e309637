/** RFC 6793: AS_PATH / AS4_PATH reconstruction (4.2.3) and the sending side (4.2.2). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AS_TRANS,
  type AsPathSegment,
  AsPathSegmentType,
  DEFAULT_SESSION,
  type PathAttribute,
  asPathLength,
  effectiveAsPathInfo,
  formatAsPath,
  mergeAs4Path,
  splitAs4Path,
} from '../../src/bgp';

const { AsSet, AsSequence, AsConfedSequence, AsConfedSet } = AsPathSegmentType;
const seq = (...asns: number[]): AsPathSegment => ({ type: AsSequence, asns });
const set = (...asns: number[]): AsPathSegment => ({ type: AsSet, asns });
const confedSeq = (...asns: number[]): AsPathSegment => ({ type: AsConfedSequence, asns });
const confedSet = (...asns: number[]): AsPathSegment => ({ type: AsConfedSet, asns });
const T = AS_TRANS;

describe('asPathLength', () => {
  it('counts an AS_SET as one and confederation segments as zero', () => {
    assert.equal(asPathLength([confedSeq(1, 2), seq(3, 4, 5), set(6, 7, 8), confedSet(9)]), 4);
    assert.equal(asPathLength([]), 0);
  });
});

describe('mergeAs4Path (RFC 6793 4.2.3)', () => {
  it('replaces the trailing AS_TRANS part with AS4_PATH', () => {
    assert.equal(
      formatAsPath(mergeAs4Path([seq(65001, T, T, 65002)], [seq(4200000001, 4200000002, 65002)])),
      '65001 4200000001 4200000002 65002',
    );
  });

  it('ignores AS4_PATH when it is longer than AS_PATH', () => {
    const asPath = [seq(65001, T)];
    assert.deepEqual(mergeAs4Path(asPath, [seq(1, 2, 3)]), asPath);
  });

  it('takes the whole AS4_PATH when the lengths are equal', () => {
    assert.equal(formatAsPath(mergeAs4Path([seq(T, T)], [seq(4200000001, 4200000002)])), '4200000001 4200000002');
  });

  it('keeps a leading AS_SET as one AS', () => {
    assert.equal(formatAsPath(mergeAs4Path([set(1, 2), seq(T, 3)], [seq(4200000001, 3)])), '{1,2} 4200000001 3');
  });

  it('keeps leading confederation segments and ignores confederation segments in AS4_PATH', () => {
    assert.equal(
      formatAsPath(mergeAs4Path([confedSeq(65010), seq(65001, T)], [confedSeq(99), seq(4200000001)])),
      '(65010) 65001 4200000001',
    );
  });

  it('joins the kept part of an AS_SEQUENCE with the AS4_PATH sequence', () => {
    const merged = mergeAs4Path([seq(1, 2, 3, T, T)], [seq(4200000001, 4200000002)]);
    assert.deepEqual(merged, [seq(1, 2, 3, 4200000001, 4200000002)]);
  });

  it('joins only AS_SEQUENCEs: an AS_SET stays its own segment', () => {
    const merged = mergeAs4Path([seq(1, T), set(T, 5)], [seq(4200000001), set(4200000002, 5)]);
    assert.deepEqual(merged, [seq(1, 4200000001), set(4200000002, 5)]);
  });
});

describe('splitAs4Path (RFC 6793 4.2.2)', () => {
  it('substitutes AS_TRANS and returns the AS4_PATH to send', () => {
    const { asPath, as4Path } = splitAs4Path([confedSeq(65010), seq(65001, 4200000001)]);
    assert.deepEqual(asPath, [confedSeq(65010), seq(65001, T)]);
    assert.deepEqual(as4Path, [seq(65001, 4200000001)]);
  });

  it('needs no AS4_PATH when every ASN fits in 2 octets', () => {
    const path = [seq(65001, 65002)];
    assert.deepEqual(splitAs4Path(path), { asPath: path, as4Path: undefined });
  });

  it('split then merge gives back the original path', () => {
    const original = [seq(65001, 4200000001, 64512), set(4200000002, 65003)];
    const { asPath, as4Path } = splitAs4Path(original);
    assert.deepEqual(mergeAs4Path(asPath, as4Path ?? []), original);
  });
});

describe('effectiveAsPathInfo', () => {
  const attributes = (aggregatorAsn: number): PathAttribute[] => [
    { type: 'as-path', flags: 0x40, segments: [seq(65001, T)] },
    { type: 'aggregator', flags: 0xc0, asn: aggregatorAsn, address: 0x0a000001 },
    { type: 'as4-path', flags: 0xc0, segments: [seq(4200000001)] },
    { type: 'as4-aggregator', flags: 0xc0, asn: 4200000001, address: 0x0a000001 },
  ];

  it('on a 2-octet session with AGGREGATOR AS_TRANS: uses AS4_AGGREGATOR and merges AS4_PATH', () => {
    const info = effectiveAsPathInfo(attributes(T), DEFAULT_SESSION);
    assert.deepEqual(info.asPath, [seq(65001, 4200000001)]);
    assert.deepEqual(info.aggregator, { asn: 4200000001, address: 0x0a000001 });
  });

  it('on a 2-octet session with a real 2-octet AGGREGATOR: ignores both AS4 attributes', () => {
    const info = effectiveAsPathInfo(attributes(65005), DEFAULT_SESSION);
    assert.deepEqual(info.asPath, [seq(65001, T)]);
    assert.deepEqual(info.aggregator, { asn: 65005, address: 0x0a000001 });
  });

  it('on a 2-octet session with a real AGGREGATOR and no AS4_AGGREGATOR: merges AS4_PATH (RFC 6793 4.2.3)', () => {
    // The "ignore" rule applies only when both AGGREGATOR and AS4_AGGREGATOR were received (as in
    // FRR's bgp_attr_munge_as4_attrs and bgpdump's process_asn32_trans).
    const withoutAs4Aggregator = attributes(65005).filter((a) => a.type !== 'as4-aggregator');
    const info = effectiveAsPathInfo(withoutAs4Aggregator, DEFAULT_SESSION);
    assert.deepEqual(info.asPath, [seq(65001, 4200000001)]);
    assert.deepEqual(info.aggregator, { asn: 65005, address: 0x0a000001 });
  });

  it('on a 2-octet session with AS4_PATH and no aggregator at all: merges AS4_PATH', () => {
    const plain = attributes(T).filter((a) => a.type === 'as-path' || a.type === 'as4-path');
    assert.deepEqual(effectiveAsPathInfo(plain, DEFAULT_SESSION), {
      asPath: [seq(65001, 4200000001)],
      aggregator: undefined,
    });
  });

  it('on a 4-octet session: AS4 attributes are ignored', () => {
    const info = effectiveAsPathInfo(attributes(T), { ...DEFAULT_SESSION, fourOctetAs: true });
    assert.deepEqual(info.asPath, [seq(65001, T)]);
    assert.deepEqual(info.aggregator, { asn: T, address: 0x0a000001 });
  });

  it('without AS_PATH there is no path', () => {
    assert.deepEqual(effectiveAsPathInfo([], DEFAULT_SESSION), { asPath: undefined, aggregator: undefined });
  });
});
