import type { AddressFamilyName, PeerStatus } from '@kube-routes/server/engine';

// The events of /v1/watch (server-sent events, docs/api.md) and their parse on the client side.

/** The first event of a new stream: where "now" is. */
export interface HelloEvent {
  readonly type: 'hello';
  readonly seq: number;
}

/** One path of one prefix changed; ask routes?prefix= for the route as it is now. */
export interface RouteEvent {
  readonly type: 'route';
  readonly seq: number;
  readonly action: 'added' | 'changed' | 'withdrawn';
  readonly prefix: string;
  readonly peer: string;
  readonly pathId: number;
}

/** A bulk change that names no prefixes. */
export interface RoutesEvent {
  readonly type: 'routes';
  readonly seq: number;
  readonly action: 'marked-stale' | 'swept-stale' | 'removed';
  readonly peer: string;
  readonly paths: number;
  readonly family?: AddressFamilyName;
}

/** A session went up or down: the peer as /v1/peers shows it. */
export interface PeerEvent {
  readonly type: 'peer';
  readonly seq: number;
  readonly peer: PeerStatus;
}

/** Events were lost for this watcher: re-read what you need, then follow on. */
export interface ResyncEvent {
  readonly type: 'resync';
  readonly seq: number;
  readonly reason: string;
}

export type WatchEvent = HelloEvent | RouteEvent | RoutesEvent | PeerEvent | ResyncEvent;

/** One SSE block ("id:", "event:", "data:" lines) as sent. */
export interface SseMessage {
  readonly id: string | undefined;
  readonly event: string;
  readonly data: string;
}

/**
 * Server-sent events framing: text in (any chunking, CRLF or LF), whole messages out. Comments
 * (": keepalive") and "retry:" lines are dropped; a message without data is one too (an id alone).
 */
export class SseParser {
  private buffer = '';

  push(text: string): SseMessage[] {
    this.buffer += text.replace(/\r\n?/g, '\n');
    const out: SseMessage[] = [];
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const message = parseBlock(block);
      if (message) out.push(message);
    }
    return out;
  }
}

function parseBlock(block: string): SseMessage | undefined {
  let id: string | undefined;
  let event = 'message';
  const data: string[] = [];
  let any = false;
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') {
      id = value;
      any = true;
    } else if (field === 'event') {
      event = value;
      any = true;
    } else if (field === 'data') {
      data.push(value);
      any = true;
    }
  }
  return any ? { id, event, data: data.join('\n') } : undefined;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A message as a typed event; undefined for an event type this client does not know, or bad JSON. */
export function decodeWatchEvent(message: SseMessage): WatchEvent | undefined {
  let data: unknown;
  try {
    data = JSON.parse(message.data);
  } catch {
    return undefined;
  }
  if (!isRecord(data) || typeof data.seq !== 'number') return undefined;
  const seq = data.seq;
  switch (message.event) {
    case 'hello':
      return { type: 'hello', seq };
    case 'route':
      if (
        typeof data.prefix !== 'string' ||
        typeof data.peer !== 'string' ||
        (data.action !== 'added' && data.action !== 'changed' && data.action !== 'withdrawn')
      )
        return undefined;
      return {
        type: 'route',
        seq,
        action: data.action,
        prefix: data.prefix,
        peer: data.peer,
        pathId: typeof data.pathId === 'number' ? data.pathId : 0,
      };
    case 'routes':
      if (
        typeof data.peer !== 'string' ||
        (data.action !== 'marked-stale' && data.action !== 'swept-stale' && data.action !== 'removed')
      )
        return undefined;
      return {
        type: 'routes',
        seq,
        action: data.action,
        peer: data.peer,
        paths: typeof data.paths === 'number' ? data.paths : 0,
        ...(data.family === 'ipv4-unicast' || data.family === 'ipv6-unicast' ? { family: data.family } : {}),
      };
    case 'peer': {
      if (typeof data.address !== 'string') return undefined;
      const { seq: _seq, ...peer } = data;
      return { type: 'peer', seq, peer: peer as unknown as PeerStatus };
    }
    case 'resync':
      return { type: 'resync', seq, reason: typeof data.reason === 'string' ? data.reason : 'events were lost' };
    default:
      return undefined;
  }
}
