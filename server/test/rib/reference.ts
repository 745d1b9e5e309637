/**
 * Test support for the RIB: a naive reference implementation (a Map and linear scans) that the
 * randomized model test checks the real one against, a seeded PRNG, and small text helpers.
 */
import { formatPrefix, ipv4Mask, ipv6Mask, parsePrefix, type Prefix } from '../../src/bgp';
import type { AnnounceResult, PathView, RouteView } from '../../src/rib';
import { Random } from '@kube-routes/test/support';

/** The shared seeded PRNG as a function returning floats in [0, 1). */
export function prng(seed: number): () => number {
  const random = new Random(seed);
  return () => random.next();
}

/** "10.0.0.0/8" -> Prefix; throws on malformed text (tests only use valid prefixes). */
export function p(text: string): Prefix {
  const prefix = parsePrefix(text);
  if (prefix === undefined) throw new Error(`bad prefix in test: ${text}`);
  return prefix;
}

/** "10.1.2.3" -> 4 and a number; "2001:db8::1" -> 6 and a bigint. */
export function address(text: string): { family: 4; address: number } | { family: 6; address: bigint } {
  const prefix = p(text.includes(':') ? `${text}/128` : `${text}/32`);
  return prefix.family === 4 ? { family: 4, address: prefix.address } : { family: 6, address: prefix.address };
}

/** Whether `outer` contains `inner` (equal counts). */
export function contains(outer: Prefix, inner: Prefix): boolean {
  if (outer.family !== inner.family || outer.length > inner.length) return false;
  if (outer.family === 4) return ((inner.address as number) & ipv4Mask(outer.length)) >>> 0 === outer.address;
  return ((inner.address as bigint) & ipv6Mask(outer.length)) === outer.address;
}

/** Address order, then length. */
export function comparePrefixes(a: Prefix, b: Prefix): number {
  if (a.family !== b.family) return a.family - b.family;
  if (a.address !== b.address) return a.address < b.address ? -1 : 1;
  return a.length - b.length;
}

interface RefPath {
  peer: number;
  pathId: number;
  attributeSetId: number;
  stale: boolean;
  receivedAt: number;
}

/** The obvious implementation: a Map from prefix text to its paths; every query scans everything. */
export class ReferenceRib {
  private readonly routes = new Map<string, { prefix: Prefix; paths: RefPath[] }>();

  announce(peer: number, prefix: Prefix, pathId: number, attributeSetId: number, receivedAt: number): AnnounceResult {
    const key = formatPrefix(prefix);
    let route = this.routes.get(key);
    if (route === undefined) this.routes.set(key, (route = { prefix, paths: [] }));
    const path = route.paths.find((x) => x.peer === peer && x.pathId === pathId);
    if (path === undefined) {
      route.paths.push({ peer, pathId, attributeSetId, stale: false, receivedAt: Math.floor(receivedAt) });
      return 'added';
    }
    path.stale = false;
    if (path.attributeSetId === attributeSetId) return 'unchanged';
    path.attributeSetId = attributeSetId;
    path.receivedAt = Math.floor(receivedAt);
    return 'replaced';
  }

  withdraw(peer: number, prefix: Prefix, pathId: number): boolean {
    const key = formatPrefix(prefix);
    const route = this.routes.get(key);
    const index = route?.paths.findIndex((x) => x.peer === peer && x.pathId === pathId) ?? -1;
    if (route === undefined || index < 0) return false;
    route.paths.splice(index, 1);
    if (route.paths.length === 0) this.routes.delete(key);
    return true;
  }

  markStale(peer: number): number {
    let n = 0;
    for (const route of this.routes.values()) {
      for (const path of route.paths) {
        if (path.peer === peer) {
          path.stale = true;
          n++;
        }
      }
    }
    return n;
  }

  sweepStale(peer: number): number {
    return this.removeWhere((x) => x.peer === peer && x.stale);
  }

  removePeer(peer: number): number {
    return this.removeWhere((x) => x.peer === peer);
  }

  exact(prefix: Prefix): RouteView | undefined {
    const route = this.routes.get(formatPrefix(prefix));
    return route && this.view(route);
  }

  longestMatch(family: 4 | 6, addr: number | bigint): RouteView | undefined {
    const host = (
      family === 4 ? { family: 4, address: addr, length: 32 } : { family: 6, address: addr, length: 128 }
    ) as Prefix;
    const matches = this.covering(host);
    return matches[matches.length - 1];
  }

  covering(prefix: Prefix): RouteView[] {
    return [...this.routes.values()]
      .filter((r) => contains(r.prefix, prefix))
      .sort((a, b) => a.prefix.length - b.prefix.length)
      .map((r) => this.view(r));
  }

  covered(prefix: Prefix, limit = Infinity): RouteView[] {
    return [...this.routes.values()]
      .filter((r) => contains(prefix, r.prefix))
      .sort((a, b) => comparePrefixes(a.prefix, b.prefix))
      .slice(0, limit)
      .map((r) => this.view(r));
  }

  prefixCount(family: 4 | 6): number {
    return [...this.routes.values()].filter((r) => r.prefix.family === family).length;
  }

  pathCount(peer: number, family: 4 | 6): number {
    let n = 0;
    for (const r of this.routes.values())
      if (r.prefix.family === family) n += r.paths.filter((x) => x.peer === peer).length;
    return n;
  }

  /** How many paths use each attribute set id. */
  attributeUses(): Map<number, number> {
    const uses = new Map<number, number>();
    for (const r of this.routes.values())
      for (const x of r.paths) uses.set(x.attributeSetId, (uses.get(x.attributeSetId) ?? 0) + 1);
    return uses;
  }

  private removeWhere(predicate: (path: RefPath) => boolean): number {
    let n = 0;
    for (const [key, route] of this.routes) {
      const kept = route.paths.filter((x) => !predicate(x));
      n += route.paths.length - kept.length;
      route.paths = kept;
      if (kept.length === 0) this.routes.delete(key);
    }
    return n;
  }

  private view(route: { prefix: Prefix; paths: RefPath[] }): RouteView {
    const paths: PathView[] = [...route.paths]
      .sort((a, b) => a.peer - b.peer || a.pathId - b.pathId)
      .map((x) => ({
        peer: x.peer,
        pathId: x.pathId,
        attributeSetId: x.attributeSetId,
        stale: x.stale,
        receivedAt: x.receivedAt,
      }));
    return { prefix: route.prefix, paths };
  }
}
