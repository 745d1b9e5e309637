/** Prefix representation, RFC 5952 formatting, parsing, and NLRI decoding details. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_SESSION,
  type Nlri,
  decodeMessage,
  formatIpv4,
  formatIpv6,
  formatNlri,
  formatPrefix,
  ipv4Mask,
  ipv4Prefix,
  ipv6Mask,
  ipv6Prefix,
  parseIpv4,
  parseIpv6,
  parsePrefix,
} from '../../src/bgp';
import { hex } from './helpers/fixtures';

describe('IPv6 text (RFC 5952)', () => {
  const cases: [string, string][] = [
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // first of two equal runs (RFC 5952 4.2.3)
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero group is not compressed (4.2.2)
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // the longest run wins (4.2.3)
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['fe80:0:0:0:0:0:0:0', 'fe80::'],
    ['2001:DB8::ABCD', '2001:db8::abcd'], // lower case (4.3)
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'], // IPv4-mapped in mixed notation (5)
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ['1::', '1::'],
  ];
  for (const [input, expected] of cases) {
    it(`${input} -> ${expected}`, () => {
      const value = parseIpv6(input);
      assert.ok(value !== undefined);
      assert.equal(formatIpv6(value), expected);
      assert.equal(parseIpv6(expected), value, 'the canonical form parses back to the same value');
    });
  }

  it('rejects malformed text', () => {
    for (const bad of ['1:2:3:4:5:6:7:8:9', '1::2::3', '12345::', 'g::', '1:2:3:4:5:6:7', '::ffff:300.0.0.1', '']) {
      assert.equal(parseIpv6(bad), undefined, bad);
    }
  });
});

describe('IPv4 text', () => {
  it('formats and parses dotted quads', () => {
    assert.equal(formatIpv4(0xc0000201), '192.0.2.1');
    assert.equal(formatIpv4(0xffffffff), '255.255.255.255');
    assert.equal(parseIpv4('10.0.0.1'), 0x0a000001);
    assert.equal(parseIpv4('255.255.255.255'), 0xffffffff);
    for (const bad of ['256.0.0.1', '1.2.3', '01.2.3.4', '1.2.3.4.5', 'a.b.c.d'])
      assert.equal(parseIpv4(bad), undefined, bad);
  });
});

describe('prefixes', () => {
  it('IPv4 prefixes are a 32-bit number and a length', () => {
    assert.deepEqual(parsePrefix('10.0.0.0/24'), { family: 4, address: 0x0a000000, length: 24 });
    assert.equal(formatPrefix({ family: 4, address: 0x0a000000, length: 24 }), '10.0.0.0/24');
  });

  it('IPv6 prefixes are a bigint and a length', () => {
    assert.deepEqual(parsePrefix('2001:db8::/32'), { family: 6, address: 0x20010db8n << 96n, length: 32 });
    assert.equal(formatPrefix({ family: 6, address: 0x20010db8n << 96n, length: 32 }), '2001:db8::/32');
  });

  it('constructors and the parser clear host bits', () => {
    assert.equal(formatPrefix(ipv4Prefix(0x0a0102ff, 16)), '10.1.0.0/16');
    assert.equal(formatPrefix(ipv6Prefix(parseIpv6('2001:db8::1') ?? 0n, 64)), '2001:db8::/64');
    assert.equal(formatPrefix(parsePrefix('192.0.2.77/26') ?? ipv4Prefix(0, 0)), '192.0.2.64/26');
  });

  it('masks', () => {
    assert.equal(ipv4Mask(0), 0);
    assert.equal(ipv4Mask(1), 0x80000000);
    assert.equal(ipv4Mask(32), 0xffffffff);
    assert.equal(ipv6Mask(0), 0n);
    assert.equal(ipv6Mask(128), (1n << 128n) - 1n);
    assert.equal(ipv6Mask(1), 1n << 127n);
  });

  it('rejects invalid prefix text', () => {
    for (const bad of ['10.0.0.0', '10.0.0.0/33', '2001:db8::/129', '10.0.0.0/-1', '10.0.0.0/08', 'x/8']) {
      assert.equal(parsePrefix(bad), undefined, bad);
    }
  });

  it('ADD-PATH identifiers show in formatNlri', () => {
    const entry: Nlri = { family: 4, address: 0x0a000000, length: 8, pathId: 42 };
    assert.equal(formatNlri(entry), '10.0.0.0/8 path-id 42');
  });
});

describe('NLRI decoding', () => {
  function decodeWithdrawn(prefixBytes: string): string[] {
    const bytes = hex(prefixBytes);
    const body = Uint8Array.from([bytes.length >> 8, bytes.length & 0xff, ...bytes, 0, 0]);
    const message = new Uint8Array(19 + body.length);
    message.fill(0xff, 0, 16);
    message[17] = message.length;
    message[18] = 2;
    message.set(body, 19);
    const result = decodeMessage(message, DEFAULT_SESSION);
    assert.ok(result.ok && result.message.type === 'UPDATE', result.ok ? '' : result.error.toString());
    return result.message.withdrawn.map(formatNlri);
  }

  it('reads only the octets the prefix length needs', () => {
    assert.deepEqual(decodeWithdrawn('00 01 80 09 0a 00 11 0a 01 80 20 c0 00 02 01'), [
      '0.0.0.0/0',
      '128.0.0.0/1',
      '10.0.0.0/9',
      '10.1.128.0/17',
      '192.0.2.1/32',
    ]);
  });

  it('clears trailing bits beyond the prefix length (RFC 4271 4.3: they are irrelevant)', () => {
    assert.deepEqual(decodeWithdrawn('18 0a 01 02 1f 0a 01 02 ff'), ['10.1.2.0/24', '10.1.2.254/31']);
  });

  it('keeps IPv4 addresses unsigned', () => {
    const [prefix] = decodeWithdrawn('08 ff');
    assert.equal(prefix, '255.0.0.0/8');
  });
});
