/**
 * A BMP session as a stream of messages: framing, decoding, and the one piece of state decoding
 * needs: each monitored peer's negotiated session from its Peer Up, so that its Route Monitoring
 * UPDATEs are decoded with the ADD-PATH families the peer and the router agreed on. Pure.
 */
import type { NegotiatedSession } from '../bgp';
import { decodeBmpMessage } from './decode';
import { BmpReader, type BmpReaderOptions } from './reader';
import type { BmpDecodeResult, BmpPeerHeader } from './types';

/**
 * The identity of a monitored peer within one BMP session: peer type, distinguisher and address.
 * The flags are not part of it: pre- and post-policy (and Adj-RIB-Out) views of a peer share its
 * Peer Up.
 */
export function bmpPeerKey(peer: BmpPeerHeader): string {
  return `${peer.peerType}|${peer.distinguisher}|${peer.address.family}|${peer.address.address}`;
}

/**
 * ```ts
 * const stream = new BmpStreamDecoder();
 * socket.on('data', (chunk) => {
 *   stream.push(chunk);
 *   for (let r = stream.read(); r !== undefined; r = stream.read()) {
 *     if (r.ok) handle(r.message);
 *     else if (r.error.fatal) return close(r.error);
 *     else report(r.error); // one message skipped, the stream goes on
 *   }
 * });
 * ```
 */
export class BmpStreamDecoder {
  private readonly reader: BmpReader;
  private readonly sessions = new Map<string, NegotiatedSession>();
  private readonly sessionOf = (peer: BmpPeerHeader): NegotiatedSession | undefined =>
    this.sessions.get(bmpPeerKey(peer));

  constructor(options: BmpReaderOptions = {}) {
    this.reader = new BmpReader(options);
  }

  push(chunk: Uint8Array): void {
    this.reader.push(chunk);
  }

  /** No more input: a partial message left over is reported by the next read. */
  end(): void {
    this.reader.end();
  }

  /** Octets received but not yet returned as a message. */
  get bufferedLength(): number {
    return this.reader.bufferedLength;
  }

  /** The fatal error that stopped the stream, if any. */
  get failed(): boolean {
    return this.reader.error !== undefined;
  }

  /** The negotiated session of a peer that is up. */
  session(peer: BmpPeerHeader): NegotiatedSession | undefined {
    return this.sessionOf(peer);
  }

  /** The next message or error; `undefined` when more bytes are needed. Never throws. */
  read(): BmpDecodeResult | undefined {
    const frame = this.reader.readFrame();
    if (frame === undefined) return undefined;
    if (!frame.ok) return frame;
    const result = decodeBmpMessage(frame.frame, { offset: frame.offset, session: this.sessionOf });
    if (result.ok) {
      const m = result.message;
      if (m.type === 'peer-up') this.sessions.set(bmpPeerKey(m.peer), m.session);
      else if (m.type === 'peer-down') this.sessions.delete(bmpPeerKey(m.peer));
    }
    return result;
  }
}

/** Every message and error of a whole byte string (for tests and captures). */
export function readBmp(bytes: Uint8Array, options: BmpReaderOptions = {}): BmpDecodeResult[] {
  const stream = new BmpStreamDecoder(options);
  stream.push(bytes);
  stream.end();
  const out: BmpDecodeResult[] = [];
  for (let r = stream.read(); r !== undefined; r = stream.read()) {
    out.push(r);
    if (!r.ok && r.error.fatal) break;
  }
  return out;
}
