import { BATCH_CHUNK, checkPeriod, outputArray } from '../core/params';
import { decodeArray, encodeArray, encodeNumber, expectState, intField, numField } from '../core/state';
import type { IndicatorState, StreamingIndicator } from '../core/types';
import { advance, lagged, saveTail } from '../core/window';

/**
 * Linearly weighted moving average (TA-Lib `WMA`).
 *
 *   WMA_t = (n*x_t + (n-1)*x_{t-1} + ... + 1*x_{t-n+1}) / (n(n+1)/2)
 *
 * Units: those of the input. Lookback n - 1; `warmup` = n inputs.
 * O(1) per input with TA-Lib's two running sums (the weighted sum and the plain
 * window sum subtracted from it each step), in TA-Lib's order of operations.
 */
export class Wma implements StreamingIndicator<number, number> {
  static readonly kind = 'wma';
  readonly warmup: number;
  private readonly ring: Float64Array;
  private count = 0;
  /** ring slot of the next input: count % period */
  private pos = 0;
  private periodSum = 0;
  private periodSub = 0;
  private trailing = 0;
  private readonly xIn = new Float64Array(1);
  private readonly xOut = new Float64Array(1);

  constructor(readonly period = 30) {
    checkPeriod('wma', 'period', period);
    this.warmup = period;
    this.ring = new Float64Array(period);
  }

  get isStable(): boolean {
    return this.count >= this.warmup;
  }

  /** The maths for both forms: consumes input[from..to), writes out[i] (NaN in warm-up). */
  run(input: Float64Array, from: number, to: number, out: Float64Array): void {
    const n = this.period;
    const divider = (n * (n + 1)) >> 1;
    const ring = this.ring;
    const g0 = this.count;
    const pos = this.pos;
    let sum = this.periodSum;
    let sub = this.periodSub;
    let trailing = this.trailing;
    let i = from;
    for (; i < to && g0 + i - from < n - 1; i++) {
      const x = input[i];
      sub += x;
      sum += x * (g0 + i - from + 1);
      out[i] = NaN;
    }
    const seam = Math.min(to, from + n - 1);
    for (; i < seam; i++) {
      const x = input[i];
      sub += x;
      sub -= trailing;
      sum += x * n;
      trailing = lagged(ring, input, from, i, pos, n - 1);
      out[i] = sum / divider;
      sum -= sub;
    }
    for (; i < to; i++) {
      const x = input[i];
      sub += x;
      sub -= trailing;
      sum += x * n;
      trailing = input[i - n + 1];
      out[i] = sum / divider;
      sum -= sub;
    }
    saveTail(ring, input, from, to, pos);
    this.pos = advance(pos, to - from, n);
    this.periodSum = sum;
    this.periodSub = sub;
    this.trailing = trailing;
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
    return {
      kind: Wma.kind,
      version: 1,
      period: this.period,
      count: this.count,
      periodSum: encodeNumber(this.periodSum),
      periodSub: encodeNumber(this.periodSub),
      trailing: encodeNumber(this.trailing),
      ring: encodeArray(this.ring),
    };
  }

  static fromState(state: IndicatorState): Wma {
    expectState(state, Wma.kind, 1);
    const w = new Wma(intField(state, 'period'));
    w.count = intField(state, 'count');
    w.pos = w.count % w.period;
    w.periodSum = numField(state, 'periodSum');
    w.periodSub = numField(state, 'periodSub');
    w.trailing = numField(state, 'trailing');
    w.ring.set(decodeArray(state['ring'], w.period, 'ring'));
    return w;
  }
}

/** Batch WMA: NaN for the first n - 1 values. */
export function wma(input: Float64Array, period = 30, out?: Float64Array): Float64Array {
  const o = outputArray(input.length, out, 'wma');
  const x = new Wma(period);
  for (let from = 0; from < input.length; from += BATCH_CHUNK) x.run(input, from, Math.min(input.length, from + BATCH_CHUNK), o);
  return o;
}
