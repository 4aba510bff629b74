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

  push(x: number): number {
    const n = this.period;
    const ring = this.ring;
    let pos = this.pos;
    ring[pos] = x;
    pos = pos + 1 === n ? 0 : pos + 1;
    this.pos = pos;
    const s = this.sum + x;
    if (this.count < n - 1) {
      this.count++;
      this.sum = s;
      return NaN;
    }
    // ring[pos] is now the oldest value of the window just summed.
    this.sum = s - ring[pos];
    return s / n;
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
