import type { ServerResponse } from 'node:http';

/** One change, as sent on /v1/watch. `data` is rendered once, however many watchers read it. */
interface RingEntry {
  readonly seq: number;
  readonly event: 'route' | 'peer' | 'routes';
  render: (() => string) | string;
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
 * silent loss. Memory is the ring plus each socket's own buffer, whatever the watcher count.
 */
export class WatchHub {
  private readonly ring: (RingEntry | undefined)[];
  private nextSeq = 1;
  private readonly watchers = new Set<Watcher>();
  private flushScheduled = false;

  constructor(
    readonly capacity = 100_000,
    private readonly heartbeatMs = 15_000,
  ) {
    this.ring = new Array<RingEntry | undefined>(capacity);
  }

  get watcherCount(): number {
    return this.watchers.size;
  }

  /** The sequence number of the last event published (0 before any). */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  private get oldestSeq(): number {
    return Math.max(1, this.nextSeq - this.capacity);
  }

  publish(event: RingEntry['event'], render: () => unknown): number {
    const seq = this.nextSeq++;
    this.ring[seq % this.capacity] = { seq, event, render: () => JSON.stringify({ seq, ...(render() as object) }) };
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
    });
    this.watchers.add(watcher);
    this.flush(watcher);
  }

  /** Ends every stream (speaker shutdown). */
  close(): void {
    for (const w of this.watchers) w.res.end();
    this.watchers.clear();
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
    while (watcher.cursor < this.nextSeq) {
      const entry = this.ring[watcher.cursor % this.capacity];
      watcher.cursor++;
      if (!entry) continue;
      if (typeof entry.render === 'function') entry.render = entry.render();
      const ok = watcher.res.write(`id: ${entry.seq}\nevent: ${entry.event}\ndata: ${entry.render}\n\n`);
      if (!ok) {
        // The socket's buffer is full: stop here and resume on 'drain' (or resync if it takes too long).
        watcher.waitingForDrain = true;
        return;
      }
    }
  }
}
