// The part of seek-bzip used here: a whole bzip2 buffer decoded synchronously.
declare module 'seek-bzip' {
  /** `multistream`: concatenated bzip2 streams (pbzip2, appended files) are decoded one after the other. */
  function decode(input: Uint8Array, output?: null, multistream?: boolean): Buffer;
  export { decode };
}
