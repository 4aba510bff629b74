import { normalizeHeader } from './csv';

/** Where each candle field is: a header name (matched case- and separator-insensitively) or a 0-based index. */
export interface CandleColumnMap {
  time: string | number;
  open: string | number;
  high: string | number;
  low: string | number;
  close: string | number;
  /** Base-currency volume; absent means volume 0. */
  volume?: string | number;
}

/** Positional layout of header-less files: freqtrade / ccxt `[time, open, high, low, close, volume]`. */
export const POSITIONAL_CANDLE_COLUMNS: Readonly<Required<CandleColumnMap>> = { time: 0, open: 1, high: 2, low: 3, close: 4, volume: 5 };

/** Header aliases tried in order (after normalisation: lower case, separators as `_`). */
export const CANDLE_ALIASES = {
  time: ['timestamp', 'unix', 'unix_timestamp', 'open_time', 'opentime', 'time', 'datetime', 'date_time', 'date', 'ts', 't'],
  open: ['open', 'o', 'open_price', 'opening_price'],
  high: ['high', 'h', 'high_price'],
  low: ['low', 'l', 'low_price'],
  close: ['close', 'c', 'close_price', 'closing_price'],
  volume: ['volume', 'vol', 'v', 'base_volume', 'volume_base', 'basevolume'],
} as const;

/** Resolves a mapping entry against the header to an index, or -1. */
export function columnIndex(header: readonly string[] | null, col: string | number | undefined): number {
  if (col === undefined) return -1;
  if (typeof col === 'number') return col;
  if (!header) return -1;
  const want = normalizeHeader(col);
  return header.findIndex((h) => normalizeHeader(h) === want);
}

export interface ResolvedCandleColumns {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** -1 when the file has no volume column. */
  volume: number;
}

/**
 * Maps a header row to column indexes: the explicit `override` entries win, the rest come from
 * {@link CANDLE_ALIASES}. For volume, an exact alias wins; otherwise a `Volume <X>` column is taken,
 * preferring X = `base` (e.g. `Volume BTC` for BTC/USDT) and else the first such column.
 * Returns the missing field names instead when time/open/high/low/close cannot all be found.
 */
export function mapCandleColumns(
  header: readonly string[],
  override: Partial<CandleColumnMap> = {},
  base?: string,
): { ok: true; columns: ResolvedCandleColumns } | { ok: false; missing: string[] } {
  const norm = header.map(normalizeHeader);
  const pick = (field: keyof typeof CANDLE_ALIASES): number => {
    const o = override[field];
    if (o !== undefined) return columnIndex(header, o);
    for (const alias of CANDLE_ALIASES[field]) {
      const i = norm.indexOf(alias);
      if (i >= 0) return i;
    }
    return -1;
  };
  const cols: ResolvedCandleColumns = { time: pick('time'), open: pick('open'), high: pick('high'), low: pick('low'), close: pick('close'), volume: pick('volume') };
  if (cols.volume < 0 && override.volume === undefined) {
    const vols = norm.map((h, i) => ({ h, i })).filter((x) => /^volume_./.test(x.h) || /^vol_./.test(x.h));
    const preferred = base ? vols.find((x) => x.h.endsWith(`_${base.toLowerCase()}`)) : undefined;
    cols.volume = (preferred ?? vols[0])?.i ?? -1;
  }
  const missing = (['time', 'open', 'high', 'low', 'close'] as const).filter((k) => cols[k] < 0);
  return missing.length ? { ok: false, missing } : { ok: true, columns: cols };
}
