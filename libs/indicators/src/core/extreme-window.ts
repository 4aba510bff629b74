import { decodeArray, encodeArray, expectState, intField } from './state';
import type { IndicatorState } from './types';

/**
 * Highest (or lowest) value over the last n inputs, the current one included,
 * in amortised O(1) per input: a monotonic deque of (index, value) candidates
 * kept in two rings. Gives exactly the max/min of the window (ties do not
 * change the value), so results equal TA-Lib's rescanning loops bit for bit.
 */
export class ExtremeWindow {
  static readonly kind = 'extreme-window';
  private readonly vals: Float64Array;
  private readonly idx: Float64Array;
  private head = 0;
  private size = 0;
  /** global index of the next input */
  private count = 0;

  constructor(
    readonly period: number,
    readonly highest: boolean,
  ) {
    this.vals = new Float64Array(period);
    this.idx = new Float64Array(period);
  }

  /**
   * Consumes input[from..to) and writes the window's extreme at each i into out
   * (`out` may be `input`: each value is read before it is overwritten).
   */
  run(input: Float64Array, from: number, to: number, out: Float64Array): void {
    const n = this.period;
    const vals = this.vals;
    const idx = this.idx;
    let head = this.head;
    let size = this.size;
    let g = this.count;
    if (this.highest) {
      for (let i = from; i < to; i++, g++) {
        const v = input[i];
        if (size > 0 && idx[head] <= g - n) {
          head = head + 1 === n ? 0 : head + 1;
          size--;
        }
        let back = head + size - 1;
        if (back >= n) back -= n;
        while (size > 0 && vals[back] <= v) {
          size--;
          back = back === 0 ? n - 1 : back - 1;
        }
        const tail = back + 1 === n ? 0 : back + 1;
        vals[tail] = v;
        idx[tail] = g;
        size++;
        out[i] = vals[head];
      }
    } else {
      for (let i = from; i < to; i++, g++) {
        const v = input[i];
        if (size > 0 && idx[head] <= g - n) {
          head = head + 1 === n ? 0 : head + 1;
          size--;
        }
        let back = head + size - 1;
        if (back >= n) back -= n;
        while (size > 0 && vals[back] >= v) {
          size--;
          back = back === 0 ? n - 1 : back - 1;
        }
        const tail = back + 1 === n ? 0 : back + 1;
        vals[tail] = v;
        idx[tail] = g;
        size++;
        out[i] = vals[head];
      }
    }
    this.head = head;
    this.size = size;
    this.count = g;
  }

  getState(): IndicatorState {
    return {
      kind: ExtremeWindow.kind,
      version: 1,
      period: this.period,
      highest: this.highest,
      head: this.head,
      size: this.size,
      count: this.count,
      vals: encodeArray(this.vals),
      idx: encodeArray(this.idx),
    };
  }

  static fromState(state: IndicatorState): ExtremeWindow {
    expectState(state, ExtremeWindow.kind, 1);
    const w = new ExtremeWindow(intField(state, 'period'), state['highest'] === true);
    w.head = intField(state, 'head');
    w.size = intField(state, 'size');
    w.count = intField(state, 'count');
    w.vals.set(decodeArray(state['vals'], w.period, 'vals'));
    w.idx.set(decodeArray(state['idx'], w.period, 'idx'));
    return w;
  }
}
