import { regionOfAsn } from '../regions';
import type { Route, RoutePath } from '../route-state';
import { allowedRegions, AnycastRegions, routeVerdict } from '../route-verdict';
import { vantageRoutes } from '../vantage';
import { fieldName, useAt, type AddressUse, type CheckModel } from './model';
import type { Rule } from './rule';

// The BGP rules: each Service address against the route that covers it in the route state.

function describePath(p: RoutePath): string {
  return `AS${p.originAs ?? '?'} via ${p.nextHop || 'no next hop'} from peer ${p.peer}`;
}

function pathsSummary(route: Route): string {
  return route.paths.map(describePath).join('; ');
}

/** Every Service address with a parsed IP, and the route covering it. */
function* routedAddresses(model: CheckModel): Generator<{ use: AddressUse; route: Route | undefined }> {
  const routes = model.routes;
  if (!routes) return;
  for (const s of model.services) {
    for (const use of [...s.clusterAddresses, ...s.externalAddresses]) {
      if (use.address) yield { use, route: routes.lookup(use.address) };
    }
  }
}

/** Regions allowed to originate an address: the Service's own, plus, for an external IP, every region of the same Service that uses it (anycast). */
function allowedFor(use: AddressUse, anycast: AnycastRegions): Set<string> | undefined {
  const own = use.service.region?.name;
  return own === undefined || !use.address
    ? undefined
    : allowedRegions(own, use.kind, anycast.regions(use.service.manifest.id, use.address.key));
}

/** The anycast sets of the model: configured regions only, as the rules know no others. */
function anycastOf(model: CheckModel): AnycastRegions {
  return new AnycastRegions(
    model.services.flatMap((s) =>
      s.externalAddresses.flatMap((e) =>
        e.address ? [{ service: s.manifest.id, region: s.region?.name, kind: e.kind, key: e.address.key }] : [],
      ),
    ),
  );
}

export const routeOriginMismatch: Rule = {
  id: 'route-origin-mismatch',
  defaultSeverity: 'error',
  summary: "A Service IP is covered by a route originated by another region's AS, or by an AS of no configured region.",
  help: "Traffic to the address goes wherever that route points: another region, or somewhere outside the fabric. Find who announces the prefix (the finding names the origin AS, next hop and peer) and withdraw it, or fix the Service's region label or address.",
  needsRegions: true,
  crossFile: ['ip', 'id'],
  needsRoutes: true,
  check(model, report) {
    const anycast = anycastOf(model);
    const routes = model.routes;
    if (!routes) return;
    for (const s of model.services) {
      for (const use of [...s.clusterAddresses, ...s.externalAddresses]) {
        const allowed = allowedFor(use, anycast);
        if (!use.address || !allowed) continue;
        // Judged per vantage: each region's speaker sees its own longest match.
        const seen = vantageRoutes(routes, use.address).flatMap(({ vantage, route }) => {
          const wrong = route ? routeVerdict(model.config, route, allowed).wrongPaths : [];
          return route && wrong.length > 0 ? [{ vantage, route, wrong }] : [];
        });
        if (seen.length === 0) continue;
        const parts = seen.map(({ vantage, route, wrong }) => {
          const origins = [
            ...new Set(
              wrong.map((p) => {
                const region = regionOfAsn(model.config, p.originAs ?? 0);
                return `AS${p.originAs} (${region ? `region ${region}` : 'no configured region'})`;
              }),
            ),
          ].join(', ');
          return `${vantage === undefined ? '' : `seen from region ${vantage}, `}covered by ${route.prefix}, originated by ${origins}: ${wrong.map(describePath).join('; ')}`;
        });
        report(
          useAt(use),
          `${fieldName(use)} ${use.literal.value} of region ${[...allowed].join(', ')} is ${parts.join('; and ')}. Traffic to it goes to the wrong place; withdraw that announcement or fix the address or region.`,
        );
      }
    }
  },
};

export const routeMissing: Rule = {
  id: 'route-missing',
  defaultSeverity: 'warning',
  summary: "A Service's cluster IP or external IP is covered by no route at all.",
  help: "Nothing in the fabric announces the address, so clients outside the cluster cannot reach it. Check that the cluster's BGP speakers (e.g. kube-router) advertise Service IPs and that their sessions are up.",
  needsRegions: false,
  needsRoutes: true,
  check(model, report) {
    const source = model.routes?.source ?? 'the route state';
    for (const { use, route } of routedAddresses(model)) {
      if (routeVerdict(model.config, route, undefined).state !== 'missing') continue;
      report(
        useAt(use),
        `${fieldName(use)} ${use.literal.value} is covered by no route in ${source}: nothing announces it, so it is unreachable from outside the cluster. Check that the cluster advertises Service IPs over BGP.`,
      );
    }
  },
};

export const routeSinglePath: Rule = {
  id: 'route-single-path',
  defaultSeverity: 'info',
  summary: 'An external (anycast) IP is reachable over only one path.',
  help: "An anycast address with a single path has no redundancy: one router or session failure makes it unreachable. Announce it from more nodes or regions (and enable ADD-PATH on the speaker's sessions to see every path).",
  needsRegions: false,
  needsRoutes: true,
  check(model, report) {
    for (const { use, route } of routedAddresses(model)) {
      if (route?.paths.length !== 1 || use.kind !== 'external') continue;
      report(
        useAt(use),
        `${fieldName(use)} ${use.literal.value} is reachable over a single path (${route.prefix}: ${pathsSummary(route)}): no redundancy. Announce it from more nodes or regions.`,
      );
    }
  },
};
