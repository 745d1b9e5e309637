import {
  manifestRegion,
  memberships,
  parseIpAddress,
  type IpAddress,
  type Membership,
  type RouteVerdict,
} from '@kube-routes/server/engine';
import { MarkupKind, type Hover, type Position } from 'vscode-languageserver';
import type { ContextState } from '../clusters/cluster-registry';
import { toRange } from '../diagnostics';
import type { FeatureContext, OpenDocument } from './context';
import { addressVerdict } from './address-verdict';
import { originLabel, pathsTable, sourceLine } from './route-markdown';
import { fieldLabel, literalAt, type ServiceLiteral } from './service-literals';

/** Hover on an IP of a Service: region and range membership, the covering route, other owners in the workspace and live clusters. */
export function hoverAt(ctx: FeatureContext, doc: OpenDocument, position: Position): Hover | null {
  const use = literalAt(doc.manifest, position);
  if (!use) return null;
  const address = parseIpAddress(use.literal.value);
  const sections = [
    heading(use),
    address ? regionSection(ctx, use, address) : `\`${use.literal.value}\` is not an IP address.`,
  ];
  if (address) {
    sections.push(routeSection(ctx, use, address));
    const others = ownersSection(ctx, doc.path, use, address);
    if (others) sections.push(others);
    const live = liveSection(ctx, use, address);
    if (live) sections.push(live);
    if (ctx.indexing)
      sections.push(
        `_Reading the workspace (${ctx.indexing.done} of ${ctx.indexing.total} files): other uses of this address may not be listed yet._`,
      );
  }
  return { contents: { kind: MarkupKind.Markdown, value: sections.join('\n\n') }, range: toRange(use.literal.range) };
}

function heading(use: ServiceLiteral): string {
  return `**${use.literal.value}** · ${fieldLabel(use)} of Service \`${use.service.id}\``;
}

function describeMembership(m: Membership): string {
  switch (m.kind) {
    case 'cluster-range':
      return `in region **${m.region?.name}**'s clusterIP range \`${m.range.cidr}\``;
    case 'region-pool':
      return `in region **${m.region?.name}**'s own externalIP pool \`${m.range.cidr}\``;
    case 'shared-pool':
      return `in the shared externalIP pool \`${m.range.cidr}\` (any region)`;
  }
}

function regionSection(ctx: FeatureContext, use: ServiceLiteral, address: IpAddress): string {
  const found = memberships(ctx.config, address);
  const where =
    found.length > 0 ? found.map(describeMembership).join('; ') : 'in no configured clusterIP range or externalIP pool';
  const label = manifestRegion(ctx.config, use.service);
  const labelText = !label
    ? 'the Service has no region label'
    : label.region
      ? `the Service's \`${label.key}\` label says **${label.region.name}**`
      : `the Service's \`${label.key}\` label says \`${label.value.value}\`, which is not a configured region`;
  return `Region: ${where}. Label: ${labelText}.`;
}

const verdictText: Readonly<Record<RouteVerdict, string>> = {
  announced: 'announced',
  stale: '**stale** (every path kept across a graceful restart)',
  missing: '**not announced**', // not shown: "Route: none covers this address" says it
  conflict: '**conflict**',
};

/** The same verdict the BGP rules and the code lens give, with the origins at fault. */
function verdictLine(ctx: FeatureContext, use: ServiceLiteral, address: IpAddress): string {
  const verdict = addressVerdict(ctx, use, address);
  if (!verdict) return '';
  const wrong = [...new Set(verdict.wrongPaths.map((p) => originLabel(ctx.config, p.originAs)))];
  return `Verdict: ${verdictText[verdict.state]}${wrong.length > 0 ? `: originated by ${wrong.join(', ')}` : ''}.`;
}

function routeSection(ctx: FeatureContext, use: ServiceLiteral, address: IpAddress): string {
  const live = ctx.routes;
  if (!live)
    return 'Route: no route source (set `speaker.api` in kube-routes.yaml or the `kubeRoutes.speakerUrl` setting).';
  const source = sourceLine(live.source.name, live.status);
  if (!live.known(address.key)) return `Route: not known yet (${source}).`;
  const route = live.route(address.key);
  if (!route) return `Route: **none** covers this address (${source}).`;
  const verdict = verdictLine(ctx, use, address);
  return `Route \`${route.prefix}\`, ${route.paths.length} path${route.paths.length === 1 ? '' : 's'} (${source}). ${verdict}\n\n${pathsTable(ctx.config, route, ctx.now())}`;
}

function ownersSection(ctx: FeatureContext, path: string, use: ServiceLiteral, address: IpAddress): string | undefined {
  const start = use.literal.range.start;
  const others = ctx.owners(address).filter((o) => {
    const at = o.use.literal.range.start;
    return !(o.file === path && at.line === start.line && at.column === start.column);
  });
  if (others.length === 0) return undefined;
  const lines = others.map((o) => {
    const label = manifestRegion(ctx.config, o.use.service);
    const region = label ? ` (region ${label.value.value})` : '';
    const line = o.use.literal.range.start.line + 1;
    return `- Service \`${o.use.service.id}\`${region}, ${fieldLabel(o.use)}: [${ctx.display(o.file)}:${line}](${ctx.uri(o.file)}#L${line})`;
  });
  return `Also used by:\n${lines.join('\n')}`;
}

function contextState(state: ContextState): string {
  const name = `\`${state.context}\``;
  switch (state.status.kind) {
    case 'waiting':
      return `${name}: not read yet`;
    case 'fresh':
      return `${name} as of ${state.status.at.toISOString()}`;
    case 'stale':
      return `**stale**: ${name} cannot be read since ${state.status.since.toISOString()} (${state.status.reason}); last read ${state.status.lastRead?.toISOString() ?? 'never'}`;
  }
}

/** The Services of the live clusters holding the address, with how current each context is. */
function liveSection(ctx: FeatureContext, use: ServiceLiteral, address: IpAddress): string | undefined {
  const clusters = ctx.clusters;
  if (!clusters) return undefined;
  const states = clusters.states().map(contextState).join('; ');
  const owners = clusters.owners(ctx.config, address);
  if (owners.length === 0) return `Live clusters: not allocated (${states}).`;
  const region = manifestRegion(ctx.config, use.service)?.region?.name;
  const rows = owners.map((a) => {
    const id = `${a.service.namespace}/${a.service.name}`;
    const deployed = id === use.service.id && (a.region === undefined || region === undefined || a.region === region);
    return `| ${a.service.context} | ${a.region ?? '–'} | ${id}${deployed ? ' (this Service, deployed)' : ''} |`;
  });
  return [
    `Allocated in live clusters (${states}):`,
    '',
    '| context | region | Service |',
    '|---|---|---|',
    ...rows,
  ].join('\n');
}
