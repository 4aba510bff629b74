import { decodeArray, encodeArray, expectState, intField } from './state';
import type { IndicatorState } from './types';

/**
 * Highest (or lowest) value over the last n inputs, the current one included,
 * in amortised O(1) per input: a monotonic deque of (index, value) candidates.
 * Returns exactly the max/min of the window (ties are irrelevant to the value),
 * so results equal TA-Lib's rescanning loops bit for bit.
 */
export class ExtremeWindow {
  static readonly kind = 'extreme-window';
  private readonly vals: Float64Array;
  private readonly idx: Float64Array;
  private head = 0;
  private size = 0;

  constructor(
    readonly period: number,
    readonly highest: boolean,
  ) {
    this.vals = new Float64Array(period);
    this.idx = new Float64Array(period);
  }

  /** Adds the input with global index g and returns the window's extreme. */
  push(g: number, v: number): number {
    const n = this.period;
    const vals = this.vals;
    const idx = this.idx;
    let head = this.head;
    let size = this.size;
    if (size > 0 && idx[head] <= g - n) {
      head = head + 1 === n ? 0 : head + 1;
      size--;
    }
    if (this.highest) {
      while (size > 0) {
        const back = head + size - 1;
        if (vals[back >= n ? back - n : back] > v) break;
        size--;
      }
    } else {
      while (size > 0) {
        const back = head + size - 1;
        if (vals[back >= n ? back - n : back] < v) break;
        size--;
      }
    }
    let tail = head + size;
    if (tail >= n) tail -= n;
    vals[tail] = v;
    idx[tail] = g;
    this.head = head;
    this.size = size + 1;
    return vals[head];
  }

  getState(): IndicatorState {
    return { kind: ExtremeWindow.kind, version: 1, period: this.period, highest: this.highest, head: this.head, size: this.size, vals: encodeArray(this.vals), idx: encodeArray(this.idx) };
  }

  static fromState(state: IndicatorState): ExtremeWindow {
    expectState(state, ExtremeWindow.kind, 1);
    const w = new ExtremeWindow(intField(state, 'period'), state['highest'] === true);
    w.head = intField(state, 'head');
    w.size = intField(state, 'size');
    w.vals.set(decodeArray(state['vals'], w.period, 'vals'));
    w.idx.set(decodeArray(state['idx'], w.period, 'idx'));
    return w;
  }
}
