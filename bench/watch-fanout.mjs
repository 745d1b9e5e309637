// The watch stream's cost per watcher, in process: one WatchHub (server/src/speaker/watch.ts),
// N watchers that read everything (responses that count bytes and hand each written buffer back
// on the next tick, as a socket does), and --events route changes published 2,000 per turn of the
// event loop, as a session delivers them. Each (build, N) in a fresh process: CPU and wall
// milliseconds until every watcher has every event, bytes a watcher got, and RSS after. Other
// builds (scratch copies of a commit, built as bench/mrt-versions.mjs says, with the speaker's
// tsconfig) run beside this tree for a before/after.
//   npx tsc -b && node bench/watch-fanout.mjs [--watchers 1,4,16] [--events 1000000] [NAME=DIR...]
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const option = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};

if (process.argv[2] === '--child') {
  const [, , , dir, n, events] = process.argv;
  await child(dir, Number(n), Number(events));
} else {
  const counts = option('--watchers', '1,4,16').split(',').map(Number);
  const events = Number(option('--events', '1000000'));
  const builds = [
    ['this tree', root],
    ...process.argv
      .slice(2)
      .filter((a) => a.includes('='))
      .map((a) => a.split('=')),
  ];
  console.log(`${events} route events; node ${process.version}`);
  console.log('| build | watchers | CPU (ms) | wall (ms) | bytes a watcher | RSS after (MiB) |');
  console.log('|---|---|---|---|---|---|');
  for (const n of counts)
    for (const [name, dir] of builds) {
      const run = spawnSync(
        process.execPath,
        [fileURLToPath(import.meta.url), '--child', dir, String(n), String(events)],
        {
          encoding: 'utf8',
        },
      );
      if (run.status !== 0) throw new Error(`${name}: ${run.stderr}`);
      const r = JSON.parse(run.stdout);
      console.log(`| ${name} | ${n} | ${r.cpu} | ${r.wall} | ${r.bytes} | ${r.rss} |`);
    }
}

async function child(dir, n, events) {
  const { EventEmitter } = await import('node:events');
  const { createRequire } = await import('node:module');
  const { WatchHub } = createRequire(import.meta.url)(`${dir}/server/dist/src/speaker/watch.js`);
  class Response extends EventEmitter {
    bytes = 0;
    writeHead() {}
    write(chunk, done) {
      this.bytes += chunk.length;
      if (done) process.nextTick(done);
      return true;
    }
    end() {
      this.emit('close');
    }
  }
  const peerName = (peer) => `10.0.0.${peer}`;
  // peerName for this tree, describeRoute for builds before it (each ignores the other).
  const hub = new WatchHub({
    peerName,
    describeRoute: (action, peer, prefix, pathId) => ({
      action,
      prefix: formatIpv4(prefix),
      peer: peerName(peer),
      pathId,
    }),
  });
  const watchers = Array.from({ length: n }, () => new Response());
  for (const w of watchers) hub.subscribe(w, undefined);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let i = 0;
  await new Promise((done) => {
    const publish = () => {
      for (let k = 0; k < 2000 && i < events; k++, i++)
        hub.publishRoute('added', i % 500, { family: 4, address: (i << 8) >>> 0, length: 24 }, 0);
      if (i < events) setImmediate(publish);
      else settle(done);
    };
    publish();
  });
  const cpu = process.cpuUsage(cpu0);
  console.log(
    JSON.stringify({
      cpu: Math.round((cpu.user + cpu.system) / 1000),
      wall: Math.round(performance.now() - t0),
      bytes: watchers[0].bytes,
      rss: Math.round(process.memoryUsage().rss / 1048576),
    }),
  );
  hub.close();

  /** Done once no watcher has got anything new for three polls. */
  function settle(done) {
    let last = -1;
    let still = 0;
    const poll = () => {
      const total = watchers.reduce((t, w) => t + w.bytes, 0);
      if (total === last && ++still >= 3) return done();
      if (total !== last) still = 0;
      last = total;
      setTimeout(poll, 5);
    };
    poll();
  }
}

function formatIpv4(prefix) {
  const a = prefix.address;
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}/${prefix.length}`;
}
