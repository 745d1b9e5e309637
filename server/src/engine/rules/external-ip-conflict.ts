import { sharingVerdict } from '../sharing';
import { describeOwners, groupConflicts, relatedUse } from './conflicts';
import { fieldName, useAt } from './model';
import type { Rule } from './rule';

export const externalIpConflict: Rule = {
  id: 'external-ip-conflict',
  defaultSeverity: 'error',
  summary: 'One external IP is used by two different Services.',
  help: "The same Service (same namespace/name) may share an external IP across regions: that is anycast. Two different Services on one external IP send each other's clients to the wrong backends, unless they carry the same sharing key (metallb.io/allow-shared-ip, lbipam.cilium.io/sharing-key, purelb.io/allow-shared-ip) and serve different ports. Give one of them another address from the externalIP pools.",
  needsRegions: false,
  crossFile: ['ip'],
  check(model, report) {
    const uses = model.services.flatMap((s) => s.externalAddresses);
    for (const [use, candidates] of groupConflicts(uses, (s) => s.manifest.id)) {
      const reasons = new Set<string>();
      const others = candidates.filter((o) => {
        const verdict = sharingVerdict(use.service.manifest, o.service.manifest);
        if (!verdict.shared && verdict.why) reasons.add(verdict.why);
        return !verdict.shared;
      });
      if (others.length === 0) continue;
      const why = reasons.size > 0 ? ` Sharing is refused: ${[...reasons].join('; ')}.` : '';
      report(
        useAt(use),
        `${fieldName(use)} ${use.literal.value} is also used by ${describeOwners(others)}: only the same Service (same namespace/name) may share an external IP across regions (anycast).${why} Use another address from the externalIP pools.`,
        others.map((o) => relatedUse(o, `also uses ${o.literal.value}`)),
      );
    }
  },
};
