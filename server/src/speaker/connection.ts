import { Socket } from 'node:net';
import {
  DEFAULT_SESSION,
  MessageReader,
  encodeMessage,
  type BgpMessage,
  type NegotiatedSession,
  type OpenMessage,
  type SessionContext,
  type UpdateMessage,
  type BgpError,
} from '../bgp';
import {
  initialState,
  step,
  type DownCause,
  type SessionEvent,
  type SessionSettings,
  type SessionState,
  type TimerName,
} from '../fsm';

/** What a connection tells its peer. */
export interface ConnectionEvents {
  negotiated(connection: Connection, negotiated: NegotiatedSession, remoteOpen: OpenMessage): void;
  established(connection: Connection): void;
  update(connection: Connection, message: UpdateMessage, errors: readonly BgpError[]): void;
  refreshDemarcation(connection: Connection, afi: number, safi: number, phase: 'begin' | 'end'): void;
  down(connection: Connection, wasEstablished: boolean, cause: DownCause, reason: string): void;
  /** A message the peer sent needs a session reset (RFC 7606); the FSM's NOTIFICATION and down follow. */
  malformed(connection: Connection, error: BgpError): void;
  /** Dialing the peer failed (`target` is host:port). */
  connectFailed(connection: Connection, target: string, error: string): void;
  /** A protocol event worth a log line (send failures). */
  note(connection: Connection, event: string, detail: string): void;
}

export interface Dialer {
  readonly host: string;
  readonly port: number;
  readonly localAddress: string | undefined;
  /** A socket prepared for this peer (TCP-MD5 signed); a plain one when undefined. */
  readonly socket?: () => Socket;
}

/**
 * The thin IO adapter around the pure FSM for one TCP connection: it performs the FSM's actions
 * (socket writes, timers, connects) and turns socket data and timer expiry into FSM events.
 */
export class Connection {
  state: SessionState;
  /** True when this side opened the TCP connection (for collision resolution). */
  locallyInitiated = false;
  private socket: Socket | undefined;
  private reader = new MessageReader();
  private receive: SessionContext = DEFAULT_SESSION;
  private send: SessionContext = DEFAULT_SESSION;
  private readonly timers = new Map<TimerName, NodeJS.Timeout>();
  private finished = false;
  /** A signed connect attempt timed out and the log already says why that is likely. */
  private md5Hinted = false;

  constructor(
    private readonly settings: SessionSettings,
    private readonly events: ConnectionEvents,
    private readonly dialer: Dialer | undefined,
    connectRetryCounter = 0,
  ) {
    this.state = { ...initialState, connectRetryCounter };
  }

  /** How the peer's messages are decoded now (it changes after the OPEN exchange). */
  get receiveContext(): SessionContext {
    return this.receive;
  }

  get isDone(): boolean {
    return this.finished;
  }

  /** Starts connecting actively (when a dialer is set) or waits for an accepted socket. */
  start(): void {
    this.dispatch(this.dialer ? { type: 'start' } : { type: 'start-passive' });
  }

  /** Hands an accepted incoming socket to this connection. */
  attach(socket: Socket): void {
    this.dropSocket();
    this.locallyInitiated = false;
    this.bindSocket(socket);
    this.dispatch({ type: 'tcp-connected' });
  }

  dispatch(event: SessionEvent): void {
    if (this.finished) return;
    const { state, actions } = step(this.state, event, this.settings);
    this.state = state;
    for (const action of actions) {
      switch (action.type) {
        case 'connect':
          this.connect();
          break;
        case 'close':
          this.dropSocket();
          break;
        case 'send':
          this.write(action.message);
          break;
        case 'start-timer':
          this.startTimer(action.timer, action.seconds);
          break;
        case 'stop-timer':
          this.stopTimer(action.timer);
          break;
        case 'negotiated':
          this.receive = action.negotiated.receive;
          this.send = action.negotiated.send;
          this.events.negotiated(this, action.negotiated, action.remoteOpen);
          break;
        case 'established':
          this.events.established(this);
          break;
        case 'update':
          this.events.update(this, action.message, action.errors);
          break;
        case 'refresh-demarcation':
          this.events.refreshDemarcation(this, action.afi, action.safi, action.phase);
          break;
        case 'down':
          this.finish();
          this.events.down(this, action.wasEstablished, action.cause, action.reason);
          break;
      }
    }
  }

  private connect(): void {
    const dialer = this.dialer;
    if (!dialer) return;
    this.dropSocket();
    this.locallyInitiated = true;
    let socket: Socket;
    try {
      socket = dialer.socket?.() ?? new Socket();
    } catch (e) {
      // The socket could not be prepared (TCP-MD5 key refused): a failed attempt, retried later.
      const reason = e instanceof Error ? e.message : String(e);
      setImmediate(() => {
        if (this.socket !== undefined || this.finished) return;
        this.events.connectFailed(this, `${dialer.host}:${dialer.port}`, reason);
        this.dispatch({ type: 'tcp-failed', reason });
      });
      return;
    }
    this.bindSocket(socket);
    socket.once('connect', () => this.socket === socket && this.dispatch({ type: 'tcp-connected' }));
    socket.connect({ host: dialer.host, port: dialer.port, localAddress: dialer.localAddress });
  }

  private bindSocket(socket: Socket): void {
    this.socket = socket;
    this.reader = new MessageReader();
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      if (this.socket !== socket) return;
      this.reader.push(chunk);
      this.drain(socket);
    });
    socket.on('error', (e: Error) => {
      if (this.socket !== socket) return;
      // A refused or unreachable peer never gets to a session: say so, or the retries are silent.
      if (this.state.name === 'Connect' && this.dialer)
        this.events.connectFailed(this, `${this.dialer.host}:${this.dialer.port}`, e.message);
      this.dispatch({ type: 'tcp-failed', reason: e.message });
    });
    socket.on('close', () => {
      if (this.socket === socket) this.dispatch({ type: 'tcp-failed', reason: 'connection closed by peer' });
    });
  }

  private drain(socket: Socket): void {
    // Decode with the current context: it changes after the OPEN exchange, within one chunk.
    while (this.socket === socket && !this.finished) {
      const result = this.reader.read(this.receive);
      if (result === undefined) return;
      if (!result.ok) {
        this.events.malformed(this, result.error);
        this.dispatch({ type: 'message-error', error: result.error });
        return;
      }
      this.dispatch({ type: 'message', message: result.message, errors: result.errors });
    }
  }

  private write(message: BgpMessage): void {
    const socket = this.socket;
    if (!socket || socket.destroyed) return;
    const encoded = encodeMessage(message, message.type === 'OPEN' ? DEFAULT_SESSION : this.send);
    if (!encoded.ok) {
      this.events.note(this, 'encode-failed', `${message.type}: ${encoded.reason}`);
      return;
    }
    socket.write(encoded.bytes);
  }

  private startTimer(timer: TimerName, seconds: number): void {
    this.stopTimer(timer);
    this.timers.set(
      timer,
      setTimeout(() => {
        this.timers.delete(timer);
        if (timer === 'connect-retry' && this.state.name === 'Connect') this.connectTimedOut(seconds);
        this.dispatch({ type: 'timer-expired', timer });
      }, seconds * 1000),
    );
  }

  /**
   * RFC 2385: a segment with a wrong or missing signature is dropped silently, so a password
   * mismatch looks like a peer that never answers the SYN. Say so once per connection.
   */
  private connectTimedOut(seconds: number): void {
    const dialer = this.dialer;
    if (!dialer?.socket || this.md5Hinted) return;
    this.md5Hinted = true;
    this.events.note(
      this,
      'tcp-md5-mismatch-likely',
      `no TCP connection to ${dialer.host}:${dialer.port} within ${seconds}s while signing with TCP-MD5: a password mismatch (or a peer without a password) is likely, since the kernel drops segments whose signature does not match`,
    );
  }

  private stopTimer(timer: TimerName): void {
    const t = this.timers.get(timer);
    if (t) clearTimeout(t);
    this.timers.delete(timer);
  }

  private dropSocket(): void {
    const socket = this.socket;
    this.socket = undefined;
    if (socket) {
      socket.removeAllListeners('data');
      // Let queued bytes (a NOTIFICATION) go out, then close.
      socket.on('error', () => undefined);
      socket.end();
      setTimeout(() => socket.destroy(), 1000).unref();
    }
  }

  private finish(): void {
    this.finished = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
