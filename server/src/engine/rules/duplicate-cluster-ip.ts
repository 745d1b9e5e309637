import { instanceKey, useAt, type AddressUse } from './model';
import type { Rule } from './rule';
import { describeOwners, groupConflicts, relatedUse } from './conflicts';

export const duplicateClusterIp: Rule = {
  id: 'duplicate-cluster-ip',
  defaultSeverity: 'error',
  summary: 'Two different Services use the same cluster IP.',
  help: "Cluster IPs are announced into the fabric, so they must be unique across every cluster, region and environment; otherwise traffic goes to whichever announcement wins. Give one of the Services a free address in its region's clusterIP range.",
  needsRegions: false,
  crossFile: ['ip'],
  check(model, report) {
    const uses = model.services.flatMap((s) => s.clusterAddresses);
    for (const [use, others] of groupConflicts(uses, instanceKey)) {
      report(
        useAt(use),
        `cluster IP ${use.literal.value} is also used by ${describeOwners(others)}: cluster IPs must be unique across every cluster, or traffic goes to whichever route wins. Pick a free address in ${regionRange(use)}.`,
        others.map((o) => relatedUse(o, `also uses ${o.literal.value}`)),
      );
    }
  },
};

function regionRange(use: AddressUse): string {
  const region = use.service.region;
  return region
    ? `region ${region.name}'s clusterIP range (${region.clusterIPRanges.map((r) => r.cidr).join(', ')})`
    : "the Service's clusterIP range";
}
