/**
 * One BMP message (common header included) -> data. Never throws: a malformed message is a
 * `BmpError` with the stream offsets of the message and of the field at fault.
 */
import {
  DEFAULT_SESSION,
  type NegotiatedSession,
  type NotificationMessage,
  type OpenMessage,
  type SessionContext,
  type UpdateMessage,
  decodeMessage,
  decodeUtf8,
  messageTypeName,
  negotiateSession,
  readU128,
  readU16,
  readU32,
  readU64,
} from '../bgp';
import type { BgpError } from '../bgp';
import {
  BMP_COMMON_HEADER_LENGTH,
  BMP_PEER_HEADER_LENGTH,
  BMP_VERSION,
  BmpMessageType,
  BmpPeerFlag,
  BmpPeerType,
  InformationType,
  MirroringType,
  PeerDownReason,
  STATISTIC_LENGTH,
  TerminationType,
  bmpMessageTypeName,
  statisticDescriptor,
} from './constants';
import type {
  BmpAddress,
  BmpDecodeResult,
  BmpError,
  BmpMessage,
  BmpPeerHeader,
  BmpRibView,
  BmpStatistic,
  BmpTlv,
} from './types';

/** A 16-octet address field: IPv6, or IPv4 in the last 4 octets. */
function readAddressField(bytes: Uint8Array, offset: number, ipv6: boolean): BmpAddress {
  return ipv6 ? { family: 6, address: readU128(bytes, offset) } : { family: 4, address: readU32(bytes, offset + 12) };
}

export interface BmpDecodeOptions {
  /** Stream offset of bytes[0], for the offsets in messages and errors (default 0). */
  readonly offset?: number;
  /**
   * The session of a monitored peer, as its Peer Up negotiated it: Route Monitoring UPDATEs are
   * decoded with its ADD-PATH families. Without one (no Peer Up seen), no ADD-PATH is assumed.
   */
  readonly session?: (peer: BmpPeerHeader) => NegotiatedSession | undefined;
}

/** Thrown inside this module only, turned into a `BmpError` by {@link decodeBmpMessage}. */
class Malformed {
  constructor(
    readonly at: number,
    readonly reason: string,
    readonly bgp?: BgpError,
  ) {}
}

const NO_FAMILIES = Object.freeze([]);

/**
 * Decode one message: `bytes` holds exactly one message, common header included (as a
 * `BmpReader` frames it). Never throws.
 */
export function decodeBmpMessage(bytes: Uint8Array, options: BmpDecodeOptions = {}): BmpDecodeResult {
  const base = options.offset ?? 0;
  const fail = (at: number, reason: string, fatal: boolean, messageType?: number, bgp?: BgpError): BmpDecodeResult => {
    const error: BmpError = {
      offset: base,
      at: base + at,
      reason,
      fatal,
      ...(messageType === undefined ? {} : { messageType }),
      ...(bgp ? { bgp } : {}),
    };
    return { ok: false, error };
  };
  if (bytes.length < BMP_COMMON_HEADER_LENGTH)
    return fail(0, `${bytes.length} octets is shorter than the BMP common header (6)`, true);
  if (bytes[0] !== BMP_VERSION) return fail(0, `BMP version ${bytes[0]}, only ${BMP_VERSION} is supported`, true);
  const length = readU32(bytes, 1);
  const type = bytes[5]!;
  if (length !== bytes.length)
    return fail(1, `Message Length is ${length} but the message has ${bytes.length} octets`, true, type);
  try {
    return { ok: true, message: decodeBody(bytes, type, base, options) };
  } catch (e) {
    if (e instanceof Malformed) return fail(e.at, `${bmpMessageTypeName(type)}: ${e.reason}`, false, type, e.bgp);
    throw e;
  }
}

function decodeBody(bytes: Uint8Array, type: number, offset: number, options: BmpDecodeOptions): BmpMessage {
  const end = bytes.length;
  const length = end;
  switch (type) {
    case BmpMessageType.Initiation: {
      const information = decodeTlvs(bytes, BMP_COMMON_HEADER_LENGTH, end, type);
      const text = (t: number) => [...information].reverse().find((x) => x.type === t)?.text;
      const sysName = text(InformationType.SysName);
      const sysDescr = text(InformationType.SysDescr);
      return {
        type: 'initiation',
        offset,
        length,
        information,
        ...(sysName === undefined ? {} : { sysName }),
        ...(sysDescr === undefined ? {} : { sysDescr }),
      };
    }
    case BmpMessageType.Termination: {
      const information = decodeTlvs(bytes, BMP_COMMON_HEADER_LENGTH, end, type);
      const reasonTlv = information.find((x) => x.type === TerminationType.Reason);
      if (reasonTlv && reasonTlv.value.length !== 2)
        throw new Malformed(BMP_COMMON_HEADER_LENGTH, `Reason TLV of ${reasonTlv.value.length} octets (expected 2)`);
      return {
        type: 'termination',
        offset,
        length,
        information,
        ...(reasonTlv ? { reason: readU16(reasonTlv.value, 0) } : {}),
      };
    }
    case BmpMessageType.RouteMonitoring:
    case BmpMessageType.StatisticsReport:
    case BmpMessageType.PeerDown:
    case BmpMessageType.PeerUp:
    case BmpMessageType.RouteMirroring:
      break;
    default:
      throw new Malformed(5, 'unknown message type');
  }
  const peer = decodePeerHeader(bytes, BMP_COMMON_HEADER_LENGTH, end);
  let i = BMP_COMMON_HEADER_LENGTH + BMP_PEER_HEADER_LENGTH;
  switch (type) {
    case BmpMessageType.RouteMonitoring: {
      const session = options.session?.(peer);
      const context: SessionContext = {
        fourOctetAs: !peer.legacyAsPath,
        extendedMessage: true,
        addPath: (peer.adjRibOut ? session?.send.addPath : session?.receive.addPath) ?? NO_FAMILIES,
      };
      const pdu = decodePdu(bytes, i, end, context, 'UPDATE');
      if (pdu.next !== end) throw new Malformed(pdu.next, `${end - pdu.next} octets after the BGP UPDATE`);
      return {
        type: 'route-monitoring',
        offset,
        length,
        peer,
        context,
        update: pdu.message as UpdateMessage,
        errors: pdu.errors,
      };
    }
    case BmpMessageType.StatisticsReport: {
      if (end - i < 4) throw new Malformed(i, 'truncated before the Stats Count');
      const count = readU32(bytes, i);
      i += 4;
      const statistics: BmpStatistic[] = [];
      for (let k = 0; k < count; k++) {
        if (end - i < 4) throw new Malformed(i, `statistic ${k} of ${count} is missing`);
        const statType = readU16(bytes, i);
        const statLength = readU16(bytes, i + 2);
        const valueAt = i + 4;
        if (valueAt + statLength > end)
          throw new Malformed(i, `statistic ${k} (type ${statType}) of ${statLength} octets overruns the message`);
        const descriptor = statisticDescriptor(statType);
        if (!descriptor) {
          statistics.push({
            type: statType,
            name: `stat-${statType}`,
            raw: bytes.slice(valueAt, valueAt + statLength),
          });
        } else {
          const expected = STATISTIC_LENGTH[descriptor.kind];
          if (statLength !== expected)
            throw new Malformed(
              i,
              `statistic ${descriptor.name} (type ${statType}) has ${statLength} octets, expected ${expected}`,
            );
          if (descriptor.kind === 'counter')
            statistics.push({ type: statType, name: descriptor.name, value: readU32(bytes, valueAt) });
          else if (descriptor.kind === 'gauge')
            statistics.push({ type: statType, name: descriptor.name, value: readU64(bytes, valueAt) });
          else
            statistics.push({
              type: statType,
              name: descriptor.name,
              afi: readU16(bytes, valueAt),
              safi: bytes[valueAt + 2]!,
              value: readU64(bytes, valueAt + 3),
            });
        }
        i = valueAt + statLength;
      }
      if (i !== end) throw new Malformed(i, `${end - i} octets after the ${count} statistics`);
      return { type: 'statistics-report', offset, length, peer, statistics };
    }
    case BmpMessageType.PeerDown: {
      if (end - i < 1) throw new Malformed(i, 'truncated before the Reason');
      const reason = bytes[i]!;
      i += 1;
      const data = bytes.slice(i, end);
      return { type: 'peer-down', offset, length, peer, reason, data, ...peerDownData(bytes, i, end, reason) };
    }
    case BmpMessageType.PeerUp: {
      if (end - i < 20) throw new Malformed(i, 'truncated before the sent OPEN');
      const localAddress = readAddressField(bytes, i, peer.ipv6);
      const localPort = readU16(bytes, i + 16);
      const remotePort = readU16(bytes, i + 18);
      i += 20;
      const sent = decodePdu(bytes, i, end, DEFAULT_SESSION, 'OPEN', 'sent OPEN');
      const received = decodePdu(bytes, sent.next, end, DEFAULT_SESSION, 'OPEN', 'received OPEN');
      const information = decodeTlvs(bytes, received.next, end, BmpMessageType.PeerUp);
      const sentOpen = sent.message as OpenMessage;
      const receivedOpen = received.message as OpenMessage;
      return {
        type: 'peer-up',
        offset,
        length,
        peer,
        localAddress,
        localPort,
        remotePort,
        sentOpen,
        receivedOpen,
        session: negotiateSession(sentOpen, receivedOpen),
        information,
      };
    }
    default: {
      // Route Mirroring
      const tlvs = decodeTlvs(bytes, i, end, BmpMessageType.RouteMirroring);
      for (const t of tlvs) {
        if (t.type === MirroringType.Information && t.value.length !== 2)
          throw new Malformed(i, `Information TLV of ${t.value.length} octets (expected 2)`);
      }
      return { type: 'route-mirroring', offset, length, peer, tlvs };
    }
  }
}

/**
 * The data after a Peer Down reason. A router's Peer Down must still take the peer down, so data
 * that does not parse as the reason requires is reported in `dataError`, not as a failed message.
 */
function peerDownData(
  bytes: Uint8Array,
  start: number,
  end: number,
  reason: number,
): { notification?: NotificationMessage; fsmEvent?: number; information?: readonly BmpTlv[]; dataError?: string } {
  try {
    switch (reason) {
      case PeerDownReason.LocalNotification:
      case PeerDownReason.RemoteNotification: {
        const pdu = decodePdu(bytes, start, end, DEFAULT_SESSION, 'NOTIFICATION');
        if (pdu.next !== end)
          return {
            notification: pdu.message as NotificationMessage,
            dataError: `${end - pdu.next} octets after the NOTIFICATION`,
          };
        return { notification: pdu.message as NotificationMessage };
      }
      case PeerDownReason.LocalNoNotification:
        if (end - start !== 2) return { dataError: `${end - start} octets where the FSM event code (2) belongs` };
        return { fsmEvent: readU16(bytes, start) };
      case PeerDownReason.RemoteNoNotification:
      case PeerDownReason.PeerDeconfigured:
        return end === start ? {} : { dataError: `${end - start} octets of data where none belong` };
      case PeerDownReason.LocalSystemClosedTlv:
        return { information: decodeTlvs(bytes, start, end, BmpMessageType.PeerUp) };
      default:
        return {};
    }
  } catch (e) {
    if (e instanceof Malformed) return { dataError: e.reason };
    throw e;
  }
}

function decodePeerHeader(bytes: Uint8Array, i: number, end: number): BmpPeerHeader {
  if (end - i < BMP_PEER_HEADER_LENGTH)
    throw new Malformed(i, `${end - i} octets where the per-peer header (42) belongs`);
  const peerType = bytes[i]!;
  if (peerType > BmpPeerType.LocRib) throw new Malformed(i, `unknown peer type ${peerType}`);
  const flags = bytes[i + 1]!;
  const locRib = peerType === BmpPeerType.LocRib;
  const ipv6 = !locRib && (flags & BmpPeerFlag.Ipv6) !== 0;
  const postPolicy = !locRib && (flags & BmpPeerFlag.PostPolicy) !== 0;
  const legacyAsPath = !locRib && (flags & BmpPeerFlag.LegacyAsPath) !== 0;
  const adjRibOut = !locRib && (flags & BmpPeerFlag.AdjRibOut) !== 0;
  const filtered = locRib && (flags & BmpPeerFlag.Filtered) !== 0;
  const rib: BmpRibView = locRib
    ? 'loc-rib'
    : `${adjRibOut ? 'adj-rib-out' : 'adj-rib-in'}-${postPolicy ? 'post' : 'pre'}`;
  return {
    peerType,
    flags,
    ipv6,
    postPolicy,
    legacyAsPath,
    adjRibOut,
    filtered,
    rib,
    distinguisher: readU64(bytes, i + 2),
    address: readAddressField(bytes, i + 10, ipv6),
    asn: readU32(bytes, i + 26),
    bgpId: readU32(bytes, i + 30),
    timestamp: readU32(bytes, i + 34),
    microseconds: readU32(bytes, i + 38),
  };
}

/** One BGP message at bytes[i] (its own header says how long), which must be of the expected type. */
function decodePdu(
  bytes: Uint8Array,
  i: number,
  end: number,
  context: SessionContext,
  expected: 'OPEN' | 'UPDATE' | 'NOTIFICATION',
  what: string = expected,
): { message: OpenMessage | UpdateMessage | NotificationMessage; errors: readonly BgpError[]; next: number } {
  if (end - i < 19)
    throw new Malformed(i, `${end - i} octets where the ${what} (a BGP message of at least 19) belongs`);
  const pduLength = readU16(bytes, i + 16);
  if (pduLength < 19 || i + pduLength > end)
    throw new Malformed(
      i + 16,
      `${what}: BGP message length ${pduLength} ${pduLength < 19 ? 'is shorter than a BGP header' : `overruns the BMP message by ${i + pduLength - end} octets`}`,
    );
  const result = decodeMessage(bytes.subarray(i, i + pduLength), context);
  if (!result.ok) throw new Malformed(i, `${what}: ${result.error.name}: ${result.error.reason}`, result.error);
  if (result.message.type !== expected)
    throw new Malformed(i + 18, `a BGP ${messageTypeName(bytes[i + 18]!)} message where the ${what} belongs`);
  return {
    message: result.message as OpenMessage | UpdateMessage | NotificationMessage,
    errors: result.errors,
    next: i + pduLength,
  };
}

/** TLV types whose value is UTF-8 text, per message type. */
function isTextTlv(messageType: number, tlvType: number): boolean {
  if (messageType === BmpMessageType.Termination) return tlvType === TerminationType.String;
  if (messageType === BmpMessageType.RouteMirroring) return false;
  return (
    tlvType === InformationType.String ||
    tlvType === InformationType.SysDescr ||
    tlvType === InformationType.SysName ||
    tlvType === InformationType.VrfTableName ||
    tlvType === InformationType.AdminLabel
  );
}

function decodeTlvs(bytes: Uint8Array, start: number, end: number, messageType: number): BmpTlv[] {
  const out: BmpTlv[] = [];
  let i = start;
  while (i < end) {
    if (end - i < 4) throw new Malformed(i, `${end - i} octets where a TLV header (4) belongs`);
    const type = readU16(bytes, i);
    const length = readU16(bytes, i + 2);
    if (i + 4 + length > end)
      throw new Malformed(
        i,
        `TLV type ${type} of ${length} octets overruns the message by ${i + 4 + length - end} octets`,
      );
    const value = bytes.slice(i + 4, i + 4 + length);
    const text = isTextTlv(messageType, type) ? decodeUtf8(value) : undefined;
    out.push(text === undefined ? { type, value } : { type, value, text });
    i += 4 + length;
  }
  return out;
}
