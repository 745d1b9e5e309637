/**
 * MessageReader: messages split at every byte boundary, and many messages in
 * one chunk, frame and decode exactly as when decoded one by one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_SESSION, type DecodeResult, MessageReader, decodeMessage, toHex } from '../../src/bgp';
import { type Fixture, hex, listFixtures } from './helpers/fixtures';

const valid = listFixtures('valid');

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Drain every available frame. */
function frames(reader: MessageReader): string[] {
  const out: string[] = [];
  for (let r = reader.readFrame(); r !== undefined; r = reader.readFrame()) {
    assert.ok(r.ok, r.ok ? '' : r.error.toString());
    out.push(toHex(r.frame));
  }
  return out;
}

describe('MessageReader', () => {
  it('has fixtures to work with', () => assert.ok(valid.length >= 20));

  for (const fixture of valid) {
    it(`${fixture.name}: split at every byte boundary`, () => {
      const whole = toHex(fixture.bytes);
      for (let cut = 0; cut <= fixture.bytes.length; cut++) {
        const reader = new MessageReader();
        reader.push(fixture.bytes.subarray(0, cut));
        const early = frames(reader);
        reader.push(fixture.bytes.subarray(cut));
        assert.deepEqual([...early, ...frames(reader)], [whole], `cut at ${cut}`);
        assert.equal(reader.bufferedLength, 0);
      }
    });
  }

  it('delivers a stream fed one byte at a time', () => {
    const stream = concat(valid.map((f) => f.bytes));
    const reader = new MessageReader();
    const out: string[] = [];
    for (let i = 0; i < stream.length; i++) {
      reader.push(stream.subarray(i, i + 1));
      out.push(...frames(reader));
    }
    assert.deepEqual(
      out,
      valid.map((f) => toHex(f.bytes)),
    );
  });

  it('decodes several messages in one chunk identically to one-by-one decoding', () => {
    const reader = new MessageReader();
    reader.push(concat(valid.map((f) => f.bytes)));
    const results: DecodeResult[] = [];
    for (const fixture of valid) {
      const r = reader.read(fixture.context);
      assert.ok(r !== undefined, `no message for ${fixture.name}`);
      results.push(r);
    }
    assert.equal(reader.read(), undefined);
    assert.deepEqual(
      results,
      valid.map((f: Fixture) => decodeMessage(f.bytes, f.context)),
    );
  });

  it('reads a chunk in place until the next push, then keeps what is left of it', () => {
    const keepalive = hex(`${'ff'.repeat(16)} 00 13 04`);
    const buffer = keepalive.slice(0, 10);
    const reader = new MessageReader();
    reader.push(buffer);
    reader.push(keepalive.subarray(10));
    buffer.fill(0); // the caller's first chunk, reused after the next push
    const r = reader.read();
    assert.ok(r?.ok);
    assert.equal(r.message.type, 'KEEPALIVE');
  });

  it('holds at most one message between chunks when each chunk is read before the next', () => {
    // 64 KiB chunks (a socket's reads) of a stream whose messages straddle every chunk boundary.
    const stream = concat(Array.from({ length: 3000 }, () => valid.map((f) => f.bytes)).flat());
    const expected = stream.length;
    const reader = new MessageReader();
    let read = 0;
    let most = 0;
    for (let i = 0; i < stream.length; i += 65536) {
      reader.push(stream.subarray(i, i + 65536));
      for (const frame of frames(reader)) read += frame.length / 2;
      most = Math.max(most, reader.retainedBytes);
    }
    assert.equal(read, expected);
    assert.equal(reader.bufferedLength, 0);
    assert.ok(most > 0 && most <= 4096, `retained ${most} octets after reading`);
  });

  it('grows for messages up to 65535 octets with Extended Message', () => {
    const body = new Uint8Array(65535 - 19);
    const update = concat([hex(`${'ff'.repeat(16)} ff ff 02`), body]);
    // Withdrawn Routes Length 0, Total Path Attribute Length 0, then an NLRI field of zero-length prefixes.
    const reader = new MessageReader();
    for (let i = 0; i < update.length; i += 1000) reader.push(update.subarray(i, i + 1000));
    const r = reader.read({ ...DEFAULT_SESSION, extendedMessage: true });
    assert.ok(r?.ok, r && !r.ok ? r.error.toString() : 'no message');
    assert.equal(r.message.type, 'UPDATE');
  });

  describe('framing errors', () => {
    const cases: [string, string, number, number][] = [
      ['marker not all ones', `${'ff'.repeat(15)}00 00 13 04`, 1, 1],
      ['length below 19', `${'ff'.repeat(16)} 00 12 04`, 1, 2],
      ['length above 4096', `${'ff'.repeat(16)} 10 01 02`, 1, 2],
      ['unknown type', `${'ff'.repeat(16)} 00 13 07`, 1, 3],
      ['KEEPALIVE with a body', `${'ff'.repeat(16)} 00 14 04 00`, 1, 2],
    ];
    for (const [name, bytes, code, subcode] of cases) {
      it(`${name}: Message Header Error ${code}/${subcode}, and the stream stays failed`, () => {
        const reader = new MessageReader();
        reader.push(hex(bytes));
        const first = reader.readFrame();
        assert.ok(first !== undefined && !first.ok);
        assert.deepEqual([first.error.code, first.error.subcode, first.error.action], [code, subcode, 'session-reset']);
        reader.push(hex(`${'ff'.repeat(16)} 00 13 04`));
        const next = reader.read();
        assert.ok(next !== undefined && !next.ok, 'no resynchronization after a framing error');
        assert.equal(next.error, first.error);
        assert.equal(reader.error, first.error);
      });
    }

    it('reports a bad length as soon as the header is complete, before the body arrives', () => {
      const reader = new MessageReader();
      reader.push(hex(`${'ff'.repeat(16)} 20 00`));
      assert.equal(reader.readFrame(), undefined, 'type octet not yet received');
      reader.push(hex('02'));
      const r = reader.readFrame();
      assert.ok(r !== undefined && !r.ok);
      assert.deepEqual([r.error.code, r.error.subcode, toHex(r.error.data)], [1, 2, '2000']);
      const extended = new MessageReader();
      extended.push(hex(`${'ff'.repeat(16)} 20 00 02`));
      assert.equal(
        extended.readFrame(true),
        undefined,
        'with Extended Message, 8192 octets is fine: wait for the body',
      );
    });
  });
});
