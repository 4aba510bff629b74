import { BATCH_CHUNK, checkPeriod, outputArray } from '../core/params';
import { decodeArray, encodeArray, encodeNumber, expectState, intField, numField } from '../core/state';
import type { IndicatorState, StreamingIndicator } from '../core/types';

/** Mean and M2 (sum of squared deviations) of the window, two passes. */
function exactMoments(ring: Float64Array, invN: number): [number, number] {
  let s = 0;
  for (let j = 0; j < ring.length; j++) s += ring[j];
  const mean = s * invN;
  let m2 = 0;
  for (let j = 0; j < ring.length; j++) {
    const d = ring[j] - mean;
    m2 += d * d;
  }
  return [mean, m2];
}

/** (x - mean) / sd; 0 for a flat window (sd <= 1e-12 |mean|, i.e. rounding noise). */
function zOf(x: number, mean: number, variance: number): number {
  return variance <= 1e-24 * mean * mean ? 0.0 : (x - mean) / Math.sqrt(variance);
}

/**
 * Rolling z-score of the input against its own window (not in TA-Lib).
 *
 *   mean_t = SMA_n(x)_t,  sd_t = sqrt(sum((x_i - mean_t)^2) / n)   (population)
 *   Z_t    = (x_t - mean_t) / sd_t;  0 when sd_t <= 1e-12 * |mean_t| (a flat window)
 *
 * Units: standard deviations (dimensionless). Lookback n - 1; `warmup` = n inputs.
 * O(1) per input: Welford's mean/M2 updated for the value entering and the one
 * leaving the window, recomputed exactly (two passes over the window) every n
 * inputs so rounding cannot build up; no E[x^2] - E[x]^2 cancellation.
 */
export class ZScore implements StreamingIndicator<number, number> {
  static readonly kind = 'zscore';
  readonly warmup: number;
  private readonly ring: Float64Array;
  private count = 0;
  /** ring slot of the next input: count % period */
  private pos = 0;
  private mean = 0;
  private m2 = 0;
  private readonly xIn = new Float64Array(1);
  private readonly xOut = new Float64Array(1);

  constructor(readonly period = 20) {
    checkPeriod('zscore', 'period', period, 2);
    this.warmup = period;
    this.ring = new Float64Array(period);
  }

  get isStable(): boolean {
    return this.count >= this.warmup;
  }

  /** The maths for both forms: consumes input[from..to), writes out[i] (NaN in warm-up). */
  run(input: Float64Array, from: number, to: number, out: Float64Array): void {
    const n = this.period;
    const invN = 1 / n;
    const ring = this.ring;
    let g = this.count;
    let mean = this.mean;
    let m2 = this.m2;
    let slot = this.pos;
    let i = from;
    // Warm-up: Welford's running mean and M2 over the first n inputs.
    for (; i < to && g < n; i++, g++) {
      const x = input[i];
      const d = x - mean;
      mean += d / (g + 1);
      m2 += d * (x - mean);
      ring[slot] = x;
      slot = slot + 1 === n ? 0 : slot + 1;
      if (g < n - 1) {
        out[i] = NaN;
        continue;
      }
      if (slot === 0) [mean, m2] = exactMoments(ring, invN);
      out[i] = zOf(x, mean, m2 * invN);
    }
    // Full window: the value entering replaces the one leaving.
    for (; i < to; i++, g++) {
      const x = input[i];
      const old = ring[slot];
      ring[slot] = x;
      slot = slot + 1 === n ? 0 : slot + 1;
      const delta = x - old;
      const prevMean = mean;
      mean = prevMean + delta * invN;
      m2 += delta * (x - mean + (old - prevMean));
      // Every n inputs (the ring wraps) recompute exactly, so rounding cannot build up.
      if (slot === 0) [mean, m2] = exactMoments(ring, invN);
      out[i] = zOf(x, mean, m2 * invN);
    }
    this.mean = mean;
    this.m2 = m2;
    this.count = g;
    this.pos = slot;
  }

  update(x: number): number | null {
    this.xIn[0] = x;
    this.run(this.xIn, 0, 1, this.xOut);
    return this.count >= this.warmup ? this.xOut[0] : null;
  }

  /** Feeds history (oldest first), one bar at a time through the path `update` takes; no outputs. */
  seed(values: Float64Array): this {
    const out = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) this.run(values, i, i + 1, out);
    return this;
  }

  getState(): IndicatorState {
    return {
      kind: ZScore.kind,
      version: 1,
      period: this.period,
      count: this.count,
      mean: encodeNumber(this.mean),
      m2: encodeNumber(this.m2),
      ring: encodeArray(this.ring),
    };
  }

  static fromState(state: IndicatorState): ZScore {
    expectState(state, ZScore.kind, 1);
    const z = new ZScore(intField(state, 'period'));
    z.count = intField(state, 'count');
    z.pos = z.count % z.period;
    z.mean = numField(state, 'mean');
    z.m2 = numField(state, 'm2');
    z.ring.set(decodeArray(state['ring'], z.period, 'ring'));
    return z;
  }
}

/** Batch z-score: NaN for the first n - 1 values. */
export function zscore(input: Float64Array, period = 20, out?: Float64Array): Float64Array {
  const o = outputArray(input.length, out, 'zscore');
  const x = new ZScore(period);
  for (let from = 0; from < input.length; from += BATCH_CHUNK) x.run(input, from, Math.min(input.length, from + BATCH_CHUNK), o);
  return o;
}
