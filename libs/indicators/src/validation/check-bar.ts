import type { Bar } from '../core/types';

/**
 * Why a bar is unfit for the indicators. Reported, never thrown: bad market
 * data is an event to flag (and skip or alert on), not a programming error.
 */
export type BarProblem =
  | 'invalid-open-time' // not a finite integer number of ms
  | 'non-finite-price' // NaN or ±Infinity in open/high/low/close
  | 'non-positive-price' // a price <= 0
  | 'high-below-low'
  | 'open-close-outside-range' // open or close above the high or below the low
  | 'invalid-volume' // NaN, infinite or negative volume
  | 'duplicate-open-time' // same open time as the previous bar
  | 'out-of-order-open-time'; // open time before the previous bar's

/**
 * Checks one bar, and its open time against the previous accepted bar's (pass
 * null for the first bar). Returns the first problem found, or null for a good
 * bar. A gap (missing bars) is not a problem: see `isGap`.
 */
export function checkBar(prev: Pick<Bar, 'openTime'> | null | undefined, bar: Bar): BarProblem | null {
  if (!Number.isSafeInteger(bar.openTime)) return 'invalid-open-time';
  const { open, high, low, close } = bar;
  if (!Number.isFinite(open) || !Number.isFinite(high) || !Number.isFinite(low) || !Number.isFinite(close)) return 'non-finite-price';
  if (open <= 0 || high <= 0 || low <= 0 || close <= 0) return 'non-positive-price';
  if (high < low) return 'high-below-low';
  if (open > high || open < low || close > high || close < low) return 'open-close-outside-range';
  if (!Number.isFinite(bar.volume) || bar.volume < 0) return 'invalid-volume';
  if (prev) {
    if (bar.openTime === prev.openTime) return 'duplicate-open-time';
    if (bar.openTime < prev.openTime) return 'out-of-order-open-time';
  }
  return null;
}

/**
 * True when bars are missing between two consecutive bars:
 * openTime - prevOpenTime > timeframeMs. Indicators carry their state across a
 * gap (as TA-Lib does on the raw series); this lets the first bar after a gap be
 * flagged in the feature vector.
 */
export function isGap(prevOpenTime: number, openTime: number, timeframeMs: number): boolean {
  return openTime - prevOpenTime > timeframeMs;
}

/** How many bars of `timeframeMs` are missing between two consecutive open times (0 if none). */
export function missingBars(prevOpenTime: number, openTime: number, timeframeMs: number): number {
  const d = openTime - prevOpenTime;
  return d > timeframeMs ? Math.floor(d / timeframeMs) - 1 : 0;
}

/** Result of `BarSequenceChecker.check`. */
export interface BarCheck {
  /** the problem with this bar, or null if it can be fed to the indicators */
  problem: BarProblem | null;
  /** true when this (good) bar is the first after missing bars */
  gapBefore: boolean;
}

/**
 * Streaming guard for one instrument and timeframe: remembers the last good
 * bar's open time, reports a bad bar (which the caller should not feed to the
 * indicators) and flags the first good bar after a gap.
 */
export class BarSequenceChecker {
  private prevOpenTime: number | null;

  constructor(
    readonly timeframeMs: number,
    lastOpenTime: number | null = null,
  ) {
    this.prevOpenTime = lastOpenTime;
  }

  get lastOpenTime(): number | null {
    return this.prevOpenTime;
  }

  check(bar: Bar): BarCheck {
    const prev = this.prevOpenTime;
    const problem = checkBar(prev === null ? null : { openTime: prev }, bar);
    if (problem !== null) return { problem, gapBefore: false };
    this.prevOpenTime = bar.openTime;
    return { problem: null, gapBefore: prev !== null && isGap(prev, bar.openTime, this.timeframeMs) };
  }
}
