import type { ServiceManifest, SourceRange } from '@kube-routes/server/engine';
import { serviceLiterals } from './service-literals';

// Where a Service sits in its file, for code lenses (above it) and the outline (its extent).
// The engine keeps value ranges, not document ranges; the document start is found from the
// text: the line after the "---" before the Service, past blank and comment lines.

const documentMarker = /^(---|\.\.\.)(\s|$)/;
const skippable = /^\s*(#.*)?$|^%/;

function allRanges(service: ServiceManifest): SourceRange[] {
  const ranges: SourceRange[] = [
    service.nameRange,
    service.labelsAnchor,
    ...[...service.labels.values()].map((l) => l.range),
    ...serviceLiterals(service).map((l) => l.literal.range),
  ];
  if (service.type) ranges.push(service.type.range);
  for (const f of service.ipFamilies) ranges.push(f.range);
  return ranges;
}

function firstLine(service: ServiceManifest): number {
  return Math.min(...allRanges(service).map((r) => r.start.line));
}

function lastPosition(service: ServiceManifest): { line: number; column: number } {
  let end = service.nameRange.end;
  for (const r of allRanges(service))
    if (r.end.line > end.line || (r.end.line === end.line && r.end.column > end.column)) end = r.end;
  return end;
}

function documentStart(lines: readonly string[], from: number): number {
  let start = 0;
  for (let i = Math.min(from, lines.length - 1); i >= 0; i--) {
    if (documentMarker.test(lines[i] ?? '')) {
      start = i + 1;
      break;
    }
  }
  while (start < from && skippable.test(lines[start] ?? '')) start++;
  return start;
}

/**
 * The range of each Service: from its document's first line to its last known value. Several
 * Services in one document (a List) start at their own first value instead, so each gets its
 * own lens line.
 */
export function serviceSpans(lines: readonly string[], services: readonly ServiceManifest[]): SourceRange[] {
  const starts = services.map((s) => documentStart(lines, firstLine(s)));
  return services.map((s, i) => {
    const shared = starts.filter((x) => x === starts[i]).length > 1;
    const line = shared ? firstLine(s) : (starts[i] ?? 0);
    const end = lastPosition(s);
    return { start: { line, column: 0 }, end: end.line < line ? { line, column: 0 } : end };
  });
}
