import type { Prefix } from '../bgp';

// The watch stream's memory: a ring of recent events in typed arrays. A route event (the bulk of
// them: one per path change) is 12 bytes in columns while only IPv4 routes change, 28 once an
// IPv6 one has (its address column is made then), not an object or closure; the rare others
// (peer up/down, bulk changes) are their rendered JSON, within a byte budget.

export type RouteAction = 'added' | 'changed' | 'withdrawn';
const actions: readonly RouteAction[] = ['added', 'changed', 'withdrawn'];
const EMPTY = 0;
/** Kind codes: 1..3 a route action (index + 1), TEXT a rendered event; V6 marks an IPv6 route. */
const TEXT = 4;
const V6 = 8;

/** A text event as read back. */
export interface TextEvent {
  readonly event: string;
  readonly data: string;
}

export class WatchRing {
  private readonly kinds: Uint8Array;
  private readonly lengths: Uint8Array;
  private readonly peers: Uint16Array;
  private readonly pathIds: Uint32Array;
  /** IPv4 addresses. */
  private readonly words: Uint32Array;
  /** IPv6 addresses, 4 words a slot: made by the first IPv6 event. */
  private words6: Uint32Array | undefined;
  private readonly texts = new Map<number, TextEvent>();
  private textBytes = 0;
  /** Events before this were dropped to keep text within its budget. */
  private textFloor = 0;

  constructor(
    readonly capacity: number,
    private readonly maxTextBytes: number,
  ) {
    this.kinds = new Uint8Array(capacity);
    this.lengths = new Uint8Array(capacity);
    this.peers = new Uint16Array(capacity);
    this.pathIds = new Uint32Array(capacity);
    this.words = new Uint32Array(capacity);
  }

  /** Bytes held: the columns plus the text events (two bytes a character, as V8 may store them). */
  get bytes(): number {
    return this.capacity * (this.words6 ? 28 : 12) + this.textBytes * 2;
  }

  /** The oldest sequence number the ring can still give back, given the next one to be written. */
  oldest(nextSeq: number): number {
    return Math.max(1, nextSeq - this.capacity, this.textFloor);
  }

  /** `peer` is a RIB peer id (16 bits). */
  putRoute(seq: number, action: RouteAction, peer: number, prefix: Prefix, pathId: number): void {
    const slot = this.free(seq);
    const code = actions.indexOf(action) + 1;
    this.peers[slot] = peer;
    this.pathIds[slot] = pathId >>> 0;
    this.lengths[slot] = prefix.length;
    if (prefix.family === 4) {
      this.kinds[slot] = code;
      this.words[slot] = prefix.address;
    } else {
      this.kinds[slot] = code | V6;
      const words = (this.words6 ??= new Uint32Array(this.capacity * 4));
      const a = prefix.address;
      const w = slot * 4;
      words[w] = Number(a >> 96n);
      words[w + 1] = Number((a >> 64n) & 0xffffffffn);
      words[w + 2] = Number((a >> 32n) & 0xffffffffn);
      words[w + 3] = Number(a & 0xffffffffn);
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

  /**
   * What seq holds: undefined (nothing: dropped), a text event, or the slot of a route event,
   * read with the route getters (no object per route event).
   */
  get(seq: number): TextEvent | number | undefined {
    const slot = seq % this.capacity;
    const kind = this.kinds[slot]!;
    if (kind === EMPTY) return undefined;
    if (kind === TEXT) return this.texts.get(seq);
    return slot;
  }

  action(slot: number): RouteAction {
    return actions[(this.kinds[slot]! & ~V6) - 1]!;
  }

  peer(slot: number): number {
    return this.peers[slot]!;
  }

  pathId(slot: number): number {
    return this.pathIds[slot]!;
  }

  /** The route's prefix length; its address is {@link ipv4} or, when {@link isIpv6}, {@link prefix}. */
  length(slot: number): number {
    return this.lengths[slot]!;
  }

  isIpv6(slot: number): boolean {
    return (this.kinds[slot]! & V6) !== 0;
  }

  ipv4(slot: number): number {
    return this.words[slot]!;
  }

  prefix(slot: number): Prefix {
    const length = this.lengths[slot]!;
    if (!this.isIpv6(slot)) return { family: 4, address: this.words[slot]!, length };
    const words = this.words6!;
    const w = slot * 4;
    return {
      family: 6,
      address:
        (BigInt(words[w]!) << 96n) |
        (BigInt(words[w + 1]!) << 64n) |
        (BigInt(words[w + 2]!) << 32n) |
        BigInt(words[w + 3]!),
      length,
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
