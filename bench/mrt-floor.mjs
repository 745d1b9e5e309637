#!/usr/bin/env node
// One subject of bench/mrt.mjs: what any loader in Node pays before decoding a record. Node
// starts, the file is decompressed (zlib in one call for gzip; for bzip2 seek-bzip a block at a
// time, as `loadMrtFile` does) and the record headers are walked; nothing is decoded or stored.
//   node bench/mrt-floor.mjs FILE
import { closeSync, openSync, readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

const file = process.argv[2];
const head = readFileSync(file).subarray(0, 4);
let records = 0;
let octets = 0;
let carry = new Uint8Array(0);

/** Counts the whole records in carry + chunk; keeps the partial one at the end. */
function walk(chunk) {
  const bytes = carry.length === 0 ? chunk : Buffer.concat([carry, chunk]);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let i = 0;
  while (i + 12 <= bytes.length && i + 12 + view.getUint32(i + 8) <= bytes.length) {
    i += 12 + view.getUint32(i + 8);
    records++;
  }
  octets += i;
  carry = bytes.subarray(i);
}

if (head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) {
  const { bzip2Blocks, fileByteSource } = await import('../server/dist/src/mrt-node/bzip2-blocks.js');
  const fd = openSync(file, 'r');
  for (const block of bzip2Blocks(fileByteSource(fd, statSync(file).size, 1 << 16))) walk(block);
  closeSync(fd);
} else if (head[0] === 0x1f && head[1] === 0x8b) {
  walk(gunzipSync(readFileSync(file)));
} else {
  walk(readFileSync(file));
}
console.log(JSON.stringify({ records, octets }));
