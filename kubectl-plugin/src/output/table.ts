// Tables as kubectl prints them (cli-runtime's tabwriter: cells padded by 3 spaces to a minimum
// width of 6, the last column unpadded), with optional colour that does not count as width.

export interface TableOptions {
  readonly headers: boolean;
  /** Colours one cell (by column index and plain value); identity when colour is off. */
  readonly paint?: (column: number, value: string) => string;
}

const padding = 3;
const minWidth = 6;

export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  options: TableOptions,
): string {
  const all = options.headers ? [header, ...rows] : rows;
  if (all.length === 0) return '';
  const widths = header.map((_, c) => Math.max(minWidth, ...all.map((r) => (r[c] ?? '').length + padding)));
  const paint = options.paint ?? ((_: number, v: string) => v);
  const line = (cells: readonly string[], isHeader: boolean) =>
    cells
      .map((cell, c) => {
        const shown = isHeader ? cell : paint(c, cell);
        return c === cells.length - 1 ? shown : shown + ' '.repeat((widths[c] ?? 0) - cell.length);
      })
      .join('');
  return `${all.map((r, i) => line(r, options.headers && i === 0)).join('\n')}\n`;
}

/** kubectl's placeholder for an empty cell. */
export function orNone(values: readonly string[], separator = ','): string {
  return values.length > 0 ? values.join(separator) : '<none>';
}
