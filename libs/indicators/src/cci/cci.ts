import { BATCH_CHUNK, checkPeriod, outputArray } from '../core/params';
import { decodeArray, encodeArray, expectState, intField } from '../core/state';
import type { HlcBar, IndicatorState, StreamingIndicator } from '../core/types';

/**
 * Commodity channel index (TA-Lib `CCI`), with the mean absolute deviation.
 *
 *   tp_t  = (high_t + low_t + close_t) / 3
 *   ma_t  = mean(tp_{t-n+1..t}),  md_t = mean(|tp_i - ma_t|) over the same window
 *   CCI_t = (tp_t - ma_t) / (0.015 * md_t);  0 when tp_t = ma_t or md_t = 0
 *
 * Units: dimensionless (about 70-80 % of values fall in [-100, 100]).
 * Lookback n - 1; `warmup` = n bars. The mean deviation needs the whole window,
 * so one update costs O(n) (not O(1)). The mean is summed in TA-Lib's
 * circular-buffer order (slot = bar index mod n), so tp - mean is bit-identical
 * to TA-Lib's; the mean deviation may differ from TA-Lib's in the last bits.
 */
export class Cci implements StreamingIndicator<HlcBar, number> {
  static readonly kind = 'cci';
  readonly warmup: number;
  private readonly ring: Float64Array;
  private count = 0;
  /** ring slot of the next bar: count % period */
  private pos = 0;
  /** running sum 0 + ring[0] + … + ring[pos - 1] (the slots written since slot 0), in that order */
  private head = 0;
  private readonly h = new Float64Array(1);
  private readonly l = new Float64Array(1);
  private readonly c = new Float64Array(1);
  private readonly xOut = new Float64Array(1);

  constructor(readonly period = 14) {
    checkPeriod('cci', 'period', period, 2);
    this.warmup = period;
    this.ring = new Float64Array(period);
  }

  get isStable(): boolean {
    return this.count >= this.warmup;
  }

  /** The maths for both forms: consumes bars [from..to), writes out[i] (NaN in warm-up). */
  run(high: Float64Array, low: Float64Array, close: Float64Array, from: number, to: number, out: Float64Array): void {
    const n = this.period;
    const ring = this.ring;
    let g = this.count;
    let slot = this.pos;
    let head = this.head;
    for (let i = from; i < to; i++, g++) {
      const tp = (high[i] + low[i] + close[i]) / 3;
      ring[slot] = tp;
      // The window mean sums in slot order 0..n-1 from 0, exactly as TA-Lib (its
      // rounding decides whether tp - avg is exactly 0). Slots 0..slot hold the
      // bars since the last slot-0 bar, so that part of the sum is a running
      // sum (same additions, same order); only slots after this one are re-added.
      head = (slot === 0 ? 0 : head) + tp;
      const s1 = slot + 1;
      slot = s1 === n ? 0 : s1;
      if (g < n - 1) {
        out[i] = NaN;
        continue;
      }
      const len = ring.length; // = n; bounds V8 can see
      let avg = head;
      for (let j = s1; j < len; j++) avg += ring[j];
      avg /= n;
      // The mean deviation uses four partial sums (independent chains the CPU
      // overlaps): it differs from TA-Lib's by rounding only, and a sum of |.| is
      // 0 in any order or none.
      let a = 0;
      let b = 0;
      let c = 0;
      let e = 0;
      let j = 0;
      for (; j + 3 < len; j += 4) {
        a += Math.abs(ring[j] - avg);
        b += Math.abs(ring[j + 1] - avg);
        c += Math.abs(ring[j + 2] - avg);
        e += Math.abs(ring[j + 3] - avg);
      }
      for (; j < len; j++) a += Math.abs(ring[j] - avg);
      const dev = a + b + (c + e);
      const d = tp - avg;
      out[i] = d !== 0.0 && dev !== 0.0 ? d / (0.015 * (dev / n)) : 0.0;
    }
    this.count = g;
    this.pos = slot;
    this.head = head;
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
    return { kind: Cci.kind, version: 1, period: this.period, count: this.count, ring: encodeArray(this.ring) };
  }

  static fromState(state: IndicatorState): Cci {
    expectState(state, Cci.kind, 1);
    const c = new Cci(intField(state, 'period'));
    c.count = intField(state, 'count');
    c.pos = c.count % c.period;
    c.ring.set(decodeArray(state['ring'], c.period, 'ring'));
    // head is derived: the same additions, in the same order, as run made them.
    if (c.count > 0) {
      const last = (c.count - 1) % c.period;
      let head = 0;
      for (let j = 0; j <= last; j++) head += c.ring[j];
      c.head = head;
    }
    return c;
  }
}

/** Batch CCI: NaN for the first n - 1 values. */
export function cci(high: Float64Array, low: Float64Array, close: Float64Array, period = 14, out?: Float64Array): Float64Array {
  const o = outputArray(close.length, out, 'cci');
  const x = new Cci(period);
  for (let from = 0; from < close.length; from += BATCH_CHUNK) x.run(high, low, close, from, Math.min(close.length, from + BATCH_CHUNK), o);
  return o;
}
