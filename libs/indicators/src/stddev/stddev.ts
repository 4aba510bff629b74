import { BATCH_CHUNK, checkFactor, checkPeriod, outputArray } from '../core/params';
import { decodeArray, encodeArray, encodeNumber, expectState, intField, numField } from '../core/state';
import { TA_EPSILON } from '../core/talib';
import type { IndicatorState, StreamingIndicator } from '../core/types';
import { advance, lagged, saveTail } from '../core/window';

/**
 * Rolling population standard deviation (TA-Lib `STDDEV`), times `nbDev`.
 *
 *   var_t = (x_t^2 + ... + x_{t-n+1}^2) / n - SMA_t^2        (population, divisor n)
 *   STDDEV_t = nbDev * sqrt(var_t);  0 when var_t < 1e-14 (TA-Lib's TA_IS_ZERO_OR_NEG)
 *
 * Units: those of the input (price). Lookback n - 1; `warmup` = n inputs.
 * Running sums of x and x^2 in TA-Lib's order, so values match TA-Lib's to the
 * last bits (the E[x^2] - E[x]^2 form loses digits on flat series, as TA-Lib does).
 */
export class StdDev implements StreamingIndicator<number, number> {
  static readonly kind = 'stddev';
  readonly warmup: number;
  private readonly ring: Float64Array;
  private count = 0;
  /** ring slot of the next input: count % period */
  private pos = 0;
  private sum = 0;
  private sumSq = 0;
  private readonly xIn = new Float64Array(1);
  private readonly xOut = new Float64Array(1);

  constructor(
    readonly period = 5,
    readonly nbDev = 1,
  ) {
    checkPeriod('stddev', 'period', period, 2);
    checkFactor('stddev', 'nbDev', nbDev);
    this.warmup = period;
    this.ring = new Float64Array(period);
  }

  get isStable(): boolean {
    return this.count >= this.warmup;
  }

  /** The maths for both forms: consumes input[from..to), writes out[i] (NaN in warm-up). */
  run(input: Float64Array, from: number, to: number, out: Float64Array): void {
    const n = this.period;
    const k = this.nbDev;
    const ring = this.ring;
    const g0 = this.count;
    const pos = this.pos;
    let p1 = this.sum;
    let p2 = this.sumSq;
    let i = from;
    for (; i < to && g0 + i - from < n - 1; i++) {
      const x = input[i];
      p1 += x;
      p2 += x * x;
      out[i] = NaN;
    }
    // The oldest value comes from the ring for the chunk's first n - 1 inputs.
    const seam = Math.min(to, from + n - 1);
    for (; i < seam; i++) {
      const x = input[i];
      p1 += x;
      p2 += x * x;
      const m1 = p1 / n;
      const m2 = p2 / n;
      const old = lagged(ring, input, from, i, pos, n - 1);
      p1 -= old;
      p2 -= old * old;
      const v = m2 - m1 * m1;
      out[i] = v < TA_EPSILON ? 0.0 : Math.sqrt(v) * k;
    }
    for (; i < to; i++) {
      const x = input[i];
      p1 += x;
      p2 += x * x;
      const m1 = p1 / n;
      const m2 = p2 / n;
      const old = input[i - n + 1];
      p1 -= old;
      p2 -= old * old;
      const v = m2 - m1 * m1;
      out[i] = v < TA_EPSILON ? 0.0 : Math.sqrt(v) * k;
    }
    saveTail(ring, input, from, to, pos);
    this.pos = advance(pos, to - from, n);
    this.sum = p1;
    this.sumSq = p2;
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
      kind: StdDev.kind,
      version: 1,
      period: this.period,
      nbDev: encodeNumber(this.nbDev),
      count: this.count,
      sum: encodeNumber(this.sum),
      sumSq: encodeNumber(this.sumSq),
      ring: encodeArray(this.ring),
    };
  }

  static fromState(state: IndicatorState): StdDev {
    expectState(state, StdDev.kind, 1);
    const s = new StdDev(intField(state, 'period'), numField(state, 'nbDev'));
    s.count = intField(state, 'count');
    s.pos = s.count % s.period;
    s.sum = numField(state, 'sum');
    s.sumSq = numField(state, 'sumSq');
    s.ring.set(decodeArray(state['ring'], s.period, 'ring'));
    return s;
  }
}

/** Batch STDDEV: NaN for the first n - 1 values. */
export function stddev(input: Float64Array, period = 5, nbDev = 1, out?: Float64Array): Float64Array {
  const o = outputArray(input.length, out, 'stddev');
  const x = new StdDev(period, nbDev);
  for (let from = 0; from < input.length; from += BATCH_CHUNK) x.run(input, from, Math.min(input.length, from + BATCH_CHUNK), o);
  return o;
}
