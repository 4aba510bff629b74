/**
 * The deflated Sharpe ratio (Bailey & López de Prado, "The Deflated Sharpe Ratio: Correcting for
 * Selection Bias, Backtest Overfitting and Non-Normality", 2014): the probability that the true
 * Sharpe ratio of the selected strategy exceeds the Sharpe ratio one would expect from the best of
 * N unskilled trials.
 *
 *   SR0 = sqrt(V[SR_n]) * ((1 - g) * Z^-1(1 - 1/N) + g * Z^-1(1 - 1/(N e)))     g = Euler-Mascheroni
 *   DSR = Z( (SR - SR0) * sqrt(T - 1) / sqrt(1 - skew * SR + (kurt - 1) / 4 * SR^2) )
 *
 * All Sharpe ratios here are per period (not annualised), kurtosis is the plain (non-excess) one.
 */

const EULER_GAMMA = 0.5772156649015329;

/** Standard normal CDF (Abramowitz-Stegun 7.1.26 via erf, |error| < 1.5e-7). */
export function normCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** Inverse standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9). Throws outside (0, 1). */
export function normInv(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normInv: p must be in (0, 1), got ${p}`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - lo) return -normInv(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/** Mean, per-period Sharpe (mean / sample std), skewness and plain kurtosis of a return series. */
export function returnMoments(r: ArrayLike<number>): { n: number; mean: number; std: number; sharpe: number; skew: number; kurt: number } {
  const n = r.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += r[i];
  m /= n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = r[i] - m;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  const varPop = m2 / n;
  const std = n > 1 ? Math.sqrt(m2 / (n - 1)) : NaN;
  return { n, mean: m, std, sharpe: std > 0 ? m / std : NaN, skew: varPop > 0 ? m3 / n / varPop ** 1.5 : 0, kurt: varPop > 0 ? m4 / n / (varPop * varPop) : 3 };
}

/** Expected maximum Sharpe ratio of N unskilled trials whose Sharpe ratios have variance `variance`. */
export function expectedMaxSharpe(trials: number, variance: number): number {
  if (trials < 2) return 0;
  return Math.sqrt(variance) * ((1 - EULER_GAMMA) * normInv(1 - 1 / trials) + EULER_GAMMA * normInv(1 - 1 / (trials * Math.E)));
}

/**
 * Deflated Sharpe ratio of the selected strategy's per-period returns, given the per-period
 * Sharpe ratios of all N trials tried (the selected one included). Returns NaN when undefined
 * (fewer than 2 returns, zero variance).
 */
export function deflatedSharpe(selected: ArrayLike<number>, trialSharpes: readonly number[]): { dsr: number; sharpe: number; sr0: number; trials: number } {
  const mo = returnMoments(selected);
  const finite = trialSharpes.filter(Number.isFinite);
  const n = finite.length;
  let mean = 0;
  for (const x of finite) mean += x;
  mean /= Math.max(1, n);
  let v = 0;
  for (const x of finite) v += (x - mean) ** 2;
  v = n > 1 ? v / (n - 1) : 0;
  const sr0 = expectedMaxSharpe(n, v);
  const sr = mo.sharpe;
  const denom = 1 - mo.skew * sr + ((mo.kurt - 1) / 4) * sr * sr;
  const dsr = mo.n > 1 && Number.isFinite(sr) && denom > 0 ? normCdf(((sr - sr0) * Math.sqrt(mo.n - 1)) / Math.sqrt(denom)) : NaN;
  return { dsr, sharpe: sr, sr0, trials: n };
}
