/** Plain-text table: a header row, then rows; columns padded to their widest cell. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** Kafka retention in words: `forever` for -1, else days or hours. */
export function formatRetention(ms: number): string {
  if (ms < 0) return 'forever';
  if (ms % DAY === 0) return `${ms / DAY}d`;
  if (ms % HOUR === 0) return `${ms / HOUR}h`;
  return `${ms}ms`;
}

