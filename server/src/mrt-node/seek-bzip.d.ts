// The part of seek-bzip used here: a whole bzip2 buffer decoded synchronously. Its errors are
// TypeErrors carrying an `errorCode`.
declare module 'seek-bzip' {
  const Bunzip: {
    /** `multistream`: concatenated bzip2 streams (pbzip2, appended files) are decoded one after the other. */
    decode(input: Uint8Array, output?: null, multistream?: boolean): Buffer;
  };
  export = Bunzip;
}
