import type { ServerResponse } from 'node:http';
import type { Prefix } from '../bgp';
import { WatchRing, type RouteAction } from './watch-ring';

export interface WatchHubOptions {
  /** Events kept for watchers that fall behind or reconnect. */
  readonly capacity?: number;
  readonly heartbeatMs?: number;
  /** Budget for the rendered events that are not route changes (peer rows, bulk changes). */
  readonly maxTextBytes?: number;
  /** How long the ring is kept after the last watcher leaves, for a reconnect with Last-Event-ID. */
  readonly keepUnwatchedMs?: number;
  /** A route change as sent: {action, prefix, peer, pathId} with the peer's name. */
  readonly describeRoute?: (action: RouteAction, peer: number, prefix: Prefix, pathId: number) => object;
}

interface Watcher {
  readonly res: ServerResponse;
  /** The next sequence number this watcher has not been sent. */
  cursor: number;
  waitingForDrain: boolean;
}

/**
 * The live change stream: a bounded ring of recent events shared by every watcher. Publishing
 * never waits for a watcher; a watcher that falls further behind than the ring, or asks (with
 * Last-Event-ID) for events the ring no longer holds, gets an explicit "resync" event instead of
 * silent loss. Memory is the ring (28 bytes a route event, a byte budget for the rest; nothing
 * while no one watches) plus each socket's own buffer, whatever the watcher count. A route event
 * is rendered for each watcher that reads it: cheaper than keeping it rendered.
 */
export class WatchHub {
  readonly capacity: number;
  private readonly heartbeatMs: number;
  private readonly maxTextBytes: number;
  private readonly keepUnwatchedMs: number;
  private readonly describeRoute: NonNullable<WatchHubOptions['describeRoute']>;
  /** Only while someone watches (or just left): publishing to no one stores nothing. */
  private ring: WatchRing | undefined;
  /** Events before this were published while no ring was kept. */
  private ringFrom = 1;
  private releaseTimer: NodeJS.Timeout | undefined;
  private nextSeq = 1;
  private readonly watchers = new Set<Watcher>();
  private flushScheduled = false;
  /** Route events rendered during one flush of every watcher: each is rendered once, however many read it. */
  private readonly rendered = new Map<number, string>();

  constructor(options: WatchHubOptions = {}) {
    this.capacity = options.capacity ?? 100_000;
    this.heartbeatMs = options.heartbeatMs ?? 15_000;
    this.maxTextBytes = options.maxTextBytes ?? 4 * 1024 * 1024;
    this.keepUnwatchedMs = options.keepUnwatchedMs ?? 60_000;
    this.describeRoute =
      options.describeRoute ?? ((action, peer, prefix, pathId) => ({ action, peer, prefix, pathId }));
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

  /** A route change: stored in 28 bytes, rendered only when a watcher reads it. */
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
    const watcher: Watcher = { res, cursor: this.nextSeq, waitingForDrain: false };
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
  }

  /** No one watches: the ring goes after a while (a watcher that reconnects by then resumes). */
  private releaseLater(): void {
    clearTimeout(this.releaseTimer);
    this.releaseTimer = setTimeout(() => {
      if (this.watchers.size === 0) this.ring = undefined;
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
      this.rendered.clear();
    });
  }

  private flush(watcher: Watcher): void {
    if (watcher.waitingForDrain) return;
    if (watcher.cursor < this.oldestSeq) this.resync(watcher, 'fell behind the buffer');
    // Events go out in batches of about 16 KiB: one write per batch, not per event.
    let batch = '';
    const shared = this.watchers.size > 1;
    while (watcher.cursor < this.nextSeq) {
      const seq = watcher.cursor++;
      const entry = this.ring?.get(seq);
      if (!entry) continue;
      let text: string | undefined;
      if (entry.kind === 'text') text = `id: ${seq}\nevent: ${entry.event}\ndata: ${entry.data}\n\n`;
      else {
        text = shared ? this.rendered.get(seq) : undefined;
        if (text === undefined) {
          const data = { seq, ...this.describeRoute(entry.action, entry.peer, entry.prefix, entry.pathId) };
          text = `id: ${seq}\nevent: route\ndata: ${JSON.stringify(data)}\n\n`;
          if (shared) {
            if (this.rendered.size >= 4096) this.rendered.clear();
            this.rendered.set(seq, text);
          }
        }
      }
      batch += text;
      if (batch.length >= 16_384) {
        if (!this.write(watcher, batch)) return;
        batch = '';
      }
    }
    if (batch !== '') this.write(watcher, batch);
  }

  /** False when the socket's buffer is full: the watcher resumes on 'drain' (or resyncs if it takes too long). */
  private write(watcher: Watcher, text: string): boolean {
    if (watcher.res.write(text)) return true;
    watcher.waitingForDrain = true;
    return false;
  }
}
