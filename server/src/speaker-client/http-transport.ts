import { speakerError, transportReason, type ErrorFactory } from './errors';
import type { SpeakerTransport } from './transport';

/** A speaker URL as typed ("127.0.0.1:8179" means http://), or why it is not one. */
export function parseSpeakerUrl(text: string): { readonly url: URL } | { readonly problem: 'malformed' | 'scheme' } {
  let url: URL;
  try {
    url = new URL(text.includes('://') ? text : `http://${text}`);
  } catch {
    return { problem: 'malformed' };
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? { url } : { problem: 'scheme' };
}

export interface HttpTransportOptions {
  /** How messages name the speaker: "speaker http://127.0.0.1:8179" by default. */
  readonly name?: string;
  /** Appended to "cannot reach ...", e.g. what to check. */
  readonly hint?: string;
  readonly timeoutMs?: number;
  /** A reply longer than this is refused, not buffered: a wrong or hostile address cannot fill memory. */
  readonly maxReplyBytes?: number;
  readonly fail?: ErrorFactory;
}

/** Room for a full page of routes (maxRouteLimit) with large attribute sets. */
export const defaultMaxReplyBytes = 256 * 1024 * 1024;

/** Plain HTTP(S) to the speaker's API address. */
export function httpTransport(base: URL, options: HttpTransportOptions = {}): SpeakerTransport {
  const name = options.name ?? `speaker ${base.origin}`;
  const fail = options.fail ?? speakerError;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxReplyBytes = options.maxReplyBytes ?? defaultMaxReplyBytes;
  const unreachable = (e: unknown) =>
    fail(`cannot reach ${name}: ${transportReason(e)}${options.hint ? `; ${options.hint}` : ''}`);
  return {
    label: base.origin,
    async get(target) {
      let response: Response;
      let tooLong: Error | undefined;
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(new Error(`no complete answer in ${timeoutMs} ms`)), timeoutMs);
      try {
        response = await fetch(new URL(target, base), { signal: abort.signal });
        const text = await readText(response, maxReplyBytes);
        if (text === undefined) {
          tooLong = fail(
            `${name} sent more than ${Math.round(maxReplyBytes / 1048576)} MiB for ${target}; not read further`,
          );
          abort.abort();
          throw tooLong;
        }
        return { status: response.status, text };
      } catch (e) {
        throw e === tooLong ? e : unreachable(e);
      } finally {
        clearTimeout(timer);
      }
    },
    async stream(target, headers, signal) {
      let response: Response;
      try {
        response = await fetch(new URL(target, base), { headers, signal });
      } catch (e) {
        throw unreachable(e);
      }
      return { status: response.status, body: (response.body ?? emptyBody()) as unknown as AsyncIterable<Uint8Array> };
    },
  };
}

/** The body as text, or undefined once it passes maxBytes (the rest is not read). */
async function readText(response: Response, maxBytes: number): Promise<string | undefined> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > maxBytes) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function* emptyBody(): AsyncIterable<Uint8Array> {
  // a response without a body (HEAD-like): nothing to read
}
