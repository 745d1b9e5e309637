#!/usr/bin/env node
// One subject of bench/mrt.mjs: load an MRT file (plain, gzip or bzip2) into a RIB, as
// `kubectl routes --bgp FILE` and the language server do, and print what was loaded.
//   node bench/mrt-load.mjs FILE
// The compile cache is on, as in the kubectl-routes launcher (kubectl-plugin/bin/kubectl-routes).
import { enableCompileCache } from 'node:module';

enableCompileCache?.();
const { loadMrtFile } = await import('../server/dist/src/mrt-node/index.js');
const { Rib } = await import('../server/dist/src/rib/index.js');

const rib = new Rib();
const stats = await loadMrtFile(process.argv[2], rib);
console.log(
  JSON.stringify({
    records: stats.records,
    paths: stats.paths,
    errors: stats.errorCount,
    prefixes: rib.prefixCount(4) + rib.prefixCount(6),
  }),
);
