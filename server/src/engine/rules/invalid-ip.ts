import { familyName } from '../addresses';
import { fieldName, useAt, type ServiceAnalysis } from './model';
import { describeRangeObject, invalidRanges, rangeAt } from './pools';
import type { Report, Rule } from './rule';

export const invalidIp: Rule = {
  id: 'invalid-ip',
  defaultSeverity: 'error',
  summary: 'An IP field is not an IP literal, does not match ipFamilies, or clusterIPs[0] differs from clusterIP.',
  help: 'The API server rejects the Service, or allocates a different address than the manifest says. Write a plain IPv4 or IPv6 address of the family ipFamilies lists at that position, and keep clusterIPs[0] equal to clusterIP.',
  needsRegions: false,
  check(model, report) {
    for (const s of model.services) checkService(s, report);
    for (const [o, use] of invalidRanges([...model.pools, ...model.serviceCIDRs])) {
      report(
        rangeAt(o, use),
        `${describeRangeObject(o)}: "${use.literal.value}" is not a CIDR prefix or an address range (FIRST-LAST): its implementation rejects it. Write e.g. 192.0.2.0/24 or 192.0.2.10-192.0.2.20.`,
      );
    }
  },
};

function checkService(s: ServiceAnalysis, report: Report): void {
  const file = s.manifest.file;
  for (const use of s.literals) {
    if (use.address) continue;
    const article = use.kind === 'external' ? 'an external' : 'a cluster';
    report(
      useAt(use),
      `${fieldName(use)} "${use.literal.value}" is not an IP address: the API server rejects the Service. Write ${article} IP such as 172.25.0.10 or fd00:25::10.`,
    );
  }
  const families = s.manifest.ipFamilies;
  const clusterList = s.literals.filter((u) => u.field === 'clusterIPs');
  const listed = clusterList.length > 0 ? clusterList : s.literals.filter((u) => u.field === 'clusterIP');
  listed.forEach((use, i) => {
    const wanted = families[i];
    if (!use.address || !wanted) return;
    const actual = familyName(use.address.family);
    if (wanted.value !== actual) {
      report(
        useAt(use),
        `${fieldName(use)} ${use.literal.value} is ${actual} but ipFamilies[${i}] is ${wanted.value}: each cluster IP must match the family at its position. Swap the addresses or fix ipFamilies.`,
        [{ file, range: wanted.range, message: `ipFamilies[${i}] is ${wanted.value}` }],
      );
    }
  });
  const single = s.literals.find((u) => u.field === 'clusterIP');
  const first = clusterList[0];
  if (single && first) {
    const same =
      single.address && first.address
        ? single.address.key === first.address.key
        : single.literal.value === first.literal.value;
    if (!same) {
      report(
        useAt(first),
        `clusterIPs[0] ${first.literal.value} differs from clusterIP ${single.literal.value}: the API server requires them to be equal. Make clusterIPs[0] the same address as clusterIP.`,
        [{ file, range: single.literal.range, message: `clusterIP is ${single.literal.value}` }],
      );
    }
  }
}
