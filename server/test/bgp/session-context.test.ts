/** Session context: negotiation from two OPENs, and how the context changes decoding. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AS_TRANS,
  type Capability,
  DEFAULT_SESSION,
  createOpenMessage,
  decodeMessage,
  encodeMessage,
  formatNlri,
  hasAddPath,
  negotiateSession,
  openAsn,
  openCapabilities,
} from '../../src/bgp';
import { hex } from './helpers/fixtures';

const base: Capability[] = [{ type: 'multiprotocol', afi: 1, safi: 1 }, { type: 'route-refresh' }];

describe('negotiateSession', () => {
  it('4-octet AS and Extended Message need both sides', () => {
    const local = createOpenMessage({
      asn: 4200000001,
      holdTime: 90,
      bgpId: 1,
      capabilities: [...base, { type: 'extended-message' }],
    });
    const remote = createOpenMessage({ asn: 65002, holdTime: 90, bgpId: 2, capabilities: base });
    const session = negotiateSession(local, remote);
    assert.equal(session.receive.fourOctetAs, true, 'createOpenMessage always adds the 4-octet AS capability');
    assert.equal(session.receive.extendedMessage, false);
    const withoutAs4 = { ...remote, parameters: [{ capabilities: base }] };
    assert.equal(negotiateSession(local, withoutAs4).send.fourOctetAs, false);
  });

  it('ADD-PATH applies per family and per direction (RFC 7911 4)', () => {
    const local = createOpenMessage({
      asn: 65001,
      holdTime: 90,
      bgpId: 1,
      capabilities: [
        {
          type: 'add-path',
          families: [
            { afi: 1, safi: 1, mode: 1 },
            { afi: 2, safi: 1, mode: 3 },
          ],
        },
      ],
    });
    const remote = createOpenMessage({
      asn: 65002,
      holdTime: 90,
      bgpId: 2,
      capabilities: [
        {
          type: 'add-path',
          families: [
            { afi: 1, safi: 1, mode: 2 },
            { afi: 2, safi: 1, mode: 1 },
          ],
        },
      ],
    });
    const { receive, send } = negotiateSession(local, remote);
    assert.deepEqual(receive.addPath, [{ afi: 1, safi: 1 }]);
    assert.deepEqual(send.addPath, [{ afi: 2, safi: 1 }]);
    assert.ok(hasAddPath(receive, 1, 1));
    assert.ok(!hasAddPath(receive, 2, 1));
  });

  it('ignores ADD-PATH modes outside 1..3', () => {
    const local = createOpenMessage({
      asn: 65001,
      holdTime: 90,
      bgpId: 1,
      capabilities: [{ type: 'add-path', families: [{ afi: 1, safi: 1, mode: 7 }] }],
    });
    const remote = createOpenMessage({
      asn: 65002,
      holdTime: 90,
      bgpId: 2,
      capabilities: [{ type: 'add-path', families: [{ afi: 1, safi: 1, mode: 3 }] }],
    });
    assert.deepEqual(negotiateSession(local, remote).receive.addPath, []);
  });
});

describe('OPEN helpers', () => {
  it('openAsn reads the 4-octet AS capability, or My AS without it', () => {
    const open = createOpenMessage({ asn: 4200000001, holdTime: 90, bgpId: 1, capabilities: base });
    assert.equal(open.myAs, AS_TRANS);
    assert.equal(openAsn(open), 4200000001);
    assert.equal(openAsn({ ...open, parameters: [] }), AS_TRANS);
    assert.deepEqual(
      openCapabilities(open).map((c) => c.type),
      ['multiprotocol', 'route-refresh', 'four-octet-as'],
    );
  });

  it('keeps an explicitly given 4-octet AS capability', () => {
    const open = createOpenMessage({
      asn: 65001,
      holdTime: 90,
      bgpId: 1,
      capabilities: [{ type: 'four-octet-as', asn: 65001 }],
    });
    assert.equal(openCapabilities(open).length, 1);
  });
});

describe('the context changes how the same bytes decode', () => {
  const update = (asPath: string): Uint8Array => {
    const attributes = hex(
      `40 01 01 00 40 02 ${hex(asPath).length.toString(16).padStart(2, '0')} ${asPath} 40 03 04 c0 00 02 01`,
    );
    const nlri = hex('00 00 00 01 08 0a');
    const body = Uint8Array.from([0, 0, 0, attributes.length, ...attributes, ...nlri]);
    const out = new Uint8Array(19 + body.length);
    out.fill(0xff, 0, 16);
    out[17] = out.length;
    out[18] = 2;
    out.set(body, 19);
    return out;
  };

  it('ASN width follows fourOctetAs', () => {
    const bytes = update('02 02 00 00 fd e9 00 00 fd ea');
    const as4 = decodeMessage(bytes, { ...DEFAULT_SESSION, fourOctetAs: true, addPath: [{ afi: 1, safi: 1 }] });
    assert.ok(as4.ok && as4.message.type === 'UPDATE');
    assert.deepEqual(as4.message.attributes[1], {
      type: 'as-path',
      flags: 0x40,
      segments: [{ type: 2, asns: [65001, 65002] }],
    });
    const as2 = decodeMessage(bytes, { ...DEFAULT_SESSION, addPath: [{ afi: 1, safi: 1 }] });
    assert.ok(as2.ok && as2.message.type === 'UPDATE');
    // The same octets as 2-octet ASNs hold AS 0, which RFC 7607 makes malformed.
    assert.deepEqual(
      as2.errors.map((e) => [e.subcode, e.action]),
      [[11, 'treat-as-withdraw']],
    );
  });

  it('path identifiers follow addPath', () => {
    const bytes = update('02 01 00 00 fd e9');
    const withAddPath = decodeMessage(bytes, { ...DEFAULT_SESSION, fourOctetAs: true, addPath: [{ afi: 1, safi: 1 }] });
    assert.ok(withAddPath.ok && withAddPath.message.type === 'UPDATE');
    assert.deepEqual(withAddPath.message.nlri.map(formatNlri), ['10.0.0.0/8 path-id 1']);
    // Without ADD-PATH the octets read as /0, /0, /0, /1 (08), then /10 with no address octets left.
    const without = decodeMessage(bytes, { ...DEFAULT_SESSION, fourOctetAs: true });
    assert.ok(!without.ok);
    assert.deepEqual([without.error.code, without.error.subcode, without.error.action], [3, 10, 'session-reset']);
  });

  it('encoding uses the same context', () => {
    const bytes = update('02 01 00 00 fd e9');
    const context = { ...DEFAULT_SESSION, fourOctetAs: true, addPath: [{ afi: 1, safi: 1 }] };
    const decoded = decodeMessage(bytes, context);
    assert.ok(decoded.ok);
    const encoded = encodeMessage(decoded.message, context);
    assert.ok(encoded.ok);
    assert.deepEqual(encoded.bytes, bytes);
  });
});
