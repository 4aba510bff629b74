import { utcDayStart } from '@atp/core';

/** An equity curve resampled to UTC days. */
export interface DailyEquity {
  /** Start of each UTC day, Unix ms, consecutive (no gaps). */
  readonly days: Float64Array;
  /** Equity at the end of each day (the last point of the day, carried forward over empty days). */
  readonly close: Float64Array;
}

/**
 * Resamples a per-bar equity curve to UTC days: each day's close is the last point of that day,
 * and days without a point repeat the previous close (pandas `resample('1D').last().ffill()`).
 * A point belongs to the day of the interval it closes: time t goes to `utcDayStart(t - 1)`, so the
 * bar closing at exactly 00:00 closes the previous day (bar event times are their close times).
 * Throws RangeError when the times are not ascending or the arrays differ in length.
 */
export function dailyEquity(times: ArrayLike<number>, equity: ArrayLike<number>): DailyEquity {
  if (times.length !== equity.length) throw new RangeError(`dailyEquity: ${times.length} times but ${equity.length} values`);
  if (times.length === 0) return { days: new Float64Array(0), close: new Float64Array(0) };
  const days: number[] = [];
  const close: number[] = [];
  const DAY = 86_400_000;
  // [cur, safeEnd): times - 1 whose utcDayStart is the current day `cur` without the division:
  // floor(x / DAY) is k for k x DAY <= x < (k + 1) x DAY - 1 when k < 2^26 (a float quotient
  // then errs by less than the 1 / DAY it stays below k + 1); later times are divided.
  let cur = NaN;
  let safeEnd = NaN;
  for (let i = 0; i < times.length; i++) {
    if (i > 0 && times[i]! < times[i - 1]!) throw new RangeError(`dailyEquity: times not ascending at index ${i}`);
    const x = times[i]! - 1;
    if (x >= cur && x < safeEnd) {
      close[close.length - 1] = equity[i]!;
      continue;
    }
    const d = utcDayStart(x);
    const last = days.length - 1;
    if (last >= 0 && days[last] === d) {
      close[last] = equity[i]!;
      continue;
    }
    cur = d;
    safeEnd = Math.abs(d) < 5e15 ? d + DAY - 1 : d;
    // Carry the previous close over days with no point.
    if (last >= 0) for (let g = days[last]! + DAY; g < d; g += DAY) {
      days.push(g);
      close.push(close[close.length - 1]!);
    }
    days.push(d);
    close.push(equity[i]!);
  }
  return { days: Float64Array.from(days), close: Float64Array.from(close) };
}

/**
 * Daily simple returns of a per-bar equity curve: day k's return is close[k] / close[k-1] - 1, and
 * the first day's is measured from the first point of the curve (the starting equity), so the
 * daily returns compound to the same total return as the per-bar ones. Annualise with 365.
 */
export function dailyReturns(times: ArrayLike<number>, equity: ArrayLike<number>): Float64Array {
  const { close } = dailyEquity(times, equity);
  const out = new Float64Array(close.length);
  let prev = equity.length > 0 ? equity[0]! : NaN;
  for (let k = 0; k < close.length; k++) {
    out[k] = (close[k]! - prev) / prev;
    prev = close[k]!;
  }
  return out;
}
