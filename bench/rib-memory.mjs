#!/usr/bin/env node
// Memory and lookup speed of the speaker's RIB with a full IPv4 table from one peer:
// 1,000,000 /24 prefixes, a new ~60-byte attribute set every 8 prefixes (125,000 sets).
// Build first (npx tsc -b server/src/rib), then:
//   node --expose-gc bench/rib-memory.mjs [--routes N] [--lookups N]
import { Rib } from '../server/dist/src/rib/index.js';
import { mulberry32 } from './lib/random.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROUTES = arg('--routes', 1_000_000);
const LOOKUPS = arg('--lookups', 2_000_000);
const PREFIXES_PER_SET = 8;
const PEER = 1;

if (typeof globalThis.gc !== 'function') {
  console.error('run with --expose-gc for meaningful figures: node --expose-gc bench/rib-memory.mjs');
  process.exit(2);
}

const random = mulberry32(42);

/** ~60 bytes of path attributes: ORIGIN, AS_PATH (4 ASNs), NEXT_HOP, MED, LOCAL_PREF, COMMUNITIES (2), varying with n. */
function attributeBytes(n) {
  const b = new Uint8Array(60);
  const v = new DataView(b.buffer);
  b.set([0x40, 1, 1, 0], 0); // ORIGIN IGP
  b.set([0x40, 2, 18, 2, 4], 4); // AS_PATH: AS_SEQUENCE of 4 four-byte ASNs
  v.setUint32(9, 64512, false);
  v.setUint32(13, 65000 + (n % 1000), false);
  v.setUint32(17, 100 + ((n / 1000) | 0), false);
  v.setUint32(21, n, false);
  b.set([0x40, 3, 4], 25); // NEXT_HOP
  v.setUint32(28, 0xc0000201 + (n % 16), false);
  b.set([0x80, 4, 4], 32); // MED
  v.setUint32(35, n % 100, false);
  b.set([0x40, 5, 4], 39); // LOCAL_PREF
  v.setUint32(42, 100, false);
  b.set([0xc0, 8, 8], 46); // COMMUNITIES
  v.setUint32(49, (64512 << 16) | (n & 0xffff), false);
  v.setUint32(53, (64512 << 16) | 666, false);
  b.set([0, 0, 0], 57); // padding to 60
  return b;
}

// Prefixes: ROUTES distinct /24s spread over the IPv4 space in random order (a stride coprime
// with 2^24 visits every /24 once; a random start).
const stride = (2654435761 % (1 << 24)) | 1;
const start = Math.floor(random() * (1 << 24));
const prefixAddress = (i) => ((((start + i * stride) % (1 << 24)) >>> 0) << 8) >>> 0;

function memory() {
  globalThis.gc();
  globalThis.gc();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, rss: m.rss, external: m.external, arrayBuffers: m.arrayBuffers };
}
const mib = (bytes) => `${(bytes / 1048576).toFixed(1)} MiB`;

const before = memory();
const rib = new Rib();
const attrs = rib.attributeSets;
const t0 = process.hrtime.bigint();
let id = -1;
for (let i = 0; i < ROUTES; i++) {
  if (i % PREFIXES_PER_SET === 0) {
    if (id >= 0) attrs.release(id); // the loader's reference; the paths hold theirs
    id = attrs.intern(attributeBytes(i / PREFIXES_PER_SET));
  }
  rib.announce(PEER, { family: 4, address: prefixAddress(i), length: 24 }, 0, id, 1_700_000_000);
}
if (id >= 0) attrs.release(id);
const loadSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
const after = memory();

if (rib.prefixCount(4) !== ROUTES || rib.pathCount(PEER, 4) !== ROUTES) throw new Error('load lost routes');
const attributeSets = attrs.size;
const estimate = rib.memoryEstimate();
const attributeBytesEstimate = attrs.approximateBytes();

// Longest-match lookups over random addresses (about 6% of the space is covered by the table).
const addresses = new Uint32Array(LOOKUPS);
for (let i = 0; i < LOOKUPS; i++) addresses[i] = (random() * 4294967296) >>> 0;
let hits = 0;
for (let i = 0; i < Math.min(LOOKUPS, 100_000); i++) if (rib.longestMatch(4, addresses[i])) hits++; // warm up
hits = 0;
const t1 = process.hrtime.bigint();
for (let i = 0; i < LOOKUPS; i++) if (rib.longestMatch(4, addresses[i]) !== undefined) hits++;
const lookupSeconds = Number(process.hrtime.bigint() - t1) / 1e9;

// Lookups of addresses inside the table (every lookup returns a route view).
const inside = new Uint32Array(LOOKUPS);
for (let i = 0; i < LOOKUPS; i++)
  inside[i] = (prefixAddress(Math.floor(random() * ROUTES)) | Math.floor(random() * 256)) >>> 0;
let insideHits = 0;
const t2 = process.hrtime.bigint();
for (let i = 0; i < LOOKUPS; i++) if (rib.longestMatch(4, inside[i]) !== undefined) insideHits++;
const insideSeconds = Number(process.hrtime.bigint() - t2) / 1e9;

// Per-peer passes (graceful restart, session down), after the measurements above.
const t3 = process.hrtime.bigint();
const marked = rib.markStale(PEER);
const markSeconds = Number(process.hrtime.bigint() - t3) / 1e9;
const t4 = process.hrtime.bigint();
const removed = rib.removePeer(PEER);
const removeSeconds = Number(process.hrtime.bigint() - t4) / 1e9;
if (marked !== ROUTES || removed !== ROUTES || rib.prefixCount(4) !== 0 || attrs.size !== 0)
  throw new Error('removePeer left routes behind');

const heapDelta = after.heapUsed - before.heapUsed;
const rssDelta = after.rss - before.rss;
const externalDelta = after.arrayBuffers - before.arrayBuffers;
console.log(
  `routes:                ${ROUTES.toLocaleString('en')} IPv4 /24 from one peer, ${attributeSets.toLocaleString('en')} attribute sets of 60 bytes`,
);
console.log(
  `load time:             ${loadSeconds.toFixed(2)} s (${Math.round(ROUTES / loadSeconds).toLocaleString('en')} announces/s)`,
);
console.log(`heap used delta:       ${mib(heapDelta)}`);
console.log(`array buffers delta:   ${mib(externalDelta)}`);
console.log(`RSS delta:             ${mib(rssDelta)} (process RSS ${mib(after.rss)})`);
console.log(
  `bytes per route:       ${(rssDelta / ROUTES).toFixed(1)} (RSS delta), ${((heapDelta + externalDelta) / ROUTES).toFixed(1)} (heap + array buffers delta)`,
);
console.log(
  `rib.memoryEstimate():  ${mib(estimate)} = ${(estimate / ROUTES).toFixed(1)} bytes/route; without the attribute store (${mib(attributeBytesEstimate)}) ${((estimate - attributeBytesEstimate) / ROUTES).toFixed(1)} bytes/route`,
);
console.log(
  `longest match, random: ${Math.round(LOOKUPS / lookupSeconds).toLocaleString('en')} lookups/s (${hits.toLocaleString('en')} of ${LOOKUPS.toLocaleString('en')} hit)`,
);
console.log(
  `longest match, hits:   ${Math.round(LOOKUPS / insideSeconds).toLocaleString('en')} lookups/s (${insideHits.toLocaleString('en')} of ${LOOKUPS.toLocaleString('en')} hit)`,
);
console.log(
  `markStale / removePeer: ${(markSeconds * 1000).toFixed(0)} ms / ${(removeSeconds * 1000).toFixed(0)} ms for ${ROUTES.toLocaleString('en')} paths`,
);
