import { rangesOverlap, type IpRange } from '../addresses';
import type { RegionConfig } from '../config/model';
import type { ObjectManifest, PoolManifest } from '../manifest/model';
import type { RangeObject, RangeUse } from './model';
import { cidrs } from './regions';
import type { Rule } from './rule';

function objectName(o: RangeObject): string {
  const what = 'source' in o.manifest ? (o.manifest as PoolManifest).source : o.manifest.kind;
  return `${what} ${o.manifest.namespace}/${o.manifest.name || '<no name>'}`;
}

function at(o: RangeObject, use: RangeUse) {
  return { file: o.manifest.file, range: use.literal.range, subject: undefined };
}

/** Inside a global externalIP pool, the same range in several regions is anycast: allowed. */
function isGlobal(range: IpRange, global: readonly IpRange[]): boolean {
  return global.some((g) => g.family === range.family && g.first <= range.first && range.last <= g.last);
}

export const poolOverlap: Rule = {
  id: 'pool-overlap',
  defaultSeverity: 'error',
  summary: 'A pool of one region overlaps a pool or clusterIP range of another region.',
  help: "Load balancers of two regions handing out the same addresses give two Services in different clusters one IP: the cross-cluster duplicate nobody sees until traffic goes to the wrong place. Give each region's pools disjoint ranges, or put shared anycast ranges in the global externalIPPools.",
  needsRegions: true,
  crossFile: ['pools'],
  check(model, report) {
    const global = model.config.externalIPPools;
    const pools = model.pools.filter((p) => p.where.region);
    for (const pool of pools) {
      const region = pool.where.region as RegionConfig;
      for (const use of pool.ranges) {
        const range = use.range;
        if (!range || isGlobal(range, global)) continue;
        const related = [];
        const what: string[] = [];
        for (const other of pools) {
          if (other === pool || other.where.region === region) continue;
          for (const o of other.ranges) {
            if (!o.range || !rangesOverlap(range, o.range)) continue;
            what.push(`${objectName(other)}'s ${o.literal.value} (region ${other.where.region?.name})`);
            related.push({
              file: other.manifest.file,
              range: o.literal.range,
              message: `${objectName(other)} (region ${other.where.region?.name}) declares ${o.literal.value}`,
            });
          }
        }
        for (const r of model.written.regions.values()) {
          if (r === region || r.name === region.name) continue;
          const clash = [
            ...r.clusterIPRanges.filter((c) => rangesOverlap(range, c)).map((c) => `clusterIP range ${c.cidr}`),
            ...r.externalIPPools.filter((c) => rangesOverlap(range, c)).map((c) => `externalIP pool ${c.cidr}`),
          ];
          for (const c of clash) what.push(`region ${r.name}'s ${c} in ${model.config.file ?? 'kube-routes.yaml'}`);
        }
        if (what.length === 0) continue;
        report(
          at(pool, use),
          `${objectName(pool)} of region ${region.name} declares ${use.literal.value}, which overlaps ${what.join(', ')}: two regions would hand out the same addresses. Make the ranges disjoint, or move a shared anycast range to the global externalIPPools.`,
          related,
        );
      }
    }
  },
};

export const serviceCidrOutsideRegion: Rule = {
  id: 'service-cidr-outside-region',
  defaultSeverity: 'error',
  summary: "A ServiceCIDR lies outside its region's clusterIPRanges.",
  help: "A ServiceCIDR adds a clusterIP range to a cluster: outside its region's clusterIPRanges, the cluster allocates cluster IPs that kube-routes (and other regions) believe belong elsewhere. Add the range to the region in kube-routes.yaml, or fix the ServiceCIDR.",
  needsRegions: true,
  check(model, report) {
    for (const cidr of model.serviceCIDRs) {
      const region = cidr.where.region;
      if (!region) continue;
      for (const use of cidr.ranges) {
        const range = use.range;
        if (!range) continue;
        const inside = region.clusterIPRanges.some(
          (r) => r.family === range.family && r.first <= range.first && range.last <= r.last,
        );
        if (inside) continue;
        report(
          at(cidr, use),
          `ServiceCIDR ${cidr.manifest.name || '<no name>'} gives ${use.literal.value}, outside region ${region.name}'s clusterIP ranges (${cidrs(region.clusterIPRanges)}): its cluster would allocate cluster IPs kube-routes does not expect there. Add the range to regions.${region.name}.clusterIPRanges, or fix the ServiceCIDR.`,
        );
      }
    }
  },
};

/** Pool and ServiceCIDR ranges that are not CIDRs or a-b ranges (reported under invalid-ip). */
export function* invalidRanges(objects: readonly RangeObject<ObjectManifest>[]): Generator<[RangeObject, RangeUse]> {
  for (const o of objects) for (const use of o.ranges) if (!use.range) yield [o, use];
}

export function describeRangeObject(o: RangeObject): string {
  return objectName(o);
}

export function rangeAt(o: RangeObject, use: RangeUse) {
  return at(o, use);
}
