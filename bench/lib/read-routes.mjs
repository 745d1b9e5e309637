#!/usr/bin/env node
// The speaker's whole table read back through its API, as `birdc show route` reads BIRD's: a
// client process of its own paging /v1/routes?within=0.0.0.0/0 (100,000 routes a page, each
// answer's `next` as the following `after`), counting routes on the byte stream (no JSON parser,
// no file written and read back). Prints the number of routes read.
//   node bench/lib/read-routes.mjs API_PORT [WITHIN]
import { request } from 'node:http';

const port = Number(process.argv[2]);
const within = process.argv[3] ?? '0.0.0.0/0';
const routeStart = Buffer.from('{"prefix"');

const count = (b) => {
  let n = 0;
  for (let i = b.indexOf(routeStart); i >= 0; i = b.indexOf(routeStart, i + 1)) n++;
  return n;
};

/** One answer: routes counted per chunk as they come (a match may straddle two), and its last bytes. */
function page(path) {
  return new Promise((resolvePage, reject) => {
    request({ host: '127.0.0.1', port, path }, (res) => {
      let routes = 0;
      let carry = Buffer.alloc(0);
      let tail = '';
      res.on('data', (chunk) => {
        routes += count(Buffer.concat([carry, chunk.subarray(0, routeStart.length - 1)])) + count(chunk);
        carry = Buffer.from(chunk.subarray(Math.max(0, chunk.length - (routeStart.length - 1))));
        tail = (tail + chunk.subarray(Math.max(0, chunk.length - 100)).toString('latin1')).slice(-100);
      });
      res.on('end', () => resolvePage({ routes, tail }));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

let routes = 0;
let after;
try {
  for (;;) {
    const query = `within=${encodeURIComponent(within)}&limit=100000${after ? `&after=${encodeURIComponent(after)}` : ''}`;
    const answer = await page(`/v1/routes?${query}`);
    routes += answer.routes;
    after = /"next":"([^"]+)"\}\s*$/.exec(answer.tail)?.[1];
    if (!after) break;
  }
} catch (e) {
  console.error(`read-routes: the speaker API on 127.0.0.1:${port}: ${e.message}`);
  process.exit(1);
}
console.log(routes);
