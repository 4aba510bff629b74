import type { Candle } from '../candle';
import { checkBar } from '../validate';
import type { CandleColumns } from './candle-columns';
import { decimalAt } from './decimal-text';
import { mapCandleColumns, columnIndex, POSITIONAL_CANDLE_COLUMNS, type CandleColumnMap, type ResolvedCandleColumns } from './columns';
import { detectDelimiter, isNumberish, splitCsvLine } from './csv';
import { epochToMs, timestampReader, type EpochUnit, type TimestampOptions } from './time';

export interface CandleParseOptions extends TimestampOptions {
  /** Column mapping; unmapped fields are found by header aliases (or position without a header). */
  columns?: Partial<CandleColumnMap>;
  /** `auto` (default) detects a header row; `true` / `false` force it. */
  header?: 'auto' | boolean;
  /** CSV delimiter; detected from the first non-banner line by default. */
  delimiter?: string;
  /** Base asset, to choose `Volume <base>` among several volume columns (e.g. `BTC`). */
  base?: string;
  /** Lines examined for a header or first data row before giving up on the layout (default 50). */
  maxPreambleLines?: number;
}

export type RowOutcome = { kind: 'candle'; candle: Candle } | { kind: 'skip'; reason: string } | { kind: 'error'; reason: string };

function num(s: string | undefined): number {
  if (s === undefined) return NaN;
  const t = s.trim();
  return t === '' ? NaN : Number(t);
}

/**
 * Line-by-line candle CSV reader. The layout is decided on the first lines: blank lines and a
 * banner (lines before the header that are neither a header nor a data row, like
 * CryptoDataDownload's URL line) are skipped; a header row maps columns by name
 * ({@link mapCandleColumns}); without a header the layout is positional
 * `time,open,high,low,close,volume` unless `columns` gives indexes. Each data row is checked with
 * `checkBar`; a bad row yields an `error` with the reason and parsing goes on.
 */
export class CandleCsvParser {
  private cols: ResolvedCandleColumns | null = null;
  private delim: string | undefined;
  private readonly readTime: (s: string) => number;
  private preamble = 0;
  header: string[] | null = null;
  /** Field bounds of the fast path (reused): starts[k], ends[k] for fields 0..maxField. */
  private starts = new Int32Array(0);
  private ends = new Int32Array(0);
  private maxField = -1;
  private readonly unit: EpochUnit;

  constructor(private readonly opts: CandleParseOptions = {}) {
    this.delim = opts.delimiter;
    this.readTime = timestampReader(opts);
    this.unit = opts.epochUnit ?? 'auto';
  }

  /**
   * Reads one line into `cols` (a row, or an error row with its reason) and returns true, or
   * returns false for a skipped line (blank, banner, header). Same outcomes as {@link feed}; rows
   * of plain numbers (and dates) without quotes take a path with no per-field string or array.
   */
  read(line: string, lineNo: number, cols: CandleColumns): boolean {
    if (this.cols !== null && this.maxField >= 0 && this.fastRow(line, lineNo, cols)) return true;
    const o = this.feed(line);
    if (o.kind === 'skip') return false;
    if (o.kind === 'error') cols.pushError(o.reason, lineNo, 0);
    else {
      const c = o.candle;
      cols.push(c.openTime, c.open, c.high, c.low, c.close, c.volume, lineNo, 0);
    }
    return true;
  }

  private fastRow(line: string, lineNo: number, cols: CandleColumns): boolean {
    const c = this.cols!;
    const d = this.delim!.charCodeAt(0);
    const len = line.length;
    const starts = this.starts;
    const ends = this.ends;
    const max = this.maxField;
    let f = 0;
    let st = 0;
    for (let i = 0; i < len; i++) {
      const ch = line.charCodeAt(i);
      if (ch === d) {
        starts[f] = st;
        ends[f] = i;
        st = i + 1;
        if (++f > max) break;
      } else if (ch === 34) return false; // quotes: the general splitter
    }
    if (f <= max) {
      starts[f] = st;
      ends[f] = len;
      f++;
    }
    if (f <= max) return false;
    let t: number;
    if (this.opts.dateFormat) t = this.readTime(line.slice(starts[c.time]!, ends[c.time]!));
    else {
      const x = decimalAt(line, starts[c.time]!, ends[c.time]!);
      t = x === x ? (this.unit === 'ms' || (this.unit === 'auto' && x >= 1e11 && x < 1e14) ? x : epochToMs(x, this.unit)) : this.readTime(line.slice(starts[c.time]!, ends[c.time]!));
    }
    if (t !== t) return false;
    const o = decimalAt(line, starts[c.open]!, ends[c.open]!);
    const h = decimalAt(line, starts[c.high]!, ends[c.high]!);
    const l = decimalAt(line, starts[c.low]!, ends[c.low]!);
    const cl = decimalAt(line, starts[c.close]!, ends[c.close]!);
    const v = c.volume < 0 ? 0 : decimalAt(line, starts[c.volume]!, ends[c.volume]!);
    if (o !== o || h !== h || l !== l || cl !== cl || v !== v) return false;
    cols.push(t, o, h, l, cl, v, lineNo, 0);
    return true;
  }

  private setColumns(cols: ResolvedCandleColumns): void {
    this.cols = cols;
    this.maxField = Math.max(cols.time, cols.open, cols.high, cols.low, cols.close, cols.volume);
    this.starts = new Int32Array(this.maxField + 2);
    this.ends = new Int32Array(this.maxField + 2);
    if (this.delim === undefined || this.delim.length !== 1) this.maxField = -1; // multi-character delimiters: general path
  }

  feed(line: string): RowOutcome {
    if (line.length === 0 || line.trim() === '') return { kind: 'skip', reason: 'blank line' };
    if (this.cols === null) return this.decideLayout(line);
    return this.row(splitCsvLine(line, this.delim));
  }

  private decideLayout(line: string): RowOutcome {
    const delim = this.delim ?? detectDelimiter(line);
    const fields = splitCsvLine(line, delim).map((f) => f.trim());
    const h = this.opts.header ?? 'auto';
    if (h !== true) {
      // A data row: positional (or index-mapped) layout and the row parses.
      const cols = this.positional();
      if (cols && fields.length > Math.max(cols.time, cols.open, cols.high, cols.low, cols.close) && isNumberish(fields[cols.open]!) && isNumberish(fields[cols.close]!) && !Number.isNaN(this.readTime(fields[cols.time]!))) {
        this.delim = delim;
        this.setColumns(cols);
        return this.row(fields);
      }
      if (h === false) return this.preambleLine('not a data row');
    }
    // A header row: most fields are names and the candle columns map.
    const names = fields.filter((f) => f !== '' && !isNumberish(f)).length;
    if (fields.length >= 4 && names >= fields.length - 1) {
      const m = mapCandleColumns(fields, this.opts.columns, this.opts.base);
      if (m.ok) {
        this.delim = delim;
        this.setColumns(m.columns);
        this.header = fields;
        return { kind: 'skip', reason: 'header' };
      }
      if (h === true) return { kind: 'error', reason: `header lacks columns: ${m.missing.join(', ')} (give them in the column mapping)` };
    }
    return this.preambleLine('banner');
  }

  private preambleLine(reason: string): RowOutcome {
    this.preamble++;
    if (this.preamble > (this.opts.maxPreambleLines ?? 50)) return { kind: 'error', reason: 'no header or data row found in the first lines' };
    return { kind: 'skip', reason };
  }

  private positional(): ResolvedCandleColumns | null {
    const c = { ...POSITIONAL_CANDLE_COLUMNS, ...(this.opts.columns ?? {}) };
    const idx = (k: keyof CandleColumnMap) => (typeof c[k] === 'number' ? (c[k] as number) : -1);
    const r = { time: idx('time'), open: idx('open'), high: idx('high'), low: idx('low'), close: idx('close'), volume: c.volume === undefined ? -1 : idx('volume') };
    return r.time < 0 || r.open < 0 || r.high < 0 || r.low < 0 || r.close < 0 ? null : r;
  }

  private row(f: string[]): RowOutcome {
    const c = this.cols!;
    const rawTime = f[c.time];
    if (rawTime === undefined) return { kind: 'error', reason: `expected at least ${c.time + 1} fields, got ${f.length}` };
    const openTime = this.readTime(rawTime);
    if (Number.isNaN(openTime)) return { kind: 'error', reason: `unreadable timestamp ${JSON.stringify(rawTime)}` };
    const candle: Candle = {
      openTime,
      open: num(f[c.open]),
      high: num(f[c.high]),
      low: num(f[c.low]),
      close: num(f[c.close]),
      volume: c.volume < 0 ? 0 : num(f[c.volume]),
    };
    const p = checkBar(candle);
    return p ? { kind: 'error', reason: `${p.problem}: ${p.detail}` } : { kind: 'candle', candle };
  }
}

/**
 * Reads one element of a JSON candle array: an array `[time, open, high, low, close, volume]`
 * (freqtrade / ccxt; time in epoch units, or a date string) or an object mapped like a CSV header.
 */
export function candleFromJsonElement(
  el: unknown,
  opts: CandleParseOptions & { readTime?: (s: string) => number } = {},
): RowOutcome {
  let t: unknown, o: unknown, h: unknown, l: unknown, c: unknown, v: unknown;
  if (Array.isArray(el) && opts.columns === undefined) {
    [t, o, h, l, c, v] = el; // the positional freqtrade / ccxt layout: the hot path of big files
  } else if (Array.isArray(el)) {
    const m = { ...POSITIONAL_CANDLE_COLUMNS, ...(opts.columns ?? {}) };
    const at = (k: keyof CandleColumnMap) => (typeof m[k] === 'number' ? el[m[k] as number] : undefined);
    [t, o, h, l, c, v] = [at('time'), at('open'), at('high'), at('low'), at('close'), at('volume')];
  } else if (el && typeof el === 'object') {
    const rec = el as Record<string, unknown>;
    const keys = Object.keys(rec);
    const m = mapCandleColumns(keys, opts.columns, opts.base);
    if (!m.ok) return { kind: 'error', reason: `object lacks fields: ${m.missing.join(', ')}` };
    const key = (i: number) => (i >= 0 ? rec[keys[i]!] : undefined);
    [t, o, h, l, c, v] = [key(m.columns.time), key(m.columns.open), key(m.columns.high), key(m.columns.low), key(m.columns.close), key(m.columns.volume)];
  } else return { kind: 'error', reason: 'element is neither an array nor an object' };
  let openTime: number;
  if (typeof t === 'number') openTime = epochToMs(t, (opts.epochUnit ?? 'auto') as EpochUnit);
  else if (typeof t === 'string') openTime = (opts.readTime ?? timestampReader(opts))(t);
  else return { kind: 'error', reason: `missing timestamp` };
  if (Number.isNaN(openTime)) return { kind: 'error', reason: `unreadable timestamp ${JSON.stringify(t)}` };
  const n = (x: unknown) => (typeof x === 'number' ? x : typeof x === 'string' ? num(x) : NaN);
  const candle: Candle = { openTime, open: n(o), high: n(h), low: n(l), close: n(c), volume: v === undefined ? 0 : n(v) };
  const p = checkBar(candle);
  return p ? { kind: 'error', reason: `${p.problem}: ${p.detail}` } : { kind: 'candle', candle };
}

/**
 * Fast path for a numeric row text like `[1606780800000,19695.87,19720.0,19479.8,19565.47,4570.36]`:
 * returns the numbers, or null when the text is anything else (then use JSON.parse).
 */
export function parseNumericRow(text: string): number[] | null {
  if (text.charCodeAt(0) !== 91 || text.charCodeAt(text.length - 1) !== 93) return null;
  const parts = text.slice(1, -1).split(',');
  const out = new Array<number>(parts.length);
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    const x = +p;
    if (x !== x || p.trim() === '') return null; // NaN or empty: not a plain numeric row
    out[i] = x;
  }
  return out;
}

export { columnIndex };
