/**
 * BMP messages -> bytes: for tests, fixtures and tools (the station only reads). Never throws:
 * values that cannot be encoded are `{ ok: false, reason }`, like the BGP codec's `encodeMessage`.
 * A decoded message is valid input, so decode -> encode round trips.
 */
import {
  ByteWriter,
  EncodeError,
  type NotificationMessage,
  type OpenMessage,
  type SessionContext,
  type UpdateMessage,
  encodeMessage,
  encodeUtf8,
} from '../bgp';
import type { BgpMessage, EncodeResult } from '../bgp';
import {
  BMP_VERSION,
  BmpMessageType,
  BmpPeerFlag,
  BmpPeerType,
  STATISTIC_LENGTH,
  statisticDescriptor,
} from './constants';
import type { BmpAddress } from './types';

export interface BmpPeerHeaderInput {
  /** Default 0 (global). */
  readonly peerType?: number;
  /** The flags octet; default: V when the address is IPv6. V must agree with the address family. */
  readonly flags?: number;
  readonly distinguisher?: bigint;
  readonly address: BmpAddress;
  readonly asn: number;
  readonly bgpId: number;
  readonly timestamp?: number;
  readonly microseconds?: number;
}

/** A TLV: raw `value` octets, or `text` encoded as UTF-8. */
export interface BmpTlvInput {
  readonly type: number;
  readonly value?: Uint8Array;
  readonly text?: string;
}

export interface BmpStatisticInput {
  readonly type: number;
  readonly value?: number | bigint;
  readonly afi?: number;
  readonly safi?: number;
  /** The value octets, for types without a descriptor. */
  readonly raw?: Uint8Array;
}

export type BmpMessageInput =
  | {
      readonly type: 'route-monitoring';
      readonly peer: BmpPeerHeaderInput;
      /** An UPDATE (encoded with `context`), or a BGP PDU as raw octets. */
      readonly update: UpdateMessage | Uint8Array;
      /** Default: 4-octet AS unless the A flag is set, extended messages, no ADD-PATH. */
      readonly context?: SessionContext;
    }
  | {
      readonly type: 'statistics-report';
      readonly peer: BmpPeerHeaderInput;
      readonly statistics: readonly BmpStatisticInput[];
    }
  | {
      readonly type: 'peer-down';
      readonly peer: BmpPeerHeaderInput;
      readonly reason: number;
      readonly notification?: NotificationMessage;
      readonly fsmEvent?: number;
      readonly information?: readonly BmpTlvInput[];
      /** The data after the reason as raw octets, when none of the above is given. */
      readonly data?: Uint8Array;
    }
  | {
      readonly type: 'peer-up';
      readonly peer: BmpPeerHeaderInput;
      readonly localAddress: BmpAddress;
      readonly localPort: number;
      readonly remotePort: number;
      readonly sentOpen: OpenMessage | Uint8Array;
      readonly receivedOpen: OpenMessage | Uint8Array;
      readonly information?: readonly BmpTlvInput[];
    }
  | { readonly type: 'initiation'; readonly information: readonly BmpTlvInput[] }
  | { readonly type: 'termination'; readonly information: readonly BmpTlvInput[] }
  | { readonly type: 'route-mirroring'; readonly peer: BmpPeerHeaderInput; readonly tlvs: readonly BmpTlvInput[] };

const TYPE_CODES: Readonly<Record<BmpMessageInput['type'], number>> = {
  'route-monitoring': BmpMessageType.RouteMonitoring,
  'statistics-report': BmpMessageType.StatisticsReport,
  'peer-down': BmpMessageType.PeerDown,
  'peer-up': BmpMessageType.PeerUp,
  initiation: BmpMessageType.Initiation,
  termination: BmpMessageType.Termination,
  'route-mirroring': BmpMessageType.RouteMirroring,
};

function writeAddressField(out: ByteWriter, address: BmpAddress): void {
  if (address.family === 4) {
    for (let i = 0; i < 12; i++) out.u8(0);
    out.u32(address.address, 'IPv4 address');
  } else {
    if (address.address < 0n || address.address >= 1n << 128n)
      throw new EncodeError(`IPv6 address ${address.address} is out of range`);
    out.u64(address.address >> 64n);
    out.u64(address.address & 0xffffffffffffffffn);
  }
}

function writePeerHeader(out: ByteWriter, peer: BmpPeerHeaderInput): void {
  const peerType = peer.peerType ?? BmpPeerType.Global;
  const v = peer.address.family === 6 ? BmpPeerFlag.Ipv6 : 0;
  const flags = peer.flags ?? v;
  if (peerType !== BmpPeerType.LocRib && (flags & BmpPeerFlag.Ipv6) !== v)
    throw new EncodeError(`flags 0x${flags.toString(16)} disagree with an IPv${peer.address.family} peer address`);
  out.u8(peerType, 'peer type');
  out.u8(flags, 'peer flags');
  out.u64(peer.distinguisher ?? 0n, 'peer distinguisher');
  writeAddressField(out, peer.address);
  out.u32(peer.asn, 'peer AS');
  out.u32(peer.bgpId, 'peer BGP ID');
  out.u32(peer.timestamp ?? 0, 'timestamp (seconds)');
  out.u32(peer.microseconds ?? 0, 'timestamp (microseconds)');
}

function writeTlvs(out: ByteWriter, tlvs: readonly BmpTlvInput[]): void {
  for (const t of tlvs) {
    const value = t.value ?? encodeUtf8(t.text ?? '');
    out.u16(t.type, 'TLV type');
    out.u16(value.length, 'TLV length');
    out.bytes(value);
  }
}

function pdu(message: BgpMessage | Uint8Array, context: SessionContext | undefined): Uint8Array {
  if (message instanceof Uint8Array) return message;
  const encoded: EncodeResult = encodeMessage(message, context);
  if (!encoded.ok) throw new EncodeError(`${message.type}: ${encoded.reason}`);
  return encoded.bytes;
}

function writeBody(out: ByteWriter, m: BmpMessageInput): void {
  switch (m.type) {
    case 'initiation':
    case 'termination':
      writeTlvs(out, m.information);
      return;
    case 'route-monitoring': {
      writePeerHeader(out, m.peer);
      const legacy = ((m.peer.flags ?? 0) & BmpPeerFlag.LegacyAsPath) !== 0 && m.peer.peerType !== BmpPeerType.LocRib;
      out.bytes(pdu(m.update, m.context ?? { fourOctetAs: !legacy, extendedMessage: true, addPath: [] }));
      return;
    }
    case 'statistics-report':
      writePeerHeader(out, m.peer);
      out.u32(m.statistics.length, 'Stats Count');
      for (const s of m.statistics) {
        const d = statisticDescriptor(s.type);
        out.u16(s.type, 'statistic type');
        if (!d) {
          const raw = s.raw ?? new Uint8Array(0);
          out.u16(raw.length, 'statistic length');
          out.bytes(raw);
          continue;
        }
        out.u16(STATISTIC_LENGTH[d.kind]);
        if (d.kind === 'counter') out.u32(Number(s.value ?? 0), d.name);
        else {
          if (d.kind === 'family-gauge') {
            out.u16(s.afi ?? 0, 'AFI');
            out.u8(s.safi ?? 0, 'SAFI');
          }
          out.u64(BigInt(s.value ?? 0), d.name);
        }
      }
      return;
    case 'peer-down':
      writePeerHeader(out, m.peer);
      out.u8(m.reason, 'Peer Down reason');
      if (m.notification) out.bytes(pdu(m.notification, undefined));
      else if (m.fsmEvent !== undefined) out.u16(m.fsmEvent, 'FSM event code');
      else if (m.information) writeTlvs(out, m.information);
      else if (m.data) out.bytes(m.data);
      return;
    case 'peer-up':
      writePeerHeader(out, m.peer);
      writeAddressField(out, m.localAddress);
      out.u16(m.localPort, 'local port');
      out.u16(m.remotePort, 'remote port');
      out.bytes(pdu(m.sentOpen, undefined));
      out.bytes(pdu(m.receivedOpen, undefined));
      writeTlvs(out, m.information ?? []);
      return;
    case 'route-mirroring':
      writePeerHeader(out, m.peer);
      writeTlvs(out, m.tlvs);
      return;
    default:
      throw new EncodeError(`unknown BMP message type ${String((m as { type: unknown }).type)}`);
  }
}

/** Encode one BMP message, common header included. */
export function encodeBmpMessage(message: BmpMessageInput): EncodeResult {
  try {
    const type = TYPE_CODES[message.type];
    if (type === undefined) throw new EncodeError(`unknown BMP message type ${String(message.type)}`);
    const out = new ByteWriter(128);
    out.u8(BMP_VERSION);
    out.u32(0);
    out.u8(type);
    writeBody(out, message);
    const bytes = out.toBytes();
    const n = bytes.length;
    bytes[1] = n >>> 24;
    bytes[2] = (n >>> 16) & 0xff;
    bytes[3] = (n >>> 8) & 0xff;
    bytes[4] = n & 0xff;
    return { ok: true, bytes };
  } catch (error) {
    if (error instanceof EncodeError) return { ok: false, reason: error.message };
    if (error instanceof TypeError || error instanceof RangeError)
      return { ok: false, reason: `invalid message: ${error.message}` };
    throw error;
  }
}
