import type { RoutePath } from '@kube-routes/server/engine';
import type { Bird, Frr, GoBgp } from './daemons';

// What each daemon's own CLI says about a route it originates, in the speaker's vocabulary
// (communities "65001:1", large "65001:1:2", extended "rt 65001:5"), so tests can compare the
// speaker's API with the sender's view.

export interface AttributeView {
  readonly communities: readonly string[];
  readonly largeCommunities: readonly string[];
  readonly extendedCommunities: readonly string[];
}

export interface SentRouteView extends AttributeView {
  readonly nextHop?: string;
  readonly asPath?: readonly number[];
  readonly origin?: RoutePath['origin'];
}

/** The speaker's path reduced to what the CLI views carry, communities sorted. */
export function attributesOf(path: RoutePath): AttributeView {
  return {
    communities: [...path.communities].sort(),
    largeCommunities: [...path.largeCommunities].sort(),
    extendedCommunities: [...path.extendedCommunities].sort(),
  };
}

const sorted = (view: SentRouteView): SentRouteView => ({
  ...view,
  communities: [...view.communities].sort(),
  largeCommunities: [...view.largeCommunities].sort(),
  extendedCommunities: [...view.extendedCommunities].sort(),
});

/** `birdc show route PREFIX all`: the BGP.* attribute lines of the (first) route shown. */
export function birdRouteView(bird: Bird, prefix: string): SentRouteView | undefined {
  const out = bird.birdc('show', 'route', prefix, 'all');
  if (!out.includes(prefix)) return undefined;
  const line = (name: string) => new RegExp(`BGP\\.${name}:[ \\t]*(.*)`).exec(out)?.[1] ?? '';
  const asPath = line('as_path').trim();
  return sorted({
    communities: [...line('community').matchAll(/\((\d+),\s*(\d+)\)/g)].map((m) => `${m[1]}:${m[2]}`),
    largeCommunities: [...line('large_community').matchAll(/\((\d+),\s*(\d+),\s*(\d+)\)/g)].map(
      (m) => `${m[1]}:${m[2]}:${m[3]}`,
    ),
    extendedCommunities: [...line('ext_community').matchAll(/\((\w+),\s*([\d.]+),\s*(\d+)\)/g)].map(
      (m) => `${m[1] === 'ro' ? 'soo' : m[1]} ${m[2]}:${m[3]}`,
    ),
    asPath: asPath ? asPath.split(/\s+/).map(Number) : [],
  });
}

/** BIRD's own next hop towards a neighbor ("BGP Next hop:" of each channel, IPv4 first). */
export function birdNextHops(bird: Bird, protocol: string): string[] {
  return [...bird.birdc('show', 'protocols', 'all', protocol).matchAll(/BGP Next hop:\s+(\S+)/g)].map(
    (m) => m[1] ?? '',
  );
}

interface GoBgpAttribute {
  type: number;
  value?: unknown;
  nexthop?: string;
  communities?: number[];
  as_paths?: { segment_type: number; asns: number[] }[];
}

const extendedNames: Record<number, string> = { 2: 'rt', 3: 'soo' };

/** `gobgp -j neighbor ADDR adj-out -a FAMILY`: exactly what GoBGP sends the neighbor, after its export policy. */
export function gobgpAdjOut(gobgp: GoBgp, neighbor: string, family: 'ipv4' | 'ipv6'): Map<string, SentRouteView> {
  const run = gobgp.gobgp('-j', 'neighbor', neighbor, 'adj-out', '-a', family);
  const out = new Map<string, SentRouteView>();
  if (run.code !== 0 || !run.out.trim().startsWith('{')) return out;
  const table = JSON.parse(run.out) as Record<string, { attrs: GoBgpAttribute[] }[]>;
  for (const [prefix, paths] of Object.entries(table)) {
    const attrs = paths[0]?.attrs ?? [];
    const view: { -readonly [K in keyof SentRouteView]: SentRouteView[K] } = {
      communities: [],
      largeCommunities: [],
      extendedCommunities: [],
    };
    for (const a of attrs) {
      if (a.type === 1) view.origin = (['igp', 'egp', 'incomplete'] as const)[a.value as number];
      if (a.type === 2) view.asPath = (a.as_paths ?? []).flatMap((s) => s.asns);
      if (a.type === 3 || a.type === 14) view.nextHop = a.nexthop;
      if (a.type === 8) view.communities = (a.communities ?? []).map((c) => `${c >>> 16}:${c & 0xffff}`);
      if (a.type === 16)
        view.extendedCommunities = (a.value as { subtype: number; value: string }[]).map(
          (e) => `${extendedNames[e.subtype] ?? `subtype-${e.subtype}`} ${e.value}`,
        );
      if (a.type === 32)
        view.largeCommunities = (a.value as { ASN: number; LocalData1: number; LocalData2: number }[]).map(
          (l) => `${l.ASN}:${l.LocalData1}:${l.LocalData2}`,
        );
    }
    out.set(prefix, sorted(view));
  }
  return out;
}

interface FrrPath {
  aspath?: { segments?: { list?: number[] }[] };
  origin?: string;
  community?: { list?: string[] };
  largeCommunity?: { list?: string[] };
  extendedCommunity?: { string?: string };
}

/**
 * `vtysh show bgp FAMILY unicast PREFIX json` (FRR's RIB entry, communities set where the route
 * is originated) plus the next hop from `... neighbors ADDR advertised-routes json`.
 */
export function frrRouteView(
  frr: Frr,
  family: 'ipv4' | 'ipv6',
  prefix: string,
  neighbor: string,
): SentRouteView | undefined {
  const rib = JSON.parse(frr.vtysh(`show bgp ${family} unicast ${prefix} json`) || '{}') as { paths?: FrrPath[] };
  const path = rib.paths?.[0];
  if (!path) return undefined;
  const advertised = JSON.parse(
    frr.vtysh(`show bgp ${family} unicast neighbors ${neighbor} advertised-routes json`) || '{}',
  ) as { advertisedRoutes?: Record<string, { nextHop?: string; nextHopGlobal?: string }> };
  const sent = advertised.advertisedRoutes?.[prefix];
  const ext = (path.extendedCommunity?.string ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .map((e) => e.replace(/^RT:/, 'rt ').replace(/^SoO:/, 'soo '));
  return sorted({
    communities: path.community?.list ?? [],
    largeCommunities: path.largeCommunity?.list ?? [],
    extendedCommunities: ext,
    asPath: (path.aspath?.segments ?? []).flatMap((s) => s.list ?? []),
    origin: path.origin?.toLowerCase() as RoutePath['origin'] | undefined,
    nextHop: sent?.nextHop ?? sent?.nextHopGlobal,
  });
}
