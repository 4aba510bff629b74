import { timeframeMs, type Timeframe } from '@atp/core';

/** A run of missing bars: open times `from`..`to` inclusive, `missingBars` of them. */
export interface Gap {
  /** Open time of the first missing bar (Unix ms). */
  from: number;
  /** Open time of the last missing bar (Unix ms). */
  to: number;
  missingBars: number;
}

export interface SeriesReport {
  bars: number;
  first: number | null;
  last: number | null;
  gaps: Gap[];
  missingBars: number;
  /** Open times seen more than once (one entry per extra occurrence). */
  duplicates: number[];
  /** Indexes whose open time is earlier than the previous bar's. */
  outOfOrder: number[];
  /** Indexes whose open time is not a multiple of the timeframe. */
  misaligned: number[];
}

/**
 * Scans open times (in the order given) for gaps, duplicates, out-of-order and misaligned bars.
 * Gaps are computed on the sorted unique set, so an unsorted input still gets correct gaps.
 * `expectFrom` / `expectTo` (open times, inclusive) also report missing bars before the first or
 * after the last bar.
 */
export function scanSeries(
  openTimes: ArrayLike<number>,
  tf: Timeframe | string,
  opts: { expectFrom?: number; expectTo?: number } = {},
): SeriesReport {
  const len = timeframeMs(tf);
  const duplicates: number[] = [];
  const outOfOrder: number[] = [];
  const misaligned: number[] = [];
  let sorted = true;
  for (let i = 0; i < openTimes.length; i++) {
    const t = openTimes[i]!;
    if (t % len !== 0) misaligned.push(i);
    if (i > 0) {
      const p = openTimes[i - 1]!;
      if (t < p) {
        outOfOrder.push(i);
        sorted = false;
      }
    }
  }
  let times: number[];
  if (sorted) {
    times = [];
    for (let i = 0; i < openTimes.length; i++) {
      const t = openTimes[i]!;
      if (i > 0 && t === openTimes[i - 1]) duplicates.push(t);
      else times.push(t);
    }
  } else {
    const all = Array.from(openTimes).sort((a, b) => a - b);
    times = [];
    for (let i = 0; i < all.length; i++) {
      if (i > 0 && all[i] === all[i - 1]) duplicates.push(all[i]!);
      else times.push(all[i]!);
    }
  }
  const gaps = findGaps(times, tf, opts);
  return {
    bars: openTimes.length,
    first: times.length ? times[0]! : null,
    last: times.length ? times[times.length - 1]! : null,
    gaps,
    missingBars: gaps.reduce((s, g) => s + g.missingBars, 0),
    duplicates,
    outOfOrder,
    misaligned,
  };
}

/**
 * Gaps in sorted, unique open times. A step of k timeframes between neighbours is a gap of k-1
 * missing bars. Throws on unsorted input (use `scanSeries` for untrusted data).
 */
export function findGaps(sortedOpenTimes: ArrayLike<number>, tf: Timeframe | string, opts: { expectFrom?: number; expectTo?: number } = {}): Gap[] {
  const len = timeframeMs(tf);
  const gaps: Gap[] = [];
  const n = sortedOpenTimes.length;
  const push = (from: number, to: number) => {
    if (to >= from) gaps.push({ from, to, missingBars: Math.round((to - from) / len) + 1 });
  };
  if (n === 0) {
    if (opts.expectFrom !== undefined && opts.expectTo !== undefined) push(opts.expectFrom, opts.expectTo);
    return gaps;
  }
  if (opts.expectFrom !== undefined) push(opts.expectFrom, sortedOpenTimes[0]! - len);
  for (let i = 1; i < n; i++) {
    const prev = sortedOpenTimes[i - 1]!;
    const t = sortedOpenTimes[i]!;
    if (t <= prev) throw new RangeError(`findGaps: open times not strictly increasing at index ${i}`);
    if (t - prev > len) push(prev + len, t - len);
  }
  if (opts.expectTo !== undefined) push(sortedOpenTimes[n - 1]! + len, opts.expectTo);
  return gaps;
}
