/**
 * RFC 6793 4.2.3 on the live path: an UPDATE from a session without the 4-octet AS capability,
 * decoded and stored the way the speaker stores it (canonicalAttributes, then the canonical
 * encoding the RIB interns).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AS_TRANS,
  DEFAULT_SESSION,
  type UpdateMessage,
  decodeMessage,
  encodeMessage,
  formatAsPath,
} from '../../src/bgp';
import { canonicalAttributes, decodeCanonical, encodeCanonical } from '../../src/rib';

const TWO_OCTET_EBGP = { ...DEFAULT_SESSION, external: true };

function stored(update: UpdateMessage): { path: string; aggregator: number | undefined } {
  const encoded = encodeMessage(update, TWO_OCTET_EBGP);
  assert.ok(encoded.ok, encoded.ok ? '' : encoded.reason);
  const decoded = decodeMessage(encoded.bytes, TWO_OCTET_EBGP);
  assert.ok(decoded.ok && decoded.message.type === 'UPDATE');
  const canonical = encodeCanonical(canonicalAttributes(decoded.message.attributes, TWO_OCTET_EBGP));
  assert.ok(canonical);
  const attributes = decodeCanonical(canonical);
  const asPath = attributes.find((a) => a.type === 'as-path');
  const aggregator = attributes.find((a) => a.type === 'aggregator');
  return {
    path: asPath?.type === 'as-path' ? formatAsPath(asPath.segments) : '',
    aggregator: aggregator?.type === 'aggregator' ? aggregator.asn : undefined,
  };
}

const base = (extra: UpdateMessage['attributes']): UpdateMessage => ({
  type: 'UPDATE',
  withdrawn: [],
  nlri: [{ family: 4, address: 0x0a000000, length: 8 }],
  attributes: [
    { type: 'origin', flags: 0x40, origin: 0 },
    { type: 'as-path', flags: 0x40, segments: [{ type: 2, asns: [65001, AS_TRANS, 65003] }] },
    { type: 'next-hop', flags: 0x40, address: 0xc0000201 },
    { type: 'as4-path', flags: 0xc0, segments: [{ type: 2, asns: [4200000002, 65003] }] },
    ...extra,
  ],
});

describe('a 2-octet session stores the real 4-octet path (RFC 6793 4.2.3)', () => {
  it('with an AGGREGATOR other than AS_TRANS and no AS4_AGGREGATOR: merged', () => {
    const aggregator = { type: 'aggregator', flags: 0xc0, asn: 65005, address: 0x0a000005 } as const;
    assert.deepEqual(stored(base([aggregator])), { path: '65001 4200000002 65003', aggregator: 65005 });
  });

  it('with AGGREGATOR (not AS_TRANS) and AS4_AGGREGATOR both: AS4_PATH ignored', () => {
    const both = [
      { type: 'aggregator', flags: 0xc0, asn: 65005, address: 0x0a000005 },
      { type: 'as4-aggregator', flags: 0xc0, asn: 4200000005, address: 0x0a000005 },
    ] as const;
    assert.deepEqual(stored(base([...both])), { path: `65001 ${AS_TRANS} 65003`, aggregator: 65005 });
  });
});
