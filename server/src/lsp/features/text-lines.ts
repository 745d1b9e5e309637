// Line access to a document's text, split as LSP counts lines (\n, \r\n and \r all end one).

export function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/** The leading spaces and tabs of a line. */
export function indentOf(line: string): string {
  return /^[ \t]*/.exec(line)?.[0] ?? '';
}

/** The line break the document uses, so inserted lines match it. */
export function lineBreakOf(text: string): string {
  const m = /\r\n|\r|\n/.exec(text);
  return m?.[0] ?? '\n';
}
