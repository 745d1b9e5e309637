import type { Prefix } from '../bgp';
import { Rib, type AnnounceResult, type PeerId, type RibOptions } from '../rib';
import type { AttributeSetId } from '../rib';

type Family = 4 | 6;

/** What changed in the RIB, as the watch stream and the metrics see it. */
export interface RibObserver {
  announced(peer: PeerId, prefix: Prefix, pathId: number, result: AnnounceResult): void;
  withdrawn(peer: PeerId, prefix: Prefix, pathId: number): void;
  /** A bulk change (stale marking or sweeping, a peer's routes removed) that names no prefixes. */
  bulk(peer: PeerId, what: 'marked-stale' | 'swept-stale' | 'removed', paths: number, family: Family | undefined): void;
}

/**
 * The speaker's RIB with a change feed. Every writer (BGP peers, BMP, route refresh) goes
 * through it, so nothing that changes routes can forget to tell the watchers.
 */
export class ObservedRib extends Rib {
  private observer: RibObserver | undefined;

  constructor(options?: RibOptions) {
    super(options);
  }

  observe(observer: RibObserver): void {
    this.observer = observer;
  }

  override announce(
    peer: PeerId,
    prefix: Prefix,
    pathId: number,
    attributeSetId: AttributeSetId,
    receivedAtSeconds: number,
  ): AnnounceResult {
    const result = super.announce(peer, prefix, pathId, attributeSetId, receivedAtSeconds);
    if (result !== 'unchanged') this.observer?.announced(peer, prefix, pathId, result);
    return result;
  }

  override withdraw(peer: PeerId, prefix: Prefix, pathId: number): boolean {
    const removed = super.withdraw(peer, prefix, pathId);
    if (removed) this.observer?.withdrawn(peer, prefix, pathId);
    return removed;
  }

  override markStale(peer: PeerId, family?: Family): number {
    const n = super.markStale(peer, family);
    if (n > 0) this.observer?.bulk(peer, 'marked-stale', n, family);
    return n;
  }

  override sweepStale(peer: PeerId, family?: Family): number {
    const n = super.sweepStale(peer, family);
    if (n > 0) this.observer?.bulk(peer, 'swept-stale', n, family);
    return n;
  }

  override removePeer(peer: PeerId): number {
    const n = super.removePeer(peer);
    if (n > 0) this.observer?.bulk(peer, 'removed', n, undefined);
    return n;
  }
}
