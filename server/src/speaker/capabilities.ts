import {
  Afi,
  AddPathMode,
  Safi,
  formatAfiSafi,
  openCapabilities,
  type Capability,
  type NegotiatedSession,
  type OpenMessage,
} from '../bgp';
import type { SpeakerPeerConfig } from '@kube-routes/server/engine';

/** Restart Time we advertise as graceful-restart receiver (RFC 4724 3); we never restart "gracefully" ourselves. */
const ownRestartSeconds = 120;

const unicastFamilies = [
  { afi: Afi.Ipv4, safi: Safi.Unicast },
  { afi: Afi.Ipv6, safi: Safi.Unicast },
] as const;

/** What the speaker advertises to one peer: receive-only, so nothing about sending routes. */
export function advertisedCapabilities(peer: SpeakerPeerConfig): Capability[] {
  const capabilities: Capability[] = [
    ...unicastFamilies.map((f) => ({ type: 'multiprotocol' as const, ...f })),
    { type: 'route-refresh' },
    { type: 'enhanced-route-refresh' },
    { type: 'extended-message' },
    { type: 'extended-next-hop', entries: [{ afi: Afi.Ipv4, safi: Safi.Unicast, nextHopAfi: Afi.Ipv6 }] },
  ];
  // Receiver support: the capability with no families tells the peer we keep its routes across its restart.
  if (peer.gracefulRestart)
    capabilities.push({ type: 'graceful-restart', flags: 0, restartTime: ownRestartSeconds, families: [] });
  if (peer.addPath)
    capabilities.push({
      type: 'add-path',
      families: unicastFamilies.map((f) => ({ ...f, mode: AddPathMode.Receive })),
    });
  return capabilities;
}

/** The peer's graceful-restart capability, when it advertised one. */
export function peerGracefulRestart(open: OpenMessage): Extract<Capability, { type: 'graceful-restart' }> | undefined {
  for (const c of openCapabilities(open)) if (c.type === 'graceful-restart') return c;
  return undefined;
}

/** Human-readable negotiated capabilities for /v1/peers. */
export function describeNegotiated(local: OpenMessage, remote: OpenMessage, negotiated: NegotiatedSession): string[] {
  const mine = openCapabilities(local);
  const theirs = openCapabilities(remote);
  const both = (type: Capability['type']) => mine.some((c) => c.type === type) && theirs.some((c) => c.type === type);
  const out: string[] = [];
  for (const c of theirs) {
    if (
      c.type === 'multiprotocol' &&
      mine.some((m) => m.type === 'multiprotocol' && m.afi === c.afi && m.safi === c.safi)
    )
      out.push(`multiprotocol ${formatAfiSafi(c.afi, c.safi)}`);
  }
  if (negotiated.receive.fourOctetAs) out.push('4-octet-as');
  if (both('route-refresh')) out.push('route-refresh');
  if (both('enhanced-route-refresh')) out.push('enhanced-route-refresh');
  if (negotiated.receive.extendedMessage) out.push('extended-message');
  for (const f of negotiated.receive.addPath) out.push(`add-path ${formatAfiSafi(f.afi, f.safi)} receive`);
  const gr = peerGracefulRestart(remote);
  if (gr && mine.some((c) => c.type === 'graceful-restart')) out.push(`graceful-restart ${gr.restartTime}s`);
  return out;
}
