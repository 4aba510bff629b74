import { timeframeMs, type Timeframe } from '@atp/core';

/**
 * The bars of one instrument, column-oriented (float64 typed arrays, ascending open times).
 * Market data is float64 (ARCHITECTURE.md, "Numbers").
 */
export interface BarSeries {
  readonly exchange: string;
  readonly symbol: string;
  readonly timeframe: Timeframe;
  readonly openTime: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

/** Builds a series from freqtrade/ccxt rows `[openTimeMs, o, h, l, c, v]`. Throws on unsorted or malformed rows. */
export function seriesFromRows(exchange: string, symbol: string, timeframe: Timeframe, rows: readonly (readonly number[])[]): BarSeries {
  const n = rows.length;
  const s = {
    exchange,
    symbol,
    timeframe,
    openTime: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  const tf = timeframeMs(timeframe);
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    if (r.length < 6) throw new RangeError(`${symbol} row ${i}: expected [openTime, o, h, l, c, v]`);
    s.openTime[i] = r[0]!;
    s.open[i] = r[1]!;
    s.high[i] = r[2]!;
    s.low[i] = r[3]!;
    s.close[i] = r[4]!;
    s.volume[i] = r[5]!;
    if (i > 0 && !(s.openTime[i] > s.openTime[i - 1])) throw new RangeError(`${symbol} row ${i}: open time ${r[0]} not after ${s.openTime[i - 1]}`);
    if (s.openTime[i] % tf !== 0) throw new RangeError(`${symbol} row ${i}: open time ${r[0]} not aligned to ${timeframe}`);
  }
  return s;
}

/** The first `n` bars of a series (views, no copy): for look-ahead tests and walk-forward splits. */
export function sliceSeries(s: BarSeries, from: number, to: number): BarSeries {
  return {
    ...s,
    openTime: s.openTime.subarray(from, to),
    open: s.open.subarray(from, to),
    high: s.high.subarray(from, to),
    low: s.low.subarray(from, to),
    close: s.close.subarray(from, to),
    volume: s.volume.subarray(from, to),
  };
}

/** Bars of a series whose open time is in [fromMs, toMs). */
export function sliceSeriesByTime(s: BarSeries, fromMs: number, toMs: number): BarSeries {
  let a = 0;
  while (a < s.openTime.length && s.openTime[a] < fromMs) a++;
  let b = a;
  while (b < s.openTime.length && s.openTime[b] < toMs) b++;
  return sliceSeries(s, a, b);
}

/** Open time of syntheticSeries's first bar unless `start` says otherwise: 2021-01-01T00:00:00Z. */
export const SYNTHETIC_START = 1_609_459_200_000;

/** Seeded synthetic bars (geometric random walk): for benchmarks and property tests. */
export function syntheticSeries(n: number, seed = 1, opts: { symbol?: string; timeframe?: Timeframe; start?: number; price?: number; vol?: number } = {}): BarSeries {
  const timeframe = opts.timeframe ?? '1h';
  const tf = timeframeMs(timeframe);
  const start = opts.start ?? SYNTHETIC_START;
  const vol = opts.vol ?? 0.01;
  let s = seed >>> 0 || 1;
  const rnd = () => {
    // xorshift32: deterministic across platforms
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
  const out = {
    exchange: 'binance',
    symbol: opts.symbol ?? 'SYN/USDT',
    timeframe,
    openTime: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  // Log price: a slowly mean-reverting random walk around log(price), so a million bars stay positive.
  const p0 = opts.price ?? 100;
  const mu = Math.log(p0);
  let lp = mu;
  const r6 = (x: number) => Number(x.toPrecision(6));
  for (let i = 0; i < n; i++) {
    const o = Math.exp(lp) * (1 + (rnd() - 0.5) * vol * 0.2);
    lp += -0.0005 * (lp - mu) + (rnd() - 0.5) * vol * 2;
    const c = Math.exp(lp);
    const h = Math.max(o, c) * (1 + rnd() * vol);
    const l = Math.min(o, c) * (1 - rnd() * vol);
    out.openTime[i] = start + i * tf;
    out.open[i] = r6(o);
    out.close[i] = r6(c);
    out.high[i] = Math.max(out.open[i], out.close[i], r6(h));
    out.low[i] = Math.min(out.open[i], out.close[i], r6(l));
    out.volume[i] = Math.round((10 + rnd() * 90) * 1000) / 1000;
  }
  return out;
}
