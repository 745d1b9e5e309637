import { formatPrefix } from '../bgp';
import type { Rib, RouteView } from '../rib';
import { decodeCanonical } from '../rib';
import { routePath, type PeerNames } from './route-view';

// Routes as JSON text straight from the RIB, for answers of many routes: the same text as
// JSON.stringify(toRoute(view)), but the part of a path that depends only on its attribute set
// is rendered once per set (routes share sets), not once per path.

/** Attribute sets whose rendered fragment is kept: a page of routes rarely spans more. */
const cachedSets = 4096;

export class RouteJson {
  private readonly fragments = new Map<number, string>();
  private lastSeconds = Number.NaN;
  private lastTime = '';

  constructor(
    private readonly rib: Rib,
    private readonly peerName: PeerNames,
  ) {}

  /** One route as JSON, identical to JSON.stringify of the engine Route. */
  route(view: RouteView): string {
    let paths = '';
    for (const p of view.paths) {
      paths += `${paths === '' ? '' : ','}{"peer":${JSON.stringify(this.peerName(p.peer))},"pathId":${p.pathId},${this.fragment(p.attributeSetId)},"stale":${p.stale},"receivedAt":"${this.time(p.receivedAt)}"}`;
    }
    return `{"prefix":"${formatPrefix(view.prefix)}","paths":[${paths}]}`;
  }

  /** The attribute-derived fields (nextHop ... extendedCommunities), without braces. */
  private fragment(set: number): string {
    let text = this.fragments.get(set);
    if (text === undefined) {
      const {
        peer: _peer,
        pathId: _pathId,
        stale: _stale,
        receivedAt: _receivedAt,
        ...rest
      } = routePath(decodeCanonical(this.rib.attributeSets.bytes(set)), '', 0, false, 0);
      text = JSON.stringify(rest).slice(1, -1);
      if (this.fragments.size >= cachedSets) this.fragments.clear();
      this.fragments.set(set, text);
    }
    return text;
  }

  private time(seconds: number): string {
    if (seconds !== this.lastSeconds) {
      this.lastSeconds = seconds;
      this.lastTime = new Date(seconds * 1000).toISOString();
    }
    return this.lastTime;
  }
}
