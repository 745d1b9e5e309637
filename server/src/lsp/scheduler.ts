/**
 * When re-checks run. The first change after a quiet spell is checked at once (on the next
 * turn of the event loop, so changes that arrived together are checked together); changes that
 * follow within debounceMs of the last pass wait for the window to end and are batched. A burst
 * of keystrokes thus costs one pass per window, while a single edit is not delayed at all.
 */
export class PassScheduler {
  private timer: NodeJS.Timeout | undefined;
  private lastPassEnd = 0;

  constructor(
    private readonly pass: () => void,
    private readonly debounceMs: () => number,
  ) {}

  request(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.lastPassEnd + this.debounceMs() - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.runNow();
    }, wait);
  }

  /** Runs a pass now (the index just became ready); a pending timer stays and finds nothing left. */
  runNow(): void {
    try {
      this.pass();
    } finally {
      this.lastPassEnd = Date.now();
    }
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
