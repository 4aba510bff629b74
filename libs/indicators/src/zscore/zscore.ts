import { BATCH_CHUNK, checkPeriod, outputArray } from '../core/params';
import { decodeArray, encodeArray, encodeNumber, expectState, intField, numField } from '../core/state';
import type { IndicatorState, StreamingIndicator } from '../core/types';

/** Mean of the window, four partial sums (independent chains the CPU overlaps). */
function windowMean(ring: Float64Array, invN: number): number {
  const len = ring.length;
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let j = 0;
  for (; j + 3 < len; j += 4) {
    a += ring[j];
    b += ring[j + 1];
    c += ring[j + 2];
    d += ring[j + 3];
  }
  for (; j < len; j++) a += ring[j];
  return (a + b + (c + d)) * invN;
}

/** M2, the sum of squared deviations from `mean`, four partial sums. */
function windowM2(ring: Float64Array, mean: number): number {
  const len = ring.length;
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  let j = 0;
  for (; j + 3 < len; j += 4) {
    const e0 = ring[j] - mean;
    const e1 = ring[j + 1] - mean;
    const e2 = ring[j + 2] - mean;
    const e3 = ring[j + 3] - mean;
    a += e0 * e0;
    b += e1 * e1;
    c += e2 * e2;
    d += e3 * e3;
  }
  for (; j < len; j++) {
    const e = ring[j] - mean;
    a += e * e;
  }
  return a + b + (c + d);
}

/** A window is flat when variance <= FLAT * mean^2 (sd <= 1e-10 |mean|: rounding noise of the running moments). */
const FLAT = 1e-20;

/** (x - mean) / sd; 0 for a flat window. */
function zOf(x: number, mean: number, variance: number): number {
  return variance <= FLAT * mean * mean ? 0.0 : (x - mean) / Math.sqrt(variance);
}

/** Inputs between exact recomputations: a multiple of n, at least 256. */
function exactEvery(n: number): number {
  return n * Math.ceil(256 / n);
}

/**
 * Rolling z-score of the input against its own window (not in TA-Lib).
 *
 *   mean_t = SMA_n(x)_t,  sd_t = sqrt(sum((x_i - mean_t)^2) / n)   (population)
 *   Z_t    = (x_t - mean_t) / sd_t;  0 when sd_t <= 1e-10 * |mean_t| (a flat window)
 *
 * Units: standard deviations (dimensionless). Lookback n - 1; `warmup` = n inputs.
 * O(1) per input: Welford's mean/M2 updated for the value entering and the one
 * leaving the window (no E[x^2] - E[x]^2 cancellation), recomputed exactly (two
 * passes over the window) when the first window fills and then every
 * max(256, n) inputs, so rounding cannot build up. For a series centred on 0
 * (returns rather than prices) a flat window gives a tiny value, not exactly 0.
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
    const every = exactEvery(n);
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
      if (slot === 0) {
        mean = windowMean(ring, invN);
        m2 = windowM2(ring, mean);
      }
      out[i] = zOf(x, mean, m2 * invN);
    }
    // Full window: the value entering replaces the one leaving. The loop runs in
    // segments ending where an exact recomputation is due (every exactEvery(n)
    // inputs, when the ring has just wrapped), so the hot loop has no call in it.
    while (i < to) {
      const segEnd = Math.min(to, i + (every - (g % every)));
      for (; i < segEnd; i++, g++) {
        const x = input[i];
        const old = ring[slot];
        ring[slot] = x;
        slot = slot + 1 === n ? 0 : slot + 1;
        const delta = x - old;
        const prevMean = mean;
        mean = prevMean + delta * invN;
        m2 += delta * (x - mean + (old - prevMean));
        const variance = m2 * invN;
        out[i] = variance <= FLAT * mean * mean ? 0.0 : (x - mean) / Math.sqrt(variance);
      }
      if (g % every === 0) {
        mean = windowMean(ring, invN);
        m2 = windowM2(ring, mean);
        // The last output of the segment uses the exact moments.
        out[i - 1] = zOf(input[i - 1], mean, m2 * invN);
      }
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
