import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createOpenMessage, endOfRibFamily, formatAfiSafi, type BgpMessage } from '../../src/bgp';
import {
  connectRetryDelay,
  initialState,
  resolveCollision,
  sharedFamilies,
  step,
  type SessionAction,
  type SessionEvent,
  type SessionSettings,
  type SessionState,
} from '../../src/fsm';

// Table-driven FSM tests: a sequence of events, and after each the expected state and a compact
// rendering of the actions. No sockets, no timers.

const settings: SessionSettings = {
  localAsn: 65000,
  localBgpId: 0x0a000001,
  holdTime: 90,
  peerAsn: 65001,
  capabilities: [{ type: 'multiprotocol', afi: 1, safi: 1 }],
  connectRetrySeconds: 1,
  maxConnectRetrySeconds: 30,
};

const peerOpen = (asn = 65001, holdTime = 9, bgpId = 0x0a000002) =>
  createOpenMessage({ asn, holdTime, bgpId, capabilities: [{ type: 'multiprotocol', afi: 1, safi: 1 }] });
const msg = (message: BgpMessage): SessionEvent => ({ type: 'message', message, errors: [] });
const keepalive = msg({ type: 'KEEPALIVE' });
const update = msg({ type: 'UPDATE', withdrawn: [], attributes: [], nlri: [] } as unknown as BgpMessage);
const notificationFromPeer = msg({ type: 'NOTIFICATION', code: 6, subcode: 2, data: new Uint8Array(0) });

function render(a: SessionAction): string {
  switch (a.type) {
    case 'send': {
      if (a.message.type === 'NOTIFICATION') return `send NOTIFICATION ${a.message.code}/${a.message.subcode}`;
      const eor = a.message.type === 'UPDATE' ? endOfRibFamily(a.message) : undefined;
      return eor ? `send End-of-RIB ${formatAfiSafi(eor.afi, eor.safi)}` : `send ${a.message.type}`;
    }
    case 'start-timer':
      return `start ${a.timer} ${a.seconds}`;
    case 'stop-timer':
      return `stop ${a.timer}`;
    case 'down':
      return `down ${a.wasEstablished ? 'established' : 'early'} ${a.cause.kind}`;
    default:
      return a.type;
  }
}

interface Case {
  readonly name: string;
  readonly steps: readonly (readonly [SessionEvent, string, string[]])[];
}

const openSent: Case['steps'] = [
  [{ type: 'start' }, 'Connect', ['start connect-retry 1', 'connect']],
  [{ type: 'tcp-connected' }, 'OpenSent', ['stop connect-retry', 'send OPEN', 'start hold 240']],
];
const established: Case['steps'] = [
  ...openSent,
  [msg(peerOpen()), 'OpenConfirm', ['negotiated', 'send KEEPALIVE', 'start hold 9', 'start keepalive 3']],
  [keepalive, 'Established', ['start hold 9', 'established', 'send End-of-RIB ipv4-unicast']],
];
const closeAll = ['stop connect-retry', 'stop hold', 'stop keepalive', 'close'];

const cases: Case[] = [
  { name: 'active open to Established, negotiating the lower hold time', steps: established },
  {
    name: 'passive open: waits in Active for the peer',
    steps: [
      [{ type: 'start-passive' }, 'Active', []],
      [{ type: 'tcp-connected' }, 'OpenSent', ['stop connect-retry', 'send OPEN', 'start hold 240']],
    ],
  },
  {
    name: 'updates and keepalives restart the hold timer; keepalive timer sends KEEPALIVE',
    steps: [
      ...established,
      [update, 'Established', ['start hold 9', 'update']],
      [{ type: 'timer-expired', timer: 'keepalive' }, 'Established', ['send KEEPALIVE', 'start keepalive 3']],
      [keepalive, 'Established', ['start hold 9']],
    ],
  },
  {
    name: 'hold timer expiry sends Hold Timer Expired and goes down',
    steps: [
      ...established,
      [
        { type: 'timer-expired', timer: 'hold' },
        'Idle',
        ['send NOTIFICATION 4/0', ...closeAll, 'down established notification-sent'],
      ],
    ],
  },
  {
    name: 'a wrong peer ASN gets OPEN Error / Bad Peer AS',
    steps: [
      ...openSent,
      [msg(peerOpen(65099)), 'Idle', ['send NOTIFICATION 2/2', ...closeAll, 'down early notification-sent']],
    ],
  },
  {
    name: 'an external peer may use our identifier (RFC 6286)',
    steps: [
      ...openSent,
      [
        msg(peerOpen(65001, 9, 0x0a000001)),
        'OpenConfirm',
        ['negotiated', 'send KEEPALIVE', 'start hold 9', 'start keepalive 3'],
      ],
    ],
  },
  {
    name: 'hold time 0 on either side: no hold and no keepalive timers',
    steps: [
      ...openSent,
      [msg(peerOpen(65001, 0)), 'OpenConfirm', ['negotiated', 'send KEEPALIVE', 'stop hold']],
      [keepalive, 'Established', ['established', 'send End-of-RIB ipv4-unicast']],
    ],
  },
  {
    name: 'a NOTIFICATION from the peer ends the session without a reply',
    steps: [...established, [notificationFromPeer, 'Idle', [...closeAll, 'down established notification-received']]],
  },
  {
    name: 'losing the connection while established: down without NOTIFICATION (graceful restart applies)',
    steps: [
      ...established,
      [{ type: 'tcp-failed', reason: 'ECONNRESET' }, 'Idle', [...closeAll, 'down established transport']],
    ],
  },
  {
    name: 'an UPDATE before Established is a Finite State Machine Error',
    steps: [...openSent, [update, 'Idle', ['send NOTIFICATION 5/1', ...closeAll, 'down early notification-sent']]],
  },
  {
    name: 'an UPDATE in OpenConfirm is a Finite State Machine Error (subcode 2)',
    steps: [
      ...established.slice(0, 3),
      [update, 'Idle', ['send NOTIFICATION 5/2', ...closeAll, 'down early notification-sent']],
    ],
  },
  {
    name: 'connect failures back off: 1, 2, 4 seconds',
    steps: [
      [{ type: 'start' }, 'Connect', ['start connect-retry 1', 'connect']],
      [{ type: 'tcp-failed', reason: 'ECONNREFUSED' }, 'Active', ['start connect-retry 2']],
      [{ type: 'timer-expired', timer: 'connect-retry' }, 'Connect', ['close', 'start connect-retry 4', 'connect']],
    ],
  },
  {
    name: 'administrative stop when established sends the given Cease',
    steps: [
      ...established,
      [
        {
          type: 'stop',
          notification: { type: 'NOTIFICATION', code: 6, subcode: 2, data: new Uint8Array(0) },
          reason: 'shutting down',
        },
        'Idle',
        ['send NOTIFICATION 6/2', ...closeAll, 'down established notification-sent'],
      ],
    ],
  },
  {
    name: 'stop before the connection is up sends nothing',
    steps: [
      [{ type: 'start' }, 'Connect', ['start connect-retry 1', 'connect']],
      [
        {
          type: 'stop',
          notification: { type: 'NOTIFICATION', code: 6, subcode: 2, data: new Uint8Array(0) },
          reason: 'shutting down',
        },
        'Idle',
        [...closeAll, 'down early transport'],
      ],
    ],
  },
  {
    name: 'collision dump sends Cease / Connection Collision Resolution',
    steps: [
      ...openSent,
      [{ type: 'collision-dump' }, 'Idle', ['send NOTIFICATION 6/7', ...closeAll, 'down early notification-sent']],
    ],
  },
  {
    name: 'no OPEN within the large hold time',
    steps: [
      ...openSent,
      [
        { type: 'timer-expired', timer: 'hold' },
        'Idle',
        ['send NOTIFICATION 4/0', ...closeAll, 'down early notification-sent'],
      ],
    ],
  },
  {
    name: 'events in Idle are ignored',
    steps: [
      [keepalive, 'Idle', []],
      [{ type: 'timer-expired', timer: 'hold' }, 'Idle', []],
    ],
  },
];

for (const c of cases) {
  test(`fsm: ${c.name}`, () => {
    let state: SessionState = initialState;
    c.steps.forEach(([event, expectedState, expectedActions], i) => {
      const t = step(state, event, settings);
      assert.deepEqual(
        { state: t.state.name, actions: t.actions.map(render) },
        { state: expectedState, actions: expectedActions },
        `step ${i + 1} (${event.type})`,
      );
      state = t.state;
    });
  });
}

test('a successful session resets the backoff counter', () => {
  let state = step(initialState, { type: 'start' }, settings).state;
  state = step(state, { type: 'tcp-failed', reason: 'x' }, settings).state;
  assert.equal(state.connectRetryCounter, 1);
  for (const e of [{ type: 'tcp-connected' }, msg(peerOpen()), keepalive] as SessionEvent[])
    state = step(state, e, settings).state;
  assert.equal(state.name, 'Established');
  assert.equal(state.connectRetryCounter, 0);
});

test('the negotiated hold time is the lower of the two', () => {
  let state = step(step(initialState, { type: 'start' }, settings).state, { type: 'tcp-connected' }, settings).state;
  state = step(state, msg(peerOpen(65001, 300)), settings).state;
  assert.equal(state.holdTime, 90);
});

test('the negotiated contexts say whether the peer is external (eBGP: LOCAL_PREF ignored, RFC 4271 5.1.5)', () => {
  const externalFor = (peer: SessionSettings, open: BgpMessage): boolean | undefined => {
    const state = step(step(initialState, { type: 'start' }, peer).state, { type: 'tcp-connected' }, peer).state;
    const action = step(state, msg(open), peer).actions.find((a) => a.type === 'negotiated');
    assert.ok(action?.type === 'negotiated');
    assert.equal(action.negotiated.receive.external, action.negotiated.send.external);
    return action.negotiated.receive.external;
  };
  assert.equal(externalFor(settings, peerOpen()), true);
  const internal = { ...settings, peerAsn: 65000 };
  assert.equal(externalFor(internal, peerOpen(65000, 9, 0x0a000009)), false);
});

test('connect-retry backoff doubles and is capped', () => {
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 6, 40].map((n) => connectRetryDelay(settings, n)),
    [1, 2, 4, 8, 16, 30, 30, 30],
  );
});

test('collision resolution keeps the connection of the higher identifier', () => {
  assert.equal(resolveCollision(1, 2), 'close-locally-initiated');
  assert.equal(resolveCollision(0xfffffffe, 2), 'close-remotely-initiated');
});

test('an internal peer using our identifier gets OPEN Error / Bad BGP Identifier', () => {
  const internal = { ...settings, peerAsn: 65000 };
  let state = step(step(initialState, { type: 'start' }, internal).state, { type: 'tcp-connected' }, internal).state;
  const t = step(state, msg(peerOpen(65000, 9, 0x0a000001)), internal);
  state = t.state;
  assert.equal(state.name, 'Idle');
  assert.deepEqual(t.actions.map(render)[0], 'send NOTIFICATION 2/3');
});

test('a dynamic peer may announce any ASN of its ranges; another gets OPEN Error / Bad Peer AS', () => {
  const dynamic = {
    ...settings,
    peerAsns: [
      { first: 65101, last: 65101 },
      { first: 65150, last: 65199 },
    ],
  };
  const cases: [number, string, string][] = [
    [65101, 'OpenConfirm', 'negotiated'],
    [65150, 'OpenConfirm', 'negotiated'],
    [65199, 'OpenConfirm', 'negotiated'],
    [65001, 'Idle', 'send NOTIFICATION 2/2'],
    [65200, 'Idle', 'send NOTIFICATION 2/2'],
  ];
  for (const [asn, expectedState, firstAction] of cases) {
    const connected = step(step(initialState, { type: 'start' }, dynamic).state, { type: 'tcp-connected' }, dynamic);
    const t = step(connected.state, msg(peerOpen(asn)), dynamic);
    assert.deepEqual([t.state.name, t.actions.map(render)[0]], [expectedState, firstAction], `AS${asn}`);
    const down = t.actions.find((a) => a.type === 'down');
    if (down?.type === 'down') assert.equal(down.reason, `peer announced AS${asn}, allowed AS65101, AS65150-65199`);
  }
});

test('Established sends End-of-RIB for every family both sides listed (we have nothing to advertise)', () => {
  const dual = {
    ...settings,
    capabilities: [
      { type: 'multiprotocol', afi: 1, safi: 1 },
      { type: 'multiprotocol', afi: 2, safi: 1 },
    ],
  } as SessionSettings;
  const open = (families: readonly (readonly [number, number])[]) =>
    createOpenMessage({
      asn: 65001,
      holdTime: 9,
      bgpId: 0x0a000002,
      capabilities: families.map(([afi, safi]) => ({ type: 'multiprotocol' as const, afi, safi })),
    });
  const eors = (peer: ReturnType<typeof open>) => {
    let state = step(step(initialState, { type: 'start' }, dual).state, { type: 'tcp-connected' }, dual).state;
    state = step(state, msg(peer), dual).state;
    return step(state, keepalive, dual)
      .actions.map(render)
      .filter((a) => a.startsWith('send'));
  };
  assert.deepEqual(
    eors(
      open([
        [1, 1],
        [2, 1],
      ]),
    ),
    ['send End-of-RIB ipv4-unicast', 'send End-of-RIB ipv6-unicast'],
  );
  assert.deepEqual(
    eors(
      open([
        [2, 1],
        [1, 2],
      ]),
    ),
    ['send End-of-RIB ipv6-unicast'],
    'only shared unicast families',
  );
  assert.deepEqual(
    eors(open([])),
    ['send End-of-RIB ipv4-unicast'],
    'a peer without multiprotocol capabilities speaks IPv4 unicast',
  );
  assert.deepEqual(sharedFamilies(undefined, open([[1, 1]])), []);
});

test('route refresh on demand: one ROUTE-REFRESH per shared family when both sides support it', () => {
  const rr = {
    ...settings,
    capabilities: [
      ...settings.capabilities,
      { type: 'route-refresh' as const },
      { type: 'multiprotocol' as const, afi: 2, safi: 1 },
    ],
  };
  const peer = createOpenMessage({
    asn: 65001,
    holdTime: 9,
    bgpId: 2,
    capabilities: [
      { type: 'multiprotocol', afi: 1, safi: 1 },
      { type: 'multiprotocol', afi: 2, safi: 1 },
      { type: 'route-refresh' },
    ],
  });
  let state = initialState;
  for (const e of [{ type: 'start' }, { type: 'tcp-connected' }, msg(peer), keepalive] as SessionEvent[])
    state = step(state, e, rr).state;
  const t = step(state, { type: 'request-refresh' }, rr);
  assert.deepEqual(
    t.actions.map((a) =>
      a.type === 'send' && a.message.type === 'ROUTE-REFRESH'
        ? `${a.message.afi}/${a.message.safi}/${a.message.subtype}`
        : a.type,
    ),
    ['1/1/0', '2/1/0'],
  );
  // Without the peer's capability, nothing is sent.
  let plain = initialState;
  for (const e of [{ type: 'start' }, { type: 'tcp-connected' }, msg(peerOpen()), keepalive] as SessionEvent[])
    plain = step(plain, e, rr).state;
  assert.deepEqual(step(plain, { type: 'request-refresh' }, rr).actions, []);
});

test('enhanced route refresh: BoRR and EoRR from the peer become demarcation actions', () => {
  let state = initialState;
  for (const e of [{ type: 'start' }, { type: 'tcp-connected' }, msg(peerOpen()), keepalive] as SessionEvent[])
    state = step(state, e, settings).state;
  const begin = step(state, msg({ type: 'ROUTE-REFRESH', afi: 1, safi: 1, subtype: 1 }), settings);
  assert.deepEqual(begin.actions.map(render), ['start hold 9', 'refresh-demarcation']);
  assert.deepEqual(begin.actions[1], { type: 'refresh-demarcation', afi: 1, safi: 1, phase: 'begin' });
  const end = step(begin.state, msg({ type: 'ROUTE-REFRESH', afi: 1, safi: 1, subtype: 2 }), settings);
  assert.deepEqual(end.actions[1], { type: 'refresh-demarcation', afi: 1, safi: 1, phase: 'end' });
});
