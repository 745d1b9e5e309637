import type { Prefix } from '../bgp';

// The watch stream's memory: a ring of recent events in typed arrays. A route event (the bulk of
// them: one per path change) is 28 bytes in columns, not an object or closure; the rare others
// (peer up/down, bulk changes) are their rendered JSON, within a byte budget.

export type RouteAction = 'added' | 'changed' | 'withdrawn';
const actions: readonly RouteAction[] = ['added', 'changed', 'withdrawn'];
const EMPTY = 0;
/** Kind codes: 1..3 a route action (index + 1), TEXT a rendered event. */
const TEXT = 4;

/** One event as read back: a route change in its compact form, or rendered text. */
export type RingEvent =
  | {
      readonly kind: 'route';
      readonly action: RouteAction;
      readonly peer: number;
      readonly prefix: Prefix;
      readonly pathId: number;
    }
  | { readonly kind: 'text'; readonly event: string; readonly data: string };

export class WatchRing {
  private readonly kinds: Uint8Array;
  private readonly lengths: Uint8Array;
  private readonly peers: Int32Array;
  private readonly pathIds: Uint32Array;
  /** 4 words per slot: an IPv4 address in the first, an IPv6 one in all four; family by `v6`. */
  private readonly words: Uint32Array;
  private readonly v6: Uint8Array;
  private readonly texts = new Map<number, { readonly event: string; readonly data: string }>();
  private textBytes = 0;
  /** Events before this were dropped to keep text within its budget. */
  private textFloor = 0;

  constructor(
    readonly capacity: number,
    private readonly maxTextBytes: number,
  ) {
    this.kinds = new Uint8Array(capacity);
    this.lengths = new Uint8Array(capacity);
    this.peers = new Int32Array(capacity);
    this.pathIds = new Uint32Array(capacity);
    this.words = new Uint32Array(capacity * 4);
    this.v6 = new Uint8Array(capacity);
  }

  /** Bytes held: the columns plus the text events (two bytes a character, as V8 may store them). */
  get bytes(): number {
    return this.capacity * 28 + this.textBytes * 2;
  }

  /** The oldest sequence number the ring can still give back, given the next one to be written. */
  oldest(nextSeq: number): number {
    return Math.max(1, nextSeq - this.capacity, this.textFloor);
  }

  putRoute(seq: number, action: RouteAction, peer: number, prefix: Prefix, pathId: number): void {
    const slot = this.free(seq);
    this.kinds[slot] = actions.indexOf(action) + 1;
    this.peers[slot] = peer;
    this.pathIds[slot] = pathId >>> 0;
    this.lengths[slot] = prefix.length;
    const w = slot * 4;
    if (prefix.family === 4) {
      this.v6[slot] = 0;
      this.words[w] = prefix.address;
    } else {
      this.v6[slot] = 1;
      const a = prefix.address;
      this.words[w] = Number(a >> 96n);
      this.words[w + 1] = Number((a >> 64n) & 0xffffffffn);
      this.words[w + 2] = Number((a >> 32n) & 0xffffffffn);
      this.words[w + 3] = Number(a & 0xffffffffn);
    }
  }

  putText(seq: number, event: string, data: string): void {
    const slot = this.free(seq);
    this.kinds[slot] = TEXT;
    this.texts.set(seq, { event, data });
    this.textBytes += data.length;
    // Over budget: drop the oldest text events; a watcher still before them gets resync.
    for (const [old, text] of this.texts) {
      if (this.textBytes <= this.maxTextBytes || old === seq) break;
      this.texts.delete(old);
      this.textBytes -= text.data.length;
      this.kinds[old % this.capacity] = EMPTY;
      this.textFloor = old + 1;
    }
  }

  get(seq: number): RingEvent | undefined {
    const slot = seq % this.capacity;
    const kind = this.kinds[slot]!;
    if (kind === EMPTY) return undefined;
    if (kind === TEXT) {
      const text = this.texts.get(seq);
      return text ? { kind: 'text', ...text } : undefined;
    }
    const w = slot * 4;
    const length = this.lengths[slot]!;
    const prefix: Prefix =
      this.v6[slot] === 0
        ? { family: 4, address: this.words[w]!, length }
        : {
            family: 6,
            address:
              (BigInt(this.words[w]!) << 96n) |
              (BigInt(this.words[w + 1]!) << 64n) |
              (BigInt(this.words[w + 2]!) << 32n) |
              BigInt(this.words[w + 3]!),
            length,
          };
    return {
      kind: 'route',
      action: actions[kind - 1]!,
      peer: this.peers[slot]!,
      prefix,
      pathId: this.pathIds[slot]!,
    };
  }

  /** The slot of seq, emptied of what it held (seq - capacity). */
  private free(seq: number): number {
    const slot = seq % this.capacity;
    if (this.kinds[slot] === TEXT) {
      const old = this.texts.get(seq - this.capacity);
      if (old) {
        this.texts.delete(seq - this.capacity);
        this.textBytes -= old.data.length;
      }
    }
    return slot;
  }
}
