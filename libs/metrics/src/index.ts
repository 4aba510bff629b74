/**
 * @atp/metrics — performance statistics with empyrical's definitions (empyrical 0.5.5), annualised
 * with crypto's 365-day year: returns, CAGR, volatility, Sharpe, Sortino, max drawdown and its
 * duration, Calmar; trade statistics on round trips; exposure, turnover; daily-return variants.
 * Pure functions on float64 arrays.
 */
export { nanMean, nanStd } from './stats';
export { periodsPerYear, DAYS_PER_YEAR } from './periods';
export { simpleReturns, totalReturn, annualReturn } from './returns';
export { annualVolatility, sharpeRatio, downsideRisk, sortinoRatio, calmarRatio } from './ratios';
export { maxDrawdown, drawdownOfEquity, type DrawdownInfo } from './drawdown';
export { tradeStats, exposure, turnover, type TradeResult, type TradeStats } from './trades';
export { dailyEquity, dailyReturns, type DailyEquity } from './daily';
export { performance, computeMetrics, type PerformanceMetrics, type PerformanceOptions, type MetricsInput, type MetricsReport } from './report';
