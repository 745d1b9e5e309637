import { manifestRegion, parseIpAddress, type IpAddress, type ServiceManifest } from '@kube-routes/server/engine';
import type { CodeLens } from 'vscode-languageserver';
import { toRange } from '../diagnostics';
import { addressVerdict } from './address-verdict';
import type { FeatureContext, OpenDocument } from './context';
import { originLabel } from './route-markdown';
import { serviceLiterals } from './service-literals';
import { serviceSpans } from './service-span';
import { splitLines } from './text-lines';

// One lens above each Service summing up its routes: "announced · 3 paths · AS64512 (nyc3)",
// "not announced", "conflict: AS64513 (sgp1)". A conflict is shown exactly where the diagnostics
// report route-origin-mismatch, so the lens and the squiggles never disagree.

/** Lenses are informational: an empty command id makes clients show the title without a click action. */
const noCommand = '';

export function codeLenses(ctx: FeatureContext, doc: OpenDocument): CodeLens[] {
  const live = ctx.routes;
  // A lens shows no conflict only where the diagnostics find none: it waits for the whole workspace.
  if (!live || ctx.indexing) return [];
  const spans = serviceSpans(splitLines(doc.text), doc.manifest.services);
  const lenses: CodeLens[] = [];
  doc.manifest.services.forEach((service, i) => {
    const title = lensTitle(ctx, service);
    const span = spans[i];
    if (title && span)
      lenses.push({ range: toRange({ start: span.start, end: span.start }), command: { title, command: noCommand } });
  });
  return lenses;
}

function lensTitle(ctx: FeatureContext, service: ServiceManifest): string | undefined {
  const live = ctx.routes;
  if (!live) return undefined;
  const uses = serviceLiterals(service)
    .map((l) => ({ l, address: parseIpAddress(l.literal.value) }))
    .filter((u): u is { l: typeof u.l; address: IpAddress } => u.address !== undefined);
  if (uses.length === 0) return undefined;
  const stale = live.status.kind === 'stale' ? ' · stale' : '';
  const label = manifestRegion(ctx.config, service);
  const region = label?.region?.name ?? label?.value.value;
  // The values the diagnostics flag, found by subject: suppressed or held-back findings show no conflict either.
  const flagged = new Set(
    ctx.findings
      .filter(
        (f) => f.rule === 'route-origin-mismatch' && f.subject?.service === service.id && f.subject.region === region,
      )
      .map((f) => `${f.subject?.field}[${f.subject?.index}]`),
  );
  const wrong = new Set<string>();
  for (const u of uses) {
    if (!flagged.has(`${u.l.field}[${u.l.index}]`)) continue;
    for (const p of addressVerdict(ctx, u.l, u.address)?.wrongPaths ?? [])
      wrong.add(originLabel(ctx.config, p.originAs));
  }
  if (wrong.size > 0) return `conflict: ${[...wrong].join(', ')}${stale}`;
  const unknown = uses.filter((u) => !live.known(u.address.key));
  if (unknown.length === uses.length)
    return `routes: ${live.status.kind === 'stale' ? 'unknown (source unreachable)' : `waiting for ${live.source.name}`}`;
  const announced = uses.filter((u) => live.route(u.address.key));
  if (announced.length === 0) return `not announced${stale}`;
  const paths = announced.reduce((n, u) => n + (live.route(u.address.key)?.paths.length ?? 0), 0);
  const origins = new Set<string>();
  for (const u of announced)
    for (const p of live.route(u.address.key)?.paths ?? []) origins.add(originLabel(ctx.config, p.originAs));
  const missing = uses
    .filter((u) => live.known(u.address.key) && !live.route(u.address.key))
    .map((u) => u.l.literal.value);
  const missingText = missing.length > 0 ? ` · not announced: ${missing.join(', ')}` : '';
  return `announced · ${paths} path${paths === 1 ? '' : 's'} · ${[...origins].join(', ')}${missingText}${stale}`;
}
