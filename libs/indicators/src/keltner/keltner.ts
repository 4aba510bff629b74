import { Atr } from '../atr/atr';
import { BATCH_CHUNK, checkFactor, checkPeriod, outputArray } from '../core/params';
import { encodeNumber, expectState, intField, numField, stateObject } from '../core/state';
import type { HlcBar, IndicatorState, StreamingIndicator } from '../core/types';
import type { Channel, ChannelSeries } from '../donchian/donchian';
import { Ema } from '../ema/ema';

/**
 * Keltner channel (not in TA-Lib), built on this lib's TA-Lib-exact EMA and ATR.
 *
 *   middle_t = EMA_emaPeriod(close)_t
 *   upper_t  = middle_t + multiplier * ATR_atrPeriod_t
 *   lower_t  = middle_t - multiplier * ATR_atrPeriod_t
 *
 * Defaults 20 / 10 / 2. Units: price. Lookback max(emaPeriod - 1, atrPeriod);
 * `warmup` = lookback + 1 bars; all three outputs start together.
 */
export class Keltner implements StreamingIndicator<HlcBar, Channel> {
  static readonly kind = 'keltner';
  readonly warmup: number;
  private readonly ema: Ema;
  private readonly atr: Atr;
  private count = 0;
  private readonly h = new Float64Array(1);
  private readonly l = new Float64Array(1);
  private readonly c = new Float64Array(1);
  private readonly o = { upper: new Float64Array(1), middle: new Float64Array(1), lower: new Float64Array(1) };

  constructor(
    readonly emaPeriod = 20,
    readonly atrPeriod = 10,
    readonly multiplier = 2,
    parts?: { ema: Ema; atr: Atr },
  ) {
    checkPeriod('keltner', 'emaPeriod', emaPeriod);
    checkPeriod('keltner', 'atrPeriod', atrPeriod);
    checkFactor('keltner', 'multiplier', multiplier);
    this.ema = parts?.ema ?? new Ema(emaPeriod);
    this.atr = parts?.atr ?? new Atr(atrPeriod);
    this.warmup = Math.max(emaPeriod, atrPeriod + 1);
  }

  get isStable(): boolean {
    return this.count >= this.warmup;
  }

  /** The maths for both forms: consumes bars [from..to), writes the channel at i (NaN in warm-up). */
  run(high: Float64Array, low: Float64Array, close: Float64Array, from: number, to: number, out: ChannelSeries): void {
    const { upper, middle, lower } = out;
    const g0 = this.count;
    const k = this.multiplier;
    this.ema.run(close, from, to, middle);
    this.atr.run(high, low, close, from, to, upper);
    const outFrom = Math.min(to, from + Math.max(0, this.warmup - 1 - g0));
    for (let i = from; i < outFrom; i++) upper[i] = middle[i] = lower[i] = NaN;
    for (let i = outFrom; i < to; i++) {
      const band = k * upper[i];
      const mid = middle[i];
      upper[i] = mid + band;
      lower[i] = mid - band;
    }
    this.count = g0 + (to - from);
  }

  update(bar: HlcBar): Channel | null {
    this.h[0] = bar.high;
    this.l[0] = bar.low;
    this.c[0] = bar.close;
    this.run(this.h, this.l, this.c, 0, 1, this.o);
    return this.count >= this.warmup ? { upper: this.o.upper[0], middle: this.o.middle[0], lower: this.o.lower[0] } : null;
  }

  /** Feeds history (oldest first), one bar at a time through the path `update` takes; no outputs. */
  seed(high: Float64Array, low: Float64Array, close: Float64Array): this {
    const n = close.length;
    const out = { upper: new Float64Array(n), middle: new Float64Array(n), lower: new Float64Array(n) };
    for (let i = 0; i < n; i++) this.run(high, low, close, i, i + 1, out);
    return this;
  }

  getState(): IndicatorState {
    return {
      kind: Keltner.kind,
      version: 1,
      emaPeriod: this.emaPeriod,
      atrPeriod: this.atrPeriod,
      multiplier: encodeNumber(this.multiplier),
      count: this.count,
      ema: this.ema.getState(),
      atr: this.atr.getState(),
    };
  }

  static fromState(state: IndicatorState): Keltner {
    expectState(state, Keltner.kind, 1);
    const k = new Keltner(intField(state, 'emaPeriod'), intField(state, 'atrPeriod'), numField(state, 'multiplier'), {
      ema: Ema.fromState(stateObject(state, 'ema')),
      atr: Atr.fromState(stateObject(state, 'atr')),
    });
    k.count = intField(state, 'count');
    return k;
  }
}

/** Batch Keltner channel: NaN for the first max(emaPeriod - 1, atrPeriod) values. */
export function keltner(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  emaPeriod = 20,
  atrPeriod = 10,
  multiplier = 2,
  out?: Partial<ChannelSeries>,
): ChannelSeries {
  const len = close.length;
  const o = { upper: outputArray(len, out?.upper, 'keltner'), middle: outputArray(len, out?.middle, 'keltner'), lower: outputArray(len, out?.lower, 'keltner') };
  const x = new Keltner(emaPeriod, atrPeriod, multiplier);
  for (let from = 0; from < len; from += BATCH_CHUNK) x.run(high, low, close, from, Math.min(len, from + BATCH_CHUNK), o);
  return o;
}
