import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { test } from 'node:test';
import { WatchHub } from '../../src/speaker/watch';

/**
 * A response that records what is written and can refuse writes like a full socket. A written
 * buffer is handed back (its callback) once the current work is done, as a socket does, so the
 * hub reuses it: what is recorded is the text at the time of the write.
 */
class FakeResponse extends EventEmitter {
  chunks: string[] = [];
  full = false;
  writeHead(): this {
    return this;
  }
  write(chunk: string | Uint8Array, done?: () => void): boolean {
    this.chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    if (done) queueMicrotask(done);
    return !this.full;
  }
  end(): void {
    this.emit('close');
  }
  events(): { event: string; id?: string }[] {
    return this.chunks
      .join('')
      .split('\n\n')
      .filter((b) => b.includes('event:'))
      .map((b) => {
        const id = /^id: (\d+)$/m.exec(b)?.[1];
        return { event: /^event: (\S+)$/m.exec(b)?.[1] ?? '', ...(id ? { id } : {}) };
      });
  }
}

const flushed = () => new Promise((r) => setImmediate(r));
const asResponse = (f: FakeResponse) => f as unknown as ServerResponse;

test('watchers get every event in order, and a reconnect replays from Last-Event-ID', async () => {
  const hub = new WatchHub({ capacity: 8 });
  const a = new FakeResponse();
  hub.subscribe(asResponse(a), undefined);
  for (let i = 0; i < 3; i++) hub.publish('route', () => ({ i }));
  await flushed();
  assert.deepEqual(a.events(), [
    { event: 'hello' },
    { event: 'route', id: '1' },
    { event: 'route', id: '2' },
    { event: 'route', id: '3' },
  ]);
  const b = new FakeResponse();
  hub.subscribe(asResponse(b), '1');
  assert.deepEqual(b.events(), [
    { event: 'route', id: '2' },
    { event: 'route', id: '3' },
  ]);
  hub.close();
});

test('a watcher asking for events the ring no longer holds gets resync, then live events', async () => {
  const hub = new WatchHub({ capacity: 4 });
  for (let i = 0; i < 10; i++) hub.publish('route', () => ({ i }));
  const w = new FakeResponse();
  hub.subscribe(asResponse(w), '2');
  hub.publish('route', () => ({ i: 10 }));
  await flushed();
  assert.deepEqual(w.events(), [{ event: 'resync' }, { event: 'route', id: '11' }]);
  hub.close();
});

test('a slow watcher never holds more than the ring: it falls behind and gets resync, the hub keeps publishing', async () => {
  const hub = new WatchHub({ capacity: 4 });
  const slow = new FakeResponse();
  hub.subscribe(asResponse(slow), undefined);
  slow.full = true;
  hub.publish('route', () => ({ i: 0 }));
  await flushed();
  for (let i = 1; i < 20; i++) hub.publish('route', () => ({ i }));
  await flushed();
  const before = slow.chunks.length;
  assert.equal(before, 3, 'retry + hello + the one event that filled the socket');
  slow.full = false;
  slow.emit('drain');
  const after = slow.events().slice(2);
  assert.equal(after[0]?.event, 'resync');
  assert.equal(hub.lastSeq, 20);
  hub.close();
  assert.equal(hub.watcherCount, 0);
});

test('events are rendered once, however many watchers read them', async () => {
  const hub = new WatchHub({ capacity: 8 });
  let renders = 0;
  const watchers = Array.from({ length: 5 }, () => new FakeResponse());
  for (const w of watchers) hub.subscribe(asResponse(w), undefined);
  hub.publish('route', () => ({ n: ++renders }));
  await flushed();
  assert.equal(renders, 1);
  for (const w of watchers) assert.match(w.chunks.join(''), /data: \{"seq":1,"n":1\}/);
  hub.close();
});

test('with no watcher, publishing stores and renders nothing', () => {
  const hub = new WatchHub({ capacity: 1000 });
  let renders = 0;
  for (let i = 0; i < 5000; i++) {
    hub.publishRoute('added', 1, { family: 4, address: i, length: 32 }, 0);
    hub.publish('peer', () => ({ n: ++renders }));
  }
  assert.equal(renders, 0);
  assert.equal(hub.bufferedBytes, 0);
  assert.equal(hub.lastSeq, 10_000);
});

test('route events are kept compact and rendered as JSON, IPv4 and IPv6', async () => {
  const hub = new WatchHub({ capacity: 8, peerName: (peer) => `p${peer} "quoted" é` });
  const w = new FakeResponse();
  hub.subscribe(asResponse(w), undefined);
  assert.equal(hub.bufferedBytes, 8 * 12, 'the ring is 12 bytes an event while only IPv4 routes change');
  hub.publishRoute('added', 3, { family: 4, address: 0xc0000200, length: 24 }, 7);
  hub.publishRoute('changed', 65535, { family: 4, address: 0, length: 0 }, 0);
  hub.publishRoute('withdrawn', 4, { family: 6, address: (0x20010db8n << 96n) | 1n, length: 128 }, 0xffffffff);
  assert.equal(hub.bufferedBytes, 8 * 28, 'and 28 once an IPv6 one has');
  await flushed();
  const text = w.chunks.join('');
  assert.match(text, /^id: 1\nevent: route\ndata: \{"seq":1,"action":"added","prefix":"192\.0\.2\.0\/24",/m);
  const data = text
    .split('\n')
    .filter((l) => l.startsWith('data: {"seq":') && l.includes('"action"'))
    .map((l) => JSON.parse(l.slice(6)) as unknown);
  assert.deepEqual(data, [
    { seq: 1, action: 'added', prefix: '192.0.2.0/24', peer: 'p3 "quoted" é', pathId: 7 },
    { seq: 2, action: 'changed', prefix: '0.0.0.0/0', peer: 'p65535 "quoted" é', pathId: 0 },
    { seq: 3, action: 'withdrawn', prefix: '2001:db8::1/128', peer: 'p4 "quoted" é', pathId: 0xffffffff },
  ]);
  hub.close();
});

test('a full table of route events goes out in reused batch buffers, every event once and in order', async () => {
  const hub = new WatchHub({ capacity: 100_000, peerName: (peer) => `192.0.2.${peer}` });
  const w = new FakeResponse();
  const buffers = new Set<ArrayBufferLike>();
  const write = w.write.bind(w);
  w.write = (chunk, done) => {
    if (typeof chunk !== 'string') buffers.add(chunk.buffer);
    return write(chunk, done);
  };
  hub.subscribe(asResponse(w), undefined);
  const events = 50_000;
  for (let i = 0; i < events; i++) {
    hub.publishRoute(i % 3 === 0 ? 'withdrawn' : 'added', i % 7, { family: 4, address: i << 8, length: 24 }, i);
    // Interleaved text events and turns of the event loop, as sessions deliver UPDATEs.
    if (i % 10_000 === 9_999) {
      hub.publish('peer', () => ({ n: i }));
      await flushed();
    }
  }
  await flushed();
  await flushed();
  const text = w.chunks.join('');
  const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
  assert.equal(ids.length, events + 5);
  assert.ok(
    ids.every((id, i) => id === i + 1),
    'every event once, in order',
  );
  const routes = text.split('\n').filter((l) => l.startsWith('data: {"seq":') && l.includes('"prefix"'));
  assert.equal(routes.length, events);
  assert.deepEqual(JSON.parse(routes[12_345]!.slice(6)), {
    seq: 12_347, // after the text event published after the 10,000th route
    action: 'withdrawn', // 12,345 % 3 === 0
    prefix: `0.${(12_345 >> 8) & 255}.${12_345 & 255}.0/24`,
    peer: `192.0.2.${12_345 % 7}`,
    pathId: 12_345,
  });
  assert.ok(w.chunks.length > 100, `${w.chunks.length} writes`);
  assert.ok(buffers.size <= 4, `${buffers.size} buffers for ${w.chunks.length} writes: reused`);
  hub.close();
});

test('watchers at the same place share rendered batches: each route event is rendered about once', async () => {
  let named = 0;
  const hub = new WatchHub({
    capacity: 100_000,
    peerName: (peer) => {
      named++;
      return `192.0.2.${peer}`;
    },
  });
  const watchers = Array.from({ length: 5 }, () => new FakeResponse());
  for (const w of watchers) hub.subscribe(asResponse(w), undefined);
  const events = 20_000;
  for (let i = 0; i < events; i++) {
    hub.publishRoute('added', i % 7, { family: 4, address: i << 8, length: 24 }, i);
    if (i % 5_000 === 4_999) await flushed();
  }
  await flushed();
  await flushed();
  const text = watchers[0]!.chunks.join('');
  assert.equal([...text.matchAll(/^id: /gm)].length, events);
  for (const w of watchers.slice(1)) assert.equal(w.chunks.join(''), text, 'every watcher gets the same stream');
  assert.ok(named <= events * 1.1, `${named} renders for ${events} events and 5 watchers`);
  hub.close();
});

test('text events are held within their byte budget; a watcher behind the dropped ones gets resync', async () => {
  const hub = new WatchHub({ capacity: 1000, maxTextBytes: 10_000 });
  const w = new FakeResponse();
  hub.subscribe(asResponse(w), undefined);
  w.full = true;
  hub.publish('peer', () => ({ big: 'x'.repeat(100) }));
  await flushed();
  for (let i = 0; i < 500; i++) hub.publish('peer', () => ({ big: 'x'.repeat(1000) }));
  assert.ok(hub.bufferedBytes <= 1000 * 28 + 2 * 10_000, `${hub.bufferedBytes} bytes`);
  w.full = false;
  w.emit('drain');
  hub.publish('peer', () => ({ small: 1 }));
  await flushed();
  const after = w.events().slice(2);
  assert.deepEqual(after, [{ event: 'resync' }, { event: 'peer', id: '502' }]);
  hub.close();
});

test('the ring is freed a while after the last watcher leaves; a reconnect before that resumes', async () => {
  const hub = new WatchHub({ capacity: 8, keepUnwatchedMs: 30 });
  const a = new FakeResponse();
  hub.subscribe(asResponse(a), undefined);
  hub.publish('peer', () => ({ n: 1 }));
  a.end();
  hub.publish('peer', () => ({ n: 2 }));
  const b = new FakeResponse();
  hub.subscribe(asResponse(b), '1');
  assert.deepEqual(b.events(), [{ event: 'peer', id: '2' }]);
  b.end();
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(hub.bufferedBytes, 0);
  const c = new FakeResponse();
  hub.subscribe(asResponse(c), '2');
  assert.deepEqual(c.events(), []);
  hub.publish('peer', () => ({ n: 3 }));
  await flushed();
  assert.deepEqual(c.events(), [{ event: 'peer', id: '3' }]);
  hub.close();
});
