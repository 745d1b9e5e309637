import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { test } from 'node:test';
import { WatchHub } from '../../src/speaker/watch';

/** A response that records what is written and can refuse writes like a full socket. */
class FakeResponse extends EventEmitter {
  chunks: string[] = [];
  full = false;
  writeHead(): this {
    return this;
  }
  write(chunk: string): boolean {
    this.chunks.push(chunk);
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
  const hub = new WatchHub(8);
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
  const hub = new WatchHub(4);
  for (let i = 0; i < 10; i++) hub.publish('route', () => ({ i }));
  const w = new FakeResponse();
  hub.subscribe(asResponse(w), '2');
  hub.publish('route', () => ({ i: 10 }));
  await flushed();
  assert.deepEqual(w.events(), [{ event: 'resync' }, { event: 'route', id: '11' }]);
  hub.close();
});

test('a slow watcher never holds more than the ring: it falls behind and gets resync, the hub keeps publishing', async () => {
  const hub = new WatchHub(4);
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
  const hub = new WatchHub(8);
  let renders = 0;
  const watchers = Array.from({ length: 5 }, () => new FakeResponse());
  for (const w of watchers) hub.subscribe(asResponse(w), undefined);
  hub.publish('route', () => ({ n: ++renders }));
  await flushed();
  assert.equal(renders, 1);
  for (const w of watchers) assert.match(w.chunks.join(''), /data: \{"seq":1,"n":1\}/);
  hub.close();
});
