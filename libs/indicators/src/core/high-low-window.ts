import { decodeArray, encodeArray, encodeNumber, expectState, intField, numField } from './state';
import type { IndicatorState } from './types';
import { advance, saveTail } from './window';

/** "No extreme yet": below any window start, and a small integer (an int32 for V8). */
const NONE = -(2 ** 30);

/**
 * Highest high and lowest low over the last n bars, the current one included
 * (TA-Lib's MAX(high)/MIN(low), and STOCH's HH/LL), both in one pass.
 *
 * TA-Lib's algorithm: keep each extreme and its index; a new value that reaches
 * it takes over; when the extreme leaves the window, rescan the window. O(1) per
 * bar except a rescan (n reads) when an extreme expires — a minority of bars on
 * market data; every bar only on a run of n strictly falling highs (or rising
 * lows), where an update costs O(n). We measured a monotonic deque (strict
 * amortised O(1)) at 2-3x slower per bar: its data-dependent pop loop
 * mispredicts about every other bar, while these branches are mostly
 * predictable. The values are exact window extremes, equal to TA-Lib's bit for bit.
 */
export class HighLowWindow {
  static readonly kind = 'high-low-window';
  private readonly ringH: Float64Array;
  private readonly ringL: Float64Array;
  /** global index of the next bar */
  private count = 0;
  /** ring slot of the next bar: count % period */
  private pos = 0;
  /** global indexes of the current extremes (NONE before the first bar) */
  private hiIdx = NONE;
  private loIdx = NONE;
  private hi = NaN;
  private lo = NaN;

  constructor(readonly period: number) {
    this.ringH = new Float64Array(period);
    this.ringL = new Float64Array(period);
  }

  /**
   * Consumes bars [from..to) and writes, for the window ending at each i (over
   * the bars so far while fewer than n), the highest high into outHigh[i] and the
   * lowest low into outLow[i]. The outputs must not alias the inputs.
   */
  run(high: Float64Array, low: Float64Array, from: number, to: number, outHigh: Float64Array, outLow: Float64Array): void {
    const n = this.period;
    const g0 = this.count;
    let hiIdx = this.hiIdx;
    let loIdx = this.loIdx;
    let hi = this.hi;
    let lo = this.lo;
    let g = g0;
    for (let i = from; i < to; i++, g++) {
      const trailing = g - n + 1;
      const h = high[i];
      if (hiIdx < trailing) {
        this.rescan(high, this.ringH, true, from, g0, i, g);
        hi = this.hi;
        hiIdx = this.hiIdx;
      } else if (h >= hi) {
        hi = h;
        hiIdx = g;
      }
      const l = low[i];
      if (loIdx < trailing) {
        this.rescan(low, this.ringL, false, from, g0, i, g);
        lo = this.lo;
        loIdx = this.loIdx;
      } else if (l <= lo) {
        lo = l;
        loIdx = g;
      }
      outHigh[i] = hi;
      outLow[i] = lo;
    }
    saveTail(this.ringH, high, from, to, this.pos);
    saveTail(this.ringL, low, from, to, this.pos);
    this.pos = advance(this.pos, to - from, n);
    this.hiIdx = hiIdx;
    this.loIdx = loIdx;
    this.hi = hi;
    this.lo = lo;
    this.count = g;
  }

  /**
   * Rescans the window ending at bar i (global index g), oldest first; on ties
   * the latest bar wins, as in TA-Lib. Bars before this chunk come from the ring.
   * Sets this.hi/hiIdx (highest) or this.lo/loIdx (lowest).
   */
  private rescan(input: Float64Array, ring: Float64Array, highest: boolean, from: number, g0: number, i: number, g: number): void {
    const n = this.period;
    let k = g - n + 1 < 0 ? 0 : g - n + 1;
    let idx = k;
    let ext: number;
    if (k < g0) {
      let slot = this.pos - (g0 - k);
      if (slot < 0) slot += n;
      ext = ring[slot];
      for (k++; k < g0; k++) {
        slot = slot + 1 === n ? 0 : slot + 1;
        const b = ring[slot];
        if (highest ? b >= ext : b <= ext) {
          ext = b;
          idx = k;
        }
      }
    } else {
      ext = input[from + (k - g0)];
      k++;
    }
    let j = i - (g - k);
    if (highest) {
      for (; k <= g; k++, j++) {
        const b = input[j];
        if (b >= ext) {
          ext = b;
          idx = k;
        }
      }
      this.hi = ext;
      this.hiIdx = idx;
    } else {
      for (; k <= g; k++, j++) {
        const b = input[j];
        if (b <= ext) {
          ext = b;
          idx = k;
        }
      }
      this.lo = ext;
      this.loIdx = idx;
    }
  }

  getState(): IndicatorState {
    return {
      kind: HighLowWindow.kind,
      version: 1,
      period: this.period,
      count: this.count,
      hiIdx: encodeNumber(this.hiIdx),
      loIdx: encodeNumber(this.loIdx),
      hi: encodeNumber(this.hi),
      lo: encodeNumber(this.lo),
      ringH: encodeArray(this.ringH),
      ringL: encodeArray(this.ringL),
    };
  }

  static fromState(state: IndicatorState): HighLowWindow {
    expectState(state, HighLowWindow.kind, 1);
    const w = new HighLowWindow(intField(state, 'period'));
    w.count = intField(state, 'count');
    w.pos = w.count % w.period;
    w.hiIdx = numField(state, 'hiIdx');
    w.loIdx = numField(state, 'loIdx');
    w.hi = numField(state, 'hi');
    w.lo = numField(state, 'lo');
    w.ringH.set(decodeArray(state['ringH'], w.period, 'ringH'));
    w.ringL.set(decodeArray(state['ringL'], w.period, 'ringL'));
    return w;
  }
}
