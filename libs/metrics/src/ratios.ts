import { maxDrawdown } from './drawdown';
import { annualReturn } from './returns';
import { moments, sampleStd } from './stats';

/*
 * Risk and risk-adjusted return with empyrical's definitions (empyrical 0.5.5, `stats.py`).
 * `periodsPerYear` is empyrical's `annualization` (see `periodsPerYear(tf)`: 8760 for 1h bars,
 * 365 for daily returns). NaN entries are skipped by the means and deviations (numpy `nanmean`,
 * `nanstd`) but counted by the length checks, as in empyrical.
 *
 * NaN / infinity policy (the same results as empyrical, which follows IEEE division):
 * - fewer returns than a statistic needs (2 for volatility, Sharpe and Sortino, 1 for downside
 *   risk) -> NaN;
 * - a zero denominator: Sharpe of constant returns has std 0 -> mean/0 = +Infinity or -Infinity
 *   for a non-zero mean, NaN for a zero mean (empyrical's `flat_line_1` -> inf, zero excess
 *   returns -> nan); Sortino with no return below the required return -> +Infinity for a positive
 *   mean, NaN for a zero mean; Calmar -> NaN when there is no drawdown or the quotient is infinite.
 * Our standard deviation is computed in one pass (Welford), so a constant series gives exactly 0;
 * numpy's two-pass std of a constant series can be a few ulps off zero.
 */

/**
 * Annualised volatility: sample standard deviation (ddof = 1) of the returns times
 * sqrt(periodsPerYear) (empyrical `annual_volatility` with alpha = 2). NaN when n < 2.
 */
export function annualVolatility(returns: ArrayLike<number>, periodsPerYear: number): number {
  if (returns.length < 2) return NaN;
  return sampleStd(moments(returns)) * Math.sqrt(periodsPerYear);
}

/**
 * Sharpe ratio: mean(r - rf) / std(r - rf, ddof = 1) x sqrt(periodsPerYear) (empyrical
 * `sharpe_ratio`). `riskFree` is the constant risk-free return per period (not annual), default 0.
 * NaN when n < 2; ±Infinity / NaN for a zero deviation (see the policy above).
 */
export function sharpeRatio(returns: ArrayLike<number>, periodsPerYear: number, riskFree = 0): number {
  if (returns.length < 2) return NaN;
  const m = moments(returns, riskFree);
  return (m.mean / sampleStd(m)) * Math.sqrt(periodsPerYear);
}

/**
 * Downside risk (annualised downside deviation below `requiredReturn`, per period, default 0):
 * sqrt(mean(min(r - required, 0)^2)) x sqrt(periodsPerYear) (empyrical `downside_risk`). The mean
 * is over all non-NaN returns, not only the negative ones. NaN when n < 1.
 */
export function downsideRisk(returns: ArrayLike<number>, periodsPerYear: number, requiredReturn = 0): number {
  if (returns.length < 1) return NaN;
  let n = 0;
  let sum = 0;
  for (let i = 0; i < returns.length; i++) {
    const d = returns[i]! - requiredReturn;
    if (Number.isNaN(d)) continue;
    n += 1;
    if (d < 0) sum += d * d;
  }
  return downsideFromSums(n, sum, periodsPerYear);
}

/** {@link downsideRisk} from its sums: `n` non-NaN returns, `sum` of the squared shortfalls below the required return. */
export function downsideFromSums(n: number, sum: number, periodsPerYear: number): number {
  return Math.sqrt(n > 0 ? sum / n : NaN) * Math.sqrt(periodsPerYear);
}

/**
 * Sortino ratio: mean(r - required) x periodsPerYear / downsideRisk(r, required) (empyrical
 * `sortino_ratio`: an annualised arithmetic mean excess return over the annualised downside
 * deviation). NaN when n < 2; +Infinity when nothing is below the required return and the mean is
 * positive.
 */
export function sortinoRatio(returns: ArrayLike<number>, periodsPerYear: number, requiredReturn = 0): number {
  if (returns.length < 2) return NaN;
  const mean = moments(returns, requiredReturn).mean;
  return (mean * periodsPerYear) / downsideRisk(returns, periodsPerYear, requiredReturn);
}

/**
 * Calmar ratio: annualReturn / |maxDrawdown| (empyrical `calmar_ratio`). NaN when the max drawdown
 * is not negative (no drawdown, or an empty series) or when the quotient is infinite.
 */
export function calmarRatio(returns: ArrayLike<number>, periodsPerYear: number): number {
  return calmarOf(annualReturn(returns, periodsPerYear), maxDrawdown(returns));
}

/** {@link calmarRatio} of an annual return and a max drawdown: NaN unless the drawdown is negative and the quotient finite (or NaN). */
export function calmarOf(annualReturn: number, maxDrawdown: number): number {
  if (!(maxDrawdown < 0)) return NaN;
  const c = annualReturn / Math.abs(maxDrawdown);
  return Number.isFinite(c) || Number.isNaN(c) ? c : NaN;
}
