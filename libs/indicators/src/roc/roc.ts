import { BATCH_CHUNK, checkPeriod, outputArray } from '../core/params';
import { decodeArray, encodeArray, expectState, intField } from '../core/state';
import type { IndicatorState, StreamingIndicator } from '../core/types';
import { advance, lagged, saveTail } from '../core/window';

/**
 * Rate of change (TA-Lib `ROC`).
 *
 *   ROC_t = (x_t / x_{t-n} - 1) * 100;  0 when x_{t-n} is 0
 *
 * Units: a percentage (5 means +5 %), not a fraction.
 * Lookback n (first value at index n); `warmup` = n + 1 inputs.
 */
export class Roc implements StreamingIndicator<number, number> {
  static readonly kind = 'roc';
  readonly warmup: number;
  private readonly ring: Float64Array;
  private count = 0;
  /** ring slot of the next input: count % period */
  private pos = 0;
  private readonly xIn = new Float64Array(1);
  private readonly xOut = new Float64Array(1);

  constructor(readonly period = 10) {
    checkPeriod('roc', 'period', period);
    this.warmup = period + 1;
    this.ring = new Float64Array(period);
  }

  get isStable(): boolean {
    return this.count >= this.warmup;
  }

  /** The maths for both forms: consumes input[from..to), writes out[i] (NaN in warm-up). */
  run(input: Float64Array, from: number, to: number, out: Float64Array): void {
    const n = this.period;
    const ring = this.ring;
    const g0 = this.count;
    const pos = this.pos;
    let i = from;
    for (; i < to && g0 + i - from < n; i++) out[i] = NaN;
    const seam = Math.min(to, from + n);
    for (; i < seam; i++) {
      const prev = lagged(ring, input, from, i, pos, n);
      out[i] = prev !== 0.0 ? (input[i] / prev - 1.0) * 100.0 : 0.0;
    }
    for (; i < to; i++) {
      const prev = input[i - n];
      out[i] = prev !== 0.0 ? (input[i] / prev - 1.0) * 100.0 : 0.0;
    }
    saveTail(ring, input, from, to, pos);
    this.pos = advance(pos, to - from, n);
    this.count = g0 + (to - from);
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
    return { kind: Roc.kind, version: 1, period: this.period, count: this.count, ring: encodeArray(this.ring) };
  }

  static fromState(state: IndicatorState): Roc {
    expectState(state, Roc.kind, 1);
    const r = new Roc(intField(state, 'period'));
    r.count = intField(state, 'count');
    r.pos = r.count % r.period;
    r.ring.set(decodeArray(state['ring'], r.period, 'ring'));
    return r;
  }
}

/** Batch ROC: NaN for the first n values. */
export function roc(input: Float64Array, period = 10, out?: Float64Array): Float64Array {
  const o = outputArray(input.length, out, 'roc');
  const x = new Roc(period);
  for (let from = 0; from < input.length; from += BATCH_CHUNK) x.run(input, from, Math.min(input.length, from + BATCH_CHUNK), o);
  return o;
}
