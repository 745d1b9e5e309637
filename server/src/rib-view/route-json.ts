import { encodeUtf8, formatIpv6, formatPrefix, type Prefix } from '../bgp';
import type { Family, Rib } from '../rib';
import { decodeCanonical } from '../rib';
import { ascii, copy, writeAscii, writeIpv4, writeUint } from './json-bytes';
import { routePath, type PeerNames } from './route-view';

// Routes as JSON bytes straight from the RIB, for answers of many routes: the same text as
// JSON.stringify of the engine Route (route-view.ts), written into the caller's buffer with no
// object per route or path. What depends only on a path's attribute set is rendered once per
// set (routes share sets) and spliced in as bytes.

/** Attribute-set fragments kept, direct-mapped by set id, each in a slot of the arena: 1 MiB. */
const cachedSets = 4096;
const slotBytes = 256;

/** Room a route takes besides its paths: `,{"prefix":"<IPv6>/128","paths":[` ... `]}`. */
const routeOverhead = 72;
/** Room a path takes besides its peer part and fragment: digits, `,"stale":false,"receivedAt":"<24>"}`, commas. */
const pathOverhead = 72;

const PREFIX_OPEN = ascii('{"prefix":"');
const PATHS_OPEN = ascii('","paths":[');
const STALE_FALSE = ascii(',"stale":false,"receivedAt":"');
const STALE_TRUE = ascii(',"stale":true,"receivedAt":"');

/**
 * The attribute-derived fragments of a RIB's paths, shared by every answer: direct-mapped by set
 * id, each kept as bytes in one arena (no long-lived object per fragment, so a whole-table read
 * leaves only short-lived garbage), checked against the set's serial since ids are reused.
 */
export class RouteJson {
  private readonly slotSets = new Int32Array(cachedSets).fill(-1);
  private readonly slotSerials = new Uint32Array(cachedSets);
  private readonly slotLengths = new Uint32Array(cachedSets);
  private readonly arena = new Uint8Array(cachedSets * slotBytes);
  /** The fragment last rendered, for one larger than a slot. */
  private large: { set: number; serial: number; bytes: Uint8Array } | undefined;

  constructor(
    readonly rib: Rib,
    readonly peerName: PeerNames,
  ) {}

  /** A writer of the routes `rib.covered(within, ..., after)` would give, from the cursor on. */
  writer(within: Prefix, after: Prefix | undefined): RoutesJsonWriter {
    return new RoutesJsonWriter(this, within, after);
  }

  /** The length of a set's fragment (rendered and cached first if need be). */
  fragmentLength(set: number): number {
    const slot = this.load(set);
    return slot >= 0 ? this.slotLengths[slot]! : this.large!.bytes.length;
  }

  /** Copies a set's fragment into out at offset; returns the offset after it. */
  writeFragment(out: Uint8Array, offset: number, set: number): number {
    const slot = this.load(set);
    if (slot < 0) {
      const bytes = this.large!.bytes;
      out.set(bytes, offset);
      return offset + bytes.length;
    }
    // A byte loop: no view object per path, and fragments are short.
    const arena = this.arena;
    const start = slot * slotBytes;
    const length = this.slotLengths[slot]!;
    for (let i = 0; i < length; i++) out[offset + i] = arena[start + i]!;
    return offset + length;
  }

  /**
   * Makes sure a set's fragment (nextHop ... extendedCommunities, JSON without braces) is
   * rendered: returns its slot, or -1 when it is the one large fragment kept aside.
   */
  private load(set: number): number {
    const slot = set & (cachedSets - 1);
    const serial = this.rib.attributeSets.serial(set);
    if (this.slotSets[slot] === set && this.slotSerials[slot] === serial) return slot;
    const large = this.large;
    if (large && large.set === set && large.serial === serial) return -1;
    const {
      peer: _peer,
      pathId: _pathId,
      stale: _stale,
      receivedAt: _receivedAt,
      ...rest
    } = routePath(decodeCanonical(this.rib.attributeSets.bytes(set)), '', 0, false, 0);
    const text = JSON.stringify(rest);
    // The text without its braces, straight into the slot when it is ASCII and fits (the rule).
    const length = text.length - 2;
    if (length <= slotBytes && isAscii(text)) {
      writeAscii(this.arena, slot * slotBytes, text.slice(1, -1));
      this.slotSets[slot] = set;
      this.slotSerials[slot] = serial;
      this.slotLengths[slot] = length;
      return slot;
    }
    const bytes = encodeUtf8(text.slice(1, -1));
    if (bytes.length > slotBytes) {
      this.large = { set, serial, bytes };
      return -1;
    }
    this.arena.set(bytes, slot * slotBytes);
    this.slotSets[slot] = set;
    this.slotSerials[slot] = serial;
    this.slotLengths[slot] = bytes.length;
    return slot;
  }
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/**
 * Writes one answer's routes, a buffer at a time. Each {@link write} walks the RIB from the
 * cursor (the last prefix written, found again in O(depth)) synchronously, so the RIB may change
 * between writes: the answer is then a consistent read of each step, as a paged read would be.
 */
export class RoutesJsonWriter {
  /** Routes written so far. */
  written = 0;
  /** No route is left after the last one written. */
  done = false;
  /** Bytes the next route needs when it did not fit in an empty buffer. */
  needs = 0;
  private cursor: Prefix | undefined;
  private readonly family: Family;
  /** `{"peer":"NAME","pathId":` per peer id, rendered on first use. */
  private readonly peerParts: (Uint8Array | undefined)[] = [];
  private lastSeconds = -1;
  /**
   * The last path written into the buffer of the current write (its bytes and what they depend
   * on): neighbouring routes often carry the same path, copied then in one move.
   */
  private lastOut: Uint8Array | undefined;
  private lastStart = -1;
  private lastEnd = -1;
  private lastPeer = -1;
  private lastPathId = -1;
  private lastSet = -1;
  private lastSerial = -1;
  private lastStale = false;
  private lastReceivedAt = -1;
  private readonly lastTime = ascii('1970-01-01T00:00:00.000Z');

  constructor(
    private readonly json: RouteJson,
    private readonly within: Prefix,
    after: Prefix | undefined,
  ) {
    this.family = within.family;
    this.cursor = after;
  }

  /** The prefix of the last route written (before any: the `after` given), as text: the answer's `next`. */
  get last(): string | undefined {
    return this.cursor && formatPrefix(this.cursor);
  }

  /**
   * Writes up to `limit` more routes into out from `offset`, each preceded by a comma unless it
   * is the answer's first, as many as fit; returns the offset after them. When the first route
   * does not fit even though `offset` is 0, writes nothing and sets {@link needs}.
   */
  write(out: Uint8Array, offset: number, limit: number): number {
    if (this.done || limit <= 0) return offset;
    // What an earlier write left in a buffer is the caller's again: copy only within this write.
    this.lastOut = undefined;
    const rib = this.json.rib;
    const family = this.family;
    let at = offset;
    let count = 0;
    let last = -1;
    let stopped = false;
    rib.forEachCoveredRoute(
      this.within,
      (route) => {
        const end = count >= limit ? -1 : this.route(out, at, route, this.written + count > 0);
        if (end < 0) {
          if (at === 0 && count < limit) this.needs = this.bound(route);
          stopped = true;
          return false;
        }
        at = end;
        count++;
        last = route;
        return true;
      },
      this.cursor,
    );
    if (last >= 0) this.cursor = rib.routePrefix(family, last);
    this.written += count;
    if (!stopped) this.done = true;
    return at;
  }

  /** At least the bytes the route takes (for a route that fits in no buffer given). */
  private bound(route: number): number {
    const rib = this.json.rib;
    let bytes = routeOverhead;
    for (let p = rib.firstPath(this.family, route); p >= 0; p = rib.nextPath(p))
      bytes += pathOverhead + this.peerPart(rib.pathPeer(p)).length + this.json.fragmentLength(rib.pathAttributeSet(p));
    return bytes;
  }

  /**
   * Writes the route at offset and returns the offset after it, or -1 when it does not fit (then
   * what it wrote past offset is garbage the next write overwrites). Room is checked per path,
   * with the exact lengths it is about to copy: no separate sizing pass.
   */
  private route(out: Uint8Array, offset: number, route: number, comma: boolean): number {
    const rib = this.json.rib;
    const family = this.family;
    const room = out.length;
    if (offset + routeOverhead > room) return -1;
    let at = offset;
    if (comma) out[at++] = 0x2c;
    at = copy(out, at, PREFIX_OPEN);
    if (family === 4) {
      at = writeIpv4(out, at, rib.routeWord(4, route, 0));
    } else {
      const p = rib.routePrefix(6, route);
      at = writeAscii(out, at, formatIpv6(p.address as bigint));
    }
    out[at++] = 0x2f;
    at = writeUint(out, at, rib.routeLength(family, route));
    at = copy(out, at, PATHS_OPEN);
    const first = rib.firstPath(family, route);
    const serials = rib.attributeSets;
    for (let p = first; p >= 0; p = rib.nextPath(p)) {
      const peerId = rib.pathPeer(p);
      const pathId = rib.pathIdAt(p);
      const set = rib.pathAttributeSet(p);
      const serial = serials.serial(set);
      const stale = rib.pathStale(p);
      const receivedAt = rib.pathReceivedAt(p);
      if (p !== first) {
        if (at + 1 > room) return -1;
        out[at++] = 0x2c;
      }
      if (
        this.lastOut === out &&
        set === this.lastSet &&
        serial === this.lastSerial &&
        peerId === this.lastPeer &&
        pathId === this.lastPathId &&
        stale === this.lastStale &&
        receivedAt === this.lastReceivedAt
      ) {
        const length = this.lastEnd - this.lastStart;
        if (at + length > room) return -1;
        out.copyWithin(at, this.lastStart, this.lastEnd);
        this.lastStart = at;
        at += length;
        this.lastEnd = at;
        continue;
      }
      const peer = this.peerPart(peerId);
      if (at + pathOverhead + peer.length + this.json.fragmentLength(set) > room) return -1;
      const start = at;
      at = copy(out, at, peer);
      at = writeUint(out, at, pathId);
      out[at++] = 0x2c;
      at = this.json.writeFragment(out, at, set);
      at = copy(out, at, stale ? STALE_TRUE : STALE_FALSE);
      at = copy(out, at, this.time(receivedAt));
      out[at++] = 0x22;
      out[at++] = 0x7d;
      this.lastOut = out;
      this.lastStart = start;
      this.lastEnd = at;
      this.lastPeer = peerId;
      this.lastPathId = pathId;
      this.lastSet = set;
      this.lastSerial = serial;
      this.lastStale = stale;
      this.lastReceivedAt = receivedAt;
    }
    if (at + 2 > room) return -1;
    out[at++] = 0x5d;
    out[at++] = 0x7d;
    return at;
  }

  /** `{"peer":"NAME","pathId":` for a peer id. */
  private peerPart(peer: number): Uint8Array {
    let part = this.peerParts[peer];
    if (part === undefined) {
      part = encodeUtf8(`{"peer":${JSON.stringify(this.json.peerName(peer))},"pathId":`);
      this.peerParts[peer] = part;
    }
    return part;
  }

  /** `Date.toISOString()` of whole seconds (uint32, so years 1970-2106), without a Date. */
  private time(seconds: number): Uint8Array {
    if (seconds !== this.lastSeconds) {
      this.lastSeconds = seconds;
      writeIsoTime(this.lastTime, seconds);
    }
    return this.lastTime;
  }
}

/** Seconds since the epoch as `YYYY-MM-DDTHH:MM:SS.000Z` into the 24 bytes of out. */
function writeIsoTime(out: Uint8Array, seconds: number): void {
  // Civil date from days (H. Hinnant's days_from_civil inverse), proleptic Gregorian.
  const days = Math.floor(seconds / 86400);
  const inDay = seconds - days * 86400;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  two(out, 0, Math.floor(year / 100));
  two(out, 2, year % 100);
  two(out, 5, month);
  two(out, 8, day);
  two(out, 11, Math.floor(inDay / 3600));
  two(out, 14, Math.floor(inDay / 60) % 60);
  two(out, 17, inDay % 60);
}

function two(out: Uint8Array, at: number, value: number): void {
  out[at] = 0x30 + Math.floor(value / 10);
  out[at + 1] = 0x30 + (value % 10);
}
