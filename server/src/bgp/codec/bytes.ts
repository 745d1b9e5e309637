/**
 * Byte-level helpers shared by every codec: big-endian reads on a Uint8Array
 * (no DataView allocation per message) and a growable writer for encoding.
 */

/** A shared zero-length byte array (never written to). */
export const EMPTY_BYTES: Uint8Array = new Uint8Array(0);

/** Big-endian unsigned 16-bit read. The caller guarantees bounds. */
export function readU16(bytes: Uint8Array, offset: number): number {
  return (bytes[offset] << 8) | bytes[offset + 1];
}

/** Big-endian unsigned 32-bit read. The caller guarantees bounds. */
export function readU32(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3]) >>> 0;
}

/** Big-endian unsigned 64-bit read as a bigint. The caller guarantees bounds. */
export function readU64(bytes: Uint8Array, offset: number): bigint {
  return (BigInt(readU32(bytes, offset)) << 32n) | BigInt(readU32(bytes, offset + 4));
}

/** Big-endian unsigned 128-bit read as a bigint (an IPv6 address). The caller guarantees bounds. */
export function readU128(bytes: Uint8Array, offset: number): bigint {
  return (readU64(bytes, offset) << 64n) | readU64(bytes, offset + 8);
}

/** Lower-case hex of a byte range, e.g. "0a0bff". For messages and formatting, not the decode path. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
  return out;
}

/**
 * A value could not be encoded (out of range, inconsistent with the session, or
 * the message would exceed its maximum size). Thrown by encoders and
 * {@link ByteWriter}; `encodeMessage` catches it and returns it as data.
 */
export class EncodeError extends Error {
  override readonly name = 'EncodeError';
}

function checkUint(value: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new EncodeError(`${what} ${String(value)} is not an integer in 0..${max}`);
  }
}

/**
 * Bytes received from a stream and not yet consumed, for the framing readers (BGP, BMP, MRT):
 * chunks are appended (copied, so callers may reuse theirs), whole frames are read from
 * `bytes[start, end)` and consumed. `offset` counts every octet ever consumed.
 */
export class StreamBuffer {
  bytes: Uint8Array;
  start = 0;
  end = 0;
  /** Stream offset of bytes[start]. */
  offset = 0;

  constructor(initialCapacity: number) {
    this.bytes = new Uint8Array(initialCapacity);
  }

  /** Octets received and not yet consumed. */
  get length(): number {
    return this.end - this.start;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.end + chunk.length > this.bytes.length) {
      const pending = this.end - this.start;
      if (pending + chunk.length <= this.bytes.length) {
        this.bytes.copyWithin(0, this.start, this.end);
      } else {
        let capacity = this.bytes.length;
        while (capacity < pending + chunk.length) capacity *= 2;
        const grown = new Uint8Array(capacity);
        grown.set(this.bytes.subarray(this.start, this.end));
        this.bytes = grown;
      }
      this.start = 0;
      this.end = pending;
    }
    this.bytes.set(chunk, this.end);
    this.end += chunk.length;
  }

  /** Drops n octets from the front. */
  consume(n: number): void {
    this.start += n;
    this.offset += n;
    if (this.start === this.end) this.start = this.end = 0;
  }
}

/** A growable big-endian byte buffer. Values out of range throw {@link EncodeError}. */
export class ByteWriter {
  protected buffer: Uint8Array;
  protected size = 0;

  constructor(initialCapacity = 256) {
    this.buffer = new Uint8Array(initialCapacity);
  }

  /** Number of bytes written so far. */
  get length(): number {
    return this.size;
  }

  protected ensure(extra: number): void {
    const needed = this.size + extra;
    if (needed <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < needed) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.buffer.subarray(0, this.size));
    this.buffer = grown;
  }

  u8(value: number, what = 'octet'): void {
    checkUint(value, 0xff, what);
    this.ensure(1);
    this.buffer[this.size++] = value;
  }

  u16(value: number, what = '16-bit value'): void {
    checkUint(value, 0xffff, what);
    this.ensure(2);
    this.buffer[this.size++] = value >>> 8;
    this.buffer[this.size++] = value & 0xff;
  }

  u32(value: number, what = '32-bit value'): void {
    checkUint(value, 0xffffffff, what);
    this.ensure(4);
    this.buffer[this.size++] = value >>> 24;
    this.buffer[this.size++] = (value >>> 16) & 0xff;
    this.buffer[this.size++] = (value >>> 8) & 0xff;
    this.buffer[this.size++] = value & 0xff;
  }

  u64(value: bigint, what = '64-bit value'): void {
    if (value < 0n || value > 0xffffffffffffffffn) throw new EncodeError(`${what} ${value} is out of range`);
    this.u32(Number(value >> 32n), what);
    this.u32(Number(value & 0xffffffffn), what);
  }

  bytes(value: Uint8Array): void {
    this.ensure(value.length);
    this.buffer.set(value, this.size);
    this.size += value.length;
  }

  /** Overwrite one byte already written (e.g. a length placeholder). */
  setU8(offset: number, value: number, what = 'octet'): void {
    checkUint(value, 0xff, what);
    this.buffer[offset] = value;
  }

  /** Overwrite two bytes already written (e.g. a length placeholder). */
  setU16(offset: number, value: number, what = '16-bit value'): void {
    checkUint(value, 0xffff, what);
    this.buffer[offset] = value >>> 8;
    this.buffer[offset + 1] = value & 0xff;
  }

  /** Read back a byte already written. */
  getU8(offset: number): number {
    return this.buffer[offset];
  }

  /** Insert a zero byte at `offset`, shifting what follows (used to widen a length field). */
  insertZeroByte(offset: number): void {
    this.ensure(1);
    this.buffer.copyWithin(offset + 1, offset, this.size);
    this.buffer[offset] = 0;
    this.size++;
  }

  /** Overwrite four bytes already written (e.g. a length placeholder). */
  setU32(offset: number, value: number, what = '32-bit value'): void {
    checkUint(value, 0xffffffff, what);
    this.buffer[offset] = value >>> 24;
    this.buffer[offset + 1] = (value >>> 16) & 0xff;
    this.buffer[offset + 2] = (value >>> 8) & 0xff;
    this.buffer[offset + 3] = value & 0xff;
  }

  /** Forget what was written after `length` bytes. */
  truncate(length: number): void {
    this.size = Math.min(this.size, length);
  }

  /** Start again from empty (the buffer is kept). */
  reset(): void {
    this.size = 0;
  }

  /** The bytes written, as a view valid until the next write or reset. */
  view(): Uint8Array {
    return this.buffer.subarray(0, this.size);
  }

  /** A copy of the bytes written. */
  toBytes(): Uint8Array {
    return this.buffer.slice(0, this.size);
  }
}
