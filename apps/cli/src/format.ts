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

/**
 * What a contract's key function keys by, read from its source: `(v) => \`${v.exchange}:${v.symbol}\``
 * reads `exchange:symbol`; a constant reads `"risk" (one partition order)`. Best effort: falls back
 * to the function's source.
 */
export function describeKey(key: (...args: never[]) => unknown): string {
  const src = key.toString();
  const arrow = src.indexOf('=>');
  let body = (arrow >= 0 ? src.slice(arrow + 2) : src).trim().replace(/;$/, '');
  while (body.startsWith('(') && body.endsWith(')')) body = body.slice(1, -1).trim();
  const template = (s: string) => s.trim().replace(/^`|`$/g, '').replace(/\$\{\s*\w+\.(\w+)\s*\}/g, '$1');
  const constant = /^['"]([^'"]*)['"]$/.exec(body);
  if (constant) return `"${constant[1]}" (constant)`;
  const field = /^\w+\.(\w+)$/.exec(body);
  if (field) return field[1]!;
  const ternary = /^[^?]+\?\s*(`[^`]*`)\s*:\s*['"]([^'"]*)['"]$/.exec(body);
  if (ternary) return `${template(ternary[1]!)} or "${ternary[2]}"`;
  if (/^`[^`]*`$/.test(body)) return template(body);
  return body;
}
