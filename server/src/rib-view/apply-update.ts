/**
 * One UPDATE into the RIB, the same way for every source of UPDATEs (a BGP session of the
 * speaker, a peer monitored over BMP): withdrawals first (IPv4 Withdrawn Routes and
 * MP_UNREACH_NLRI), then the announcements (IPv4 NLRI and MP_REACH_NLRI) with the attributes
 * interned in canonical form. Pure: the caller decides what to log or do about the outcome.
 */
import { Afi, type Nlri, Safi, type SessionContext, type UpdateMessage, isPrefixFamily } from '../bgp';
import type { PeerId, Rib } from '../rib';
import { canonicalAttributes, encodeCanonicalView } from '../rib';

export type ApplyUpdateOutcome =
  | { readonly kind: 'applied' }
  /** The path attributes have no canonical encoding: the withdrawals were applied, the announcements not. */
  | { readonly kind: 'attributes-skipped' }
  /** The peer's paths of a family went above `maxPaths`; the announcements stopped there. */
  | { readonly kind: 'max-paths'; readonly afi: number; readonly safi: number; readonly count: number };

const APPLIED: ApplyUpdateOutcome = Object.freeze({ kind: 'applied' });

/**
 * Apply an UPDATE received from `peer` (decoded with `receivedWith`) at `receivedAtSeconds`.
 * After each announced family the peer's path count is checked against `maxPaths`.
 */
export function applyUpdateToRib(
  rib: Rib,
  peer: PeerId,
  message: UpdateMessage,
  receivedWith: SessionContext,
  receivedAtSeconds: number,
  maxPaths = Infinity,
): ApplyUpdateOutcome {
  for (const n of message.withdrawn) rib.withdraw(peer, n, n.pathId ?? 0);
  let announce: { family: 4 | 6; afi: number; safi: number; nlri: readonly Nlri[] }[] = [];
  for (const a of message.attributes) {
    if (a.type === 'mp-unreach-nlri' && isPrefixFamily(a.afi, a.safi))
      for (const n of a.withdrawn) rib.withdraw(peer, n, n.pathId ?? 0);
    if (a.type === 'mp-reach-nlri' && isPrefixFamily(a.afi, a.safi))
      announce.push({ family: a.afi === Afi.Ipv4 ? 4 : 6, afi: a.afi, safi: a.safi, nlri: a.nlri });
  }
  if (message.nlri.length > 0)
    announce = [{ family: 4, afi: Afi.Ipv4, safi: Safi.Unicast, nlri: message.nlri }, ...announce];
  if (announce.length === 0) return APPLIED;
  const key = encodeCanonicalView(canonicalAttributes(message.attributes, receivedWith));
  if (!key) return { kind: 'attributes-skipped' };
  const attributeSet = rib.attributeSets.intern(key);
  try {
    for (const group of announce) {
      for (const n of group.nlri) rib.announce(peer, n, n.pathId ?? 0, attributeSet, receivedAtSeconds);
      const count = rib.pathCount(peer, group.family);
      if (count > maxPaths) return { kind: 'max-paths', afi: group.afi, safi: group.safi, count };
    }
    return APPLIED;
  } finally {
    rib.attributeSets.release(attributeSet);
  }
}
