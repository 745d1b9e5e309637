// The cause of a BGP peer's peer-down event, and its words in lastError and the log.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CeaseSubcode,
  ErrorCode,
  UpdateMessageSubcode,
  createShutdownNotification,
  type NotificationMessage,
} from '../../src/bgp';
import { describeDownCause, peerDownCause } from '../../src/speaker/down-cause';

const notification = (code: number, subcode: number): NotificationMessage => ({
  type: 'NOTIFICATION',
  code,
  subcode,
  data: new Uint8Array(0),
});

test('each FSM cause as a peer-down cause and its words', () => {
  const cases = [
    {
      cause: { kind: 'notification-sent', notification: notification(ErrorCode.HoldTimerExpired, 0) } as const,
      stopping: false,
      reason: 'no message from the peer for 3 s (hold time)',
      expect: { kind: 'hold-timer-expired', code: 4, subcode: 0 },
      text: 'sent NOTIFICATION Hold Timer Expired / Unspecific: no message from the peer for 3 s (hold time)',
    },
    {
      cause: {
        kind: 'notification-sent',
        notification: notification(ErrorCode.UpdateMessage, UpdateMessageSubcode.MalformedAttributeList),
      } as const,
      stopping: false,
      reason: 'bad',
      expect: { kind: 'notification-sent', code: 3, subcode: 1 },
      text: 'sent NOTIFICATION UPDATE Message Error / Malformed Attribute List: bad',
    },
    {
      cause: {
        kind: 'notification-sent',
        notification: createShutdownNotification(CeaseSubcode.AdministrativeShutdown, 'bye'),
      } as const,
      stopping: true,
      reason: 'bye',
      expect: { kind: 'shutdown', code: 6, subcode: 2 },
      text: 'sent NOTIFICATION Cease / Administrative Shutdown: bye',
    },
    {
      // A Cease we send while not stopping (max-prefix, a collision) is not a shutdown.
      cause: {
        kind: 'notification-sent',
        notification: notification(ErrorCode.Cease, CeaseSubcode.MaximumPrefixesReached),
      } as const,
      stopping: false,
      reason: '3 prefixes',
      expect: { kind: 'notification-sent', code: 6, subcode: 1 },
      text: 'sent NOTIFICATION Cease / Maximum Number of Prefixes Reached: 3 prefixes',
    },
    {
      cause: {
        kind: 'notification-received',
        notification: createShutdownNotification(CeaseSubcode.AdministrativeShutdown, 'maintenance'),
      } as const,
      stopping: false,
      reason: 'peer sent NOTIFICATION',
      expect: { kind: 'notification-received', code: 6, subcode: 2, communication: 'maintenance' },
      text: 'received NOTIFICATION Cease / Administrative Shutdown "maintenance"',
    },
    {
      cause: { kind: 'transport', reason: 'read ECONNRESET' } as const,
      stopping: false,
      reason: 'connection lost: read ECONNRESET',
      expect: { kind: 'transport', error: 'read ECONNRESET' },
      text: 'connection lost: read ECONNRESET',
    },
  ];
  for (const c of cases) {
    assert.deepEqual(peerDownCause(c.cause, c.stopping), c.expect);
    assert.equal(describeDownCause(c.cause, c.reason), c.text);
  }
});
