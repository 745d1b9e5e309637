import {
  AnycastRegions,
  allowedRegions,
  manifestRegion,
  routeVerdict,
  type AddressVerdict,
  type IpAddress,
} from '@kube-routes/server/engine';
import type { FeatureContext } from './context';
import type { ServiceLiteral } from './service-literals';

// The engine's route verdict for one address of an open document, with the anycast sets the
// rule sees (every workspace Service using the address), so hovers, lenses and diagnostics agree.

/** Undefined while the route source has not answered for the address. */
export function addressVerdict(
  ctx: FeatureContext,
  use: ServiceLiteral,
  address: IpAddress,
): AddressVerdict | undefined {
  const live = ctx.routes;
  if (!live?.known(address.key)) return undefined;
  const own = manifestRegion(ctx.config, use.service)?.region?.name;
  const allowed =
    own === undefined
      ? undefined
      : allowedRegions(own, use.kind, anycastRegions(ctx, address).regions(use.service.id, address.key));
  return routeVerdict(ctx.config, live.route(address.key), allowed);
}

/** Where the workspace's Services use the address, by region: the anycast sets the rule sees. */
function anycastRegions(ctx: FeatureContext, address: IpAddress): AnycastRegions {
  return new AnycastRegions(
    ctx.owners(address).map((o) => ({
      service: o.use.service.id,
      region: manifestRegion(ctx.config, o.use.service)?.region?.name,
      kind: o.use.kind,
      key: address.key,
    })),
  );
}
