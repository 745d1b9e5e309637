import { viewSource, type RoutesJsonWriter, type RouteStateSource } from './answer';
import { defaultRibView, type RibViewName } from './requests';
import type { ApiReply } from './responses';

// A `within` answer as JSON text produced piece by piece, so a server can write it as it goes:
// memory is one small page of routes, whatever the limit or the size of the routes' attributes.

/** Routes read from the source per step, at most; fewer when routes are large (see stepBytes). */
const stepRoutes = 256;
/** JSON text one step aims at: a page of routes with huge attribute sets shrinks to a route or two. */
const stepBytes = 256 * 1024;

export interface WithinRequest {
  readonly within: string;
  readonly limit: number;
  readonly after: string | undefined;
  /** The RIB view read (default adj-rib-in). */
  readonly view?: RibViewName;
}

export const malformedWithin = (request: WithinRequest): ApiReply => ({
  status: 400,
  body: {
    error:
      request.after === undefined
        ? `"${request.within}" is not a prefix like 10.0.0.0/8`
        : `"${request.within}" (within) or "${request.after}" (after) is not a prefix like 10.0.0.0/8, or the two are of different families`,
  },
});

/** Bytes of a streamed answer's chunks: large writes (few syscalls), few of them in flight. */
export const answerChunkBytes = 256 * 1024;

/** A streamed answer as chunks, produced on demand, so memory is a few chunks whatever its size. */
export interface AnswerChunks {
  /** The next chunk, undefined at the end. */
  next(): string | Uint8Array | undefined;
  /** A chunk this answer gave has been written: its memory may be reused. */
  release(chunk: Uint8Array): void;
  /** The client left: stop. */
  close(): void;
}

/**
 * A `within` answer as chunks: bytes from the source's writer when it has one (routes written
 * straight into reused buffers), else the text pieces of {@link routesWithinText}. Or the 400
 * reply when a prefix is malformed.
 */
export function routesWithinChunks(viewed: RouteStateSource, request: WithinRequest): ApiReply | AnswerChunks {
  const source = viewSource(viewed, request.view ?? defaultRibView);
  if ('status' in source) return source;
  if (source.routesWithinWriter) {
    const writer = source.routesWithinWriter(request.within, request.after);
    return writer ? new WriterChunks(writer, request.limit) : malformedWithin(request);
  }
  const text = routesWithinText(source, request);
  if (!(Symbol.iterator in text)) return text;
  const pieces = text[Symbol.iterator]();
  return {
    next: () => {
      const piece = pieces.next();
      return piece.done ? undefined : piece.value;
    },
    release: () => undefined,
    close: () => pieces.return?.(),
  };
}

const HEAD = '{"routes":[';
/** Room kept for the tail: `],"truncated":true,"next":"<IPv6>/128"}` and a newline. */
const tailRoom = 96;

class WriterChunks implements AnswerChunks {
  private readonly pool: Uint8Array[] = [];
  private state: 'head' | 'routes' | 'tail' | 'end' = 'head';

  constructor(
    private readonly writer: RoutesJsonWriter,
    private readonly limit: number,
  ) {}

  next(): Uint8Array | undefined {
    if (this.state === 'end') return undefined;
    const out = this.pool.pop() ?? new Uint8Array(answerChunkBytes);
    let at = 0;
    if (this.state === 'head') {
      at = ascii(out, at, HEAD);
      this.state = 'routes';
    }
    if (this.state === 'routes') {
      const writer = this.writer;
      const before = at;
      at = writer.write(out, at, this.limit - writer.written);
      if (at === before && !writer.done && writer.written < this.limit) {
        if (at > 0) return out.subarray(0, at); // the next route starts the next chunk
        // One route larger than a chunk: a buffer of its own, not kept for reuse.
        this.pool.push(out);
        const big = new Uint8Array(writer.needs);
        return big.subarray(0, writer.write(big, 0, 1));
      }
      if (writer.done || writer.written >= this.limit) this.state = 'tail';
    }
    if (this.state === 'tail' && out.length - at >= tailRoom) {
      const writer = this.writer;
      at = ascii(
        out,
        at,
        writer.done || writer.last === undefined
          ? ']}\n'
          : `],"truncated":true,"next":${JSON.stringify(writer.last)}}\n`,
      );
      this.state = 'end';
    }
    return out.subarray(0, at);
  }

  release(chunk: Uint8Array): void {
    if (chunk.buffer.byteLength === answerChunkBytes && this.pool.length < 8)
      this.pool.push(new Uint8Array(chunk.buffer));
  }

  close(): void {
    this.state = 'end';
    this.pool.length = 0;
  }
}

function ascii(out: Uint8Array, offset: number, text: string): number {
  for (let i = 0; i < text.length; i++) out[offset + i] = text.charCodeAt(i);
  return offset + text.length;
}

/**
 * The answer's JSON text in pieces (`{"routes":[` ... `],"truncated":true,"next":"P"}`), or the
 * 400 reply when a prefix is malformed (found before any piece, so the status is still free).
 * Each step resumes after the last route sent, so the RIB may change between pieces.
 */
export function routesWithinText(source: RouteStateSource, request: WithinRequest): ApiReply | Iterable<string> {
  const read = textPages(source);
  // The first step is small: it also checks the prefixes, and routes may be huge.
  const first = read(request.within, Math.min(4, request.limit), request.after);
  if (!first) return malformedWithin(request);
  return pieces(read, request, first);
}

type TextPage = { routes: string[]; last: string | undefined; truncated: boolean };
type ReadPage = (prefix: string, limit: number, after: string | undefined) => TextPage | undefined;

/** Pages of route texts, by JSON.stringify of the source's routes. */
function textPages(source: RouteStateSource): ReadPage {
  return (prefix, limit, after) => {
    const page = source.routesWithin(prefix, limit, after);
    if (!page) return undefined;
    return {
      routes: page.routes.map((r) => JSON.stringify(r)),
      last: page.routes[page.routes.length - 1]?.prefix,
      truncated: page.truncated,
    };
  };
}

function* pieces(read: ReadPage, request: WithinRequest, first: TextPage): Generator<string> {
  let page: TextPage | undefined = first;
  let sent = 0;
  let last: string | undefined;
  let step = stepRoutes;
  yield '{"routes":[';
  while (page) {
    let bytes = 0;
    for (const route of page.routes) {
      const text = sent++ === 0 ? route : `,${route}`;
      bytes += text.length;
      yield text;
    }
    last = page.last ?? last;
    step = Math.max(1, Math.min(stepRoutes, Math.floor((page.routes.length * stepBytes) / Math.max(1, bytes))));
    if (!page.truncated || last === undefined) break;
    if (sent >= request.limit) {
      yield `],"truncated":true,"next":${JSON.stringify(last)}}\n`;
      return;
    }
    page = read(request.within, Math.min(step, request.limit - sent), last);
  }
  yield ']}\n';
}
