// The BGP finite state machine of RFC 4271 section 8, for one TCP connection, as a pure
// function: (state, event) -> (state, actions). It owns no socket and no timer; the adapter
// (server/src/speaker/connection.ts) performs the actions and feeds back events.
import {
  Afi,
  CeaseSubcode,
  ErrorCode,
  FiniteStateMachineSubcode,
  OpenMessageSubcode,
  RouteRefreshSubtype,
  Safi,
  UNSPECIFIC_SUBCODE,
  createEndOfRib,
  createOpenMessage,
  negotiateSession,
  notificationForError,
  openAsn,
  openCapabilities,
  type AfiSafi,
  type BgpError,
  type BgpMessage,
  type Capability,
  type NegotiatedSession,
  type NotificationMessage,
  type OpenMessage,
  type UpdateMessage,
} from '../bgp';

export type SessionStateName = 'Idle' | 'Connect' | 'Active' | 'OpenSent' | 'OpenConfirm' | 'Established';
export type TimerName = 'connect-retry' | 'hold' | 'keepalive';

/** What the FSM needs to know about this side and the configured peer. */
export interface SessionSettings {
  readonly localAsn: number;
  readonly localBgpId: number;
  /** Hold time we offer, seconds (0 or >= 3). */
  readonly holdTime: number;
  /** The ASN the peer must announce. */
  readonly peerAsn: number;
  /** Dynamic peers: the ASN ranges the peer may announce instead of `peerAsn`. */
  readonly peerAsns?: readonly { readonly first: number; readonly last: number }[];
  /** Capabilities we advertise. */
  readonly capabilities: readonly Capability[];
  /** First connect-retry delay in seconds; doubles per failed attempt up to maxConnectRetrySeconds. */
  readonly connectRetrySeconds: number;
  readonly maxConnectRetrySeconds: number;
}

export interface SessionState {
  readonly name: SessionStateName;
  /** Failed connection attempts since the last success (drives the retry backoff). */
  readonly connectRetryCounter: number;
  readonly sentOpen: OpenMessage | undefined;
  readonly receivedOpen: OpenMessage | undefined;
  readonly negotiated: NegotiatedSession | undefined;
  /** Negotiated hold time in seconds; 0 means no hold and no keepalive timers. */
  readonly holdTime: number;
}

export type SessionEvent =
  /** Events 1 and 3: connect actively (and accept). */
  | { readonly type: 'start' }
  /** Events 4 and 5: wait for the peer to connect. */
  | { readonly type: 'start-passive' }
  /** Events 2 and 8: stop with a Cease NOTIFICATION (administrative shutdown, max prefixes, ...). */
  | { readonly type: 'stop'; readonly notification: NotificationMessage; readonly reason: string }
  | { readonly type: 'timer-expired'; readonly timer: TimerName }
  /** Events 16 and 17: the TCP connection is up (ours acknowledged or theirs confirmed). */
  | { readonly type: 'tcp-connected' }
  /** Event 18. */
  | { readonly type: 'tcp-failed'; readonly reason: string }
  /** Events 19, 25, 26, 27 and ROUTE-REFRESH: a decoded message, with RFC 7606 errors already applied. */
  | { readonly type: 'message'; readonly message: BgpMessage; readonly errors: readonly BgpError[] }
  /** Events 21, 22, 28: a message that needs a session reset. */
  | { readonly type: 'message-error'; readonly error: BgpError }
  /** Event 23: connection collision resolution chose to close this connection. */
  | { readonly type: 'collision-dump' }
  /** Ask the peer to send its routes again (RFC 2918), e.g. after an operator's request. */
  | { readonly type: 'request-refresh' };

export type DownCause =
  | { readonly kind: 'notification-sent'; readonly notification: NotificationMessage }
  | { readonly kind: 'notification-received'; readonly notification: NotificationMessage }
  | { readonly kind: 'transport'; readonly reason: string };

export type SessionAction =
  | { readonly type: 'connect' }
  | { readonly type: 'close' }
  | { readonly type: 'send'; readonly message: BgpMessage }
  | { readonly type: 'start-timer'; readonly timer: TimerName; readonly seconds: number }
  | { readonly type: 'stop-timer'; readonly timer: TimerName }
  /** The OPEN exchange is done: decode with `receive`, encode with `send` from now on. */
  | { readonly type: 'negotiated'; readonly negotiated: NegotiatedSession; readonly remoteOpen: OpenMessage }
  | { readonly type: 'established' }
  | { readonly type: 'update'; readonly message: UpdateMessage; readonly errors: readonly BgpError[] }
  /** RFC 7313: the peer begins (BoRR) or ends (EoRR) re-sending a family; paths not re-sent in between are gone. */
  | {
      readonly type: 'refresh-demarcation';
      readonly afi: number;
      readonly safi: number;
      readonly phase: 'begin' | 'end';
    }
  /** The connection ended; `wasEstablished` tells whether routes were learned on it. */
  | { readonly type: 'down'; readonly wasEstablished: boolean; readonly cause: DownCause; readonly reason: string };

export interface Transition {
  readonly state: SessionState;
  readonly actions: readonly SessionAction[];
}

/** RFC 4271 10: a large hold timer while waiting for the peer's OPEN. */
export const OPEN_HOLD_SECONDS = 240;

/** The connect-retry backoff: the first delay, doubled per failed attempt up to the maximum. */
export const FIRST_CONNECT_RETRY_SECONDS = 1;
export const MAX_CONNECT_RETRY_SECONDS = 30;

export const initialState: SessionState = {
  name: 'Idle',
  connectRetryCounter: 0,
  sentOpen: undefined,
  receivedOpen: undefined,
  negotiated: undefined,
  holdTime: 0,
};

/** Connect-retry delay with exponential backoff: base, 2x base, 4x base, ... capped. */
export function connectRetryDelay(settings: SessionSettings, counter: number): number {
  return Math.min(settings.connectRetrySeconds * 2 ** Math.min(counter, 16), settings.maxConnectRetrySeconds);
}

function notification(
  code: number,
  subcode: number = UNSPECIFIC_SUBCODE,
  data: Uint8Array = new Uint8Array(0),
): NotificationMessage {
  return { type: 'NOTIFICATION', code, subcode, data };
}

const fsmErrorSubcode: Partial<Record<SessionStateName, number>> = {
  OpenSent: FiniteStateMachineSubcode.UnexpectedMessageInOpenSent,
  OpenConfirm: FiniteStateMachineSubcode.UnexpectedMessageInOpenConfirm,
  Established: FiniteStateMachineSubcode.UnexpectedMessageInEstablished,
};

export function step(state: SessionState, event: SessionEvent, settings: SessionSettings): Transition {
  const actions: SessionAction[] = [];
  const to = (name: SessionStateName, changes: Partial<SessionState> = {}): Transition => ({
    state: { ...state, ...changes, name },
    actions,
  });

  // Leave for Idle, releasing the connection: every failure path of the RFC ends here.
  const toIdle = (cause: DownCause, reason: string): Transition => {
    if (cause.kind === 'notification-sent') actions.push({ type: 'send', message: cause.notification });
    actions.push(
      { type: 'stop-timer', timer: 'connect-retry' },
      { type: 'stop-timer', timer: 'hold' },
      { type: 'stop-timer', timer: 'keepalive' },
      { type: 'close' },
      { type: 'down', wasEstablished: state.name === 'Established', cause, reason },
    );
    const failedEarly = state.name !== 'Established';
    return to('Idle', {
      connectRetryCounter: failedEarly ? state.connectRetryCounter + 1 : 0,
      sentOpen: undefined,
      receivedOpen: undefined,
      negotiated: undefined,
      holdTime: 0,
    });
  };
  const sendAndIdle = (n: NotificationMessage, reason: string) =>
    toIdle({ kind: 'notification-sent', notification: n }, reason);
  const fsmError = (what: string) =>
    sendAndIdle(
      notification(ErrorCode.FiniteStateMachine, fsmErrorSubcode[state.name] ?? FiniteStateMachineSubcode.Unspecified),
      `unexpected ${what} in ${state.name}`,
    );

  // Events every state handles alike.
  if (event.type === 'stop') {
    if (state.name === 'Idle') return to('Idle');
    // Before the OPEN exchange there is nobody to notify (RFC 4271 8.2.2, event 2 in Connect/Active).
    if (state.name === 'Connect' || state.name === 'Active')
      return toIdle({ kind: 'transport', reason: event.reason }, event.reason);
    return sendAndIdle(event.notification, event.reason);
  }
  if (event.type === 'collision-dump') {
    if (state.name === 'Idle') return to('Idle');
    return sendAndIdle(
      notification(ErrorCode.Cease, CeaseSubcode.ConnectionCollisionResolution),
      'connection collision resolution closed this connection',
    );
  }

  switch (state.name) {
    case 'Idle':
      if (event.type === 'start') {
        actions.push(
          {
            type: 'start-timer',
            timer: 'connect-retry',
            seconds: connectRetryDelay(settings, state.connectRetryCounter),
          },
          { type: 'connect' },
        );
        return to('Connect');
      }
      if (event.type === 'start-passive') return to('Active');
      return to('Idle'); // RFC 4271 8.2.2: other events in Idle are ignored

    case 'Connect':
    case 'Active':
      switch (event.type) {
        case 'tcp-connected':
          return sendOpen(state, settings, actions);
        case 'timer-expired':
          if (event.timer !== 'connect-retry') return to(state.name);
          // Try again, each attempt waiting longer (backoff).
          actions.push(
            { type: 'close' },
            {
              type: 'start-timer',
              timer: 'connect-retry',
              seconds: connectRetryDelay(settings, state.connectRetryCounter + 1),
            },
            { type: 'connect' },
          );
          return to('Connect', { connectRetryCounter: state.connectRetryCounter + 1 });
        case 'tcp-failed':
          if (state.name === 'Connect') {
            // Stay reachable for the peer's own attempt while the retry timer runs.
            actions.push({
              type: 'start-timer',
              timer: 'connect-retry',
              seconds: connectRetryDelay(settings, state.connectRetryCounter + 1),
            });
            return to('Active', { connectRetryCounter: state.connectRetryCounter + 1 });
          }
          return to('Active');
        case 'start':
        case 'start-passive':
          return to(state.name);
        default:
          return toIdle(
            { kind: 'transport', reason: `${event.type} before the connection was up` },
            `unexpected ${event.type} in ${state.name}`,
          );
      }

    case 'OpenSent':
      switch (event.type) {
        case 'message':
          if (event.message.type === 'OPEN')
            return receiveOpen(state, event.message, settings, actions, sendAndIdle, to);
          if (event.message.type === 'NOTIFICATION')
            return toIdle({ kind: 'notification-received', notification: event.message }, 'peer sent NOTIFICATION');
          return fsmError(event.message.type);
        case 'message-error':
          return sendAndIdle(notificationForError(event.error), event.error.toString());
        case 'timer-expired':
          if (event.timer === 'hold')
            return sendAndIdle(notification(ErrorCode.HoldTimerExpired), 'no OPEN from the peer within the hold time');
          return to('OpenSent');
        case 'tcp-failed':
          // RFC 4271 8.2.2: close, restart the retry timer, and listen again.
          actions.push(
            { type: 'close' },
            {
              type: 'start-timer',
              timer: 'connect-retry',
              seconds: connectRetryDelay(settings, state.connectRetryCounter + 1),
            },
          );
          return to('Active', { connectRetryCounter: state.connectRetryCounter + 1, sentOpen: undefined });
        default:
          return to('OpenSent');
      }

    case 'OpenConfirm':
    case 'Established': {
      const established = state.name === 'Established';
      switch (event.type) {
        case 'message': {
          const m = event.message;
          if (m.type === 'NOTIFICATION')
            return toIdle({ kind: 'notification-received', notification: m }, 'peer sent NOTIFICATION');
          if (m.type === 'KEEPALIVE') {
            restartHold(state, actions);
            if (!established) {
              actions.push({ type: 'established' });
              // We advertise nothing, so our initial update is complete at once. RFC 4724 4: End-of-RIB
              // per family says so; a peer restarting with its forwarding state kept waits for it
              // before it sends its own routes (BIRD does), so without it its routes never come back.
              for (const f of sharedFamilies(state.sentOpen, state.receivedOpen))
                actions.push({ type: 'send', message: createEndOfRib(f.afi, f.safi) });
              return to('Established', { connectRetryCounter: 0 });
            }
            return to('Established');
          }
          if (m.type === 'UPDATE' && established) {
            restartHold(state, actions);
            actions.push({ type: 'update', message: m, errors: event.errors });
            return to('Established');
          }
          // A request asks for nothing (we advertise nothing); BoRR/EoRR frame the peer's answer to ours.
          if (m.type === 'ROUTE-REFRESH' && established) {
            restartHold(state, actions);
            if (m.subtype === RouteRefreshSubtype.Begin || m.subtype === RouteRefreshSubtype.End) {
              actions.push({
                type: 'refresh-demarcation',
                afi: m.afi,
                safi: m.safi,
                phase: m.subtype === RouteRefreshSubtype.Begin ? 'begin' : 'end',
              });
            }
            return to('Established');
          }
          return fsmError(m.type);
        }
        case 'message-error':
          return sendAndIdle(notificationForError(event.error), event.error.toString());
        case 'timer-expired':
          if (event.timer === 'hold')
            return sendAndIdle(
              notification(ErrorCode.HoldTimerExpired),
              `no message from the peer for ${state.holdTime} s (hold time)`,
            );
          if (event.timer === 'keepalive') {
            actions.push(
              { type: 'send', message: { type: 'KEEPALIVE' } },
              { type: 'start-timer', timer: 'keepalive', seconds: keepaliveSeconds(state.holdTime) },
            );
          }
          return to(state.name);
        case 'tcp-failed':
          return toIdle({ kind: 'transport', reason: event.reason }, `connection lost: ${event.reason}`);
        case 'request-refresh':
          if (established && bothAdvertise(state, 'route-refresh')) {
            for (const f of sharedFamilies(state.sentOpen, state.receivedOpen))
              actions.push({
                type: 'send',
                message: { type: 'ROUTE-REFRESH', afi: f.afi, safi: f.safi, subtype: RouteRefreshSubtype.Request },
              });
          }
          return to(state.name);
        default:
          return to(state.name);
      }
    }
  }
}

function bothAdvertise(state: SessionState, type: 'route-refresh' | 'enhanced-route-refresh'): boolean {
  const has = (o: OpenMessage | undefined) => (o ? openCapabilities(o).some((c) => c.type === type) : false);
  return has(state.sentOpen) && has(state.receivedOpen);
}

/**
 * The unicast families both OPENs list (RFC 4760 multiprotocol capabilities), or IPv4 unicast
 * when the peer lists none (a peer without the capability speaks IPv4 unicast only).
 */
export function sharedFamilies(local: OpenMessage | undefined, remote: OpenMessage | undefined): AfiSafi[] {
  const families = (o: OpenMessage | undefined) =>
    o
      ? openCapabilities(o).flatMap((c) =>
          c.type === 'multiprotocol' && (c.afi === Afi.Ipv4 || c.afi === Afi.Ipv6) && c.safi === Safi.Unicast
            ? [{ afi: c.afi, safi: c.safi }]
            : [],
        )
      : [];
  const theirs = families(remote);
  if (theirs.length === 0) return [{ afi: Afi.Ipv4, safi: Safi.Unicast }];
  return families(local).filter((f) => theirs.some((t) => t.afi === f.afi && t.safi === f.safi));
}

function keepaliveSeconds(holdTime: number): number {
  return Math.max(1, Math.floor(holdTime / 3));
}

function restartHold(state: SessionState, actions: SessionAction[]): void {
  if (state.holdTime > 0) actions.push({ type: 'start-timer', timer: 'hold', seconds: state.holdTime });
}

function sendOpen(state: SessionState, settings: SessionSettings, actions: SessionAction[]): Transition {
  const open = createOpenMessage({
    asn: settings.localAsn,
    holdTime: settings.holdTime,
    bgpId: settings.localBgpId,
    capabilities: settings.capabilities,
  });
  actions.push(
    { type: 'stop-timer', timer: 'connect-retry' },
    { type: 'send', message: open },
    { type: 'start-timer', timer: 'hold', seconds: OPEN_HOLD_SECONDS },
  );
  return { state: { ...state, name: 'OpenSent', sentOpen: open }, actions };
}

function receiveOpen(
  state: SessionState,
  open: OpenMessage,
  settings: SessionSettings,
  actions: SessionAction[],
  sendAndIdle: (n: NotificationMessage, reason: string) => Transition,
  to: (name: SessionStateName, changes?: Partial<SessionState>) => Transition,
): Transition {
  const peerAsn = openAsn(open);
  const ranges = settings.peerAsns;
  if (ranges ? !ranges.some((r) => r.first <= peerAsn && peerAsn <= r.last) : peerAsn !== settings.peerAsn) {
    const data = new Uint8Array([(open.myAs >> 8) & 0xff, open.myAs & 0xff]);
    const allowed = ranges
      ? `allowed ${ranges.map((r) => (r.first === r.last ? `AS${r.first}` : `AS${r.first}-${r.last}`)).join(', ')}`
      : `configured AS${settings.peerAsn}`;
    return sendAndIdle(
      notification(ErrorCode.OpenMessage, OpenMessageSubcode.BadPeerAs, data),
      `peer announced AS${peerAsn}, ${allowed}`,
    );
  }
  // RFC 6286: an internal peer must not share our identifier.
  if (peerAsn === settings.localAsn && open.bgpId === settings.localBgpId) {
    return sendAndIdle(
      notification(ErrorCode.OpenMessage, OpenMessageSubcode.BadBgpIdentifier),
      'peer uses our own BGP identifier',
    );
  }
  const sent = state.sentOpen;
  if (!sent)
    return sendAndIdle(
      notification(ErrorCode.FiniteStateMachine, FiniteStateMachineSubcode.UnexpectedMessageInOpenSent),
      'OPEN received before ours was sent',
    );
  const holdTime = Math.min(settings.holdTime, open.holdTime);
  // An external (eBGP) peer's LOCAL_PREF is not for us to use (RFC 4271 5.1.5): the codec drops it.
  const external = peerAsn !== settings.localAsn;
  const both = negotiateSession(sent, open);
  const negotiated = { receive: { ...both.receive, external }, send: { ...both.send, external } };
  actions.push({ type: 'negotiated', negotiated, remoteOpen: open }, { type: 'send', message: { type: 'KEEPALIVE' } });
  if (holdTime > 0) {
    actions.push(
      { type: 'start-timer', timer: 'hold', seconds: holdTime },
      { type: 'start-timer', timer: 'keepalive', seconds: keepaliveSeconds(holdTime) },
    );
  } else actions.push({ type: 'stop-timer', timer: 'hold' });
  return to('OpenConfirm', { receivedOpen: open, negotiated, holdTime });
}
