import { BATCH_CHUNK, checkPeriod, outputArray } from '../core/params';
import { encodeNumber, expectState, intField, numField } from '../core/state';
import { trueRange } from '../core/talib';
import type { HlcBar, IndicatorState, StreamingIndicator } from '../core/types';

/**
 * Average true range with Wilder smoothing (TA-Lib `ATR`, no unstable period).
 *
 *   TR_t  = max(high_t - low_t, |close_{t-1} - high_t|, |close_{t-1} - low_t|)   (t >= 1;
 *           the first bar has no previous close and no TR)
 *   ATR_n = (TR_1 + ... + TR_n) / n                                  (seed: SMA of TR)
 *   ATR_t = (ATR_{t-1} * (n - 1) + TR_t) / n                         (Wilder)
 *
 * Units: price. Lookback n (first value at index n); `warmup` = n + 1 bars.
 */
export class Atr implements StreamingIndicator<HlcBar, number> {
  static readonly kind = 'atr';
  readonly warmup: number;
  private count = 0;
  private prevClose = 0;
  private atr = 0;
  private readonly h = new Float64Array(1);
  private readonly l = new Float64Array(1);
  private readonly c = new Float64Array(1);
  private readonly xOut = new Float64Array(1);

  constructor(readonly period = 14) {
    checkPeriod('atr', 'period', period);
    this.warmup = period + 1;
  }

  get isStable(): boolean {
    return this.count >= this.warmup;
  }

  /** The maths for both forms: consumes bars [from..to), writes out[i] (NaN in warm-up). */
  run(high: Float64Array, low: Float64Array, close: Float64Array, from: number, to: number, out: Float64Array): void {
    const n = this.period;
    let atr = this.atr;
    let pc = this.prevClose;
    let g = this.count;
    let i = from;
    for (; i < to && g <= n; i++, g++) {
      if (g > 0) atr += trueRange(high[i], low[i], pc);
      pc = close[i];
      if (g < n) {
        out[i] = NaN;
        continue;
      }
      atr /= n;
      out[i] = atr;
    }
    const m = n - 1;
    for (; i < to; i++) {
      atr *= m;
      atr += trueRange(high[i], low[i], pc);
      atr /= n;
      pc = close[i];
      out[i] = atr;
    }
    this.atr = atr;
    this.prevClose = pc;
    this.count += to - from;
  }

  update(bar: HlcBar): number | null {
    this.h[0] = bar.high;
    this.l[0] = bar.low;
    this.c[0] = bar.close;
    this.run(this.h, this.l, this.c, 0, 1, this.xOut);
    return this.count >= this.warmup ? this.xOut[0] : null;
  }

  /** Feeds history (oldest first), one bar at a time through the path `update` takes; no outputs. */
  seed(high: Float64Array, low: Float64Array, close: Float64Array): this {
    const out = new Float64Array(close.length);
    for (let i = 0; i < close.length; i++) this.run(high, low, close, i, i + 1, out);
    return this;
  }

  getState(): IndicatorState {
    return { kind: Atr.kind, version: 1, period: this.period, count: this.count, prevClose: encodeNumber(this.prevClose), atr: encodeNumber(this.atr) };
  }

  static fromState(state: IndicatorState): Atr {
    expectState(state, Atr.kind, 1);
    const a = new Atr(intField(state, 'period'));
    a.count = intField(state, 'count');
    a.prevClose = numField(state, 'prevClose');
    a.atr = numField(state, 'atr');
    return a;
  }
}

/** Batch ATR: NaN for the first n values. */
export function atr(high: Float64Array, low: Float64Array, close: Float64Array, period = 14, out?: Float64Array): Float64Array {
  const o = outputArray(close.length, out, 'atr');
  const x = new Atr(period);
  for (let from = 0; from < close.length; from += BATCH_CHUNK) x.run(high, low, close, from, Math.min(close.length, from + BATCH_CHUNK), o);
  return o;
}
