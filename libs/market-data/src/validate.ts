import { timeframeMs, type Timeframe } from '@atp/core';
import type { Candle } from './candle';

/** Why a bar is rejected. */
export type BarProblem =
  | 'non-finite-time'
  | 'misaligned-time'
  | 'non-finite-price'
  | 'non-positive-price'
  | 'bad-volume'
  | 'high-below-low'
  | 'open-outside-range'
  | 'close-outside-range'
  | 'out-of-order'
  | 'duplicate';

export interface BarIssue {
  /** Index of the bar in the input. */
  index: number;
  openTime: number;
  problem: BarProblem;
  /** Human-readable detail naming the values. */
  detail: string;
}

/**
 * Checks one bar on its own: finite, positive prices; volume finite and >= 0; high >= low;
 * open and close within [low, high]; with `tf`, the open time aligned to it. Returns the first
 * problem found, or null for a valid bar.
 */
export function checkBar(c: Candle, tf?: Timeframe | string): { problem: BarProblem; detail: string } | null {
  if (!Number.isFinite(c.openTime)) return { problem: 'non-finite-time', detail: `openTime ${c.openTime}` };
  if (tf !== undefined && c.openTime % timeframeMs(tf) !== 0) return { problem: 'misaligned-time', detail: `openTime ${c.openTime} not a multiple of ${tf}` };
  const { open, high, low, close, volume } = c;
  if (!Number.isFinite(open) || !Number.isFinite(high) || !Number.isFinite(low) || !Number.isFinite(close)) {
    return { problem: 'non-finite-price', detail: `o=${open} h=${high} l=${low} c=${close}` };
  }
  if (open <= 0 || high <= 0 || low <= 0 || close <= 0) return { problem: 'non-positive-price', detail: `o=${open} h=${high} l=${low} c=${close}` };
  if (!Number.isFinite(volume) || volume < 0) return { problem: 'bad-volume', detail: `volume ${volume}` };
  if (high < low) return { problem: 'high-below-low', detail: `high ${high} < low ${low}` };
  if (open < low || open > high) return { problem: 'open-outside-range', detail: `open ${open} outside [${low}, ${high}]` };
  if (close < low || close > high) return { problem: 'close-outside-range', detail: `close ${close} outside [${low}, ${high}]` };
  return null;
}

export interface ValidationResult {
  /** Bars that passed, in input order (the first of each duplicate kept; out-of-order bars dropped). */
  valid: Candle[];
  issues: BarIssue[];
}

/**
 * Validates a series expected in ascending open-time order: every bar by `checkBar`, then a bar whose
 * open time equals the last accepted one is a `duplicate`, one that is earlier is `out-of-order`.
 * With `sort: true` the input is sorted first, so only duplicates are reported for order.
 */
export function validateBars(bars: readonly Candle[], opts: { timeframe?: Timeframe | string; sort?: boolean } = {}): ValidationResult {
  const idx = bars.map((_, i) => i);
  if (opts.sort) idx.sort((a, b) => bars[a]!.openTime - bars[b]!.openTime || a - b);
  const valid: Candle[] = [];
  const issues: BarIssue[] = [];
  let lastTime = -Infinity;
  for (const i of idx) {
    const c = bars[i]!;
    const p = checkBar(c, opts.timeframe);
    if (p) {
      issues.push({ index: i, openTime: c.openTime, ...p });
      continue;
    }
    if (c.openTime === lastTime) {
      issues.push({ index: i, openTime: c.openTime, problem: 'duplicate', detail: `openTime ${c.openTime} seen before` });
      continue;
    }
    if (c.openTime < lastTime) {
      issues.push({ index: i, openTime: c.openTime, problem: 'out-of-order', detail: `openTime ${c.openTime} < previous ${lastTime}` });
      continue;
    }
    lastTime = c.openTime;
    valid.push(c);
  }
  return { valid, issues };
}
