import { barsPerYear, type Timeframe } from '@atp/core';

/**
 * Periods per year used to annualise (ARCHITECTURE.md, "Metrics"): crypto trades every day, so a
 * year is 365 days of bars — 8760 for 1h, 105120 for 5m, 365 for 1d — not empyrical's 252
 * business days. Pass the result as `periodsPerYear` (empyrical's `annualization`).
 */
export function periodsPerYear(tf: Timeframe): number {
  return barsPerYear(tf);
}

/** Periods per year of daily returns (calendar days). */
export const DAYS_PER_YEAR = 365;
