import { BATCH_CHUNK, checkPeriod, outputArray } from '../core/params';
import { decodeArray, encodeArray, encodeNumber, expectState, intField, numField } from '../core/state';
import type { IndicatorState, StreamingIndicator } from '../core/types';
import { advance, lagged, saveTail } from '../core/window';

/**
 * Simple moving average (TA-Lib `SMA`).
 *
 *   SMA_t = (x_t + x_{t-1} + ... + x_{t-n+1}) / n
 *
 * Units: those of the input (a price in, a price out).
 * Lookback n - 1 (first value at index n - 1); `warmup` = n inputs.
 * The window sum is a running sum updated in TA-Lib's order (add the newest,
 * divide, then subtract the oldest), so values agree with TA-Lib to the last bits.
 */
export class Sma implements StreamingIndicator<number, number> {
  static readonly kind = 'sma';
  readonly warmup: number;
  private readonly ring: Float64Array;
  private count = 0;
  /** ring slot of the next input: count % period */
  private pos = 0;
  private sum = 0;

  constructor(readonly period = 30) {
    checkPeriod('sma', 'period', period);
    this.warmup = period;
    this.ring = new Float64Array(period);
  }

  get isStable(): boolean {
    return this.count >= this.warmup;
  }

  /**
   * The maths, for both forms: consumes input[from..to) and writes out[i] for
   * each i (NaN during warm-up). Streaming calls it with one value, batch with
   * the whole series. `out` must not alias `input`.
   */
  run(input: Float64Array, from: number, to: number, out: Float64Array): void {
    const n = this.period;
    const ring = this.ring;
    const g0 = this.count;
    const pos = this.pos;
    let sum = this.sum;
    let i = from;
    for (; i < to && g0 + i - from < n - 1; i++) {
      sum += input[i];
      out[i] = NaN;
    }
    // The window's oldest value x_{t-n+1} comes from the ring for the chunk's
    // first n - 1 inputs, from the input array after that.
    const seam = Math.min(to, from + n - 1);
    for (; i < seam; i++) {
      const x = input[i];
      const s = sum + x;
      sum = s - lagged(ring, input, from, i, pos, n - 1);
      out[i] = s / n;
    }
    for (; i < to; i++) {
      const s = sum + input[i];
      sum = s - input[i - n + 1];
      out[i] = s / n;
    }
    saveTail(ring, input, from, to, pos);
    this.pos = advance(pos, to - from, n);
    this.sum = sum;
    this.count = g0 + (to - from);
  }

  update(x: number): number | null {
    const v = this.step(x);
    return this.count >= this.warmup ? v : null;
  }

  /** `update(bar.close)` into out[o], NaN for null: no boxed number passed in or returned (the backtester's feature path). */
  updateCloseInto(bar: { readonly close: number }, out: Float64Array, o: number): void {
    out[o] = this.step(bar.close);
  }

  /**
   * One input: `run` over it, unrolled (the same operations in the same order: the same bits),
   * without its one-element arrays. The SMA, NaN during warm-up.
   */
  private step(x: number): number {
    const n = this.period;
    const ring = this.ring;
    const g0 = this.count;
    const pos = this.pos;
    const next = pos + 1 === n ? 0 : pos + 1;
    let v = NaN;
    if (g0 < n - 1) this.sum += x;
    else {
      const s = this.sum + x;
      // the oldest input of the window: n - 1 steps back, in the ring's next slot (the input itself when n = 1)
      this.sum = s - (n === 1 ? x : ring[next]);
      v = s / n;
    }
    ring[pos] = x;
    this.pos = next;
    this.count = g0 + 1;
    return v;
  }

  /** Feeds history (oldest first), one bar at a time through `run`; no outputs. */
  seed(values: Float64Array): this {
    const out = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) this.run(values, i, i + 1, out);
    return this;
  }

  getState(): IndicatorState {
    return { kind: Sma.kind, version: 1, period: this.period, count: this.count, sum: encodeNumber(this.sum), ring: encodeArray(this.ring) };
  }

  static fromState(state: IndicatorState): Sma {
    expectState(state, Sma.kind, 1);
    const s = new Sma(intField(state, 'period'));
    s.count = intField(state, 'count');
    s.pos = s.count % s.period;
    s.sum = numField(state, 'sum');
    s.ring.set(decodeArray(state['ring'], s.period, 'ring'));
    return s;
  }
}

/** Batch SMA: NaN for the first n - 1 values. `out` may be given to avoid allocation. */
export function sma(input: Float64Array, period = 30, out?: Float64Array): Float64Array {
  const o = outputArray(input.length, out, 'sma');
  const x = new Sma(period);
  for (let from = 0; from < input.length; from += BATCH_CHUNK) x.run(input, from, Math.min(input.length, from + BATCH_CHUNK), o);
  return o;
}
