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
  readonly fail?: ErrorFactory;
}

/** Plain HTTP(S) to the speaker's API address. */
export function httpTransport(base: URL, options: HttpTransportOptions = {}): SpeakerTransport {
  const name = options.name ?? `speaker ${base.origin}`;
  const fail = options.fail ?? speakerError;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const unreachable = (e: unknown) =>
    fail(`cannot reach ${name}: ${transportReason(e)}${options.hint ? `; ${options.hint}` : ''}`);
  return {
    label: base.origin,
    async get(target) {
      let response: Response;
      try {
        response = await fetch(new URL(target, base), { signal: AbortSignal.timeout(timeoutMs) });
        return { status: response.status, text: await response.text() };
      } catch (e) {
        throw unreachable(e);
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

async function* emptyBody(): AsyncIterable<Uint8Array> {
  // a response without a body (HEAD-like): nothing to read
}
