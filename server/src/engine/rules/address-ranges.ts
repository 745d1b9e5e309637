import { rangeContains } from '../addresses';
import { clusterRangeOwner, poolOwner } from '../regions';
import { fieldName, useAt } from './model';
import { cidrs } from './regions';
import type { Rule } from './rule';

export const clusterIpOutsideRegion: Rule = {
  id: 'cluster-ip-outside-region',
  defaultSeverity: 'error',
  summary: "A cluster IP lies outside its region's clusterIPRanges.",
  help: "A cluster only allocates cluster IPs from its own service range: the API server rejects the Service, or the address belongs to another region's clusters and collides there. Pick an address in the region's clusterIP range.",
  needsRegions: true,
  check(model, report) {
    for (const s of model.services) {
      const region = s.region;
      if (!region) continue;
      for (const use of s.clusterAddresses) {
        const address = use.address;
        if (!address || region.clusterIPRanges.some((r) => rangeContains(r, address))) continue;
        const owner = clusterRangeOwner(model.config, address);
        const where = owner
          ? ` it is in region ${owner.region.name}'s range ${owner.range.cidr}`
          : " it is in no region's range";
        report(
          useAt(use),
          `${fieldName(use)} ${use.literal.value} is outside region ${region.name}'s clusterIP ranges (${cidrs(region.clusterIPRanges)});${where}. Pick an address in ${region.name}'s range, or fix the region label.`,
        );
      }
    }
  },
};

export const externalIpInClusterRange: Rule = {
  id: 'external-ip-in-cluster-range',
  defaultSeverity: 'error',
  summary: "An external IP lies inside a region's clusterIP range.",
  help: 'An address in a clusterIP range can be allocated to another Service as its cluster IP at any time, and then two Services answer on it. Use an address from the externalIP pools.',
  needsRegions: true,
  check(model, report) {
    for (const s of model.services) {
      for (const use of s.externalAddresses) {
        const owner = use.address && clusterRangeOwner(model.config, use.address);
        if (!owner) continue;
        report(
          useAt(use),
          `${fieldName(use)} ${use.literal.value} is inside region ${owner.region.name}'s clusterIP range ${owner.range.cidr}: that cluster can allocate it to another Service at any time. Use an address from the externalIP pools.`,
        );
      }
    }
  },
};

export const externalIpOutsidePools: Rule = {
  id: 'external-ip-outside-pools',
  defaultSeverity: 'warning',
  summary: "An external IP lies in neither the global externalIP pools nor its region's pools.",
  help: "External IPs outside the pools are not reserved for Services, so the fabric may route them elsewhere, and another team may use them. Use an address from the global pools or from the region's own pools.",
  needsRegions: true,
  crossFile: ['pools'],
  check(model, report) {
    const config = model.config;
    const anyPools =
      config.externalIPPools.length > 0 || [...config.regions.values()].some((r) => r.externalIPPools.length > 0);
    if (!anyPools) return;
    for (const s of model.services) {
      const allowed = [...config.externalIPPools, ...(s.region?.externalIPPools ?? [])];
      for (const use of s.externalAddresses) {
        const address = use.address;
        if (!address || allowed.some((r) => rangeContains(r, address)) || clusterRangeOwner(config, address)) continue;
        const other = poolOwner(config, address);
        const why = other
          ? `it is in region ${other.region.name}'s own pool ${other.range.cidr}, which only ${other.region.name} may use`
          : `it is in none of the pools (${cidrs(allowed) || 'none for this Service'})`;
        report(
          useAt(use),
          `${fieldName(use)} ${use.literal.value} is outside the externalIP pools: ${why}. Use an address from ${cidrs(allowed) || 'a pool configured in kube-routes.yaml'}.`,
        );
      }
    }
  },
};
