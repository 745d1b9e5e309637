import type { Socket } from 'node:net';
import { DEFAULT_SESSION, ErrorCode, encodeMessage } from '../bgp';

/**
 * Answers a TCP connection the speaker will not run a session on with NOTIFICATION Cease and the
 * given subcode (Connection Rejected, Connection Collision Resolution), then hangs up: the router
 * learns why, and the socket never lingers open and silent.
 */
export function rejectSocket(socket: Socket, subcode: number): void {
  const n = encodeMessage(
    { type: 'NOTIFICATION', code: ErrorCode.Cease, subcode, data: new Uint8Array(0) },
    DEFAULT_SESSION,
  );
  socket.on('error', () => undefined);
  if (n.ok) socket.end(n.bytes);
  else socket.end();
  setTimeout(() => socket.destroy(), 1000).unref();
}
