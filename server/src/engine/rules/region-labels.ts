import { serviceAt } from './model';
import { closestRegion, knownRegions } from './regions';
import type { Rule } from './rule';

export const missingRegionLabel: Rule = {
  id: 'missing-region-label',
  defaultSeverity: 'error',
  summary: 'A Service has none of the configured region labels.',
  help: 'Without a region, kube-routes cannot tell which clusterIP range, externalIP pools and ASNs apply to the Service, and nobody reading the manifest can either. Add a region label naming one of the configured regions.',
  needsRegions: true,
  check(model, report) {
    const labels = model.config.regionLabels;
    for (const s of model.services) {
      if (s.regionLabel) continue;
      report(
        serviceAt(s, s.manifest.labelsAnchor),
        `Service ${s.manifest.id} has no region label (${labels.join(' or ')}): kube-routes cannot tell which region's ranges and ASNs apply. Add the label "${labels[0]}: REGION" with one of: ${knownRegions(model.config)}.`,
      );
    }
  },
};

export const unknownRegion: Rule = {
  id: 'unknown-region',
  defaultSeverity: 'error',
  summary: "A Service's region label names no configured region.",
  help: "The label must name a region of kube-routes.yaml so the region's ranges and ASNs can be checked. Fix the label, or add the region to the config.",
  needsRegions: true,
  check(model, report) {
    for (const s of model.services) {
      if (!s.regionLabel || s.region) continue;
      const value = s.regionLabel.value.value;
      const guess = closestRegion(model.config, value);
      report(
        serviceAt(s, s.regionLabel.value.range),
        `region "${value}" is not a configured region${guess ? ` (did you mean "${guess}"?)` : ''}; known regions: ${knownRegions(model.config)}. Fix the ${s.regionLabel.key} label or add the region to ${model.config.file ?? 'kube-routes.yaml'}.`,
      );
    }
  },
};
