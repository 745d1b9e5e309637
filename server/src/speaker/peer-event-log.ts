// Peer events as log lines. Event names and fields are the documented ones (docs/api.md): BGP
// peers log peer-up, peer-down, session-failed, connect-failed, malformed-update, max-prefixes;
// BMP peers bmp-peer-up, bmp-peer-down and malformed-update.
import type { Logger } from './log';
import { peerLabel, type PeerEvent } from './peer-events';

export function logPeerEvent(log: Logger, event: PeerEvent): void {
  switch (event.type) {
    case 'peer-up':
      if (event.source === 'bgp')
        return log.log('info', 'peer-up', { peer: event.peer, asn: event.asn, capabilities: event.capabilities });
      // Routes before any Peer Up: worth a trace, not an announcement.
      if (event.implicit)
        return log.log('debug', 'bmp-peer-up', {
          router: event.router,
          peer: event.peer,
          asn: event.asn,
          implicit: true,
        });
      return log.log('info', 'bmp-peer-up', {
        router: event.router,
        sysName: event.sysName,
        peer: event.peer,
        asn: event.asn,
        instance: event.instance,
        capabilities: event.capabilities,
        ...(event.pathsRemoved ? { pathsRemoved: event.pathsRemoved } : {}),
      });
    case 'peer-down':
      if (event.source === 'bmp') {
        return log.log('warn', 'bmp-peer-down', {
          router: event.router,
          sysName: event.sysName,
          peer: event.peer,
          instance: event.instance,
          reason: event.reason,
          paths: event.pathsRemoved,
        });
      }
      // Our own shutdown or reload is expected; anything else is worth a warning.
      return log.log(
        event.cause.kind === 'shutdown' ? 'info' : 'warn',
        event.established ? 'peer-down' : 'session-failed',
        { peer: event.peer, reason: event.reason },
      );
    case 'connect-failed':
      return log.log('warn', 'connect-failed', { peer: event.peer, detail: `${event.target}: ${event.error}` });
    case 'malformed':
      // A session reset is told by the peer-down line that follows (its NOTIFICATION).
      if (event.action === 'session-reset') return;
      return log.log('warn', 'malformed-update', {
        ...(event.source === 'bmp' ? { router: event.router } : {}),
        peer: peerLabel(event),
        error: event.error,
        action: event.action,
        reason: event.reason,
      });
    case 'max-prefix':
      return log.log('error', 'max-prefixes', { peer: event.peer, count: event.count, limit: event.limit });
  }
}
