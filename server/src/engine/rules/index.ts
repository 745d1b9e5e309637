import { clusterIpOutsideRegion, externalIpInClusterRange, externalIpOutsidePools } from './address-ranges';
import { clusterIpAllocated } from './cluster-ip-allocated';
import { routeMissing, routeOriginMismatch, routeSinglePath } from './bgp-routes';
import { duplicateClusterIp } from './duplicate-cluster-ip';
import { externalIpConflict } from './external-ip-conflict';
import { unreadableFile, yamlSyntax } from './input-rules';
import { invalidIp } from './invalid-ip';
import { poolOverlap, serviceCidrOutsideRegion } from './pools';
import { missingRegionLabel, regionLabelMismatch, unknownRegion } from './region-labels';
import { fluxSubstitution, helmTemplate } from './repository';
import type { Rule } from './rule';

/** The rule table: every rule kube-routes knows, in documentation order. */
export const rules: readonly Rule[] = [
  yamlSyntax,
  unreadableFile,
  helmTemplate,
  fluxSubstitution,
  invalidIp,
  duplicateClusterIp,
  externalIpConflict,
  externalIpInClusterRange,
  missingRegionLabel,
  unknownRegion,
  regionLabelMismatch,
  clusterIpOutsideRegion,
  externalIpOutsidePools,
  poolOverlap,
  serviceCidrOutsideRegion,
  routeOriginMismatch,
  routeMissing,
  routeSinglePath,
  clusterIpAllocated,
];

export const rulesById: ReadonlyMap<string, Rule> = new Map(rules.map((r) => [r.id, r]));

export type { Rule, Report } from './rule';
