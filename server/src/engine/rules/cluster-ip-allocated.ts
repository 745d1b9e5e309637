import type { LiveAllocation } from '../live-services';
import { cidrs } from './regions';
import { useAt, type ServiceAnalysis } from './model';
import type { Rule } from './rule';

// A manifest's cluster IP against the addresses live clusters have already allocated: the same
// Service (same namespace/name, same region) holding it is the manifest's own deployment.

function sameService(a: LiveAllocation, s: ServiceAnalysis): boolean {
  if (`${a.service.namespace}/${a.service.name}` !== s.manifest.id) return false;
  return a.region === undefined || s.region === undefined || a.region === s.region.name;
}

function owner(a: LiveAllocation): string {
  return `Service ${a.service.namespace}/${a.service.name} in context ${a.service.context}${a.region ? ` (region ${a.region})` : ''}`;
}

export const clusterIpAllocated: Rule = {
  id: 'cluster-ip-allocated',
  defaultSeverity: 'error',
  summary: 'A cluster IP is already allocated to another Service in a live cluster.',
  help: 'The address is taken: applying the manifest to that cluster fails ("provided IP is already allocated"), and from any other cluster the address would be announced twice. Pick a free address in the region\'s clusterIP range, or free the address first.',
  needsRegions: false,
  needsLive: true,
  check(model, report) {
    const live = model.live;
    if (!live) return;
    for (const s of model.services) {
      for (const use of s.clusterAddresses) {
        if (!use.address) continue;
        const others = live.allocatedTo(use.address).filter((a) => !sameService(a, s));
        if (others.length === 0) continue;
        const sameRegion = s.region !== undefined && others.some((a) => a.region === s.region?.name);
        const consequence = sameRegion
          ? 'applying this manifest there fails ("provided IP is already allocated")'
          : 'deployed too, the address would be announced from two clusters';
        const where = s.region
          ? `region ${s.region.name}'s clusterIP range (${cidrs(s.region.clusterIPRanges)})`
          : "the Service's clusterIP range";
        report(
          useAt(use),
          `cluster IP ${use.literal.value} is already allocated to ${others.map(owner).join(', ')}: ${consequence}. Pick a free address in ${where}.`,
        );
      }
    }
  },
};
