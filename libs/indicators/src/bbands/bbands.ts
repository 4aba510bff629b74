import { BATCH_CHUNK, checkFactor, checkPeriod, outputArray } from '../core/params';
import { decodeArray, encodeArray, encodeNumber, expectState, intField, numField } from '../core/state';
import { TA_EPSILON } from '../core/talib';
import type { IndicatorState, StreamingIndicator } from '../core/types';
import { advance, lagged, saveTail } from '../core/window';

export interface BollingerBands {
  upper: number;
  middle: number;
  lower: number;
}

export interface BollingerBandsSeries {
  upper: Float64Array;
  middle: Float64Array;
  lower: Float64Array;
}

/**
 * Bollinger Bands (TA-Lib `BBANDS` with MA type SMA, the default).
 *
 *   middle_t = SMA_n(x)_t
 *   sd_t     = sqrt((x_t^2 + ... + x_{t-n+1}^2)/n - middle_t^2)   (population;
 *              0 when the variance is < 1e-14, as TA-Lib)
 *   upper_t  = middle_t + devUp * sd_t,  lower_t = middle_t - devDown * sd_t
 *
 * Units: price. Lookback n - 1; `warmup` = n inputs. Defaults 20 / 2 / 2 (TA-Lib's
 * own defaults are 5 / 2 / 2). Running sums in TA-Lib's order (SMA then
 * stddev-from-precomputed-mean), so values match TA-Lib's to the last bits.
 */
export class BBands implements StreamingIndicator<number, BollingerBands> {
  static readonly kind = 'bbands';
  readonly warmup: number;
  private readonly ring: Float64Array;
  private count = 0;
  /** ring slot of the next input: count % period */
  private pos = 0;
  private sum = 0;
  private sumSq = 0;
  private readonly xIn = new Float64Array(1);
  private readonly o = { upper: new Float64Array(1), middle: new Float64Array(1), lower: new Float64Array(1) };

  constructor(
    readonly period = 20,
    readonly devUp = 2,
    readonly devDown = devUp,
  ) {
    checkPeriod('bbands', 'period', period, 2);
    checkFactor('bbands', 'devUp', devUp);
    checkFactor('bbands', 'devDown', devDown);
    this.warmup = period;
    this.ring = new Float64Array(period);
  }

  get isStable(): boolean {
    return this.count >= this.warmup;
  }

  /** The maths for both forms: consumes input[from..to), writes the bands at i (NaN in warm-up). */
  run(input: Float64Array, from: number, to: number, out: BollingerBandsSeries): void {
    const n = this.period;
    const up = this.devUp;
    const dn = this.devDown;
    const ring = this.ring;
    const { upper, middle, lower } = out;
    const g0 = this.count;
    const pos = this.pos;
    let p1 = this.sum;
    let p2 = this.sumSq;
    let i = from;
    for (; i < to && g0 + i - from < n - 1; i++) {
      const x = input[i];
      p1 += x;
      p2 += x * x;
      upper[i] = middle[i] = lower[i] = NaN;
    }
    // The oldest value x_{t-n+1} comes from the ring for the chunk's first n - 1
    // inputs, from the input array after that: two loops, so the batch loop has
    // no branch and no call in it.
    const seam = Math.min(to, from + n - 1);
    for (; i < seam; i++) {
      const x = input[i];
      const old = lagged(ring, input, from, i, pos, n - 1);
      const s = p1 + x;
      p1 = s - old;
      const mid = s / n;
      const q = p2 + x * x;
      p2 = q - old * old;
      const v = q / n - mid * mid;
      const sd = v < TA_EPSILON ? 0.0 : Math.sqrt(v);
      middle[i] = mid;
      upper[i] = mid + sd * up;
      lower[i] = mid - sd * dn;
    }
    for (; i < to; i++) {
      const x = input[i];
      const old = input[i - n + 1];
      const s = p1 + x;
      p1 = s - old;
      const mid = s / n;
      const q = p2 + x * x;
      p2 = q - old * old;
      const v = q / n - mid * mid;
      const sd = v < TA_EPSILON ? 0.0 : Math.sqrt(v);
      middle[i] = mid;
      upper[i] = mid + sd * up;
      lower[i] = mid - sd * dn;
    }
    saveTail(ring, input, from, to, pos);
    this.pos = advance(pos, to - from, n);
    this.sum = p1;
    this.sumSq = p2;
    this.count = g0 + (to - from);
  }

  update(x: number): BollingerBands | null {
    this.xIn[0] = x;
    this.run(this.xIn, 0, 1, this.o);
    return this.count >= this.warmup ? { upper: this.o.upper[0], middle: this.o.middle[0], lower: this.o.lower[0] } : null;
  }

  /** Feeds history (oldest first), one bar at a time through the path `update` takes; no outputs. */
  seed(values: Float64Array): this {
    const n = values.length;
    const out = { upper: new Float64Array(n), middle: new Float64Array(n), lower: new Float64Array(n) };
    for (let i = 0; i < n; i++) this.run(values, i, i + 1, out);
    return this;
  }

  getState(): IndicatorState {
    return {
      kind: BBands.kind,
      version: 1,
      period: this.period,
      devUp: encodeNumber(this.devUp),
      devDown: encodeNumber(this.devDown),
      count: this.count,
      sum: encodeNumber(this.sum),
      sumSq: encodeNumber(this.sumSq),
      ring: encodeArray(this.ring),
    };
  }

  static fromState(state: IndicatorState): BBands {
    expectState(state, BBands.kind, 1);
    const b = new BBands(intField(state, 'period'), numField(state, 'devUp'), numField(state, 'devDown'));
    b.count = intField(state, 'count');
    b.pos = b.count % b.period;
    b.sum = numField(state, 'sum');
    b.sumSq = numField(state, 'sumSq');
    b.ring.set(decodeArray(state['ring'], b.period, 'ring'));
    return b;
  }
}

/** Batch Bollinger Bands: NaN for the first n - 1 values of each band. */
export function bbands(input: Float64Array, period = 20, devUp = 2, devDown = devUp, out?: Partial<BollingerBandsSeries>): BollingerBandsSeries {
  const len = input.length;
  const o = {
    upper: outputArray(len, out?.upper, 'bbands'),
    middle: outputArray(len, out?.middle, 'bbands'),
    lower: outputArray(len, out?.lower, 'bbands'),
  };
  const x = new BBands(period, devUp, devDown);
  for (let from = 0; from < len; from += BATCH_CHUNK) x.run(input, from, Math.min(len, from + BATCH_CHUNK), o);
  return o;
}
