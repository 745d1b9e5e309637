/**
 * Error handling semantics beyond the code/subcode/action checked by the
 * malformed fixtures: what treat-as-withdraw and attribute-discard leave in
 * the message, NOTIFICATION data per RFC 4271 6, and precedence of actions.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BgpError,
  DEFAULT_SESSION,
  type DecodeResult,
  type SessionContext,
  type UpdateMessage,
  decodeMessage,
  encodeMessage,
  formatNlri,
  isStrongerAction,
  notificationForError,
  toHex,
} from '../../src/bgp';
import { hex, readFixture, FIXTURES_DIR } from './helpers/fixtures';

const AS4: SessionContext = { ...DEFAULT_SESSION, fourOctetAs: true };

/** Wrap an UPDATE body (hex) in a header. */
function update(body: string): Uint8Array {
  const b = hex(body);
  const out = new Uint8Array(19 + b.length);
  out.fill(0xff, 0, 16);
  out[16] = out.length >> 8;
  out[17] = out.length & 0xff;
  out[18] = 2;
  out.set(b, 19);
  return out;
}

/** An UPDATE body from withdrawn routes, attributes and NLRI (all hex). */
function body(withdrawn: string, attributes: string, nlri: string): string {
  const len = (h: string): string => hex(h).length.toString(16).padStart(4, '0');
  return `${len(withdrawn)} ${withdrawn} ${len(attributes)} ${attributes} ${nlri}`;
}

function decodedUpdate(result: DecodeResult): { message: UpdateMessage; errors: readonly BgpError[] } {
  assert.ok(result.ok, result.ok ? '' : result.error.toString());
  assert.equal(result.message.type, 'UPDATE');
  return { message: result.message as UpdateMessage, errors: result.errors };
}

const ORIGIN_IGP = '40 01 01 00';
const AS_PATH_65001 = '40 02 06 02 01 00 00 fd e9';
const NEXT_HOP = '40 03 04 c0 00 02 01';
const MP_REACH_V6 = '80 0e 1a 00 02 01 10 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01 00 20 20 01 0d b8';
const MP_UNREACH_V6 = '80 0f 0a 00 02 01 30 20 01 0d b8 ff ff';
const NLRI = '08 0a 10 0a 01';

describe('treat-as-withdraw', () => {
  it('withdraws every prefix the UPDATE carried: NLRI field, MP_REACH_NLRI and MP_UNREACH_NLRI', () => {
    const bad = '40 01 01 09'; // ORIGIN 9
    const result = decodeMessage(
      update(body('10 c0 a8', `${MP_REACH_V6} ${MP_UNREACH_V6} ${bad} ${AS_PATH_65001} ${NEXT_HOP}`, NLRI)),
      AS4,
    );
    const { message, errors } = decodedUpdate(result);
    assert.deepEqual(
      errors.map((e) => [e.code, e.subcode, e.action]),
      [[3, 6, 'treat-as-withdraw']],
    );
    assert.deepEqual(message.withdrawn.map(formatNlri), ['192.168.0.0/16', '10.0.0.0/8', '10.1.0.0/16']);
    assert.deepEqual(message.nlri, []);
    assert.equal(message.attributes.length, 1, 'one MP_UNREACH_NLRI for the IPv6 family');
    const unreach = message.attributes[0];
    assert.ok(unreach.type === 'mp-unreach-nlri');
    assert.deepEqual(unreach.withdrawn.map(formatNlri), ['2001:db8::/32', '2001:db8:ffff::/48'], 'in attribute order');
  });

  it('the withdrawal it yields encodes to a valid UPDATE', () => {
    const result = decodeMessage(update(body('', `40 01 01 09 ${AS_PATH_65001} ${NEXT_HOP}`, NLRI)), AS4);
    const encoded = encodeMessage(decodedUpdate(result).message, AS4);
    assert.ok(encoded.ok);
    const again = decodedUpdate(decodeMessage(encoded.bytes, AS4));
    assert.deepEqual(again.errors, []);
    assert.deepEqual(again.message.withdrawn.map(formatNlri), ['10.0.0.0/8', '10.1.0.0/16']);
  });

  it('locates the NLRI with the Total Path Attribute Length after an attribute overrun (RFC 7606 4)', () => {
    const overrun = 'c0 08 28 00 00 00 01'; // COMMUNITIES claiming 40 octets
    const { message } = decodedUpdate(decodeMessage(update(body('', `${ORIGIN_IGP} ${overrun}`, NLRI)), AS4));
    assert.deepEqual(message.withdrawn.map(formatNlri), ['10.0.0.0/8', '10.1.0.0/16']);
  });

  it('keeps flags-conflict and value errors apart: a conflicting flag is 3/4 with the attribute as data', () => {
    const result = decodeMessage(update(body('', `c0 01 01 00 ${AS_PATH_65001} ${NEXT_HOP}`, NLRI)), AS4);
    const { errors } = decodedUpdate(result);
    assert.equal(errors[0].subcode, 4);
    assert.equal(toHex(errors[0].data), 'c0010100');
  });
});

describe('attribute-discard', () => {
  it('drops only the offending attribute and keeps the routes', () => {
    const badAggregator = 'c0 07 03 00 00 01';
    const { message, errors } = decodedUpdate(
      decodeMessage(update(body('', `${ORIGIN_IGP} ${badAggregator} ${AS_PATH_65001} ${NEXT_HOP}`, NLRI)), AS4),
    );
    assert.deepEqual(
      errors.map((e) => [e.subcode, e.action]),
      [[5, 'attribute-discard']],
    );
    assert.deepEqual(
      message.attributes.map((a) => a.type),
      ['origin', 'as-path', 'next-hop'],
    );
    assert.deepEqual(message.nlri.map(formatNlri), ['10.0.0.0/8', '10.1.0.0/16']);
  });

  it('keeps the first of duplicated attributes', () => {
    const { message } = decodedUpdate(
      decodeMessage(update(body('', `${ORIGIN_IGP} 40 01 01 02 ${AS_PATH_65001} ${NEXT_HOP}`, NLRI)), AS4),
    );
    const origins = message.attributes.filter((a) => a.type === 'origin');
    assert.deepEqual(origins, [{ type: 'origin', flags: 0x40, origin: 0 }]);
  });
});

describe('precedence of actions', () => {
  it('a session-reset error wins over earlier treat-as-withdraw errors', () => {
    const result = decodeMessage(update(body('', `40 01 01 09 ${AS_PATH_65001} ${NEXT_HOP} 40 63 01 00`, NLRI)), AS4);
    assert.equal(result.ok, false);
    assert.deepEqual(result.ok ? [] : [result.error.code, result.error.subcode, result.error.action], [
      3,
      2,
      'session-reset',
    ]);
  });

  it('orders actions session-reset > treat-as-withdraw > attribute-discard', () => {
    assert.ok(isStrongerAction('session-reset', 'treat-as-withdraw'));
    assert.ok(isStrongerAction('treat-as-withdraw', 'attribute-discard'));
    assert.ok(!isStrongerAction('attribute-discard', 'session-reset'));
  });

  it('an uninterpreted MP_REACH_NLRI still counts as reachable NLRI (no RFC 7606 5.2 escalation)', () => {
    const vpnReach = '80 0e 11 00 01 80 0c 00 00 00 00 00 00 00 00 c0 00 02 01 00'; // IPv4 VPN, no NLRI
    const result = decodeMessage(update(body('', `${vpnReach} 40 01 01 09 ${AS_PATH_65001}`, '')), AS4);
    const { message, errors } = decodedUpdate(result);
    assert.equal(errors[0].action, 'treat-as-withdraw');
    assert.deepEqual(message.attributes, []);
  });
});

describe('NOTIFICATION data (RFC 4271 6)', () => {
  it('Bad Message Length carries the erroneous Length field', () => {
    const fixture = readFixture(`${FIXTURES_DIR}/malformed/keepalive-with-body.hex`);
    const result = decodeMessage(fixture.bytes);
    assert.ok(!result.ok);
    assert.equal(toHex(result.error.data), '0014');
  });

  it('Unsupported Version Number carries the largest supported version', () => {
    const result = decodeMessage(readFixture(`${FIXTURES_DIR}/malformed/open-unsupported-version.hex`).bytes);
    assert.ok(!result.ok);
    assert.equal(toHex(result.error.data), '0004');
  });

  it('Missing Well-known Attribute carries the type code', () => {
    const { errors } = decodedUpdate(decodeMessage(update(body('', `${ORIGIN_IGP} ${AS_PATH_65001}`, NLRI)), AS4));
    assert.equal(toHex(errors[0].data), '03');
  });

  it('ROUTE-REFRESH Invalid Message Length carries the whole message (RFC 7313 5)', () => {
    const fixture = readFixture(`${FIXTURES_DIR}/malformed/route-refresh-bad-length.hex`);
    const result = decodeMessage(fixture.bytes);
    assert.ok(!result.ok);
    assert.equal(toHex(result.error.data), toHex(fixture.bytes));
  });

  it('notificationForError builds the NOTIFICATION to send', () => {
    const result = decodeMessage(readFixture(`${FIXTURES_DIR}/malformed/header-unknown-type.hex`).bytes);
    assert.ok(!result.ok);
    const notification = notificationForError(result.error);
    assert.deepEqual(notification, { type: 'NOTIFICATION', code: 1, subcode: 3, data: Uint8Array.of(6) });
    const encoded = encodeMessage(notification);
    assert.ok(encoded.ok);
    assert.equal(toHex(encoded.bytes), `${'ff'.repeat(16)}001603010306`);
  });

  it('BgpError names the NOTIFICATION it maps to', () => {
    const error = new BgpError(6, 2, 'session-reset', 'test');
    assert.equal(error.name, 'Cease / Administrative Shutdown');
    assert.equal(error.toString(), 'Cease / Administrative Shutdown (session-reset): test');
  });
});

describe('message boundaries', () => {
  it('a buffer shorter than a header is a Bad Message Length', () => {
    const result = decodeMessage(hex('ff ff ff'));
    assert.ok(!result.ok);
    assert.deepEqual([result.error.code, result.error.subcode], [1, 2]);
  });

  it('a Length field that disagrees with the buffer is a Bad Message Length', () => {
    const bytes = hex(`${'ff'.repeat(16)} 00 13 04 00`);
    const result = decodeMessage(bytes);
    assert.ok(!result.ok);
    assert.deepEqual([result.error.code, result.error.subcode], [1, 2]);
  });

  it('UPDATE over 4096 octets is accepted only with Extended Message', () => {
    const prefixes = Array.from(
      { length: 1100 },
      (_, i) => `18 0a ${(i >> 8).toString(16).padStart(2, '0')} ${(i & 0xff).toString(16).padStart(2, '0')}`,
    ).join(' ');
    const bytes = update(body(prefixes, '', ''));
    assert.ok(bytes.length > 4096);
    const plain = decodeMessage(bytes, AS4);
    assert.ok(!plain.ok);
    assert.deepEqual([plain.error.code, plain.error.subcode], [1, 2]);
    const extended = decodedUpdate(decodeMessage(bytes, { ...AS4, extendedMessage: true }));
    assert.equal(extended.message.withdrawn.length, 1100);
  });

  it('OPEN and KEEPALIVE stay limited to 4096 octets even with Extended Message (RFC 8654)', () => {
    const open = new Uint8Array(5000).fill(0);
    open.fill(0xff, 0, 16);
    open[16] = 5000 >> 8;
    open[17] = 5000 & 0xff;
    open[18] = 1;
    const result = decodeMessage(open, { ...AS4, extendedMessage: true });
    assert.ok(!result.ok);
    assert.deepEqual([result.error.code, result.error.subcode], [1, 2]);
  });
});

describe('fuzzer findings', () => {
  it('a treat-as-withdraw result spanning two families is for the RIB: encodeMessage refuses to emit it', () => {
    const fixture = readFixture(`${FIXTURES_DIR}/malformed/update-treat-as-withdraw-two-families.hex`);
    const { message } = decodedUpdate(decodeMessage(fixture.bytes, fixture.context));
    assert.deepEqual(
      message.attributes.map((a) =>
        a.type === 'mp-unreach-nlri' ? `${a.afi}/${a.safi} ${a.withdrawn.map(formatNlri).join(' ')}` : a.type,
      ),
      ['1/1 198.51.100.0/24', '2/1 2001:db8::/32'],
    );
    const encoded = encodeMessage(message, fixture.context);
    assert.equal(encoded.ok, false);
    assert.match(encoded.ok ? '' : encoded.reason, /more than once/);
  });
});

describe('attributes an external (eBGP) peer must not send (RFC 4271 5.1.5, RFC 7606 7.5, 7.9, 7.10)', () => {
  const EXTERNAL: SessionContext = { ...AS4, external: true };
  const INTERNAL: SessionContext = { ...AS4, external: false };
  const LOCAL_PREF_200 = '40 05 04 00 00 00 c8';
  const LOCAL_PREF_SHORT = '40 05 03 00 00 c8'; // length 3: malformed
  const LOCAL_PREF_BAD_FLAGS = 'c0 05 04 00 00 00 c8'; // Optional set on a well-known attribute
  const ORIGINATOR_ID_SHORT = '80 09 02 0a 00';
  const CLUSTER_LIST_BAD = '80 0a 03 0a 00 00';
  const attributeTypes = (context: SessionContext, extra: string): string[] =>
    decodedUpdate(
      decodeMessage(update(body('', `${ORIGIN_IGP} ${AS_PATH_65001} ${NEXT_HOP} ${extra}`, NLRI)), context),
    ).message.attributes.map((a) => a.type);

  it('a well-formed LOCAL_PREF from an external peer is ignored, silently', () => {
    const result = decodedUpdate(
      decodeMessage(update(body('', `${ORIGIN_IGP} ${AS_PATH_65001} ${NEXT_HOP} ${LOCAL_PREF_200}`, NLRI)), EXTERNAL),
    );
    assert.deepEqual(
      result.message.attributes.map((a) => a.type),
      ['origin', 'as-path', 'next-hop'],
    );
    assert.deepEqual(result.message.nlri.map(formatNlri), ['10.0.0.0/8', '10.1.0.0/16']);
    assert.deepEqual(result.errors, []);
  });

  it('a malformed LOCAL_PREF from an external peer is discarded: the routes stay (not treat-as-withdraw)', () => {
    for (const bad of [LOCAL_PREF_SHORT, LOCAL_PREF_BAD_FLAGS]) {
      const result = decodedUpdate(
        decodeMessage(update(body('', `${ORIGIN_IGP} ${AS_PATH_65001} ${NEXT_HOP} ${bad}`, NLRI)), EXTERNAL),
      );
      assert.deepEqual(result.message.nlri.map(formatNlri), ['10.0.0.0/8', '10.1.0.0/16'], bad);
      assert.deepEqual(
        result.errors.map((e) => e.action),
        ['attribute-discard'],
        bad,
      );
      assert.ok(!result.message.attributes.some((a) => a.type === 'local-pref'));
    }
  });

  it('from an internal peer LOCAL_PREF is kept, and a malformed one still means treat-as-withdraw', () => {
    assert.deepEqual(attributeTypes(INTERNAL, LOCAL_PREF_200), ['origin', 'as-path', 'next-hop', 'local-pref']);
    const result = decodedUpdate(
      decodeMessage(update(body('', `${ORIGIN_IGP} ${AS_PATH_65001} ${NEXT_HOP} ${LOCAL_PREF_SHORT}`, NLRI)), INTERNAL),
    );
    assert.deepEqual(result.message.nlri, []);
    assert.deepEqual(
      result.errors.map((e) => e.action),
      ['treat-as-withdraw'],
    );
  });

  it('ORIGINATOR_ID and CLUSTER_LIST from an external peer are discarded, malformed or not', () => {
    assert.deepEqual(attributeTypes(EXTERNAL, `${ORIGINATOR_ID_SHORT} ${CLUSTER_LIST_BAD}`), [
      'origin',
      'as-path',
      'next-hop',
    ]);
  });
});
