import { Socket } from 'node:net';
import {
  AttributeFlag,
  DEFAULT_SESSION,
  MessageReader,
  createEndOfRib,
  createOpenMessage,
  encodeMessage,
  parseIpv6,
  parsePrefix,
  type BgpMessage,
  type Capability,
  type Nlri,
  type NotificationMessage,
  type PathAttribute,
  type SessionContext,
  type UpdateMessage,
} from '@kube-routes/server/bgp';
import { waitFor } from './daemons';

// A scriptable BGP peer on a raw TCP socket, built on the project's codec: it sends exactly the
// bytes a test asks for (valid messages, or deliberately broken ones) and records what it gets.

/** What both sides use once the OPENs are exchanged (the speaker and this peer both send 4-octet AS). */
export const RAW_SESSION: SessionContext = Object.freeze({
  fourOctetAs: true,
  extendedMessage: false,
  addPath: Object.freeze([]),
});

export class RawPeer {
  readonly received: BgpMessage[] = [];
  /** Framing or decoding errors in what the speaker sent (should stay empty). */
  readonly decodeErrors: string[] = [];
  private readonly reader = new MessageReader();
  private closedFlag = false;
  private context: SessionContext = DEFAULT_SESSION;
  /** Date.now() when this peer last wrote to the socket. */
  lastSentAt = 0;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.reader.push(chunk);
      for (let r = this.reader.read(this.context); r !== undefined; r = this.reader.read(this.context)) {
        if (!r.ok) {
          this.decodeErrors.push(r.error.toString());
          return;
        }
        this.received.push(r.message);
        if (r.message.type === 'OPEN') this.context = RAW_SESSION;
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => (this.closedFlag = true));
  }

  /** Opens a TCP connection from localAddress (the address the speaker knows this peer by). */
  static connect(host: string, port: number, localAddress: string): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const socket = new Socket();
      socket.once('error', reject);
      socket.connect({ host, port, localAddress }, () => {
        socket.off('error', reject);
        socket.setNoDelay(true);
        resolve(new RawPeer(socket));
      });
    });
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  send(message: BgpMessage, context: SessionContext = message.type === 'OPEN' ? DEFAULT_SESSION : RAW_SESSION): void {
    const encoded = encodeMessage(message, context);
    if (!encoded.ok) throw new Error(`cannot encode ${message.type}: ${encoded.reason}`);
    this.sendBytes(encoded.bytes);
  }

  sendBytes(bytes: Uint8Array): void {
    this.socket.write(bytes);
    this.lastSentAt = Date.now();
  }

  sendOpen(options: { asn: number; holdTime: number; bgpId: number; capabilities?: readonly Capability[] }): void {
    const capabilities: Capability[] = [...(options.capabilities ?? [{ type: 'multiprotocol', afi: 1, safi: 1 }])];
    this.send(createOpenMessage({ asn: options.asn, holdTime: options.holdTime, bgpId: options.bgpId, capabilities }));
  }

  /** Sends an OPEN and a KEEPALIVE, and waits for the speaker's OPEN and KEEPALIVE (session Established on its side). */
  async establish(options: {
    asn: number;
    holdTime: number;
    bgpId: number;
    capabilities?: readonly Capability[];
  }): Promise<void> {
    this.sendOpen(options);
    await this.waitForMessage("the speaker's OPEN", (m) => m.type === 'OPEN');
    this.send({ type: 'KEEPALIVE' });
    await this.waitForMessage("the speaker's KEEPALIVE", (m) => m.type === 'KEEPALIVE');
  }

  waitForMessage<T extends BgpMessage = BgpMessage>(
    what: string,
    match: (m: BgpMessage) => boolean,
    timeoutMs = 30_000,
  ): Promise<T> {
    return waitFor(
      what,
      () => {
        const m = this.received.find(match);
        if (m) return m as T;
        if (this.closedFlag)
          throw new Error(`connection closed; received ${this.received.map((x) => x.type).join(', ') || 'nothing'}`);
        return undefined;
      },
      timeoutMs,
      50,
    );
  }

  /** The NOTIFICATION the speaker sent (waits for it). */
  waitForNotification(timeoutMs = 30_000): Promise<NotificationMessage> {
    return waitFor(
      'a NOTIFICATION from the speaker',
      () => {
        const m = this.received.find((x) => x.type === 'NOTIFICATION');
        if (m) return m as NotificationMessage;
        if (this.closedFlag)
          throw new Error(
            `connection closed without NOTIFICATION; received ${this.received.map((x) => x.type).join(', ') || 'nothing'}`,
          );
        return undefined;
      },
      timeoutMs,
      50,
    );
  }

  waitForClose(timeoutMs = 30_000): Promise<true> {
    return waitFor('the speaker to close the connection', () => (this.closedFlag ? true : undefined), timeoutMs, 50);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A prefix for NLRI fields, from text. */
export function nlri(text: string): Nlri {
  const p = parsePrefix(text);
  if (!p) throw new Error(`bad prefix ${text}`);
  return p;
}

/** The usual attributes of an eBGP route from asPath[0], IPv4 next hop. */
export function ipv4Attributes(
  asPath: readonly number[],
  nextHop: number,
  extra: readonly PathAttribute[] = [],
): PathAttribute[] {
  return [
    { type: 'origin', flags: AttributeFlag.Transitive, origin: 0 },
    { type: 'as-path', flags: AttributeFlag.Transitive, segments: [{ type: 2, asns: [...asPath] }] },
    { type: 'next-hop', flags: AttributeFlag.Transitive, address: nextHop },
    ...extra,
  ];
}

/** An UPDATE announcing IPv4 prefixes in the NLRI field. */
export function announce4(
  prefixes: readonly string[],
  asPath: readonly number[],
  nextHop = 0x0a000063,
  extra: readonly PathAttribute[] = [],
): UpdateMessage {
  return {
    type: 'UPDATE',
    withdrawn: [],
    attributes: ipv4Attributes(asPath, nextHop, extra),
    nlri: prefixes.map(nlri),
  };
}

/** Encodes an UPDATE for RAW_SESSION, for tests that then corrupt the bytes. */
export function encodeUpdate(message: UpdateMessage): Uint8Array {
  const encoded = encodeMessage(message, RAW_SESSION);
  if (!encoded.ok) throw new Error(encoded.reason);
  return encoded.bytes;
}

/** An UPDATE announcing IPv6 prefixes in MP_REACH_NLRI. */
export function announce6(
  prefixes: readonly string[],
  asPath: readonly number[],
  nextHop = '2001:db8::99',
): UpdateMessage {
  const address = parseIpv6(nextHop);
  if (address === undefined) throw new Error(`bad IPv6 address ${nextHop}`);
  return {
    type: 'UPDATE',
    withdrawn: [],
    nlri: [],
    attributes: [
      {
        type: 'mp-reach-nlri',
        flags: AttributeFlag.Optional,
        afi: 2,
        safi: 1,
        nextHop: { family: 6, address },
        nlri: prefixes.map(nlri),
      },
      { type: 'origin', flags: AttributeFlag.Transitive, origin: 0 },
      { type: 'as-path', flags: AttributeFlag.Transitive, segments: [{ type: 2, asns: [...asPath] }] },
    ],
  };
}

/** The End-of-RIB marker of IPv4 (4) or IPv6 (6) unicast. */
export function endOfRib(family: 4 | 6): UpdateMessage {
  return createEndOfRib(family === 4 ? 1 : 2, 1);
}

/** Capabilities of a dual-stack peer; `gracefulRestart` adds RFC 4724 with these families (F bit set when `preserved`). */
export function rawCapabilities(
  options: {
    gracefulRestart?: { restartTime: number; families: readonly { family: 4 | 6; preserved: boolean }[] };
  } = {},
): Capability[] {
  const capabilities: Capability[] = [
    { type: 'multiprotocol', afi: 1, safi: 1 },
    { type: 'multiprotocol', afi: 2, safi: 1 },
  ];
  const gr = options.gracefulRestart;
  if (gr) {
    capabilities.push({
      type: 'graceful-restart',
      flags: 0,
      restartTime: gr.restartTime,
      families: gr.families.map((f) => ({ afi: f.family === 4 ? 1 : 2, safi: 1, flags: f.preserved ? 0x80 : 0 })),
    });
  }
  return capabilities;
}
