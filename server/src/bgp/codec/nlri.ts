/**
 * NLRI lists (RFC 4271 4.3, RFC 4760 5) with optional ADD-PATH Path
 * Identifiers (RFC 7911 3). This is the decode hot path: no string building
 * unless the input is malformed, one object per prefix, addresses as numbers.
 */
import { type ByteWriter, EncodeError, readU32 } from './bytes';
import { type Nlri, ipv4Mask } from './prefix';

// Scratch for reading an IPv6 prefix as two u64: overwritten before every read, so nothing in it
// survives a call (it is not state). A buffer per call would cost more than the decode itself.
const scratch = new Uint8Array(16);
const scratchView = new DataView(scratch.buffer);

/**
 * Decode prefixes from bytes[start, end) into `out`.
 * Returns `undefined` on success, or the reason the field is malformed (RFC 7606 5.3).
 */
export function decodeNlri(
  bytes: Uint8Array,
  start: number,
  end: number,
  family: 4 | 6,
  addPath: boolean,
  out: Nlri[],
): string | undefined {
  return family === 4 ? decodeIpv4(bytes, start, end, addPath, out) : decodeIpv6(bytes, start, end, addPath, out);
}

function decodeIpv4(bytes: Uint8Array, start: number, end: number, addPath: boolean, out: Nlri[]): string | undefined {
  let i = start;
  while (i < end) {
    let pathId = -1;
    if (addPath) {
      if (end - i < 5) return `truncated ADD-PATH entry at offset ${i - start}`;
      pathId = readU32(bytes, i);
      i += 4;
    }
    const length = bytes[i++];
    if (length > 32) return `IPv4 prefix length ${length} exceeds 32`;
    const n = (length + 7) >>> 3;
    if (i + n > end) return `IPv4 prefix /${length} overruns the field`;
    let address = 0;
    if (n > 0) {
      address = bytes[i] << 24;
      if (n > 1) {
        address |= bytes[i + 1] << 16;
        if (n > 2) {
          address |= bytes[i + 2] << 8;
          if (n > 3) address |= bytes[i + 3];
        }
      }
      address = (address & (-1 << (32 - length))) >>> 0;
    }
    i += n;
    out.push(pathId < 0 ? { family: 4, address, length } : { family: 4, address, length, pathId });
  }
  return undefined;
}

function decodeIpv6(bytes: Uint8Array, start: number, end: number, addPath: boolean, out: Nlri[]): string | undefined {
  let i = start;
  while (i < end) {
    let pathId = -1;
    if (addPath) {
      if (end - i < 5) return `truncated ADD-PATH entry at offset ${i - start}`;
      pathId = readU32(bytes, i);
      i += 4;
    }
    const length = bytes[i++];
    if (length > 128) return `IPv6 prefix length ${length} exceeds 128`;
    const n = (length + 7) >>> 3;
    if (i + n > end) return `IPv6 prefix /${length} overruns the field`;
    let address = 0n;
    if (n > 0) {
      scratch.fill(0);
      for (let k = 0; k < n; k++) scratch[k] = bytes[i + k];
      if ((length & 7) !== 0) scratch[n - 1] &= 0xff << (8 - (length & 7));
      address = scratchView.getBigUint64(0) << 64n;
      if (n > 8) address |= scratchView.getBigUint64(8);
    }
    i += n;
    out.push(pathId < 0 ? { family: 6, address, length } : { family: 6, address, length, pathId });
  }
  return undefined;
}

/** Encode prefixes of one family. Throws {@link EncodeError} for invalid entries. */
export function encodeNlri(list: readonly Nlri[], family: 4 | 6, addPath: boolean, out: ByteWriter): void {
  for (const nlri of list) {
    if (nlri.family !== family) throw new EncodeError(`IPv${nlri.family} prefix in an IPv${family} NLRI field`);
    if (addPath) {
      if (nlri.pathId === undefined)
        throw new EncodeError('ADD-PATH is in use for this family: every NLRI needs a pathId');
      out.u32(nlri.pathId, 'path identifier');
    } else if (nlri.pathId !== undefined) {
      throw new EncodeError('NLRI has a pathId but ADD-PATH is not in use for this family');
    }
    if (nlri.family === 4) {
      const { address, length } = nlri;
      if (!Number.isInteger(length) || length < 0 || length > 32) throw new EncodeError(`IPv4 prefix length ${length}`);
      if (!Number.isInteger(address) || address < 0 || address > 0xffffffff)
        throw new EncodeError(`IPv4 address ${address}`);
      out.u8(length);
      const masked = (address & ipv4Mask(length)) >>> 0;
      const n = (length + 7) >>> 3;
      for (let k = 0; k < n; k++) out.u8((masked >>> (24 - 8 * k)) & 0xff);
    } else {
      const { address, length } = nlri;
      if (!Number.isInteger(length) || length < 0 || length > 128)
        throw new EncodeError(`IPv6 prefix length ${length}`);
      if (typeof address !== 'bigint' || address < 0n || address >= 1n << 128n)
        throw new EncodeError('IPv6 address out of range');
      out.u8(length);
      const n = (length + 7) >>> 3;
      for (let k = 0; k < n; k++) {
        let byte = Number((address >> BigInt(120 - 8 * k)) & 0xffn);
        if (k === n - 1 && (length & 7) !== 0) byte &= 0xff << (8 - (length & 7));
        out.u8(byte & 0xff);
      }
    }
  }
}
