import { checkPeriod } from '../core/params';
import { ExtremeWindow } from '../core/extreme-window';
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
  private readonly hi: ExtremeWindow;
  private readonly lo: ExtremeWindow;
  count = 0;

  constructor(
    readonly period: number,
    hi?: ExtremeWindow,
    lo?: ExtremeWindow,
  ) {
    checkPeriod('stoch', 'fastK', period);
    this.hi = hi ?? new ExtremeWindow(period, true);
    this.lo = lo ?? new ExtremeWindow(period, false);
  }

  /** Consumes bars [from..to), writes %K at i (NaN for the first n - 1 bars). */
  run(high: Float64Array, low: Float64Array, close: Float64Array, from: number, to: number, out: Float64Array): void {
    const n = this.period;
    const hi = this.hi;
    const lo = this.lo;
    let g = this.count;
    for (let i = from; i < to; i++, g++) {
      const hh = hi.push(g, high[i]);
      const ll = lo.push(g, low[i]);
      if (g < n - 1) {
        out[i] = NaN;
        continue;
      }
      const diff = (hh - ll) / 100.0;
      out[i] = diff !== 0.0 ? (close[i] - ll) / diff : 0.0;
    }
    this.count = g;
  }

  getState(): IndicatorState {
    return { kind: FastK.kind, version: 1, period: this.period, count: this.count, hi: this.hi.getState(), lo: this.lo.getState() };
  }

  static fromState(state: IndicatorState): FastK {
    expectState(state, FastK.kind, 1);
    const k = new FastK(intField(state, 'period'), ExtremeWindow.fromState(stateObject(state, 'hi')), ExtremeWindow.fromState(stateObject(state, 'lo')));
    k.count = intField(state, 'count');
    return k;
  }
}
