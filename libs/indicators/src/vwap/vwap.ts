import { BATCH_CHUNK, outputArray } from '../core/params';
import { encodeNumber, expectState, intField, numField } from '../core/state';
import type { IndicatorState, StreamingIndicator } from '../core/types';

/** What VWAP reads from a bar. */
export interface VwapBar {
  readonly openTime: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

export const MS_PER_DAY = 86_400_000;

/**
 * Volume-weighted average price, anchored at each UTC day (not in TA-Lib).
 *
 *   tp_t   = (high_t + low_t + close_t) / 3
 *   VWAP_t = sum(tp_i * volume_i) / sum(volume_i) over the bars i <= t of t's UTC day
 *
 * The day is floor(openTime / 86 400 000) of the bar's open time (Unix ms, UTC),
 * so the sums restart on the first bar opening at or after 00:00 UTC. While the
 * day's volume is still 0 the value is the bar's typical price.
 * Units: price. Lookback 0; `warmup` = 1 bar.
 */
export class Vwap implements StreamingIndicator<VwapBar, number> {
  static readonly kind = 'vwap';
  readonly warmup = 1;
  private count = 0;
  private day = NaN;
  private pv = 0;
  private vol = 0;
  private readonly t = new Float64Array(1);
  private readonly h = new Float64Array(1);
  private readonly l = new Float64Array(1);
  private readonly c = new Float64Array(1);
  private readonly v = new Float64Array(1);
  private readonly xOut = new Float64Array(1);

  get isStable(): boolean {
    return this.count >= 1;
  }

  /** The maths for both forms: consumes bars [from..to), writes out[i]. */
  run(openTime: Float64Array, high: Float64Array, low: Float64Array, close: Float64Array, volume: Float64Array, from: number, to: number, out: Float64Array): void {
    let day = this.day;
    let pv = this.pv;
    let vol = this.vol;
    for (let i = from; i < to; i++) {
      const d = Math.floor(openTime[i] / MS_PER_DAY);
      if (d !== day) {
        day = d;
        pv = 0;
        vol = 0;
      }
      const tp = (high[i] + low[i] + close[i]) / 3;
      const v = volume[i];
      pv += tp * v;
      vol += v;
      out[i] = vol > 0 ? pv / vol : tp;
    }
    this.day = day;
    this.pv = pv;
    this.vol = vol;
    this.count += to - from;
  }

  update(bar: VwapBar): number | null {
    this.t[0] = bar.openTime;
    this.h[0] = bar.high;
    this.l[0] = bar.low;
    this.c[0] = bar.close;
    this.v[0] = bar.volume;
    this.run(this.t, this.h, this.l, this.c, this.v, 0, 1, this.xOut);
    return this.xOut[0];
  }

  /** Feeds history (oldest first), one bar at a time through the path `update` takes; no outputs. */
  seed(openTime: Float64Array, high: Float64Array, low: Float64Array, close: Float64Array, volume: Float64Array): this {
    const out = new Float64Array(close.length);
    for (let i = 0; i < close.length; i++) this.run(openTime, high, low, close, volume, i, i + 1, out);
    return this;
  }

  getState(): IndicatorState {
    return { kind: Vwap.kind, version: 1, count: this.count, day: encodeNumber(this.day), pv: encodeNumber(this.pv), vol: encodeNumber(this.vol) };
  }

  static fromState(state: IndicatorState): Vwap {
    expectState(state, Vwap.kind, 1);
    const w = new Vwap();
    w.count = intField(state, 'count');
    w.day = numField(state, 'day');
    w.pv = numField(state, 'pv');
    w.vol = numField(state, 'vol');
    return w;
  }
}

/** Batch daily-anchored VWAP (no warm-up). */
export function vwap(
  openTime: Float64Array,
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  volume: Float64Array,
  out?: Float64Array,
): Float64Array {
  const o = outputArray(close.length, out, 'vwap');
  const x = new Vwap();
  for (let from = 0; from < close.length; from += BATCH_CHUNK) x.run(openTime, high, low, close, volume, from, Math.min(close.length, from + BATCH_CHUNK), o);
  return o;
}
