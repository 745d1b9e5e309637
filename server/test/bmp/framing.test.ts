/**
 * Framing: a BMP stream split at every byte boundary, fed one byte at a time, or in one chunk,
 * reads exactly as when read whole; framing errors are fatal and sticky.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toHex } from '../../src/bgp';
import { BmpReader, decodeBmpMessage, encodeBmpMessage, readBmp } from '../../src/bmp';
import { concat, hex, listFixtures, pieces, readChunks, resultLines } from './helpers';

const fixtures = [...listFixtures('valid'), ...listFixtures('malformed')];

function frames(reader: BmpReader): string[] {
  const out: string[] = [];
  for (let f = reader.readFrame(); f !== undefined; f = reader.readFrame()) {
    assert.ok(f.ok, f.ok ? '' : f.error.reason);
    out.push(`@${f.offset} ${toHex(f.frame)}`);
  }
  return out;
}

describe('BMP framing', () => {
  it('has fixtures to work with', () => assert.ok(fixtures.length >= 10));

  for (const fixture of fixtures) {
    it(`${fixture.name}: split at every byte boundary, reads as when whole`, () => {
      const whole = resultLines(readBmp(fixture.bytes));
      for (let cut = 0; cut <= fixture.bytes.length; cut++) {
        const split = resultLines(readChunks([fixture.bytes.subarray(0, cut), fixture.bytes.subarray(cut)]));
        assert.deepEqual(split, whole, `cut at ${cut}`);
      }
    });
  }

  it('a stream fed one byte at a time reads as when whole', () => {
    const stream = concat(listFixtures('valid').map((f) => f.bytes));
    assert.deepEqual(resultLines(readChunks(pieces(stream, 1))), resultLines(readBmp(stream)));
    assert.deepEqual(resultLines(readChunks(pieces(stream, 7))), resultLines(readBmp(stream)));
  });

  it('frames carry their stream offsets, and the reader empties', () => {
    const [a, b] = [hex('03 0000000a 04 0002 0000'), hex('03 0000000e 04 0002 0004 61626364')];
    const reader = new BmpReader();
    reader.push(concat([a, b]).subarray(0, 12));
    assert.deepEqual(frames(reader), [`@0 ${toHex(a)}`]);
    assert.equal(reader.offset, 10);
    reader.push(concat([a, b]).subarray(12));
    assert.deepEqual(frames(reader), [`@10 ${toHex(b)}`]);
    assert.equal(reader.bufferedLength, 0);
    assert.equal(reader.offset, 24);
  });

  it('copies pushed chunks, so callers may reuse their buffers', () => {
    const message = hex('03 0000000e 04 0002 0004 61626364');
    const buffer = message.slice(0, 8);
    const reader = new BmpReader();
    reader.push(buffer);
    buffer.fill(0);
    reader.push(message.subarray(8));
    const f = reader.readFrame();
    assert.ok(f?.ok);
    assert.equal(toHex(f.frame), toHex(message));
  });

  it('grows for a message of 200 000 octets', () => {
    const tlv = new Uint8Array(65535).fill(0x61);
    const r = encodeBmpMessage({
      type: 'initiation',
      information: [
        { type: 0, value: tlv },
        { type: 0, value: tlv },
        { type: 0, value: tlv },
        { type: 2, text: 'big' },
      ],
    });
    assert.ok(r.ok);
    const results = readChunks(pieces(r.bytes, 4096));
    assert.equal(results.length, 1);
    assert.ok(results[0]!.ok && results[0]!.message.type === 'initiation' && results[0]!.message.sysName === 'big');
  });

  describe('framing errors are fatal and sticky', () => {
    const cases: [string, string, number][] = [
      ['version 1', '01 00000006 04', 0],
      ['version 2, seen from its first octet', '02', 0],
      ['Message Length 5', '03 00000005 04', 1],
      ['Message Length above the limit', '03 00100001 00', 1],
    ];
    for (const [name, bytes, at] of cases) {
      it(name, () => {
        const reader = new BmpReader();
        reader.push(hex(bytes));
        const first = reader.readFrame();
        assert.ok(first !== undefined && !first.ok);
        assert.equal(first.error.fatal, true);
        assert.equal(first.error.at, at);
        reader.push(hex('03 00000006 04'));
        const again = reader.readFrame();
        assert.ok(again !== undefined && !again.ok, 'no resynchronisation');
        assert.equal(again.error, first.error);
        assert.equal(reader.error, first.error);
      });
    }

    it('a bad length is reported as soon as the header is complete, before the body', () => {
      const reader = new BmpReader({ maxMessageLength: 100 });
      reader.push(hex('03 000000'));
      assert.equal(reader.readFrame(), undefined);
      reader.push(hex('65 00'));
      const r = reader.readFrame();
      assert.ok(r !== undefined && !r.ok);
      assert.match(r.error.reason, /Message Length 101 is above the limit of 100/);
    });

    it('end(): nothing buffered is no error; a partial message is a fatal error at its offset', () => {
      const clean = new BmpReader();
      clean.push(hex('03 0000000a 04 0002 0000'));
      assert.ok(clean.readFrame()?.ok);
      clean.end();
      assert.equal(clean.readFrame(), undefined);
      const cut = new BmpReader();
      cut.push(hex('03 0000000a 04 0002 0000 03 0000'));
      assert.ok(cut.readFrame()?.ok);
      assert.equal(cut.readFrame(), undefined, 'waits for more while the stream is open');
      cut.end();
      const r = cut.readFrame();
      assert.ok(r !== undefined && !r.ok);
      assert.deepEqual([r.error.offset, r.error.fatal], [10, true]);
    });
  });

  it('decodeBmpMessage: a buffer that is not one whole message is a fatal error, never an exception', () => {
    for (const bytes of ['', '03 0000', '03 0000000b 04 0002 0000', '03 00000009 04 0002 0000']) {
      const r = decodeBmpMessage(hex(bytes), { offset: 100 });
      assert.ok(!r.ok, bytes);
      assert.equal(r.error.fatal, true);
      assert.equal(r.error.offset, 100);
    }
  });
});
