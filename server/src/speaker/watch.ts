import type { ServerResponse } from 'node:http';
import { encodeUtf8, type Prefix } from '../bgp';
import { ascii, copy, writeIpv4, writePrefix, writeUint } from '../rib-view/json-bytes';
import { WatchRing, type RouteAction } from './watch-ring';

/** Events go out in batches of about this many bytes: one write per batch, not per event. */
const batchBytes = 16_384;
/** A batch buffer: a batch plus room for the event that crosses the mark. */
const bufferBytes = 20_480;
/** Room a route event takes besides its peer's name: `id:`, `event:` and `data:` lines, an IPv6 prefix, digits. */
const routeEventRoom = 224;
/**
 * Batch buffers a watcher may have: written ones come back when the socket is done with them (a
 * turn later), so a flush that runs out waits for one and a full table's stream needs no more.
 */
const buffersPerWatcher = 4;
/** Batches kept for other watchers to copy (BatchCache). */
const batchSlots = 64;

const ID = ascii('id: ');
const ROUTE_DATA = ascii('\nevent: route\ndata: {"seq":');
const ACTIONS: Record<RouteAction, Uint8Array> = {
  added: ascii(',"action":"added","prefix":"'),
  changed: ascii(',"action":"changed","prefix":"'),
  withdrawn: ascii(',"action":"withdrawn","prefix":"'),
};
const PEER = ascii('","peer":');
const PATH_ID = ascii(',"pathId":');
const EVENT_END = ascii('}\n\n');

export interface WatchHubOptions {
  /** Events kept for watchers that fall behind or reconnect. */
  readonly capacity?: number;
  readonly heartbeatMs?: number;
  /** Budget for the rendered events that are not route changes (peer rows, bulk changes). */
  readonly maxTextBytes?: number;
  /** How long the ring is kept after the last watcher leaves, for a reconnect with Last-Event-ID. */
  readonly keepUnwatchedMs?: number;
  /** A RIB peer id's name, as route events show it (`{seq, action, prefix, peer, pathId}`). */
  readonly peerName?: (peer: number) => string;
}

interface Watcher {
  readonly res: ServerResponse;
  /** The next sequence number this watcher has not been sent. */
  cursor: number;
  waitingForDrain: boolean;
  /** Its batch buffers the socket is done with, and how many it has in all. */
  readonly buffers: Uint8Array[];
  buffersMade: number;
  /** A flush stopped for want of a buffer: the next one back resumes it. */
  waitingForBuffer: boolean;
}

/**
 * The live change stream: a bounded ring of recent events shared by every watcher. Publishing
 * never waits for a watcher; a watcher that falls further behind than the ring, or asks (with
 * Last-Event-ID) for events the ring no longer holds, gets an explicit "resync" event instead of
 * silent loss. Memory is the ring (12 or 28 bytes a route event, a byte budget for the rest;
 * nothing while no one watches), four 20 KiB batch buffers a watcher, the last 64 batches while
 * more than one watches, and each socket's own buffer. A route event is rendered only when read,
 * as bytes into reused batch buffers, once for all the watchers at the same place (they copy the
 * batch): a full table's events leave no garbage (as strings they grew the heap).
 */
export class WatchHub {
  readonly capacity: number;
  private readonly heartbeatMs: number;
  private readonly maxTextBytes: number;
  private readonly keepUnwatchedMs: number;
  private readonly peerName: (peer: number) => string;
  /** The last peer name rendered and its JSON bytes: events come in runs from one peer. */
  private lastName: string | undefined;
  private lastNameJson: Uint8Array = new Uint8Array(0);
  /** Only while someone watches (or just left): publishing to no one stores nothing. */
  private ring: WatchRing | undefined;
  /** Events before this were published while no ring was kept. */
  private ringFrom = 1;
  private releaseTimer: NodeJS.Timeout | undefined;
  private nextSeq = 1;
  private readonly watchers = new Set<Watcher>();
  private flushScheduled = false;
  /** The last batches rendered, while more than one watches: the others copy instead of rendering. */
  private batches: BatchCache | undefined;

  constructor(options: WatchHubOptions = {}) {
    this.capacity = options.capacity ?? 100_000;
    this.heartbeatMs = options.heartbeatMs ?? 15_000;
    this.maxTextBytes = options.maxTextBytes ?? 4 * 1024 * 1024;
    this.keepUnwatchedMs = options.keepUnwatchedMs ?? 60_000;
    this.peerName = options.peerName ?? String;
  }

  get watcherCount(): number {
    return this.watchers.size;
  }

  /** Bytes the ring holds now (0 when no one watches). */
  get bufferedBytes(): number {
    return this.ring?.bytes ?? 0;
  }

  /** The sequence number of the last event published (0 before any). */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  private get oldestSeq(): number {
    return this.ring ? Math.max(this.ringFrom, this.ring.oldest(this.nextSeq)) : this.nextSeq;
  }

  /** A route change (peer: a RIB peer id): stored in 12 or 28 bytes, rendered only when a watcher reads it. */
  publishRoute(action: RouteAction, peer: number, prefix: Prefix, pathId: number): number {
    const seq = this.nextSeq++;
    if (!this.ring) return seq;
    this.ring.putRoute(seq, action, peer, prefix, pathId);
    if (this.watchers.size > 0) this.scheduleFlush();
    return seq;
  }

  /** Any other event: rendered now if someone watches (render is not called otherwise). */
  publish(event: 'route' | 'peer' | 'routes', render: () => unknown): number {
    const seq = this.nextSeq++;
    if (!this.ring) return seq;
    this.ring.putText(seq, event, JSON.stringify({ seq, ...(render() as object) }));
    if (this.watchers.size > 0) this.scheduleFlush();
    return seq;
  }

  /** Starts an SSE response; lastEventId (the Last-Event-ID header) resumes after that event. */
  subscribe(res: ServerResponse, lastEventId: string | undefined): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(`retry: 2000\n\n`);
    clearTimeout(this.releaseTimer);
    if (!this.ring) {
      this.ring = new WatchRing(this.capacity, this.maxTextBytes);
      this.ringFrom = this.nextSeq;
    }
    const watcher: Watcher = {
      res,
      cursor: this.nextSeq,
      waitingForDrain: false,
      buffers: [],
      buffersMade: 0,
      waitingForBuffer: false,
    };
    if (lastEventId !== undefined && lastEventId !== '') {
      const last = Number(lastEventId);
      if (!Number.isInteger(last) || last < 0 || last > this.lastSeq)
        this.resync(watcher, `Last-Event-ID ${lastEventId} is not an event of this speaker`);
      else if (last + 1 < this.oldestSeq) this.resync(watcher, `events after ${last} are no longer buffered`);
      else watcher.cursor = last + 1;
    } else {
      // A new watcher starts from now; "hello" tells it where that is.
      res.write(`event: hello\ndata: ${JSON.stringify({ seq: this.lastSeq })}\n\n`);
    }
    const heartbeat = setInterval(() => res.write(': keepalive\n\n'), this.heartbeatMs);
    heartbeat.unref();
    res.on('drain', () => {
      watcher.waitingForDrain = false;
      this.flush(watcher);
    });
    res.on('close', () => {
      clearInterval(heartbeat);
      this.watchers.delete(watcher);
      if (this.watchers.size === 0) this.releaseLater();
    });
    this.watchers.add(watcher);
    this.flush(watcher);
  }

  /** Ends every stream (speaker shutdown). */
  close(): void {
    for (const w of this.watchers) w.res.end();
    this.watchers.clear();
    clearTimeout(this.releaseTimer);
    this.ring = undefined;
    this.batches = undefined;
  }

  /** No one watches: the ring goes after a while (a watcher that reconnects by then resumes). */
  private releaseLater(): void {
    clearTimeout(this.releaseTimer);
    this.releaseTimer = setTimeout(() => {
      if (this.watchers.size > 0) return;
      this.ring = undefined;
      this.batches = undefined;
    }, this.keepUnwatchedMs);
    this.releaseTimer.unref();
  }

  private resync(watcher: Watcher, reason: string): void {
    watcher.res.write(`event: resync\ndata: ${JSON.stringify({ seq: this.lastSeq, reason })}\n\n`);
    watcher.cursor = this.nextSeq;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      for (const w of this.watchers) this.flush(w);
    });
  }

  private flush(watcher: Watcher): void {
    if (watcher.waitingForDrain) return;
    if (watcher.cursor < this.oldestSeq) this.resync(watcher, 'fell behind the buffer');
    const ring = this.ring;
    if (!ring || watcher.cursor >= this.nextSeq) return;
    let out = take(watcher);
    let at = 0;
    /** Where the batch being rendered starts. */
    let from = watcher.cursor;
    while (out !== undefined && watcher.cursor < this.nextSeq) {
      const seq = watcher.cursor;
      if (at === 0) {
        from = seq;
        const n = this.watchers.size > 1 ? (this.batches?.copy(seq, out) ?? -1) : -1;
        if (n >= 0) {
          // Another watcher rendered this batch: its bytes, copied.
          watcher.cursor = this.batches!.end(seq);
          if (!this.write(watcher, out, n, from)) return;
          out = take(watcher);
          continue;
        }
      }
      const entry = ring.get(seq);
      if (entry === undefined) {
        watcher.cursor++;
        continue;
      }
      if (typeof entry !== 'number') {
        // Text events are rare: the batch so far, then the event as it was rendered.
        if (at > 0) {
          if (!this.write(watcher, out, at, from)) return;
          out = take(watcher);
          at = 0;
          continue;
        }
        watcher.cursor++;
        if (!this.writeText(watcher, `id: ${seq}\nevent: ${entry.event}\ndata: ${entry.data}\n\n`)) {
          this.giveBack(watcher, out);
          return;
        }
        continue;
      }
      const name = this.nameJson(ring.peer(entry));
      const room = routeEventRoom + name.length;
      if (at + room > out.length) {
        if (at > 0) {
          if (!this.write(watcher, out, at, from)) return;
          out = take(watcher);
          at = 0;
          continue;
        }
        // A name longer than a batch: a buffer of its own, not kept for reuse.
        this.giveBack(watcher, out);
        out = new Uint8Array(room);
      }
      watcher.cursor++;
      at = renderRoute(out, at, ring, seq, entry, name);
      if (at >= batchBytes) {
        if (!this.write(watcher, out, at, from)) return;
        out = take(watcher);
        at = 0;
      }
    }
    if (out === undefined) watcher.waitingForBuffer = true;
    else if (at > 0) this.write(watcher, out, at, from);
    else this.giveBack(watcher, out);
  }

  /** `"name"`: JSON-escaped, as UTF-8. */
  private nameJson(peer: number): Uint8Array {
    const name = this.peerName(peer);
    if (name !== this.lastName) {
      this.lastName = name;
      this.lastNameJson = encodeUtf8(JSON.stringify(name));
    }
    return this.lastNameJson;
  }

  /**
   * Writes out's first n bytes, the events from `from` to the watcher's cursor; out is reused once
   * the socket is done with it. False when the socket's buffer is full: the watcher resumes on
   * 'drain' (or resyncs if it takes too long).
   */
  private write(watcher: Watcher, out: Uint8Array, n: number, from: number): boolean {
    const bytes = out.subarray(0, n);
    if (this.watchers.size > 1) (this.batches ??= new BatchCache()).keep(from, watcher.cursor, bytes);
    if (watcher.res.write(bytes, () => this.giveBack(watcher, out))) return true;
    watcher.waitingForDrain = true;
    return false;
  }

  private writeText(watcher: Watcher, text: string): boolean {
    if (watcher.res.write(text)) return true;
    watcher.waitingForDrain = true;
    return false;
  }

  private giveBack(watcher: Watcher, out: Uint8Array): void {
    if (out.length !== bufferBytes) return;
    watcher.buffers.push(out);
    if (watcher.waitingForBuffer && this.watchers.has(watcher)) {
      watcher.waitingForBuffer = false;
      this.flush(watcher);
    }
  }
}

/**
 * The last batches rendered (64 slots, 1.3 MB), each kept by the sequence number it starts at,
 * with the one after its last event: watchers at the same place (live watchers all are, after
 * each burst) copy a batch instead of rendering it again. Copies, not the watchers' buffers, which
 * are reused once written.
 */
class BatchCache {
  private readonly slots = new Uint8Array(batchSlots * bufferBytes);
  private readonly starts = new Float64Array(batchSlots).fill(-1);
  private readonly ends = new Float64Array(batchSlots);
  private readonly lengths = new Uint32Array(batchSlots);
  private readonly bySeq = new Map<number, number>();
  private next = 0;

  keep(from: number, end: number, bytes: Uint8Array): void {
    if (bytes.length > bufferBytes || this.bySeq.has(from)) return;
    const slot = this.next;
    this.next = (slot + 1) % batchSlots;
    if (this.starts[slot]! >= 0) this.bySeq.delete(this.starts[slot]!);
    this.starts[slot] = from;
    this.ends[slot] = end;
    this.lengths[slot] = bytes.length;
    this.slots.set(bytes, slot * bufferBytes);
    this.bySeq.set(from, slot);
  }

  /** The batch starting at seq copied into out (its length), or -1 when none is kept. */
  copy(seq: number, out: Uint8Array): number {
    const slot = this.bySeq.get(seq);
    if (slot === undefined) return -1;
    const n = this.lengths[slot]!;
    if (n > out.length) return -1;
    out.set(this.slots.subarray(slot * bufferBytes, slot * bufferBytes + n));
    return n;
  }

  /** The sequence number after the last event of the batch starting at seq (kept). */
  end(seq: number): number {
    return this.ends[this.bySeq.get(seq)!]!;
  }
}

/** A batch buffer of the watcher's, or undefined while all it may have are in its socket. */
function take(watcher: Watcher): Uint8Array | undefined {
  const out = watcher.buffers.pop();
  if (out !== undefined || watcher.buffersMade >= buffersPerWatcher) return out;
  watcher.buffersMade++;
  return new Uint8Array(bufferBytes);
}

/** `id: SEQ\nevent: route\ndata: {"seq":SEQ,"action":A,"prefix":P,"peer":NAME,"pathId":N}\n\n` at offset. */
function renderRoute(
  out: Uint8Array,
  offset: number,
  ring: WatchRing,
  seq: number,
  slot: number,
  name: Uint8Array,
): number {
  let at = copy(out, offset, ID);
  at = writeUint(out, at, seq);
  at = copy(out, at, ROUTE_DATA);
  at = writeUint(out, at, seq);
  at = copy(out, at, ACTIONS[ring.action(slot)]);
  if (ring.isIpv6(slot)) at = writePrefix(out, at, ring.prefix(slot));
  else {
    at = writeIpv4(out, at, ring.ipv4(slot));
    out[at++] = 0x2f;
    at = writeUint(out, at, ring.length(slot));
  }
  at = copy(out, at, PEER);
  at = copy(out, at, name);
  at = copy(out, at, PATH_ID);
  at = writeUint(out, at, ring.pathId(slot));
  return copy(out, at, EVENT_END);
}
