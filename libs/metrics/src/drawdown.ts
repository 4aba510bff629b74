/**
 * Maximum drawdown of a return series (empyrical `max_drawdown`): the most negative
 * (value / running peak - 1) of the cumulative value 100 x prod(1 + r), the starting value 100
 * included as the first peak (so a first return of -10% is a 10% drawdown). NaN entries count as
 * a zero return (empyrical `cum_returns`). A fraction <= 0, e.g. -0.25 for a 25% drawdown; NaN for
 * an empty series.
 */
export function maxDrawdown(returns: ArrayLike<number>): number {
  if (returns.length < 1) return NaN;
  const start = 100;
  let peak = start;
  let growth = 1;
  let worst = 0; // the starting point itself: (100 - 100) / 100
  for (let i = 0; i < returns.length; i++) {
    const r = returns[i]!;
    growth *= 1 + (Number.isNaN(r) ? 0 : r);
    const v = growth * start;
    if (v > peak) peak = v;
    const dd = (v - peak) / peak;
    if (dd < worst) worst = dd;
  }
  return worst;
}

/** The deepest drawdown of an equity curve and how long it lasted. */
export interface DrawdownInfo {
  /** Most negative equity / running peak - 1 (a fraction <= 0); NaN for an empty curve. */
  readonly maxDrawdown: number;
  /** Index of the peak the max drawdown is measured from (the last bar at that peak level). */
  readonly peakIndex: number;
  /** Index of the trough (the first bar at the deepest level). */
  readonly troughIndex: number;
  /** First index after the trough where equity is back at or above the peak; -1 if it never is. */
  readonly recoveryIndex: number;
  /** Bars from the peak to the recovery, or to the last bar when not recovered; 0 without drawdown. */
  readonly durationBars: number;
}

/**
 * Max drawdown of an equity curve (values, not returns): min(e[i] / max(e[0..i]) - 1), and its
 * duration in bars from the peak to the recovery, or to the end of the curve if it has not
 * recovered. The same number as `maxDrawdown(simpleReturns(equity))` up to float rounding.
 */
export function drawdownOfEquity(equity: ArrayLike<number>): DrawdownInfo {
  const n = equity.length;
  if (n === 0) return { maxDrawdown: NaN, peakIndex: -1, troughIndex: -1, recoveryIndex: -1, durationBars: 0 };
  let peak = equity[0]!;
  let peakIdx = 0;
  let worst = 0;
  let worstPeakIdx = 0;
  let troughIdx = 0;
  for (let i = 1; i < n; i++) {
    const e = equity[i]!;
    if (e >= peak) {
      peak = e;
      peakIdx = i;
      continue;
    }
    const dd = e / peak - 1;
    if (dd < worst) {
      worst = dd;
      worstPeakIdx = peakIdx;
      troughIdx = i;
    }
  }
  if (worst === 0) return { maxDrawdown: 0, peakIndex: peakIdx, troughIndex: peakIdx, recoveryIndex: peakIdx, durationBars: 0 };
  const level = equity[worstPeakIdx]!;
  let recovery = -1;
  for (let i = troughIdx + 1; i < n; i++) {
    if (equity[i]! >= level) {
      recovery = i;
      break;
    }
  }
  return {
    maxDrawdown: worst,
    peakIndex: worstPeakIdx,
    troughIndex: troughIdx,
    recoveryIndex: recovery,
    durationBars: (recovery >= 0 ? recovery : n - 1) - worstPeakIdx,
  };
}
