import { manifestRegion, parseIpAddress, type ServiceManifest } from '@kube-routes/server/engine';
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver';
import { toRange } from '../diagnostics';
import type { FeatureContext, OpenDocument } from './context';
import { fieldLabel, serviceLiterals } from './service-literals';
import { serviceSpans } from './service-span';
import { splitLines } from './text-lines';

/** The outline: one symbol per Service (namespace/name, region), its IP values as children. */
export function documentSymbols(ctx: FeatureContext, doc: OpenDocument): DocumentSymbol[] {
  const spans = serviceSpans(splitLines(doc.text), doc.manifest.services);
  return doc.manifest.services.map((service, i) => {
    const span = spans[i] ?? service.nameRange;
    return {
      name: service.id,
      detail: detail(ctx, service),
      kind: SymbolKind.Object,
      range: toRange(span),
      selectionRange: toRange(within(service.nameRange, span)),
      children: serviceLiterals(service).map((l) => ({
        name: `${fieldLabel(l)} ${l.literal.value}`,
        detail: parseIpAddress(l.literal.value) ? undefined : 'not an IP address',
        kind: SymbolKind.Constant,
        range: toRange(l.literal.range),
        selectionRange: toRange(l.literal.range),
      })),
    };
  });
}

function detail(ctx: FeatureContext, service: ServiceManifest): string {
  const region = manifestRegion(ctx.config, service);
  const ip = service.clusterIP?.value ?? service.clusterIPs[0]?.value;
  return [region ? `region ${region.value.value}` : 'no region', ip ? `clusterIP ${ip}` : undefined]
    .filter(Boolean)
    .join(' · ');
}

/** LSP requires the selection inside the symbol's range; the span is built to contain it, this guards the edge. */
function within(
  inner: ServiceManifest['nameRange'],
  outer: ServiceManifest['nameRange'],
): ServiceManifest['nameRange'] {
  const before = (a: { line: number; column: number }, b: { line: number; column: number }) =>
    a.line < b.line || (a.line === b.line && a.column < b.column);
  return before(inner.start, outer.start) || before(outer.end, inner.end)
    ? { start: outer.start, end: outer.start }
    : inner;
}
