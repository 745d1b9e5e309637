import { LineCounter } from 'yaml';

/** A 0-based line and column (UTF-16 code units, as JavaScript strings and LSP count). */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/** A half-open range [start, end) in one file. */
export interface SourceRange {
  readonly start: Position;
  readonly end: Position;
}

/** A piece of text that came from a file (or stdin), addressed by the path shown to users. */
export interface SourceFile {
  readonly path: string;
  readonly text: string;
}

/** Turns offsets into positions; wraps yaml's LineCounter so the parser fills it as it reads. */
export class LineIndex {
  readonly counter = new LineCounter();

  position(offset: number): Position {
    const { line, col } = this.counter.linePos(offset);
    return { line: line - 1, column: col - 1 };
  }

  range(start: number, end: number): SourceRange {
    return { start: this.position(start), end: this.position(end) };
  }
}

export const emptyRange: SourceRange = { start: { line: 0, column: 0 }, end: { line: 0, column: 0 } };

export function compareRanges(a: SourceRange, b: SourceRange): number {
  return (
    a.start.line - b.start.line ||
    a.start.column - b.start.column ||
    a.end.line - b.end.line ||
    a.end.column - b.end.column
  );
}
