import { objectRegion } from '../regions';
import { serviceAt } from './model';
import { closestRegion, knownRegions } from './regions';
import type { Rule } from './rule';

export const missingRegionLabel: Rule = {
  id: 'missing-region-label',
  defaultSeverity: 'error',
  summary: 'A Service has none of the configured region labels, and its path names no region.',
  help: 'Without a region, kube-routes cannot tell which clusterIP range, externalIP pools and ASNs apply to the Service, and nobody reading the manifest can either. Add a region label naming one of the configured regions.',
  needsRegions: true,
  check(model, report) {
    const labels = model.config.regionLabels;
    for (const s of model.services) {
      if (s.regionLabel || s.byPath) continue;
      report(
        serviceAt(s, s.manifest.labelsAnchor),
        `Service ${s.manifest.id} has no region label (${labels.join(' or ')}): kube-routes cannot tell which region's ranges and ASNs apply. Add the label "${labels[0]}: REGION" with one of: ${knownRegions(model.config)}, or give the region's folder in regions.REGION.paths.`,
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

export const regionLabelMismatch: Rule = {
  id: 'region-label-mismatch',
  defaultSeverity: 'error',
  summary: "A region label contradicts the region of the manifest's path.",
  help: 'regions.*.paths in kube-routes.yaml say which region a folder deploys to; a label naming another region means the manifest is in the wrong folder, or the label is wrong. Move the file or fix the label.',
  needsRegions: true,
  check(model, report) {
    const objects = [
      ...model.services.map((s) => ({
        manifest: s.manifest,
        where: objectRegion(model.config, s.manifest),
        subject: serviceAt(s, s.manifest.nameRange).subject,
      })),
      ...[...model.pools, ...model.serviceCIDRs].map((o) => ({
        manifest: o.manifest,
        where: o.where,
        subject: undefined,
      })),
    ];
    for (const { manifest, where, subject } of objects) {
      const label = where.label;
      const byPath = where.byPath;
      if (!label?.region || !byPath || label.region.name === byPath.region.name) continue;
      report(
        { file: manifest.file, range: label.value.range, subject },
        `${label.key} label says region ${label.region.name}, but the path says region ${byPath.region.name} (regions.${byPath.region.name}.paths: ${byPath.glob}): fix the label, or move the file to ${label.region.name}'s folder.`,
      );
    }
  },
};
