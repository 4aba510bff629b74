import { HighLowWindow } from '../core/high-low-window';
import { checkPeriod, outputArray } from '../core/params';
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

/**
 * Batch Donchian channel: NaN for the first n - 1 values. Van Herk / Gil-Werman: the bars are cut
 * into blocks of n; the window ending at bar i spans the tail of one block (its suffix extreme,
 * from one backward pass per block) and the head of the next (a running extreme), so every bar
 * costs a few branch-free comparisons and no window is ever rescanned. The extreme of a set of numbers does
 * not depend on the order it is taken in, so the values are those of the streaming form
 * (`HighLowWindow`) bit for bit; only NaN and signed zeros could tell the two orders apart, and
 * inputs holding either take the streaming form's algorithm. Allocates small scratch arrays
 * (2n + 8 numbers) per call, nothing per bar.
 */
export function donchian(high: Float64Array, low: Float64Array, period = 20, out?: Partial<ChannelSeries>): ChannelSeries {
  checkPeriod('donchian', 'period', period);
  const len = high.length;
  const upper = outputArray(len, out?.upper, 'donchian');
  const middle = outputArray(len, out?.middle, 'donchian');
  const lower = outputArray(len, out?.lower, 'donchian');
  const n = period;
  const warm = Math.min(len, n - 1);
  for (let i = 0; i < warm; i++) upper[i] = middle[i] = lower[i] = NaN;
  const sufH = new Float64Array(n);
  const sufL = new Float64Array(n);
  // Branch-free selects: t[2k] = kept, t[2k + 1] = candidate, read back at index 2k + (candidate wins).
  // The comparisons of market data are unpredictable; a mispredicted branch costs more than a store
  // and a load.
  const t = new Float64Array(8);
  // NaN or a zero anywhere: the order of comparisons could show (NaN, -0 vs 0).
  let odd = false;
  for (let b0 = 0; b0 + n <= len; b0 += n) {
    // Suffix extremes of block [b0, b0 + n).
    const last = b0 + n - 1;
    let mh = high[last];
    let ml = low[last];
    if (mh !== mh || ml !== ml || mh === 0 || ml === 0) odd = true;
    sufH[n - 1] = mh;
    sufL[n - 1] = ml;
    for (let j = n - 2; j >= 0; j--) {
      const h = high[b0 + j];
      const l = low[b0 + j];
      if (h !== h || l !== l || h === 0 || l === 0) odd = true;
      t[0] = mh;
      t[1] = h;
      mh = t[+(h >= mh)];
      t[2] = ml;
      t[3] = l;
      ml = t[2 + +(l <= ml)];
      sufH[j] = mh;
      sufL[j] = ml;
    }
    upper[last] = mh;
    lower[last] = ml;
    middle[last] = (mh + ml) / 2;
    // Windows ending in the next block: [b0 + j, last + j] = suffix j of this block + head of the next.
    let rh = -Infinity;
    let rl = Infinity;
    const end = last + n < len ? last + n : len;
    for (let i = last + 1, j = 1; i < end; i++, j++) {
      const h = high[i];
      const l = low[i];
      if (h !== h || l !== l || h === 0 || l === 0) odd = true;
      t[0] = rh;
      t[1] = h;
      rh = t[+(h >= rh)];
      t[2] = rl;
      t[3] = l;
      rl = t[2 + +(l <= rl)];
      const sh = sufH[j];
      const sl = sufL[j];
      t[4] = rh;
      t[5] = sh;
      const hi = t[4 + +(sh >= rh)];
      t[6] = rl;
      t[7] = sl;
      const lo = t[6 + +(sl <= rl)];
      upper[i] = hi;
      lower[i] = lo;
      middle[i] = (hi + lo) / 2;
    }
  }
  if (odd) donchianScan(high, low, n, upper, middle, lower);
  return { upper, middle, lower };
}

/**
 * The streaming form's algorithm (`HighLowWindow`, TA-Lib's MAX/MIN) over whole arrays: keep each
 * extreme and its index, rescan the window when it expires, the latest bar wins ties.
 */
function donchianScan(high: Float64Array, low: Float64Array, n: number, upper: Float64Array, middle: Float64Array, lower: Float64Array): void {
  const len = high.length;
  let hi = NaN;
  let lo = NaN;
  let hiIdx = -1;
  let loIdx = -1;
  // Warm-up: the extremes of the bars so far (all of them in the window), outputs NaN.
  const warm = Math.min(len, n - 1);
  for (let i = 0; i < warm; i++) {
    const h = high[i];
    const l = low[i];
    if (i === 0) {
      hi = h;
      lo = l;
      hiIdx = loIdx = 0;
    } else {
      if (h >= hi) {
        hi = h;
        hiIdx = i;
      }
      if (l <= lo) {
        lo = l;
        loIdx = i;
      }
    }
    upper[i] = middle[i] = lower[i] = NaN;
  }
  for (let i = warm; i < len; i++) {
    const trailing = i - n + 1;
    if (hiIdx < trailing) {
      // The highest high left the window: rescan it, oldest first (ties: the latest wins).
      hiIdx = trailing;
      hi = high[trailing];
      for (let k = trailing + 1; k <= i; k++) {
        const b = high[k];
        if (b >= hi) {
          hi = b;
          hiIdx = k;
        }
      }
    } else {
      const h = high[i];
      if (h >= hi) {
        hi = h;
        hiIdx = i;
      }
    }
    if (loIdx < trailing) {
      loIdx = trailing;
      lo = low[trailing];
      for (let k = trailing + 1; k <= i; k++) {
        const b = low[k];
        if (b <= lo) {
          lo = b;
          loIdx = k;
        }
      }
    } else {
      const l = low[i];
      if (l <= lo) {
        lo = l;
        loIdx = i;
      }
    }
    upper[i] = hi;
    lower[i] = lo;
    middle[i] = (hi + lo) / 2;
  }
}
