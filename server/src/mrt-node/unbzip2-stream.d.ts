// The part of unbzip2-stream (a `through` stream: bzip2 bytes in, decompressed bytes out) used here.
declare module 'unbzip2-stream' {
  function unbzip2Stream(): NodeJS.ReadWriteStream;
  export = unbzip2Stream;
}
