import type { Candle } from '../candle';
import { checkBar } from '../validate';

/**
 * A growable columnar batch of OHLCV rows (float64 typed arrays, ARCHITECTURE.md "Numbers"): what
 * the fast importers parse into, with no object per row. `line` and `element` say where each row
 * came from (1-based; element is 0 for CSV), so a rejected row can still be reported exactly.
 */
export class CandleColumns {
  openTime: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  line: Float64Array;
  element: Float64Array;
  length = 0;
  /** Rows that failed before validation (unparseable), by row index: the reason. */
  readonly errors = new Map<number, string>();

  constructor(capacity = 8192) {
    this.openTime = new Float64Array(capacity);
    this.open = new Float64Array(capacity);
    this.high = new Float64Array(capacity);
    this.low = new Float64Array(capacity);
    this.close = new Float64Array(capacity);
    this.volume = new Float64Array(capacity);
    this.line = new Float64Array(capacity);
    this.element = new Float64Array(capacity);
  }

  get capacity(): number {
    return this.openTime.length;
  }

  clear(): void {
    this.length = 0;
    if (this.errors.size > 0) this.errors.clear();
  }

  /** A row that could not be read at all: kept in file order, with its reason. */
  pushError(reason: string, line: number, element: number): void {
    this.errors.set(this.length, reason);
    this.push(NaN, NaN, NaN, NaN, NaN, NaN, line, element);
  }

  push(t: number, o: number, h: number, l: number, c: number, v: number, line: number, element: number): void {
    const i = this.length;
    if (i === this.openTime.length) this.grow();
    this.openTime[i] = t;
    this.open[i] = o;
    this.high[i] = h;
    this.low[i] = l;
    this.close[i] = c;
    this.volume[i] = v;
    this.line[i] = line;
    this.element[i] = element;
    this.length = i + 1;
  }

  /** Row `i` as a Candle object (for sinks and error messages; the hot path never calls it). */
  candle(i: number): Candle {
    return { openTime: this.openTime[i]!, open: this.open[i]!, high: this.high[i]!, low: this.low[i]!, close: this.close[i]!, volume: this.volume[i]! };
  }

  private grow(): void {
    const n = this.openTime.length * 2;
    const g = (a: Float64Array) => {
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    this.openTime = g(this.openTime);
    this.open = g(this.open);
    this.high = g(this.high);
    this.low = g(this.low);
    this.close = g(this.close);
    this.volume = g(this.volume);
    this.line = g(this.line);
    this.element = g(this.element);
  }
}

/**
 * Validates row `i` of `cols` like {@link checkBar} plus the alignment to `tfMs` (0: not checked; `tfLabel` names it)
 * and returns null when valid, else the reason (`<problem>: <detail>`, the same text as checkBar's).
 * The valid case costs a handful of comparisons: NaN fails every one of them, and all prices
 * between a positive low and a finite high are finite and positive.
 */
export function rowProblem(cols: CandleColumns, i: number, tfMs: number, tfLabel: string): string | null {
  if (cols.errors.size > 0 && cols.errors.has(i)) return cols.errors.get(i)!;
  const o = cols.open[i]!;
  const h = cols.high[i]!;
  const l = cols.low[i]!;
  const c = cols.close[i]!;
  const v = cols.volume[i]!;
  const t = cols.openTime[i]!;
  if (l > 0 && h < Infinity && h >= l && o >= l && o <= h && c >= l && c <= h && v >= 0 && v < Infinity && t - t === 0) {
    if (tfMs === 0 || t % tfMs === 0) return null;
    return `misaligned-time: openTime ${t} not a multiple of ${tfLabel}`;
  }
  const p = checkBar(cols.candle(i));
  if (p) return `${p.problem}: ${p.detail}`;
  return tfMs === 0 || t % tfMs === 0 ? null : `misaligned-time: openTime ${t} not a multiple of ${tfLabel}`;
}
