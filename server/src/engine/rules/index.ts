import { clusterIpOutsideRegion, externalIpInClusterRange, externalIpOutsidePools } from './address-ranges';
import { clusterIpAllocated } from './cluster-ip-allocated';
import { routeMissing, routeOriginMismatch, routeSinglePath } from './bgp-routes';
import { duplicateClusterIp } from './duplicate-cluster-ip';
import { externalIpConflict } from './external-ip-conflict';
import { unreadableFile, yamlSyntax } from './input-rules';
import { invalidIp } from './invalid-ip';
import { missingRegionLabel, unknownRegion } from './region-labels';
import type { Rule } from './rule';

/** The rule table: every rule kube-routes knows, in documentation order. */
export const rules: readonly Rule[] = [
  yamlSyntax,
  unreadableFile,
  invalidIp,
  duplicateClusterIp,
  externalIpConflict,
  externalIpInClusterRange,
  missingRegionLabel,
  unknownRegion,
  clusterIpOutsideRegion,
  externalIpOutsidePools,
  routeOriginMismatch,
  routeMissing,
  routeSinglePath,
  clusterIpAllocated,
];

export const rulesById: ReadonlyMap<string, Rule> = new Map(rules.map((r) => [r.id, r]));

export type { Rule, Report } from './rule';
