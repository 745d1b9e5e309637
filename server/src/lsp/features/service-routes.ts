import { manifestRegion, memberships, parseIpAddress, type ServiceManifest } from '@kube-routes/server/engine';
import type { Position } from 'vscode-languageserver';
import type { ServiceRoutesResult } from '../protocol';
import type { FeatureContext, OpenDocument } from './context';
import { originLabel, pathsTable, sourceLine } from './route-markdown';
import { fieldLabel, literalAt, serviceLiterals, type ServiceLiteral } from './service-literals';
import { serviceSpans } from './service-span';
import { splitLines } from './text-lines';

// "Show Routes for Service": everything the hovers say about each address of one Service, on
// one page: a summary row per address, then each route's paths. The hover answers "what about
// this IP?"; this answers "is this Service reachable, and from where?".

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** The Service under the cursor: on one of its values, else the one whose document holds the line. */
function serviceAt(doc: OpenDocument, position: Position): ServiceManifest | undefined {
  const onValue = literalAt(doc.manifest, position);
  if (onValue) return onValue.service;
  const services = doc.manifest.services;
  const spans = serviceSpans(splitLines(doc.text), services);
  // Spans end at a Service's last value: the last one starting at or above the cursor is its Service.
  let found: ServiceManifest | undefined;
  spans.forEach((span, i) => {
    if (span.start.line <= position.line) found = services[i];
  });
  return found ?? services[0];
}

function regionCell(ctx: FeatureContext, literal: ServiceLiteral): string {
  const address = parseIpAddress(literal.literal.value);
  if (!address) return 'not an IP address';
  const found = memberships(ctx.config, address);
  if (found.length === 0) return 'no configured range';
  return found.map((m) => (m.region ? `${m.region.name} ${m.range.cidr}` : `shared pool ${m.range.cidr}`)).join(', ');
}

function routeCells(ctx: FeatureContext, literal: ServiceLiteral): [route: string, paths: string, origin: string] {
  const address = parseIpAddress(literal.literal.value);
  const live = ctx.routes;
  if (!address || !live) return ['–', '–', '–'];
  if (!live.known(address.key)) return ['not known yet', '–', '–'];
  const route = live.route(address.key);
  if (!route) return ['**none**', '0', '–'];
  const origins = [...new Set(route.paths.map((p) => originLabel(ctx.config, p.originAs)))];
  return [`\`${route.prefix}\``, String(route.paths.length), origins.join(', ')];
}

export function serviceRoutes(ctx: FeatureContext, doc: OpenDocument, position: Position): ServiceRoutesResult | null {
  const service = serviceAt(doc, position);
  if (!service) return null;
  const literals = serviceLiterals(service);
  const label = manifestRegion(ctx.config, service);
  const live = ctx.routes;
  const lines = [
    `# Service \`${service.id}\``,
    '',
    `File: ${ctx.display(doc.path)} · region label: ${label ? `${label.key}=${label.value.value}` : 'none'} · route source: ${live ? sourceLine(live.source.name, live.status) : 'none (set `speaker.api` in kube-routes.yaml, or the speakerUrl or mrtPath setting)'}`,
    '',
  ];
  if (literals.length === 0) {
    lines.push('No clusterIP, clusterIPs, externalIPs or loadBalancerIP is set.');
    return { service: service.id, markdown: `${lines.join('\n')}\n` };
  }
  lines.push('| field | address | region | route | paths | origin AS |', '|---|---|---|---|---|---|');
  for (const l of literals) {
    const [route, paths, origin] = routeCells(ctx, l);
    lines.push(
      `| ${fieldLabel(l)} | ${cell(l.literal.value)} | ${cell(regionCell(ctx, l))} | ${route} | ${paths} | ${cell(origin)} |`,
    );
  }
  const shown = new Set<string>();
  for (const l of literals) {
    const address = parseIpAddress(l.literal.value);
    const route = address && live?.route(address.key);
    if (!route || shown.has(route.prefix)) continue;
    shown.add(route.prefix);
    lines.push('', `## Paths of \`${route.prefix}\``, '', pathsTable(ctx.config, route, ctx.now()));
  }
  return { service: service.id, markdown: `${lines.join('\n')}\n` };
}
