import { BATCH_CHUNK, checkPeriod, outputArray } from '../core/params';
import { encodeNumber, expectState, intField, numField } from '../core/state';
import type { IndicatorState, StreamingIndicator } from '../core/types';
import { TA_EPSILON } from '../core/talib';

/**
 * Relative strength index with Wilder smoothing (TA-Lib `RSI`, no unstable period).
 *
 *   d_t = x_t - x_{t-1};  gain_t = max(d_t, 0);  loss_t = max(-d_t, 0)
 *   AG_n = (gain_1 + ... + gain_n) / n,  AL_n likewise                 (seed)
 *   AG_t = (AG_{t-1} * (n - 1) + gain_t) / n,  AL_t likewise           (Wilder)
 *   RSI_t = 100 * AG_t / (AG_t + AL_t);  0 when |AG_t + AL_t| < 1e-14
 *
 * Units: an oscillator in [0, 100] (a percentage, not a fraction).
 * Lookback n (first value at index n); `warmup` = n + 1 inputs.
 */
export class Rsi implements StreamingIndicator<number, number> {
  static readonly kind = 'rsi';
  readonly warmup: number;
  private count = 0;
  private prevValue = 0;
  private gain = 0;
  private loss = 0;
  private readonly xIn = new Float64Array(1);
  private readonly xOut = new Float64Array(1);

  constructor(readonly period = 14) {
    checkPeriod('rsi', 'period', period, 2);
    this.warmup = period + 1;
  }

  get isStable(): boolean {
    return this.count >= this.warmup;
  }

  /** The maths for both forms: consumes input[from..to), writes out[i] (NaN in warm-up). */
  run(input: Float64Array, from: number, to: number, out: Float64Array): void {
    const n = this.period;
    let prev = this.prevValue;
    let gain = this.gain;
    let loss = this.loss;
    let c = this.count;
    let i = from;
    for (; i < to && c <= n; i++, c++) {
      const x = input[i];
      const d = x - prev;
      prev = x;
      if (c === 0) {
        out[i] = NaN;
        continue;
      }
      if (d < 0) loss -= d;
      else gain += d;
      if (c < n) {
        out[i] = NaN;
        continue;
      }
      loss /= n;
      gain /= n;
      const t = gain + loss;
      out[i] = -TA_EPSILON < t && t < TA_EPSILON ? 0.0 : 100.0 * (gain / t);
    }
    const m = n - 1;
    for (; i < to; i++) {
      const x = input[i];
      const d = x - prev;
      prev = x;
      loss *= m;
      gain *= m;
      if (d < 0) loss -= d;
      else gain += d;
      loss /= n;
      gain /= n;
      const t = gain + loss;
      out[i] = -TA_EPSILON < t && t < TA_EPSILON ? 0.0 : 100.0 * (gain / t);
    }
    this.prevValue = prev;
    this.gain = gain;
    this.loss = loss;
    this.count += to - from;
  }

  update(x: number): number | null {
    this.xIn[0] = x;
    this.run(this.xIn, 0, 1, this.xOut);
    return this.count >= this.warmup ? this.xOut[0] : null;
  }

  /** `update(bar.close)` into out[o], NaN for null: no boxed number passed in or returned (the backtester's feature path). */
  updateCloseInto(bar: { readonly close: number }, out: Float64Array, o: number): void {
    this.xIn[0] = bar.close;
    this.run(this.xIn, 0, 1, this.xOut);
    out[o] = this.count >= this.warmup ? this.xOut[0] : NaN;
  }

  /** Feeds history (oldest first), one bar at a time through the path `update` takes; no outputs. */
  seed(values: Float64Array): this {
    const out = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) this.run(values, i, i + 1, out);
    return this;
  }

  getState(): IndicatorState {
    return {
      kind: Rsi.kind,
      version: 1,
      period: this.period,
      count: this.count,
      prevValue: encodeNumber(this.prevValue),
      gain: encodeNumber(this.gain),
      loss: encodeNumber(this.loss),
    };
  }

  static fromState(state: IndicatorState): Rsi {
    expectState(state, Rsi.kind, 1);
    const r = new Rsi(intField(state, 'period'));
    r.count = intField(state, 'count');
    r.prevValue = numField(state, 'prevValue');
    r.gain = numField(state, 'gain');
    r.loss = numField(state, 'loss');
    return r;
  }
}

/** Batch RSI: NaN for the first n values. */
export function rsi(input: Float64Array, period = 14, out?: Float64Array): Float64Array {
  const o = outputArray(input.length, out, 'rsi');
  const x = new Rsi(period);
  for (let from = 0; from < input.length; from += BATCH_CHUNK) x.run(input, from, Math.min(input.length, from + BATCH_CHUNK), o);
  return o;
}
