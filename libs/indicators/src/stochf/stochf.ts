import { BATCH_CHUNK, checkPeriod, outputArray } from '../core/params';
import { expectState, intField, stateObject } from '../core/state';
import type { HlcBar, IndicatorState, StreamingIndicator } from '../core/types';
import { RunningSma } from '../core/running-sma';
import { FastK } from '../stoch/fast-k';
import type { StochSeries, StochValue } from '../stoch/stoch';

/**
 * Fast stochastic oscillator (TA-Lib `STOCHF` with SMA smoothing, the default).
 *
 *   fastK_t = 100 * (close_t - LL_t) / (HH_t - LL_t) over fastK bars  (see `FastK`)
 *   fastD   = SMA_fastD(fastK)
 *
 * Units: percent in [0, 100]. Defaults 5 / 3. Lookback (fastK - 1) + (fastD - 1);
 * `warmup` = lookback + 1 bars; both outputs start at that index (TA-Lib).
 */
export class StochF implements StreamingIndicator<HlcBar, StochValue> {
  static readonly kind = 'stochf';
  readonly warmup: number;
  private readonly rawK: FastK;
  private readonly smaD: RunningSma;
  private count = 0;
  private readonly h = new Float64Array(1);
  private readonly l = new Float64Array(1);
  private readonly c = new Float64Array(1);
  private readonly o = { k: new Float64Array(1), d: new Float64Array(1) };

  constructor(
    readonly fastK = 5,
    readonly fastD = 3,
    parts?: { rawK: FastK; smaD: RunningSma },
  ) {
    checkPeriod('stochf', 'fastK', fastK);
    checkPeriod('stochf', 'fastD', fastD);
    this.rawK = parts?.rawK ?? new FastK(fastK);
    this.smaD = parts?.smaD ?? new RunningSma(fastD);
    this.warmup = fastK + fastD - 1;
  }

  get isStable(): boolean {
    return this.count >= this.warmup;
  }

  /** The maths for both forms: consumes bars [from..to), writes %K/%D at i (NaN in warm-up). */
  run(high: Float64Array, low: Float64Array, close: Float64Array, from: number, to: number, out: StochSeries): void {
    const { k, d } = out;
    const g0 = this.count;
    this.rawK.run(high, low, close, from, to, k, d, k);
    // Fast %D: the SMA of fast %K from its first value, in place over a copy in d.
    const rawFrom = Math.min(to, from + Math.max(0, this.fastK - 1 - g0));
    for (let i = rawFrom; i < to; i++) d[i] = k[i];
    this.smaD.runInPlace(d, rawFrom, to);
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
    return { kind: StochF.kind, version: 2, fastK: this.fastK, fastD: this.fastD, count: this.count, rawK: this.rawK.getState(), smaD: this.smaD.getState() };
  }

  static fromState(state: IndicatorState): StochF {
    expectState(state, StochF.kind, 2);
    const s = new StochF(intField(state, 'fastK'), intField(state, 'fastD'), {
      rawK: FastK.fromState(stateObject(state, 'rawK')),
      smaD: RunningSma.fromState(stateObject(state, 'smaD')),
    });
    s.count = intField(state, 'count');
    return s;
  }
}

/** Batch fast stochastic: NaN for the first (fastK - 1) + (fastD - 1) values. */
export function stochf(high: Float64Array, low: Float64Array, close: Float64Array, fastK = 5, fastD = 3, out?: Partial<StochSeries>): StochSeries {
  const len = close.length;
  const o = { k: outputArray(len, out?.k, 'stochf'), d: outputArray(len, out?.d, 'stochf') };
  const x = new StochF(fastK, fastD);
  for (let from = 0; from < len; from += BATCH_CHUNK) x.run(high, low, close, from, Math.min(len, from + BATCH_CHUNK), o);
  return o;
}
