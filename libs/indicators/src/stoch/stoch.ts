import { BATCH_CHUNK, checkPeriod, outputArray } from '../core/params';
import { expectState, intField, stateObject } from '../core/state';
import type { HlcBar, IndicatorState, StreamingIndicator } from '../core/types';
import { RunningSma } from '../core/running-sma';
import { FastK } from './fast-k';

export interface StochValue {
  k: number;
  d: number;
}

export interface StochSeries {
  k: Float64Array;
  d: Float64Array;
}

/**
 * Slow stochastic oscillator (TA-Lib `STOCH` with SMA smoothing, the default).
 *
 *   rawK_t = 100 * (close_t - LL_t) / (HH_t - LL_t) over fastK bars   (see `FastK`)
 *   slowK  = SMA_slowK(rawK),  slowD = SMA_slowD(slowK)
 *
 * Units: percent in [0, 100]. Defaults 5 / 3 / 3. Lookback
 * (fastK - 1) + (slowK - 1) + (slowD - 1); `warmup` = lookback + 1 bars. Both
 * outputs start at the same index, as in TA-Lib.
 */
export class Stoch implements StreamingIndicator<HlcBar, StochValue> {
  static readonly kind = 'stoch';
  readonly warmup: number;
  private readonly rawK: FastK;
  private readonly smaK: RunningSma;
  private readonly smaD: RunningSma;
  private count = 0;
  private readonly h = new Float64Array(1);
  private readonly l = new Float64Array(1);
  private readonly c = new Float64Array(1);
  private readonly o = { k: new Float64Array(1), d: new Float64Array(1) };

  constructor(
    readonly fastK = 5,
    readonly slowK = 3,
    readonly slowD = 3,
    parts?: { rawK: FastK; smaK: RunningSma; smaD: RunningSma },
  ) {
    checkPeriod('stoch', 'fastK', fastK);
    checkPeriod('stoch', 'slowK', slowK);
    checkPeriod('stoch', 'slowD', slowD);
    this.rawK = parts?.rawK ?? new FastK(fastK);
    this.smaK = parts?.smaK ?? new RunningSma(slowK);
    this.smaD = parts?.smaD ?? new RunningSma(slowD);
    this.warmup = fastK + slowK + slowD - 2;
  }

  get isStable(): boolean {
    return this.count >= this.warmup;
  }

  /** The maths for both forms: consumes bars [from..to), writes %K/%D at i (NaN in warm-up). */
  run(high: Float64Array, low: Float64Array, close: Float64Array, from: number, to: number, out: StochSeries): void {
    const { k, d } = out;
    const g0 = this.count;
    // The window highs go to k, the lows to d; raw %K overwrites the lows in d.
    this.rawK.run(high, low, close, from, to, d, k, d);
    // Slow %K in place over raw %K (in d) from its first value, copied to k;
    // slow %D in place over slow %K (in d) from slow %K's first value.
    const rawFrom = Math.min(to, from + Math.max(0, this.fastK - 1 - g0));
    this.smaK.runInPlace(d, rawFrom, to);
    const kFrom = Math.min(to, from + Math.max(0, this.fastK + this.slowK - 2 - g0));
    for (let i = kFrom; i < to; i++) k[i] = d[i];
    this.smaD.runInPlace(d, kFrom, to);
    const outFrom = Math.min(to, from + Math.max(0, this.warmup - 1 - g0));
    for (let i = from; i < outFrom; i++) k[i] = d[i] = NaN;
    this.count = g0 + (to - from);
  }

  update(bar: HlcBar): StochValue | null {
    this.h[0] = bar.high;
    this.l[0] = bar.low;
    this.c[0] = bar.close;
    this.run(this.h, this.l, this.c, 0, 1, this.o);
    return this.count >= this.warmup ? { k: this.o.k[0], d: this.o.d[0] } : null;
  }

  /** Feeds history (oldest first), one bar at a time through the path `update` takes; no outputs. */
  seed(high: Float64Array, low: Float64Array, close: Float64Array): this {
    const n = close.length;
    const out = { k: new Float64Array(n), d: new Float64Array(n) };
    for (let i = 0; i < n; i++) this.run(high, low, close, i, i + 1, out);
    return this;
  }

  getState(): IndicatorState {
    return {
      kind: Stoch.kind,
      version: 2,
      fastK: this.fastK,
      slowK: this.slowK,
      slowD: this.slowD,
      count: this.count,
      rawK: this.rawK.getState(),
      smaK: this.smaK.getState(),
      smaD: this.smaD.getState(),
    };
  }

  static fromState(state: IndicatorState): Stoch {
    expectState(state, Stoch.kind, 2);
    const s = new Stoch(intField(state, 'fastK'), intField(state, 'slowK'), intField(state, 'slowD'), {
      rawK: FastK.fromState(stateObject(state, 'rawK')),
      smaK: RunningSma.fromState(stateObject(state, 'smaK')),
      smaD: RunningSma.fromState(stateObject(state, 'smaD')),
    });
    s.count = intField(state, 'count');
    return s;
  }
}

/** Batch slow stochastic: NaN for the first (fastK - 1) + (slowK - 1) + (slowD - 1) values. */
export function stoch(high: Float64Array, low: Float64Array, close: Float64Array, fastK = 5, slowK = 3, slowD = 3, out?: Partial<StochSeries>): StochSeries {
  const len = close.length;
  const o = { k: outputArray(len, out?.k, 'stoch'), d: outputArray(len, out?.d, 'stoch') };
  const x = new Stoch(fastK, slowK, slowD);
  for (let from = 0; from < len; from += BATCH_CHUNK) x.run(high, low, close, from, Math.min(len, from + BATCH_CHUNK), o);
  return o;
}
