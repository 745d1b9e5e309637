/**
 * Follows a kube-routes-speaker's /v1/watch (server-sent events): calls onChange for every route
 * or peer event, reconnects with Last-Event-ID after a drop (the speaker replays what was missed,
 * or says "resync", which is a change too), and stops for good on a 404 (a speaker without the
 * stream: polling alone then keeps the routes current).
 */
export class WatchStream {
  private lastEventId: string | undefined;
  private controller: AbortController | undefined;
  private closed = false;
  private retryMs = 500;

  constructor(
    private readonly url: URL,
    private readonly onChange: () => void,
  ) {
    void this.run();
  }

  close(): void {
    this.closed = true;
    this.controller?.abort();
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      try {
        const stop = await this.readOnce();
        if (stop) return;
        this.retryMs = 500;
      } catch {
        // A refused or dropped connection: try again later; the poller reports outages.
      }
      if (this.closed) return;
      await new Promise((r) => setTimeout(r, this.retryMs).unref());
      this.retryMs = Math.min(this.retryMs * 2, 30_000);
    }
  }

  /** One connection; true when the stream will never work (404). */
  private async readOnce(): Promise<boolean> {
    this.controller = new AbortController();
    const response = await fetch(this.url, { headers: this.lastEventId ? { 'last-event-id': this.lastEventId } : {}, signal: this.controller.signal });
    if (response.status === 404) return true;
    if (!response.ok || !response.body) throw new Error(`watch answered ${response.status}`);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        this.handle(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
    return false;
  }

  private handle(block: string): void {
    let event = 'message';
    for (const line of block.split('\n')) {
      if (line.startsWith('id:')) this.lastEventId = line.slice(3).trim();
      else if (line.startsWith('event:')) event = line.slice(6).trim();
    }
    if (event === 'route' || event === 'routes' || event === 'peer' || event === 'resync') this.onChange();
  }
}
