import { BATCH_CHUNK, checkPeriod, outputArray } from '../core/params';
import { encodeNumber, expectState, intField, numField } from '../core/state';
import { TA_EPSILON, trueRange } from '../core/talib';
import type { HlcBar, IndicatorState, StreamingIndicator } from '../core/types';

export interface DmiValue {
  /** null until 2n - 1 bars have been seen */
  adx: number | null;
  plusDi: number;
  minusDi: number;
}

export interface DmiSeries {
  adx: Float64Array;
  plusDi: Float64Array;
  minusDi: Float64Array;
}

/**
 * Directional movement system: +DI, -DI and ADX (TA-Lib `PLUS_DI`, `MINUS_DI`,
 * `ADX`, no unstable period; one pass computes all three).
 *
 *   upMove_t = high_t - high_{t-1},  downMove_t = low_{t-1} - low_t
 *   +DM_t = upMove_t if upMove_t > 0 and upMove_t > downMove_t, else 0 (-DM mirrors)
 *   TR_t  = true range
 *   S(y)_{n-1} = y_1 + ... + y_{n-1};  S(y)_t = S(y)_{t-1} - S(y)_{t-1}/n + y_t  (Wilder sums)
 *   +DI_t = 100 * S(+DM)_t / S(TR)_t,  -DI_t likewise (0 when S(TR) ~ 0)     from t = n
 *   DX_t  = 100 * |+DI_t - -DI_t| / (+DI_t + -DI_t)
 *   ADX_{2n-1} = mean(DX_n .. DX_{2n-1});  ADX_t = (ADX_{t-1} * (n-1) + DX_t) / n
 *
 * Units: +DI, -DI and ADX are percentages in [0, 100]. Lookbacks: DI n, ADX 2n - 1;
 * `warmup` = 2n bars (all outputs), `diWarmup` = n + 1 bars. Batch arrays are NaN
 * before each output's own lookback, exactly like TA-Lib's begIndex.
 */
export class Dmi implements StreamingIndicator<HlcBar, DmiValue> {
  static readonly kind = 'dmi';
  readonly warmup: number;
  readonly diWarmup: number;
  private count = 0;
  private prevHigh = 0;
  private prevLow = 0;
  private prevClose = 0;
  private plusDm = 0;
  private minusDm = 0;
  private tr = 0;
  private sumDx = 0;
  private adx = 0;
  private readonly h = new Float64Array(1);
  private readonly l = new Float64Array(1);
  private readonly c = new Float64Array(1);
  private readonly o = { adx: new Float64Array(1), plusDi: new Float64Array(1), minusDi: new Float64Array(1) };

  constructor(readonly period = 14) {
    checkPeriod('dmi', 'period', period, 2);
    this.warmup = 2 * period;
    this.diWarmup = period + 1;
  }

  get isStable(): boolean {
    return this.count >= this.warmup;
  }

  /** The maths for both forms: consumes bars [from..to), writes the three outputs at i. */
  run(high: Float64Array, low: Float64Array, close: Float64Array, from: number, to: number, out: DmiSeries): void {
    const n = this.period;
    const m = n - 1;
    const { adx: outAdx, plusDi: outPdi, minusDi: outMdi } = out;
    let ph = this.prevHigh;
    let pl = this.prevLow;
    let pc = this.prevClose;
    let pdm = this.plusDm;
    let mdm = this.minusDm;
    let tr = this.tr;
    let sumDx = this.sumDx;
    let adx = this.adx;
    let g = this.count;
    for (let i = from; i < to; i++, g++) {
      const hi = high[i];
      const lo = low[i];
      if (g === 0) {
        ph = hi;
        pl = lo;
        pc = close[i];
        outAdx[i] = outPdi[i] = outMdi[i] = NaN;
        continue;
      }
      const diffP = hi - ph;
      const diffM = pl - lo;
      ph = hi;
      pl = lo;
      const range = trueRange(hi, lo, pc);
      pc = close[i];
      if (g < n) {
        // Initial sums over bars 1 .. n-1.
        if (diffM > 0 && diffP < diffM) mdm += diffM;
        else if (diffP > 0 && diffP > diffM) pdm += diffP;
        tr += range;
        outAdx[i] = outPdi[i] = outMdi[i] = NaN;
        continue;
      }
      mdm -= mdm / n;
      pdm -= pdm / n;
      if (diffM > 0 && diffP < diffM) mdm += diffM;
      else if (diffP > 0 && diffP > diffM) pdm += diffP;
      tr = tr - tr / n + range;
      let pdi = 0.0;
      let mdi = 0.0;
      const trOk = !(-TA_EPSILON < tr && tr < TA_EPSILON);
      if (trOk) {
        mdi = 100.0 * (mdm / tr);
        pdi = 100.0 * (pdm / tr);
      }
      outPdi[i] = pdi;
      outMdi[i] = mdi;
      const t = mdi + pdi;
      const dxOk = trOk && !(-TA_EPSILON < t && t < TA_EPSILON);
      if (g < 2 * n - 1) {
        if (dxOk) sumDx += 100.0 * (Math.abs(mdi - pdi) / t);
        outAdx[i] = NaN;
      } else if (g === 2 * n - 1) {
        if (dxOk) sumDx += 100.0 * (Math.abs(mdi - pdi) / t);
        adx = sumDx / n;
        outAdx[i] = adx;
      } else {
        if (dxOk) adx = (adx * m + 100.0 * (Math.abs(mdi - pdi) / t)) / n;
        outAdx[i] = adx;
      }
    }
    this.prevHigh = ph;
    this.prevLow = pl;
    this.prevClose = pc;
    this.plusDm = pdm;
    this.minusDm = mdm;
    this.tr = tr;
    this.sumDx = sumDx;
    this.adx = adx;
    this.count = g;
  }

  update(bar: HlcBar): DmiValue | null {
    this.h[0] = bar.high;
    this.l[0] = bar.low;
    this.c[0] = bar.close;
    this.run(this.h, this.l, this.c, 0, 1, this.o);
    if (this.count < this.diWarmup) return null;
    return { adx: this.count >= this.warmup ? this.o.adx[0] : null, plusDi: this.o.plusDi[0], minusDi: this.o.minusDi[0] };
  }

  /** Feeds history (oldest first), one bar at a time through the path `update` takes; no outputs. */
  seed(high: Float64Array, low: Float64Array, close: Float64Array): this {
    const n = close.length;
    const out = { adx: new Float64Array(n), plusDi: new Float64Array(n), minusDi: new Float64Array(n) };
    for (let i = 0; i < n; i++) this.run(high, low, close, i, i + 1, out);
    return this;
  }

  getState(): IndicatorState {
    return {
      kind: Dmi.kind,
      version: 1,
      period: this.period,
      count: this.count,
      prevHigh: encodeNumber(this.prevHigh),
      prevLow: encodeNumber(this.prevLow),
      prevClose: encodeNumber(this.prevClose),
      plusDm: encodeNumber(this.plusDm),
      minusDm: encodeNumber(this.minusDm),
      tr: encodeNumber(this.tr),
      sumDx: encodeNumber(this.sumDx),
      adx: encodeNumber(this.adx),
    };
  }

  static fromState(state: IndicatorState): Dmi {
    expectState(state, Dmi.kind, 1);
    const d = new Dmi(intField(state, 'period'));
    d.count = intField(state, 'count');
    d.prevHigh = numField(state, 'prevHigh');
    d.prevLow = numField(state, 'prevLow');
    d.prevClose = numField(state, 'prevClose');
    d.plusDm = numField(state, 'plusDm');
    d.minusDm = numField(state, 'minusDm');
    d.tr = numField(state, 'tr');
    d.sumDx = numField(state, 'sumDx');
    d.adx = numField(state, 'adx');
    return d;
  }
}

/** Batch DMI: +DI/-DI NaN for the first n values, ADX for the first 2n - 1. */
export function dmi(high: Float64Array, low: Float64Array, close: Float64Array, period = 14, out?: Partial<DmiSeries>): DmiSeries {
  const len = close.length;
  const o = { adx: outputArray(len, out?.adx, 'dmi'), plusDi: outputArray(len, out?.plusDi, 'dmi'), minusDi: outputArray(len, out?.minusDi, 'dmi') };
  const x = new Dmi(period);
  for (let from = 0; from < len; from += BATCH_CHUNK) x.run(high, low, close, from, Math.min(len, from + BATCH_CHUNK), o);
  return o;
}

/** Batch ADX alone (TA-Lib `ADX`): NaN for the first 2n - 1 values. */
export function adx(high: Float64Array, low: Float64Array, close: Float64Array, period = 14, out?: Float64Array): Float64Array {
  const len = close.length;
  const o = outputArray(len, out, 'adx');
  const x = new Dmi(period);
  for (let from = 0; from < len; from += BATCH_CHUNK) x.run(high, low, close, from, Math.min(len, from + BATCH_CHUNK), { adx: o, plusDi: new Float64Array(len), minusDi: new Float64Array(len) });
  return o;
}
