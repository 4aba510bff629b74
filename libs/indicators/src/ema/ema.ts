import { BATCH_CHUNK, checkPeriod, outputArray } from '../core/params';
import { decodeArray, encodeArray, encodeNumber, expectState, intField, numField } from '../core/state';
import type { IndicatorState, StreamingIndicator } from '../core/types';

/**
 * Exponential moving average (TA-Lib `EMA`, default compatibility).
 *
 *   k = 2 / (n + 1)
 *   EMA_s = SMA of the n inputs ending at the seed index s        (the seed)
 *   EMA_t = (x_t - EMA_{t-1}) * k + EMA_{t-1}                     for t > s
 *
 * Units: those of the input. Lookback n - 1 (s = n - 1), `warmup` = n inputs.
 *
 * `seedAt` (default n) delays the seed to input number `seedAt`, still using the
 * SMA of the last n inputs: TA-Lib's MACD seeds its fast EMA this way, at the
 * slow EMA's first index. The seed sum runs oldest first from 0.0, as TA-Lib's
 * loop does, so values agree with TA-Lib to the last bits.
 */
export class Ema implements StreamingIndicator<number, number> {
  static readonly kind = 'ema';
  readonly warmup: number;
  readonly k: number;
  private readonly ring: Float64Array;
  private count = 0;
  private prev = NaN;
  private readonly xIn = new Float64Array(1);
  private readonly xOut = new Float64Array(1);

  constructor(
    readonly period = 30,
    seedAt = period,
  ) {
    checkPeriod('ema', 'period', period);
    checkPeriod('ema', 'seedAt', seedAt, period);
    this.warmup = seedAt;
    this.k = 2.0 / (period + 1);
    this.ring = new Float64Array(period);
  }

  get isStable(): boolean {
    return this.count >= this.warmup;
  }

  /** The maths for both forms: consumes input[from..to), writes out[i] (NaN in warm-up). */
  run(input: Float64Array, from: number, to: number, out: Float64Array): void {
    let i = from;
    if (this.count < this.warmup) i = this.warm(input, from, to, out);
    const k = this.k;
    const hot = i;
    let prev = this.prev;
    for (; i < to; i++) {
      prev = (input[i] - prev) * k + prev;
      out[i] = prev;
    }
    this.prev = prev;
    this.count += to - hot;
  }

  /** Warm-up: keeps the last n inputs; at input `seedAt` seeds with their SMA. */
  private warm(input: Float64Array, from: number, to: number, out: Float64Array): number {
    const n = this.period;
    const ring = this.ring;
    let i = from;
    for (; i < to && this.count < this.warmup; i++) {
      ring[this.count % n] = input[i];
      if (++this.count < this.warmup) {
        out[i] = NaN;
        continue;
      }
      let sum = 0.0;
      for (let g = this.count - n; g < this.count; g++) sum += ring[g % n];
      this.prev = sum / n;
      out[i] = this.prev;
    }
    return i;
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
      kind: Ema.kind,
      version: 1,
      period: this.period,
      seedAt: this.warmup,
      count: this.count,
      prev: encodeNumber(this.prev),
      ring: encodeArray(this.ring),
    };
  }

  static fromState(state: IndicatorState): Ema {
    expectState(state, Ema.kind, 1);
    const e = new Ema(intField(state, 'period'), intField(state, 'seedAt'));
    e.count = intField(state, 'count');
    e.prev = numField(state, 'prev');
    e.ring.set(decodeArray(state['ring'], e.period, 'ring'));
    return e;
  }
}

/** Batch EMA: NaN for the first n - 1 values. */
export function ema(input: Float64Array, period = 30, out?: Float64Array): Float64Array {
  const o = outputArray(input.length, out, 'ema');
  const x = new Ema(period);
  for (let from = 0; from < input.length; from += BATCH_CHUNK) x.run(input, from, Math.min(input.length, from + BATCH_CHUNK), o);
  return o;
}
