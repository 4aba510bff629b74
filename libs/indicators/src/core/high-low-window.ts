import { decodeArray, encodeArray, encodeNumber, expectState, intField, numField } from './state';
import type { IndicatorState } from './types';

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
   * lowest low into outLow[i], and their midpoint into outMid[i] if given (the
   * Donchian middle band, in the same pass). The outputs must not alias the inputs. A rescan
   * reads the input arrays for bars of this chunk (batch), the rings for older
   * bars (streaming, and a chunk's first n - 1 bars).
   */
  run(high: Float64Array, low: Float64Array, from: number, to: number, outHigh: Float64Array, outLow: Float64Array, outMid?: Float64Array): void {
    const n = this.period;
    const ringH = this.ringH;
    const ringL = this.ringL;
    let pos = this.pos;
    let hiIdx = this.hiIdx;
    let loIdx = this.loIdx;
    let hi = this.hi;
    let lo = this.lo;
    const g0 = this.count;
    let g = g0;
    // The rings keep the last n bars (the bar with global index k sits in slot
    // k % n); within a chunk only its last n bars need storing.
    const tail = to - n > from ? to - n : from;
    for (let i = from; i < to; i++, g++) {
      const h = high[i];
      const l = low[i];
      if (i >= tail) {
        ringH[pos] = h;
        ringL[pos] = l;
      }
      pos = pos + 1 === n ? 0 : pos + 1;
      const trailing = g - n + 1;
      if (hiIdx < trailing) {
        // The highest high left the window: rescan it, oldest first; on ties the
        // latest bar wins, as in TA-Lib.
        let k = trailing < 0 ? 0 : trailing;
        hiIdx = k;
        if (k >= g0) {
          // The whole window is in this chunk: read the input directly (batch).
          let j = i - (g - k);
          hi = high[j];
          for (k++; k <= g; k++) {
            const b = high[++j];
            if (b >= hi) {
              hi = b;
              hiIdx = k;
            }
          }
        } else {
          // The window starts before this chunk: older bars from the ring, the
          // chunk's own from the input.
          let slot = trailing < 0 ? 0 : pos;
          hi = ringH[slot];
          for (k++; k <= g; k++) {
            slot = slot + 1 === n ? 0 : slot + 1;
            const b = k >= g0 ? high[from + (k - g0)] : ringH[slot];
            if (b >= hi) {
              hi = b;
              hiIdx = k;
            }
          }
        }
      } else if (h >= hi) {
        hi = h;
        hiIdx = g;
      }
      if (loIdx < trailing) {
        let k = trailing < 0 ? 0 : trailing;
        loIdx = k;
        if (k >= g0) {
          let j = i - (g - k);
          lo = low[j];
          for (k++; k <= g; k++) {
            const b = low[++j];
            if (b <= lo) {
              lo = b;
              loIdx = k;
            }
          }
        } else {
          let slot = trailing < 0 ? 0 : pos;
          lo = ringL[slot];
          for (k++; k <= g; k++) {
            slot = slot + 1 === n ? 0 : slot + 1;
            const b = k >= g0 ? low[from + (k - g0)] : ringL[slot];
            if (b <= lo) {
              lo = b;
              loIdx = k;
            }
          }
        }
      } else if (l <= lo) {
        lo = l;
        loIdx = g;
      }
      outHigh[i] = hi;
      outLow[i] = lo;
      if (outMid !== undefined) outMid[i] = (hi + lo) / 2;
    }
    this.pos = pos;
    this.hiIdx = hiIdx;
    this.loIdx = loIdx;
    this.hi = hi;
    this.lo = lo;
    this.count = g;
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
