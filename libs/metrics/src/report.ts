import { toDecimal, type DecimalString, type Timeframe } from '@atp/core';
import { dailyReturns } from './daily';
import { drawdownOfEquity, maxDrawdown, type DrawdownInfo } from './drawdown';
import { DAYS_PER_YEAR, periodsPerYear } from './periods';
import { downsideRisk } from './ratios';
import { growth, simpleReturns } from './returns';
import { moments } from './stats';
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

/** Every return-based statistic of `returns`, annualised with `periodsPerYear`. */
export function performance(returns: ArrayLike<number>, ppy: number, opts: PerformanceOptions = {}): PerformanceMetrics {
  const rf = opts.riskFree ?? 0;
  const required = opts.requiredReturn ?? 0;
  const n = returns.length;
  // The same values as totalReturn, annualReturn, annualVolatility, sharpeRatio, sortinoRatio,
  // maxDrawdown and calmarRatio called one by one, with each pass over the returns made once:
  // the product of (1 + r), the moments (shift 0 is x - 0 = x, so they serve Sharpe and Sortino
  // at a zero risk-free / required return) and the max drawdown are shared.
  const g = n > 0 ? growth(returns) : NaN;
  const total = n === 0 ? NaN : g - 1;
  const annual = n < 1 ? NaN : Math.pow(g, 1 / (n / ppy)) - 1;
  const m0 = n >= 2 ? moments(returns) : undefined;
  const std0 = m0 === undefined ? NaN : m0.n > 1 ? Math.sqrt(m0.m2 / (m0.n - 1)) : NaN;
  let sharpe = NaN;
  if (n >= 2) {
    const m = rf === 0 ? m0! : moments(returns, rf);
    const std = rf === 0 ? std0 : m.n > 1 ? Math.sqrt(m.m2 / (m.n - 1)) : NaN;
    sharpe = (m.mean / std) * Math.sqrt(ppy);
  }
  const sortino = n < 2 ? NaN : ((required === 0 ? m0!.mean : moments(returns, required).mean) * ppy) / downsideRisk(returns, ppy, required);
  const mdd = maxDrawdown(returns);
  let calmar = NaN;
  if (mdd < 0) {
    const c = annual / Math.abs(mdd);
    calmar = Number.isFinite(c) || Number.isNaN(c) ? c : NaN;
  }
  return {
    periodsPerYear: ppy,
    periods: n,
    totalReturn: total,
    annualReturn: annual,
    annualVolatility: n < 2 ? NaN : std0 * Math.sqrt(ppy),
    sharpe,
    sortino,
    maxDrawdown: mdd,
    calmar,
  };
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

/** Computes every metric of a run from its equity curve, trades, fees and traded notional. */
export function computeMetrics(input: MetricsInput): MetricsReport {
  const times = input.start ? [input.start.time, ...Array.from(input.times)] : input.times;
  const equity = input.start ? [input.start.equity, ...Array.from(input.equity)] : input.equity;
  const bars = simpleReturns(equity);
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
