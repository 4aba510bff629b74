import { checkPeriod } from '../core/params';
import { HighLowWindow } from '../core/high-low-window';
import { expectState, intField, stateObject } from '../core/state';
import type { IndicatorState } from '../core/types';

/**
 * The raw stochastic %K shared by STOCH and STOCHF (TA-Lib's inner loop):
 *
 *   HH_t = max(high_{t-n+1..t}),  LL_t = min(low_{t-n+1..t})
 *   %K_t = (close_t - LL_t) / ((HH_t - LL_t) / 100);  0 when HH_t = LL_t
 *
 * (divided by (HH-LL)/100 rather than multiplied by 100/(HH-LL), as TA-Lib does,
 * for identical rounding). Units: percent in [0, 100]. Lookback n - 1.
 */
export class FastK {
  static readonly kind = 'fast-k';
  private readonly window: HighLowWindow;
  count = 0;

  constructor(
    readonly period: number,
    window?: HighLowWindow,
  ) {
    checkPeriod('stoch', 'fastK', period);
    this.window = window ?? new HighLowWindow(period);
  }

  /**
   * Consumes bars [from..to) and writes %K at i (NaN for the first n - 1 bars).
   * `hh` and `ll` are scratch arrays for the window extremes (distinct from the
   * inputs); either may be `out`.
   */
  run(high: Float64Array, low: Float64Array, close: Float64Array, from: number, to: number, out: Float64Array, hh: Float64Array, ll: Float64Array): void {
    const n = this.period;
    const g0 = this.count;
    this.window.run(high, low, from, to, hh, ll);
    let i = from;
    for (; i < to && g0 + i - from < n - 1; i++) out[i] = NaN;
    for (; i < to; i++) {
      const lo = ll[i];
      const diff = (hh[i] - lo) / 100.0;
      out[i] = diff !== 0.0 ? (close[i] - lo) / diff : 0.0;
    }
    this.count = g0 + (to - from);
  }

  getState(): IndicatorState {
    return { kind: FastK.kind, version: 2, period: this.period, count: this.count, window: this.window.getState() };
  }

  static fromState(state: IndicatorState): FastK {
    expectState(state, FastK.kind, 2);
    const k = new FastK(intField(state, 'period'), HighLowWindow.fromState(stateObject(state, 'window')));
    k.count = intField(state, 'count');
    return k;
  }
}
