// Why a BGP session ended, from the FSM's DownCause: as peer-event data and as the words shown in
// lastError and the peer-down log line ("sent NOTIFICATION Cease / Administrative Shutdown: ...").
import { ErrorCode, formatNotificationCode } from '../bgp';
import type { DownCause } from '../fsm';
import type { PeerDownCause } from './peer-events';

/** Our own Cease while the peer is being stopped is a shutdown, not an error. */
export function peerDownCause(cause: DownCause, stopping: boolean): PeerDownCause {
  switch (cause.kind) {
    case 'notification-sent': {
      const { code, subcode } = cause.notification;
      if (stopping && code === ErrorCode.Cease) return { kind: 'shutdown', code, subcode };
      if (code === ErrorCode.HoldTimerExpired) return { kind: 'hold-timer-expired', code, subcode };
      return { kind: 'notification-sent', code, subcode };
    }
    case 'notification-received': {
      const n = cause.notification;
      return {
        kind: 'notification-received',
        code: n.code,
        subcode: n.subcode,
        communication: n.shutdownCommunication,
      };
    }
    case 'transport':
      return { kind: 'transport', error: cause.reason };
  }
}

/** `reason` is the FSM's: what we found wrong, or why the transport failed. */
export function describeDownCause(cause: DownCause, reason: string): string {
  switch (cause.kind) {
    case 'notification-sent':
      return `sent NOTIFICATION ${formatNotificationCode(cause.notification.code, cause.notification.subcode)}: ${reason}`;
    case 'notification-received': {
      const n = cause.notification;
      const text = n.shutdownCommunication ? ` "${n.shutdownCommunication}"` : '';
      return `received NOTIFICATION ${formatNotificationCode(n.code, n.subcode)}${text}`;
    }
    case 'transport':
      return reason;
  }
}
