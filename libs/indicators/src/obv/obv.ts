import { BATCH_CHUNK, outputArray } from '../core/params';
import { encodeNumber, expectState, intField, numField } from '../core/state';
import type { IndicatorState, StreamingIndicator } from '../core/types';

/** What OBV reads from a bar. */
export interface CloseVolume {
  readonly close: number;
  readonly volume: number;
}

/**
 * On-balance volume (TA-Lib `OBV`).
 *
 *   OBV_0 = volume_0
 *   OBV_t = OBV_{t-1} + volume_t if close_t > close_{t-1},
 *           OBV_{t-1} - volume_t if close_t < close_{t-1}, else OBV_{t-1}
 *
 * Units: base-asset volume (a running total; its level depends on where the
 * history starts, only its changes carry meaning). Lookback 0; `warmup` = 1 bar.
 */
export class Obv implements StreamingIndicator<CloseVolume, number> {
  static readonly kind = 'obv';
  readonly warmup = 1;
  private count = 0;
  private prevClose = 0;
  private obv = 0;
  private readonly c = new Float64Array(1);
  private readonly v = new Float64Array(1);
  private readonly xOut = new Float64Array(1);

  get isStable(): boolean {
    return this.count >= 1;
  }

  /** The maths for both forms: consumes bars [from..to), writes out[i]. */
  run(close: Float64Array, volume: Float64Array, from: number, to: number, out: Float64Array): void {
    let obv = this.obv;
    let prev = this.prevClose;
    let i = from;
    if (this.count === 0 && i < to) {
      obv = volume[i];
      prev = close[i];
      out[i++] = obv;
    }
    for (; i < to; i++) {
      const x = close[i];
      // Branch-free form of TA-Lib's "if up add, else if down subtract": the sign is
      // +1, -1 or 0 and v * ±1 is exact, so the sums equal TA-Lib's bit for bit
      // (a random up/down sequence would mispredict a branch every other bar).
      obv += (+(x > prev) - +(x < prev)) * volume[i];
      out[i] = obv;
      prev = x;
    }
    this.obv = obv;
    this.prevClose = prev;
    this.count += to - from;
  }

  update(bar: CloseVolume): number | null {
    this.c[0] = bar.close;
    this.v[0] = bar.volume;
    this.run(this.c, this.v, 0, 1, this.xOut);
    return this.xOut[0];
  }

  /** Feeds history (oldest first), one bar at a time through the path `update` takes; no outputs. */
  seed(close: Float64Array, volume: Float64Array): this {
    const out = new Float64Array(close.length);
    for (let i = 0; i < close.length; i++) this.run(close, volume, i, i + 1, out);
    return this;
  }

  getState(): IndicatorState {
    return { kind: Obv.kind, version: 1, count: this.count, prevClose: encodeNumber(this.prevClose), obv: encodeNumber(this.obv) };
  }

  static fromState(state: IndicatorState): Obv {
    expectState(state, Obv.kind, 1);
    const o = new Obv();
    o.count = intField(state, 'count');
    o.prevClose = numField(state, 'prevClose');
    o.obv = numField(state, 'obv');
    return o;
  }
}

/** Batch OBV (no warm-up: the first value is volume[0]). */
export function obv(close: Float64Array, volume: Float64Array, out?: Float64Array): Float64Array {
  const o = outputArray(close.length, out, 'obv');
  const x = new Obv();
  for (let from = 0; from < close.length; from += BATCH_CHUNK) x.run(close, volume, from, Math.min(close.length, from + BATCH_CHUNK), o);
  return o;
}
