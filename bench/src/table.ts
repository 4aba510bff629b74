/**
 * Plain-text tables for bench output: columns padded to their widest cell,
 * numbers right-aligned, text left-aligned.
 */
export type Cell = string | number | null | undefined;

export interface TableOptions {
  /** digits after the point for numbers (default 2) */
  digits?: number;
  title?: string;
}

export function formatCell(c: Cell, digits = 2): string {
  if (c === null || c === undefined) return 'n/a';
  if (typeof c === 'number') {
    if (!Number.isFinite(c)) return 'n/a';
    return Math.abs(c) >= 1000 ? c.toFixed(0) : c.toFixed(digits);
  }
  return c;
}

export function renderTable(headers: string[], rows: Cell[][], opts: TableOptions = {}): string {
  const digits = opts.digits ?? 2;
  const text = rows.map((r) => r.map((c) => formatCell(c, digits)));
  const numeric = headers.map((_, j) => rows.some((r) => typeof r[j] === 'number'));
  const widths = headers.map((h, j) => Math.max(h.length, ...text.map((r) => (r[j] ?? '').length)));
  const pad = (s: string, j: number) => (numeric[j] ? s.padStart(widths[j]) : s.padEnd(widths[j]));
  const lines = [headers.map(pad).join('  '), widths.map((w) => '-'.repeat(w)).join('  '), ...text.map((r) => r.map(pad).join('  '))];
  return (opts.title ? `${opts.title}\n` : '') + lines.join('\n');
}

export function printTable(headers: string[], rows: Cell[][], opts: TableOptions = {}): void {
  console.log(renderTable(headers, rows, opts));
}
