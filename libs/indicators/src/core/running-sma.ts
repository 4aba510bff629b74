import { decodeArray, encodeArray, encodeNumber, expectState, intField, numField } from './state';
import type { IndicatorState } from './types';

/**
 * A per-value SMA step for indicators that smooth a series they compute
 * themselves one value at a time (STOCH's slow %K and %D, STOCHF's %D).
 * Same operations as `Sma` / TA-Lib's INT_SMA (add the newest, divide, subtract
 * the oldest), so it is bit-identical to them; `push` returns NaN until n values.
 */
export class RunningSma {
  static readonly kind = 'running-sma';
  private readonly ring: Float64Array;
  private pos = 0;
  private count = 0;
  private sum = 0;

  constructor(readonly period: number) {
    this.ring = new Float64Array(period);
  }

  /**
   * Replaces buf[from..to) by its running SMA, in place (NaN until n values have
   * been seen). The ring keeps the window, so no look-back into `buf` is needed.
   */
  runInPlace(buf: Float64Array, from: number, to: number): void {
    const n = this.period;
    const ring = this.ring;
    let pos = this.pos;
    let sum = this.sum;
    let c = this.count;
    let i = from;
    for (; i < to && c < n - 1; i++, c++) {
      const x = buf[i];
      ring[pos] = x;
      pos = pos + 1 === n ? 0 : pos + 1;
      sum += x;
      buf[i] = NaN;
    }
    for (; i < to; i++) {
      const x = buf[i];
      ring[pos] = x;
      pos = pos + 1 === n ? 0 : pos + 1;
      const s = sum + x;
      // ring[pos] is now the oldest value of the window just summed.
      sum = s - ring[pos];
      buf[i] = s / n;
    }
    this.pos = pos;
    this.sum = sum;
    this.count = c;
  }

  getState(): IndicatorState {
    return { kind: RunningSma.kind, version: 1, period: this.period, pos: this.pos, count: this.count, sum: encodeNumber(this.sum), ring: encodeArray(this.ring) };
  }

  static fromState(state: IndicatorState): RunningSma {
    expectState(state, RunningSma.kind, 1);
    const r = new RunningSma(intField(state, 'period'));
    r.pos = intField(state, 'pos');
    r.count = intField(state, 'count');
    r.sum = numField(state, 'sum');
    r.ring.set(decodeArray(state['ring'], r.period, 'ring'));
    return r;
  }
}
