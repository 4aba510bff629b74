import { toDecimal, type DecimalString, type Timeframe } from '@atp/core';
import { dailyReturns } from './daily';
import { drawdownOfEquity, type DrawdownInfo } from './drawdown';
import { DAYS_PER_YEAR, periodsPerYear } from './periods';
import { simpleReturnsInto } from './returns';
import { calmarOf, downsideFromSums } from './ratios';
import { moments, sampleStd } from './stats';
import { exposure, tradeStats, turnover, type TradeResult, type TradeStats } from './trades';

/** The return-based statistics of one return series (empyrical definitions). */
export interface PerformanceMetrics {
  readonly periodsPerYear: number;
  /** Number of returns. */
  readonly periods: number;
  readonly totalReturn: number;
  readonly annualReturn: number;
  readonly annualVolatility: number;
  readonly sharpe: number;
  readonly sortino: number;
  readonly maxDrawdown: number;
  readonly calmar: number;
}

/** Options of {@link performance}: per-period risk-free and required returns (default 0). */
export interface PerformanceOptions {
  readonly riskFree?: number;
  readonly requiredReturn?: number;
}

/**
 * Every return-based statistic of `returns`, annualised with `periodsPerYear`: the values of
 * `totalReturn`, `annualReturn`, `annualVolatility`, `sharpeRatio`, `sortinoRatio`, `maxDrawdown`
 * and `calmarRatio`, with the passes they share made once (the growth, the max drawdown, and the
 * moments when the risk-free and required returns are 0: x - 0 is x, so the same sums).
 */
export function performance(returns: ArrayLike<number>, ppy: number, opts: PerformanceOptions = {}): PerformanceMetrics {
  const n = returns.length;
  const rf = opts.riskFree ?? 0;
  const req = opts.requiredReturn ?? 0;
  const f = fusedPass(returns, req);
  const g = f.growth;
  const total = n === 0 ? NaN : g - 1;
  const annual = n < 1 ? NaN : Math.pow(g, 1 / (n / ppy)) - 1;
  const mdd = n < 1 ? NaN : f.worst;
  const plain = f.moments;
  const sharpeM = n < 2 ? undefined : Object.is(rf, 0) ? plain : moments(returns, rf);
  const sortinoM = n < 2 ? undefined : Object.is(req, 0) ? plain : moments(returns, req);
  return {
    periodsPerYear: ppy,
    periods: n,
    totalReturn: total,
    annualReturn: annual,
    annualVolatility: n < 2 ? NaN : sampleStd(plain) * Math.sqrt(ppy),
    sharpe: sharpeM === undefined ? NaN : (sharpeM.mean / sampleStd(sharpeM)) * Math.sqrt(ppy),
    sortino: sortinoM === undefined ? NaN : (sortinoM.mean * ppy) / downsideFromSums(f.downN, f.downSum, ppy),
    maxDrawdown: mdd,
    calmar: calmarOf(annual, mdd),
  };
}

/**
 * One pass computing, each with its own running variables and in its own order of operations
 * (so the same floats as the separate functions): `moments(returns)`, `growth(returns)`,
 * `maxDrawdown`'s worst drawdown and `downsideRisk`'s sums below `req`. Their dependency chains
 * (a division each for the mean and the drawdown) then overlap instead of running one after another.
 */
function fusedPass(returns: ArrayLike<number>, req: number): { moments: { n: number; mean: number; m2: number }; growth: number; worst: number; downN: number; downSum: number } {
  let n = 0;
  let mean = 0;
  let m2 = 0;
  let g = 1;
  const start = 100;
  let peak = start;
  let dg = 1;
  let worst = 0;
  let downN = 0;
  let downSum = 0;
  for (let i = 0; i < returns.length; i++) {
    const r = returns[i]!;
    // moments(returns)
    if (!Number.isNaN(r)) {
      n += 1;
      const d = r - mean;
      mean += d / n;
      m2 += d * (r - mean);
    }
    // growth(returns)
    if (!Number.isNaN(r)) g *= 1 + r;
    // maxDrawdown(returns)
    dg *= 1 + (Number.isNaN(r) ? 0 : r);
    const v = dg * start;
    if (v > peak) peak = v;
    const dd = (v - peak) / peak;
    if (dd < worst) worst = dd;
    // downsideRisk(returns, _, req)
    const e = r - req;
    if (!Number.isNaN(e)) {
      downN += 1;
      if (e < 0) downSum += e * e;
    }
  }
  return { moments: { n, mean: n > 0 ? mean : NaN, m2 }, growth: g, worst, downN, downSum };
}

/** What a backtest or the pnl service hands over to be measured. A portfolio's `equityCurve()` fits. */
export interface MetricsInput {
  /** Bar close times, Unix ms, ascending. */
  readonly times: ArrayLike<number>;
  /** Equity at each bar close (float64). */
  readonly equity: ArrayLike<number>;
  /** 1 / true where a position was held during the bar; exposure is NaN without it. */
  readonly exposed?: ArrayLike<number | boolean>;
  /** Bar timeframe: gives the periods per year of the per-bar returns. */
  readonly timeframe: Timeframe;
  /**
   * The state before the first bar (e.g. the initial cash at the run's start time), prepended to
   * the curve so the first bar's return is counted.
   */
  readonly start?: { readonly time: number; readonly equity: number };
  /** Closed round trips (net P&L). */
  readonly trades?: readonly TradeResult[];
  readonly feesPaid?: DecimalString | number;
  /** Sum of |price x quantity| over all fills. */
  readonly tradedNotional?: DecimalString | number;
  /** Per-bar risk-free return for the per-bar Sharpe; the daily one uses `dailyRiskFree`. Default 0. */
  readonly riskFree?: number;
  readonly dailyRiskFree?: number;
}

/** The metrics of a run. NaN marks an undefined statistic (JSON.stringify writes it as null). */
export interface MetricsReport {
  readonly startEquity: number;
  readonly endEquity: number;
  /** On per-bar returns, annualised with bars per year (8760 for 1h). */
  readonly bars: PerformanceMetrics & { readonly drawdown: DrawdownInfo };
  /** On daily returns (UTC days, see `dailyReturns`), annualised with 365. */
  readonly daily: PerformanceMetrics;
  readonly trades: TradeStats;
  /** Fraction of bars with a position. */
  readonly exposure: number;
  /** Traded notional / mean equity. */
  readonly turnover: number;
  readonly feesPaid: number;
}

/**
 * Where computeMetrics puts the per-bar returns: only its own statistics read them, and a fresh
 * array per call is, for a long backtest, 8 MB of new memory to zero (or first touch, page by
 * page) and free again each run. Grown when a longer curve comes; its values are those of
 * `simpleReturns(equity)`.
 */
let returnsScratch = new Float64Array(0);

/** simpleReturns(equity) written into the scratch (see returnsScratch). */
function barReturns(equity: ArrayLike<number>): Float64Array {
  const n = Math.max(0, equity.length - 1);
  if (returnsScratch.length < n) returnsScratch = new Float64Array(Math.max(n, 2 * returnsScratch.length));
  return simpleReturnsInto(equity, returnsScratch);
}

/** Computes every metric of a run from its equity curve, trades, fees and traded notional. */
export function computeMetrics(input: MetricsInput): MetricsReport {
  const times = input.start ? [input.start.time, ...Array.from(input.times)] : input.times;
  const equity = input.start ? [input.start.equity, ...Array.from(input.equity)] : input.equity;
  const bars = barReturns(equity);
  const days = dailyReturns(times, equity);
  const n = equity.length;
  return {
    startEquity: n > 0 ? equity[0]! : NaN,
    endEquity: n > 0 ? equity[n - 1]! : NaN,
    bars: { ...performance(bars, periodsPerYear(input.timeframe), { riskFree: input.riskFree }), drawdown: drawdownOfEquity(equity) },
    daily: performance(days, DAYS_PER_YEAR, { riskFree: input.dailyRiskFree }),
    trades: tradeStats(input.trades ?? []),
    exposure: input.exposed ? exposure(input.exposed) : NaN,
    turnover: input.tradedNotional !== undefined ? turnover(input.tradedNotional, equity) : NaN,
    feesPaid: input.feesPaid !== undefined ? toDecimal(input.feesPaid).toNumber() : 0,
  };
}
