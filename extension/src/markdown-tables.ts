// Pads the cells of Markdown pipe tables so the columns line up: the route and peer pages are
// opened as plain text documents (no webview), where an aligned table reads like kubectl's
// output, and Markdown preview still renders them as tables.

function splitRow(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  const body = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\' && body[i + 1] === '|') {
      cell += '\\|';
      i++;
      continue;
    }
    if (c === '|') {
      cells.push(cell.trim());
      cell = '';
      continue;
    }
    cell += c;
  }
  cells.push(cell.trim());
  return cells;
}

const isSeparator = (cells: readonly string[]) => cells.every((c) => /^:?-+:?$/.test(c));

function alignTable(rows: readonly string[]): string[] {
  const cells = rows.map(splitRow);
  const widths: number[] = [];
  for (const row of cells) {
    if (isSeparator(row)) continue;
    row.forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? 3, c.length);
    });
  }
  return cells.map((row) => {
    const sep = isSeparator(row);
    const padded = widths.map((w, i) => (sep ? '-'.repeat(w) : (row[i] ?? '').padEnd(w)));
    return `| ${padded.join(' | ')} |`;
  });
}

/** Every run of lines starting with "|" is a table; the other lines are kept as they are. */
export function alignTables(markdown: string): string {
  const out: string[] = [];
  let table: string[] = [];
  const flush = () => {
    if (table.length > 0) out.push(...alignTable(table));
    table = [];
  };
  for (const line of markdown.split('\n')) {
    if (line.trimStart().startsWith('|')) table.push(line);
    else {
      flush();
      out.push(line);
    }
  }
  flush();
  return out.join('\n');
}
