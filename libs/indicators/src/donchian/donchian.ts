import { HighLowWindow } from '../core/high-low-window';
import { BATCH_CHUNK, checkPeriod, outputArray } from '../core/params';
import { expectState, intField, stateObject } from '../core/state';
import type { IndicatorState, StreamingIndicator } from '../core/types';

/** What the Donchian channel reads from a bar. */
export interface HighLow {
  readonly high: number;
  readonly low: number;
}

export interface Channel {
  upper: number;
  middle: number;
  lower: number;
}

export interface ChannelSeries {
  upper: Float64Array;
  middle: Float64Array;
  lower: Float64Array;
}

/**
 * Donchian channel (not in TA-Lib; TA-Lib's MAX/MIN give the bands).
 *
 *   upper_t  = max(high_{t-n+1..t}),  lower_t = min(low_{t-n+1..t})   (current bar included)
 *   middle_t = (upper_t + lower_t) / 2
 *
 * Units: price. Lookback n - 1; `warmup` = n bars. Amortised O(1) per bar
 * except when an extreme leaves the window (see `HighLowWindow`).
 */
export class Donchian implements StreamingIndicator<HighLow, Channel> {
  static readonly kind = 'donchian';
  readonly warmup: number;
  private readonly window: HighLowWindow;
  private count = 0;
  private readonly h = new Float64Array(1);
  private readonly l = new Float64Array(1);
  private readonly o = { upper: new Float64Array(1), middle: new Float64Array(1), lower: new Float64Array(1) };

  constructor(
    readonly period = 20,
    window?: HighLowWindow,
  ) {
    checkPeriod('donchian', 'period', period);
    this.warmup = period;
    this.window = window ?? new HighLowWindow(period);
  }

  get isStable(): boolean {
    return this.count >= this.warmup;
  }

  /** The maths for both forms: consumes bars [from..to), writes the channel at i (NaN in warm-up). */
  run(high: Float64Array, low: Float64Array, from: number, to: number, out: ChannelSeries): void {
    const n = this.period;
    const { upper, middle, lower } = out;
    const g0 = this.count;
    this.window.run(high, low, from, to, upper, lower, middle);
    for (let i = from; i < to && g0 + i - from < n - 1; i++) upper[i] = middle[i] = lower[i] = NaN;
    this.count = g0 + (to - from);
  }

  update(bar: HighLow): Channel | null {
    this.h[0] = bar.high;
    this.l[0] = bar.low;
    this.run(this.h, this.l, 0, 1, this.o);
    return this.count >= this.warmup ? { upper: this.o.upper[0], middle: this.o.middle[0], lower: this.o.lower[0] } : null;
  }

  /** Feeds history (oldest first), one bar at a time through the path `update` takes; no outputs. */
  seed(high: Float64Array, low: Float64Array): this {
    const n = high.length;
    const out = { upper: new Float64Array(n), middle: new Float64Array(n), lower: new Float64Array(n) };
    for (let i = 0; i < n; i++) this.run(high, low, i, i + 1, out);
    return this;
  }

  getState(): IndicatorState {
    return { kind: Donchian.kind, version: 2, period: this.period, count: this.count, window: this.window.getState() };
  }

  static fromState(state: IndicatorState): Donchian {
    expectState(state, Donchian.kind, 2);
    const d = new Donchian(intField(state, 'period'), HighLowWindow.fromState(stateObject(state, 'window')));
    d.count = intField(state, 'count');
    return d;
  }
}

/** Batch Donchian channel: NaN for the first n - 1 values. */
export function donchian(high: Float64Array, low: Float64Array, period = 20, out?: Partial<ChannelSeries>): ChannelSeries {
  const len = high.length;
  const o = { upper: outputArray(len, out?.upper, 'donchian'), middle: outputArray(len, out?.middle, 'donchian'), lower: outputArray(len, out?.lower, 'donchian') };
  const x = new Donchian(period);
  for (let from = 0; from < len; from += BATCH_CHUNK) x.run(high, low, from, Math.min(len, from + BATCH_CHUNK), o);
  return o;
}
