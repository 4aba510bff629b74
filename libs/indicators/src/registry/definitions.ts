import { Atr, atr } from '../atr/atr';
import { BBands, bbands } from '../bbands/bbands';
import { Cci, cci } from '../cci/cci';
import type { Bar, IndicatorState, OhlcvSeries } from '../core/types';
import { Dmi, dmi } from '../dmi/dmi';
import { Donchian, donchian } from '../donchian/donchian';
import { Ema, ema } from '../ema/ema';
import { Keltner, keltner } from '../keltner/keltner';
import { Macd, macd } from '../macd/macd';
import { Obv, obv } from '../obv/obv';
import { Roc, roc } from '../roc/roc';
import { Rsi, rsi } from '../rsi/rsi';
import { Sma, sma } from '../sma/sma';
import { StdDev, stddev } from '../stddev/stddev';
import { Stoch, stoch } from '../stoch/stoch';
import { StochF, stochf } from '../stochf/stochf';
import { Vwap, vwap } from '../vwap/vwap';
import { Wma, wma } from '../wma/wma';
import { ZScore, zscore } from '../zscore/zscore';
import type { ParamDef } from './spec';

/** What the registry needs from a streaming class: run a whole series, update one bar, save state. */
interface Engine {
  readonly warmup: number;
  getState(): IndicatorState;
}

/**
 * A registry entry: how to build, run (batch and streaming) and restore one
 * indicator by name. `outputs` are the output names in order; `values` maps the
 * engine's per-bar result to them (null while that output warms up).
 */
export interface IndicatorDef<E extends Engine = Engine> {
  readonly name: string;
  readonly title: string;
  readonly params: readonly ParamDef[];
  readonly outputs: readonly string[];
  /** inputs needed before every output has a value */
  warmup(params: readonly number[]): number;
  create(params: readonly number[]): E;
  restore(state: IndicatorState): E;
  /** Streaming: feeds one bar, writes each output (or null) into row[offset + k]. */
  update(engine: E, bar: Bar, row: (number | null)[], offset: number): void;
  /**
   * Optional: the same as `update`, writing NaN for null into a Float64Array (no boxed number per
   * value, as a generic array holding nulls stores its numbers). Absent: `update` into a row, copied.
   */
  updateFloat?(engine: E, bar: Bar, out: Float64Array, offset: number): void;
  /** Batch: one Float64Array per output (NaN during warm-up). */
  batch(series: OhlcvSeries, params: readonly number[]): Float64Array[];
}

const period = (def: number, min = 1): ParamDef => ({ name: 'period', default: def, integer: true, min });
const int = (name: string, def: number, min = 1): ParamDef => ({ name, default: def, integer: true, min });
const factor = (name: string, def: number): ParamDef => ({ name, default: def, integer: false, min: 0 });

function define<E extends Engine>(def: IndicatorDef<E>): IndicatorDef {
  return def as unknown as IndicatorDef;
}

/** Single-input (close) indicators with one output share this shape. */
interface ValueEngine extends Engine {
  update(x: number): number | null;
  /** Optional: `update(bar.close)` into out[o], NaN for null, without a boxed number in or out. */
  updateCloseInto?(bar: Bar, out: Float64Array, o: number): void;
}

function closeIndicator<E extends ValueEngine>(
  name: string,
  title: string,
  params: readonly ParamDef[],
  make: (p: readonly number[]) => E,
  restore: (s: IndicatorState) => E,
  batch: (close: Float64Array, p: readonly number[]) => Float64Array,
): IndicatorDef {
  return define<E>({
    name,
    title,
    params,
    outputs: [name],
    warmup: (p) => make(p).warmup,
    create: make,
    restore,
    update: (e, bar, row, o) => {
      row[o] = e.update(bar.close);
    },
    updateFloat: (e, bar, out, o) => {
      if (e.updateCloseInto !== undefined) e.updateCloseInto(bar, out, o);
      else {
        const v = e.update(bar.close);
        out[o] = v === null ? NaN : v;
      }
    },
    batch: (s, p) => [batch(s.close, p)],
  });
}

/** The DMI family: one engine, different outputs selected. */
function dmiIndicator(name: string, title: string, outputs: readonly ('adx' | 'plus_di' | 'minus_di')[]): IndicatorDef {
  const onlyDi = !outputs.includes('adx');
  return define<Dmi>({
    name,
    title,
    params: [period(14, 2)],
    outputs,
    warmup: (p) => (onlyDi ? p[0] + 1 : 2 * p[0]),
    create: (p) => new Dmi(p[0]),
    restore: (s) => Dmi.fromState(s),
    update: (e, bar, row, o) => {
      const v = e.update(bar);
      outputs.forEach((k, j) => {
        row[o + j] = v === null ? null : k === 'adx' ? v.adx : k === 'plus_di' ? v.plusDi : v.minusDi;
      });
    },
    batch: (s, p) => {
      const { adx, plusDi, minusDi } = dmi(s.high, s.low, s.close, p[0]);
      return outputs.map((k) => (k === 'adx' ? adx : k === 'plus_di' ? plusDi : minusDi));
    },
  });
}

/** Every indicator the registry knows, by spec name. */
export const INDICATORS: readonly IndicatorDef[] = [
  closeIndicator('sma', 'Simple moving average', [period(30)], (p) => new Sma(p[0]), (s) => Sma.fromState(s), (x, p) => sma(x, p[0])),
  closeIndicator('ema', 'Exponential moving average', [period(30)], (p) => new Ema(p[0]), (s) => Ema.fromState(s), (x, p) => ema(x, p[0])),
  closeIndicator('wma', 'Weighted moving average', [period(30)], (p) => new Wma(p[0]), (s) => Wma.fromState(s), (x, p) => wma(x, p[0])),
  closeIndicator('rsi', 'Relative strength index (Wilder)', [period(14, 2)], (p) => new Rsi(p[0]), (s) => Rsi.fromState(s), (x, p) => rsi(x, p[0])),
  closeIndicator('roc', 'Rate of change, percent', [period(10)], (p) => new Roc(p[0]), (s) => Roc.fromState(s), (x, p) => roc(x, p[0])),
  closeIndicator('stddev', 'Rolling population standard deviation', [period(5, 2), factor('nbDev', 1)], (p) => new StdDev(p[0], p[1]), (s) => StdDev.fromState(s), (x, p) => stddev(x, p[0], p[1])),
  closeIndicator('zscore', 'Rolling z-score', [period(20, 2)], (p) => new ZScore(p[0]), (s) => ZScore.fromState(s), (x, p) => zscore(x, p[0])),
  define<BBands>({
    name: 'bbands',
    title: 'Bollinger Bands (SMA)',
    params: [period(20, 2), factor('devUp', 2), { name: 'devDown', default: 2, integer: false, min: 0, defaultFrom: 1 }],
    outputs: ['bb_upper', 'bb_middle', 'bb_lower'],
    warmup: (p) => p[0],
    create: (p) => new BBands(p[0], p[1], p[2]),
    restore: (s) => BBands.fromState(s),
    update: (e, bar, row, o) => {
      const v = e.update(bar.close);
      row[o] = v && v.upper;
      row[o + 1] = v && v.middle;
      row[o + 2] = v && v.lower;
    },
    batch: (s, p) => {
      const b = bbands(s.close, p[0], p[1], p[2]);
      return [b.upper, b.middle, b.lower];
    },
  }),
  define<Macd>({
    name: 'macd',
    title: 'MACD (EMA)',
    params: [int('fast', 12, 2), int('slow', 26, 2), int('signal', 9)],
    outputs: ['macd', 'macd_signal', 'macd_hist'],
    warmup: (p) => Math.max(p[0], p[1]) + p[2] - 1,
    create: (p) => new Macd(p[0], p[1], p[2]),
    restore: (s) => Macd.fromState(s),
    update: (e, bar, row, o) => {
      const v = e.update(bar.close);
      row[o] = v && v.macd;
      row[o + 1] = v && v.signal;
      row[o + 2] = v && v.hist;
    },
    batch: (s, p) => {
      const m = macd(s.close, p[0], p[1], p[2]);
      return [m.macd, m.signal, m.hist];
    },
  }),
  define<Atr>({
    name: 'atr',
    title: 'Average true range (Wilder)',
    params: [period(14)],
    outputs: ['atr'],
    warmup: (p) => p[0] + 1,
    create: (p) => new Atr(p[0]),
    restore: (s) => Atr.fromState(s),
    update: (e, bar, row, o) => {
      row[o] = e.update(bar);
    },
    updateFloat: (e, bar, out, o) => {
      const v = e.update(bar);
      out[o] = v === null ? NaN : v;
    },
    batch: (s, p) => [atr(s.high, s.low, s.close, p[0])],
  }),
  define<Stoch>({
    name: 'stoch',
    title: 'Slow stochastic (SMA)',
    params: [int('fastK', 5), int('slowK', 3), int('slowD', 3)],
    outputs: ['stoch_k', 'stoch_d'],
    warmup: (p) => p[0] + p[1] + p[2] - 2,
    create: (p) => new Stoch(p[0], p[1], p[2]),
    restore: (s) => Stoch.fromState(s),
    update: (e, bar, row, o) => {
      const v = e.update(bar);
      row[o] = v && v.k;
      row[o + 1] = v && v.d;
    },
    batch: (s, p) => {
      const st = stoch(s.high, s.low, s.close, p[0], p[1], p[2]);
      return [st.k, st.d];
    },
  }),
  define<StochF>({
    name: 'stochf',
    title: 'Fast stochastic (SMA)',
    params: [int('fastK', 5), int('fastD', 3)],
    outputs: ['stochf_k', 'stochf_d'],
    warmup: (p) => p[0] + p[1] - 1,
    create: (p) => new StochF(p[0], p[1]),
    restore: (s) => StochF.fromState(s),
    update: (e, bar, row, o) => {
      const v = e.update(bar);
      row[o] = v && v.k;
      row[o + 1] = v && v.d;
    },
    batch: (s, p) => {
      const st = stochf(s.high, s.low, s.close, p[0], p[1]);
      return [st.k, st.d];
    },
  }),
  dmiIndicator('dmi', 'Directional movement: ADX, +DI, -DI', ['adx', 'plus_di', 'minus_di']),
  dmiIndicator('adx', 'Average directional index', ['adx']),
  dmiIndicator('plus_di', 'Plus directional indicator', ['plus_di']),
  dmiIndicator('minus_di', 'Minus directional indicator', ['minus_di']),
  define<Obv>({
    name: 'obv',
    title: 'On-balance volume',
    params: [],
    outputs: ['obv'],
    warmup: () => 1,
    create: () => new Obv(),
    restore: (s) => Obv.fromState(s),
    update: (e, bar, row, o) => {
      row[o] = e.update(bar);
    },
    updateFloat: (e, bar, out, o) => {
      const v = e.update(bar);
      out[o] = v === null ? NaN : v;
    },
    batch: (s) => [obv(s.close, s.volume)],
  }),
  define<Cci>({
    name: 'cci',
    title: 'Commodity channel index',
    params: [period(14, 2)],
    outputs: ['cci'],
    warmup: (p) => p[0],
    create: (p) => new Cci(p[0]),
    restore: (s) => Cci.fromState(s),
    update: (e, bar, row, o) => {
      row[o] = e.update(bar);
    },
    updateFloat: (e, bar, out, o) => {
      const v = e.update(bar);
      out[o] = v === null ? NaN : v;
    },
    batch: (s, p) => [cci(s.high, s.low, s.close, p[0])],
  }),
  define<Vwap>({
    name: 'vwap',
    title: 'VWAP anchored at each UTC day',
    params: [],
    outputs: ['vwap'],
    warmup: () => 1,
    create: () => new Vwap(),
    restore: (s) => Vwap.fromState(s),
    update: (e, bar, row, o) => {
      row[o] = e.update(bar);
    },
    updateFloat: (e, bar, out, o) => {
      const v = e.update(bar);
      out[o] = v === null ? NaN : v;
    },
    batch: (s) => [vwap(s.openTime, s.high, s.low, s.close, s.volume)],
  }),
  define<Donchian>({
    name: 'donchian',
    title: 'Donchian channel',
    params: [period(20)],
    outputs: ['dc_upper', 'dc_middle', 'dc_lower'],
    warmup: (p) => p[0],
    create: (p) => new Donchian(p[0]),
    restore: (s) => Donchian.fromState(s),
    update: (e, bar, row, o) => {
      const v = e.update(bar);
      row[o] = v && v.upper;
      row[o + 1] = v && v.middle;
      row[o + 2] = v && v.lower;
    },
    batch: (s, p) => {
      const c = donchian(s.high, s.low, p[0]);
      return [c.upper, c.middle, c.lower];
    },
  }),
  define<Keltner>({
    name: 'keltner',
    title: 'Keltner channel (EMA +/- k x ATR)',
    params: [int('emaPeriod', 20), int('atrPeriod', 10), factor('multiplier', 2)],
    outputs: ['kc_upper', 'kc_middle', 'kc_lower'],
    warmup: (p) => Math.max(p[0], p[1] + 1),
    create: (p) => new Keltner(p[0], p[1], p[2]),
    restore: (s) => Keltner.fromState(s),
    update: (e, bar, row, o) => {
      const v = e.update(bar);
      row[o] = v && v.upper;
      row[o + 1] = v && v.middle;
      row[o + 2] = v && v.lower;
    },
    batch: (s, p) => {
      const c = keltner(s.high, s.low, s.close, p[0], p[1], p[2]);
      return [c.upper, c.middle, c.lower];
    },
  }),
];
