// The part of seek-bzip used here (bzip2-blocks.ts): the decoder's steps, as its `decode` takes
// them, so that a block's bytes are handed on once its CRC has been checked (`decode` returns
// all or nothing). Its errors are TypeErrors carrying an `errorCode`.
declare module 'seek-bzip' {
  /** What the decoder reads: bytes one at a time. */
  interface InputStream {
    readByte(): number;
    read(buffer: Uint8Array, offset: number, length: number): number;
    seek(position: number): void;
    eof(): boolean;
  }
  interface OutputStream {
    writeByte(byte: number): void;
  }
  class Bunzip {
    constructor(input: InputStream, output: OutputStream);
    /** The next block read in: false at the end of a stream. */
    _init_block(): boolean;
    /** The block read in, written to the output; throws when its CRC does not match. */
    _read_bunzip(): number;
    /** The next stream of a multistream file, from the input's position. */
    _start_bunzip(input: InputStream, output: OutputStream): void;
    readonly reader: { read(bits: number): number };
    readonly streamCRC: number;
  }
  export = Bunzip;
}
