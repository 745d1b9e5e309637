import type { Located, ServiceManifest } from '@kube-routes/server/engine';
import type { TextEdit } from 'vscode-languageserver';
import { toRange } from '../diagnostics';
import { indentOf, splitLines } from './text-lines';

// Text edits the code actions make, written to keep the file's own style: quotes around a
// replaced value, the indentation and flow/block style of the mapping a label goes into.

const disableComment = /^([ \t]*)#[ \t]*kube-routes-disable-next-line\b(.*)$/;

/** Replaces a scalar's value, keeping its quotes. */
export function replaceValue(lines: readonly string[], value: Located<string>, replacement: string): TextEdit {
  const line = lines[value.range.start.line] ?? '';
  const quote = line[value.range.start.column];
  const quoted = quote === '"' || quote === "'" ? `${quote}${replacement}${quote}` : replacement;
  return { range: toRange(value.range), newText: quoted };
}

/**
 * "# kube-routes-disable-next-line RULE" above the line, indented like it; when the line above is
 * already such a comment, the rule is added to its list.
 */
export function disableForLine(text: string, line: number, rule: string, eol: string): TextEdit {
  const lines = splitLines(text);
  const previous = line > 0 ? disableComment.exec(lines[line - 1] ?? '') : null;
  if (previous) {
    const listed = (previous[2] ?? '').split(/[\s,]+/).filter((r) => r !== '' && !r.startsWith('--'));
    const prevLine = lines[line - 1] ?? '';
    return {
      range: { start: { line: line - 1, character: 0 }, end: { line: line - 1, character: prevLine.length } },
      newText: `${previous[1] ?? ''}# kube-routes-disable-next-line ${[...listed, rule].join(',')}`,
    };
  }
  const indent = indentOf(lines[line] ?? '');
  return {
    range: { start: { line, character: 0 }, end: { line, character: 0 } },
    newText: `${indent}# kube-routes-disable-next-line ${rule}${eol}`,
  };
}

/** The column where a key's text starts on its line (for the indentation of siblings). */
function keyColumn(lines: readonly string[], line: number): number {
  return indentOf((lines[line] ?? '').replace(/^([ \t]*)- /, '$1  ')).length;
}

/** After "key:" on a line, is the value a flow mapping ("key: {…}")? Returns the column after "{". */
function flowOpen(lines: readonly string[], line: number, keyEnd: number): number | undefined {
  const rest = (lines[line] ?? '').slice(keyEnd);
  const m = /^\s*:\s*\{/.exec(rest);
  return m ? keyEnd + m[0].length : undefined;
}

function flowInsert(lines: readonly string[], line: number, column: number, entry: string): TextEdit {
  const closesAtOnce = /^\s*\}/.test((lines[line] ?? '').slice(column));
  return {
    range: { start: { line, character: column }, end: { line, character: column } },
    newText: closesAtOnce ? entry : `${entry}, `,
  };
}

/** Inserts whole lines (each ending in eol) after a line, also when it is the last line of the file. */
function insertAfter(lines: readonly string[], line: number, content: string, eol: string): TextEdit {
  if (line + 1 < lines.length)
    return {
      range: { start: { line: line + 1, character: 0 }, end: { line: line + 1, character: 0 } },
      newText: content,
    };
  const end = (lines[line] ?? '').length;
  return {
    range: { start: { line, character: end }, end: { line, character: end } },
    newText: eol + content.slice(0, content.length - eol.length),
  };
}

/**
 * Adds "labelKey: value" to a Service's labels, creating metadata.labels when missing. The
 * Service's labelsAnchor is the labels key, else the metadata key, else the kind key.
 */
export function addLabel(
  text: string,
  service: ServiceManifest,
  labelKey: string,
  value: string,
  eol: string,
): TextEdit {
  const lines = splitLines(text);
  const anchor = service.labelsAnchor;
  const anchorText = (lines[anchor.start.line] ?? '').slice(anchor.start.column, anchor.end.column);
  const line = anchor.start.line;
  const column = keyColumn(lines, line);
  if (anchorText === 'labels') {
    const flow = flowOpen(lines, line, anchor.end.column);
    if (flow !== undefined) return flowInsert(lines, line, flow, `${labelKey}: ${value}`);
    // Indent like the existing labels when they are on their own lines.
    const first = [...service.labels.values()].find((l) => l.range.start.line > line);
    const childIndent = first ? keyColumn(lines, first.range.start.line) : column + 2;
    return insertAfter(lines, line, `${' '.repeat(childIndent)}${labelKey}: ${value}${eol}`, eol);
  }
  if (anchorText === 'metadata') {
    const flow = flowOpen(lines, line, anchor.end.column);
    if (flow !== undefined) return flowInsert(lines, line, flow, `labels: {${labelKey}: ${value}}`);
    const nameLine = service.nameRange.start.line;
    const childIndent = nameLine > line ? keyColumn(lines, nameLine) : column + 2;
    return insertAfter(
      lines,
      line,
      `${' '.repeat(childIndent)}labels:${eol}${' '.repeat(childIndent + 2)}${labelKey}: ${value}${eol}`,
      eol,
    );
  }
  return insertAfter(
    lines,
    line,
    `${' '.repeat(column)}metadata:${eol}${' '.repeat(column + 2)}labels:${eol}${' '.repeat(column + 4)}${labelKey}: ${value}${eol}`,
    eol,
  );
}
