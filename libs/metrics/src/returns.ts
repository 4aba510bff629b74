/**
 * Returns, with empyrical's definitions (empyrical 0.5.5, `stats.py`). Inputs are simple
 * (non-cumulative) per-period returns as fractions (0.01 = 1%), float64. NaN entries are treated as
 * empyrical treats them: skipped by products and means, but counted in the series length.
 */

/**
 * Simple returns of an equity (or price) curve: r[i] = e[i+1] / e[i] - 1, so n points give n-1
 * returns (empyrical `simple_returns` on an ndarray: `diff(prices) / prices[:-1]`). A zero point
 * gives ±Infinity or NaN after it, as numpy's division does.
 */
export function simpleReturns(equity: ArrayLike<number>): Float64Array {
  return simpleReturnsInto(equity, new Float64Array(Math.max(0, equity.length - 1)));
}

/** {@link simpleReturns} written into `out` (at least as long as the returns): its first equity.length - 1 values, as a view. */
export function simpleReturnsInto(equity: ArrayLike<number>, out: Float64Array): Float64Array {
  const n = Math.max(0, equity.length - 1);
  const r = out.length === n ? out : out.subarray(0, n);
  for (let i = 0; i < n; i++) r[i] = (equity[i + 1]! - equity[i]!) / equity[i]!;
  return r;
}

/**
 * Total (cumulative) return: prod(1 + r) - 1 over the non-NaN returns (empyrical
 * `cum_returns_final(returns, starting_value=0)`). NaN for an empty series.
 */
export function totalReturn(returns: ArrayLike<number>): number {
  if (returns.length === 0) return NaN;
  return growth(returns) - 1;
}

/**
 * Annualised return, the compound annual growth rate (empyrical `annual_return`, alias `cagr`):
 * (prod(1 + r)) ^ (1 / (n / periodsPerYear)) - 1, with n = the number of returns (NaN entries
 * included, as `len(returns)`). NaN for an empty series, and NaN (as numpy's power) when the
 * ending value is negative.
 */
export function annualReturn(returns: ArrayLike<number>, periodsPerYear: number): number {
  if (returns.length < 1) return NaN;
  const years = returns.length / periodsPerYear;
  return Math.pow(growth(returns), 1 / years) - 1;
}

/** prod(1 + r) over the non-NaN entries (numpy `nanprod`). */
export function growth(returns: ArrayLike<number>): number {
  let g = 1;
  for (let i = 0; i < returns.length; i++) {
    const r = returns[i]!;
    if (!Number.isNaN(r)) g *= 1 + r;
  }
  return g;
}
