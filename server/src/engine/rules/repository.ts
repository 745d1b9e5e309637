import { compareRanges } from '../source';
import type { Rule } from './rule';

// Repository shapes that are not plain manifests: Helm chart templates, Flux substitutions.

export const helmTemplate: Rule = {
  id: 'helm-template',
  defaultSeverity: 'info',
  summary: "A Helm chart's templates are not manifests: render them with helm template.",
  help: 'Go template actions ({{ ... }}) make a template something other than YAML, and its Services only exist once rendered. Check the rendered chart: helm template RELEASE CHART | kubectl routes check -. Exclude the chart (--exclude or exclude: in kube-routes.yaml) to silence this note.',
  needsRegions: false,
  crossFile: ['helm'],
  check(model, report) {
    const charts = new Map<string, string[]>();
    for (const f of model.files) {
      if (!f.helmTemplate) continue;
      const list = charts.get(f.helmTemplate.chart) ?? [];
      list.push(f.file);
      charts.set(f.helmTemplate.chart, list);
    }
    for (const [chart, files] of charts) {
      const first = [...files].sort()[0] as string;
      report(
        { file: first, range: { start: { line: 0, column: 0 }, end: { line: 0, column: 0 } }, subject: undefined },
        `${files.length === 1 ? '1 file is a Helm template' : `${files.length} files are Helm templates`} of chart ${chart}, not ${files.length === 1 ? 'a manifest: it is' : 'manifests: they are'} not checked. Check the rendered chart: helm template RELEASE ${chart} | kubectl routes check -`,
      );
    }
  },
};

export const fluxSubstitution: Rule = {
  id: 'flux-substitution',
  defaultSeverity: 'info',
  summary: 'A Flux substitution without default leaves an address unchecked.',
  help: `Flux fills \${VAR} from postBuild.substitute at apply time, so the address is unknown here. Write a default (\${VAR:=203.0.113.10}) to have it checked, or check the rendered output.`,
  needsRegions: false,
  check(model, report) {
    for (const f of model.files) {
      const first = [...f.unresolved].sort((a, b) => compareRanges(a.literal.range, b.literal.range))[0];
      if (!first) continue;
      const names = [...new Set(f.unresolved.map((u) => `\${${u.variable}}`))];
      report(
        { file: f.file, range: first.literal.range, subject: undefined },
        `${f.unresolved.length} address${f.unresolved.length === 1 ? ' is a Flux substitution' : 'es are Flux substitutions'} without default (${names.join(', ')}): not checked until Flux substitutes ${names.length === 1 ? 'it' : 'them'}. Write \${VAR:=ADDRESS} to have the default checked.`,
      );
    }
  },
};
