/** Human-readable, multi-line rendering of BMP messages (for logs, fixtures and tests; never used while decoding). */
import { formatAfiSafi, formatIpv4, formatIpv6, formatMessage, formatNotificationCode, toHex } from '../bgp';
import {
  BmpPeerType,
  PeerDownReason,
  bmpMessageTypeName,
  bmpPeerTypeName,
  mirroringCodeName,
  peerDownReasonName,
  terminationReasonText,
  tlvTypeName,
} from './constants';
import type { BmpAddress, BmpDecodeResult, BmpMessage, BmpPeerHeader, BmpTlv, PeerDownMessage } from './types';

export function formatBmpAddress(address: BmpAddress): string {
  return address.family === 4 ? formatIpv4(address.address) : formatIpv6(address.address);
}

/**
 * The Peer Distinguisher: for the RD instance peer type a route distinguisher in RFC 4364 text
 * ("65000:1", "192.0.2.1:7", "4200000000:7"), otherwise the 64-bit value in decimal.
 */
export function formatDistinguisher(peerType: number, distinguisher: bigint): string {
  if (peerType !== BmpPeerType.RdInstance) return distinguisher.toString();
  const rdType = Number(distinguisher >> 48n);
  const value = distinguisher & 0xffffffffffffn;
  switch (rdType) {
    case 0:
      return `${value >> 32n}:${value & 0xffffffffn}`;
    case 1:
      return `${formatIpv4(Number(value >> 16n))}:${value & 0xffffn}`;
    case 2:
      return `${value >> 16n}:${value & 0xffffn}`;
    default:
      return `0x${distinguisher.toString(16).padStart(16, '0')}`;
  }
}

const RIB_NAMES = {
  'adj-rib-in-pre': 'Adj-RIB-In pre-policy',
  'adj-rib-in-post': 'Adj-RIB-In post-policy',
  'adj-rib-out-pre': 'Adj-RIB-Out pre-policy',
  'adj-rib-out-post': 'Adj-RIB-Out post-policy',
  'loc-rib': 'Loc-RIB',
} as const;

/** "peer 192.0.2.1 AS65001 bgp-id 10.0.0.1 global Adj-RIB-In pre-policy flags 0x00 time 1700000000.000001" */
export function formatPeerHeader(peer: BmpPeerHeader): string {
  const distinguisher =
    peer.distinguisher !== 0n ? ` distinguisher ${formatDistinguisher(peer.peerType, peer.distinguisher)}` : '';
  const flags = `0x${peer.flags.toString(16).padStart(2, '0')}`;
  const extra = [peer.legacyAsPath ? ' 2-octet-as-path' : '', peer.filtered ? ' filtered' : ''].join('');
  return `peer ${formatBmpAddress(peer.address)} AS${peer.asn} bgp-id ${formatIpv4(peer.bgpId)} ${bmpPeerTypeName(peer.peerType)}${distinguisher} ${RIB_NAMES[peer.rib]}${extra} flags ${flags} time ${peer.timestamp}.${String(peer.microseconds).padStart(6, '0')}`;
}

function formatTlv(messageType: number, t: BmpTlv): string {
  const name = tlvTypeName(messageType, t.type);
  return `${name} ${t.text !== undefined ? JSON.stringify(t.text) : `hex:${toHex(t.value)}`}`;
}

const indent = (text: string, by = '    '): string[] => text.split('\n').map((l) => by + l);

/** Why a peer went down, as a sentence for logs and the API. */
export function describePeerDown(message: PeerDownMessage): string {
  const n = message.notification;
  const notification = n
    ? `NOTIFICATION ${formatNotificationCode(n.code, n.subcode)}${n.shutdownCommunication ? ` "${n.shutdownCommunication}"` : ''}`
    : 'NOTIFICATION';
  switch (message.reason) {
    case PeerDownReason.LocalNotification:
      return `the router sent ${notification}`;
    case PeerDownReason.LocalNoNotification:
      return `the router closed the session${message.fsmEvent !== undefined ? ` (FSM event ${message.fsmEvent})` : ''}`;
    case PeerDownReason.RemoteNotification:
      return `the peer sent ${notification}`;
    case PeerDownReason.RemoteNoNotification:
      return 'the peer closed the session';
    case PeerDownReason.PeerDeconfigured:
      return 'the peer was de-configured on the router';
    case PeerDownReason.LocalSystemClosedTlv:
      return 'the router closed the Loc-RIB';
    default:
      return `Peer Down reason ${message.reason}`;
  }
}

/** One line per field; BGP PDUs indented as `formatMessage` renders them. */
export function formatBmpMessage(message: BmpMessage): string {
  const lines = [`@${message.offset} ${bmpMessageTypeName(typeCode(message))} (${message.length} octets)`];
  switch (message.type) {
    case 'initiation':
    case 'termination':
      for (const t of message.information) lines.push(`  ${formatTlv(message.type === 'initiation' ? 4 : 5, t)}`);
      if (message.type === 'termination' && message.reason !== undefined)
        lines.push(`  reason: ${terminationReasonText(message.reason)}`);
      break;
    case 'peer-up':
      lines.push(`  ${formatPeerHeader(message.peer)}`);
      lines.push(
        `  local ${formatBmpAddress(message.localAddress)} port ${message.localPort}, remote port ${message.remotePort}`,
      );
      lines.push('  sent', ...indent(formatMessage(message.sentOpen)));
      lines.push('  received', ...indent(formatMessage(message.receivedOpen)));
      lines.push(
        `  session: ${message.session.receive.fourOctetAs ? '4-octet-as' : '2-octet-as'}${message.session.receive.addPath.map((f) => ` add-path-receive ${formatAfiSafi(f.afi, f.safi)}`).join('')}${message.session.send.addPath.map((f) => ` add-path-send ${formatAfiSafi(f.afi, f.safi)}`).join('')}`,
      );
      for (const t of message.information) lines.push(`  ${formatTlv(3, t)}`);
      break;
    case 'peer-down':
      lines.push(`  ${formatPeerHeader(message.peer)}`);
      lines.push(`  reason ${message.reason} ${peerDownReasonName(message.reason)}: ${describePeerDown(message)}`);
      if (message.notification) lines.push(...indent(formatMessage(message.notification)));
      for (const t of message.information ?? []) lines.push(`  ${formatTlv(3, t)}`);
      if (message.dataError !== undefined)
        lines.push(`  data error: ${message.dataError} (data hex:${toHex(message.data)})`);
      break;
    case 'route-monitoring':
      lines.push(`  ${formatPeerHeader(message.peer)}`);
      lines.push(...indent(formatMessage(message.update), '  '));
      for (const e of message.errors) lines.push(`  error ${e.name} (${e.action}): ${e.reason}`);
      break;
    case 'statistics-report':
      lines.push(`  ${formatPeerHeader(message.peer)}`);
      for (const s of message.statistics) {
        const family = s.afi !== undefined ? ` ${formatAfiSafi(s.afi, s.safi ?? 0)}` : '';
        lines.push(
          `  ${s.name}${family} ${s.value !== undefined ? String(s.value) : `hex:${toHex(s.raw ?? new Uint8Array(0))}`}`,
        );
      }
      break;
    case 'route-mirroring':
      lines.push(`  ${formatPeerHeader(message.peer)}`);
      for (const t of message.tlvs) {
        lines.push(
          t.type === 1 && t.value.length === 2
            ? `  information ${mirroringCodeName((t.value[0]! << 8) | t.value[1]!)}`
            : `  ${formatTlv(6, t)}`,
        );
      }
      break;
  }
  return lines.join('\n');
}

/** A message, or an error with its offsets: "@120 error (fatal): ...". */
export function formatBmpResult(result: BmpDecodeResult): string {
  if (result.ok) return formatBmpMessage(result.message);
  const e = result.error;
  return `@${e.offset} error${e.fatal ? ' (fatal)' : ''} at ${e.at}: ${e.reason}`;
}

function typeCode(message: BmpMessage): number {
  return {
    'route-monitoring': 0,
    'statistics-report': 1,
    'peer-down': 2,
    'peer-up': 3,
    initiation: 4,
    termination: 5,
    'route-mirroring': 6,
  }[message.type];
}
