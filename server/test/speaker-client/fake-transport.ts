import type { SpeakerTransport, TransportReply, TransportStream } from '../../src/speaker-client';

/** A transport answering from a table of targets, recording what it was asked. */
export class FakeTransport implements SpeakerTransport {
  readonly label = 'fake';
  readonly asked: string[] = [];
  /** Each stream() call takes the next of these: chunks of SSE text, or a status without a body. */
  readonly streams: (readonly string[] | number)[] = [];
  readonly streamHeaders: Readonly<Record<string, string>>[] = [];

  constructor(private readonly answers: ReadonlyMap<string, TransportReply | Error> = new Map()) {}

  async get(target: string): Promise<TransportReply> {
    this.asked.push(target);
    const answer = this.answers.get(target) ?? { status: 404, text: '{"error":"no such endpoint"}' };
    if (answer instanceof Error) throw answer;
    return answer;
  }

  async stream(_target: string, headers: Readonly<Record<string, string>>): Promise<TransportStream> {
    this.streamHeaders.push(headers);
    const next = this.streams.shift() ?? 404;
    if (typeof next === 'number') return { status: next, body: chunks([]) };
    return { status: 200, body: chunks(next) };
  }
}

async function* chunks(texts: readonly string[]): AsyncIterable<Uint8Array> {
  for (const t of texts) yield new TextEncoder().encode(t);
}

export const json = (body: unknown, status = 200): TransportReply => ({ status, text: JSON.stringify(body) });
