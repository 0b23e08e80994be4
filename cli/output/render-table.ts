/**
 * Plain-text tables for terminals: columns padded to their widest cell, two spaces apart, no colour (so
 * `NO_COLOR` and pipes need nothing special), no trailing spaces.
 */

export interface Column {
  header: string;
  align?: 'left' | 'right';
}

export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((c, i) => Math.max(width(c.header), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: readonly string[]): string =>
    columns
      .map((c, i) => pad(cells[i] ?? '', widths[i] ?? 0, c.align ?? 'left'))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...rows.map(line)].map((l) => `${l}\n`).join('');
}

/** `KEY  value` lines with the keys aligned, for a record's fields. */
export function renderFields(fields: readonly (readonly [string, string])[]): string {
  const keyWidth = Math.max(0, ...fields.map(([k]) => width(k)));
  return fields.map(([k, v]) => `${pad(k, keyWidth, 'left')}  ${v}`.trimEnd() + '\n').join('');
}

function pad(text: string, size: number, align: 'left' | 'right'): string {
  const fill = ' '.repeat(Math.max(0, size - width(text)));
  return align === 'left' ? text + fill : fill + text;
}

/** Display width in code points (the tree glyphs we use are one column each). */
function width(text: string): number {
  return [...text].length;
}
