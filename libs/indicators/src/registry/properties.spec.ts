// Property tests over every registry indicator on seeded random series
// (test-support/prng.ts: mulberry32 + a random-walk OHLCV generator).
import { randomSeries } from '../../test-support';
import type { Bar, IndicatorState, OhlcvSeries } from '../core/types';
import { computeIndicator, createIndicator, restoreIndicator } from './registry';

const SPECS = [
  'sma:20',
  'sma:1',
  'ema:20',
  'ema:2',
  'wma:20',
  'rsi:14',
  'roc:10',
  'stddev:20',
  'stddev:5:2',
  'zscore:20',
  'bbands:20:2',
  'bbands:10:1.5:2.5',
  'macd:12:26:9',
  'macd:5:35:5',
  'atr:14',
  'stoch:5:3:3',
  'stoch:14:3:3',
  'stochf:5:3',
  'dmi:14',
  'adx:14',
  'plus_di:14',
  'minus_di:14',
  'obv',
  'cci:14',
  'vwap',
  'donchian:20',
  'keltner:20:10:2',
];

const N = 1500;

function barAt(s: OhlcvSeries, i: number): Bar {
  return { openTime: s.openTime[i], open: s.open[i], high: s.high[i], low: s.low[i], close: s.close[i], volume: s.volume[i] };
}

function sliceSeries(s: OhlcvSeries, from: number): OhlcvSeries {
  return {
    openTime: s.openTime.slice(from),
    open: s.open.slice(from),
    high: s.high.slice(from),
    low: s.low.slice(from),
    close: s.close.slice(from),
    volume: s.volume.slice(from),
  };
}

const relErr = (a: number, b: number) => Math.abs(a - b) / Math.max(1, Math.abs(b));
const same = (a: number | null, b: number | null) => (a === null || b === null ? a === b : Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b)));

describe.each(SPECS)('%s', (spec) => {
  const seed = [...spec].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) >>> 0, 7);
  const series = randomSeries(N, seed);

  test('streaming equals batch bar for bar (1e-12 relative), null exactly where batch is NaN', () => {
    const batch = Object.values(computeIndicator(spec, series));
    const ind = createIndicator(spec);
    let worst = 0;
    let firstStable = -1;
    for (let i = 0; i < N; i++) {
      const row = ind.update(barAt(series, i));
      if (ind.isStable && firstStable < 0) firstStable = i;
      row.forEach((v, k) => {
        const b = batch[k][i];
        if (v === null || Number.isNaN(b)) expect([i, k, v]).toEqual([i, k, Number.isNaN(b) ? null : b]);
        else worst = Math.max(worst, relErr(v, b));
      });
    }
    expect(worst).toBeLessThanOrEqual(1e-12);
    // Warm-up: the indicator is stable from bar `warmup - 1`, the last output's first value is there.
    expect(firstStable).toBe(ind.warmup - 1);
    const firstValues = batch.map((a) => a.findIndex((v) => !Number.isNaN(v)));
    expect(Math.max(...firstValues)).toBe(ind.warmup - 1);
  });

  test('causality: changing bars after t never changes outputs at or before t', () => {
    const t = 700;
    const before = Object.values(computeIndicator(spec, series));
    const other = randomSeries(N, seed + 1, 50);
    const changed = sliceSeries(series, 0);
    for (const k of ['open', 'high', 'low', 'close', 'volume'] as const) changed[k].set(other[k].subarray(t + 1), t + 1);
    const after = Object.values(computeIndicator(spec, changed));
    let changedLater = false;
    before.forEach((a, k) => {
      for (let i = 0; i <= t; i++) if (!same(a[i], after[k][i])) throw new Error(`${spec} output ${k} changed at ${i}`);
      for (let i = t + 1; i < N; i++) if (!same(a[i], after[k][i])) changedLater = true;
    });
    // The perturbation is real: some later output did change.
    expect(changedLater).toBe(true);
  });

  test('state round trip through JSON resumes bit-identically (during and after warm-up)', () => {
    for (const cut of [0, 5, 800]) {
      const a = createIndicator(spec);
      for (let i = 0; i < cut; i++) a.update(barAt(series, i));
      const state = JSON.parse(JSON.stringify(a.getState())) as IndicatorState;
      const b = restoreIndicator(state);
      expect(b.spec).toBe(a.spec);
      expect(b.isStable).toBe(a.isStable);
      for (let i = cut; i < N; i++) {
        const bar = barAt(series, i);
        const ra = a.update(bar);
        const rb = b.update(bar);
        ra.forEach((v, k) => {
          if (!same(v, rb[k])) throw new Error(`${spec} cut ${cut}: bar ${i} output ${k}: ${v} vs ${rb[k]}`);
        });
      }
    }
  });
});

/**
 * Truncated history: starting the same indicator `T0` bars later must give the
 * same late values once warm.
 * - Finite windows whose value is a pure function of the window (roc, donchian):
 *   bit-identical.
 * - Finite windows over running sums (sma, wma, bbands, stddev, zscore, cci,
 *   stoch, stochf): the same to 1e-9 relative. The running sums (kept in
 *   TA-Lib's order for the 1e-9 TA-Lib match) carry the rounding of their own
 *   past, so two start points differ by rounding only, never by a window value;
 *   stddev/bbands' E[x^2] - E[x]^2 (TA-Lib's formula) amplifies that rounding to
 *   ~5e-10 on short windows, the others stay near 1e-14.
 * - Recursive (EMA family: ema, macd, rsi, atr, dmi, keltner): the seed's error
 *   decays geometrically by rho per bar, rho = 1 - k (k = 2/(n+1) for EMA, 1/n for
 *   Wilder; the slowest component counts and we add one to n for the nested
 *   smoothing of MACD's signal and ADX). So |full - truncated| <= K * rho^m at m bars
 *   after warm-up, K = 1000 bounding the initial gap (prices near 100,
 *   oscillators within [0, 100]); after ~300 bars that is below 1e-9.
 * - obv: a running total, so the two differ by a constant (OBV_full[T0] - volume[T0]).
 * - vwap: identical from the first UTC midnight after T0.
 */
const DECAY: Record<string, number> = {
  'ema:20': 1 - 2 / 21,
  'ema:2': 1 - 2 / 3,
  'macd:12:26:9': 1 - 2 / 28,
  'macd:5:35:5': 1 - 2 / 37,
  'rsi:14': 1 - 1 / 14,
  'atr:14': 1 - 1 / 14,
  'dmi:14': 1 - 1 / 15,
  'adx:14': 1 - 1 / 15,
  'plus_di:14': 1 - 1 / 14,
  'minus_di:14': 1 - 1 / 14,
  'keltner:20:10:2': 1 - 2 / 21,
};
const EXACT = new Set(['roc:10', 'donchian:20', 'sma:1']);
const T0 = 300;

describe.each(SPECS)('%s truncated history', (spec) => {
  test('gives the same late values as the full history once warm', () => {
    const series = randomSeries(N, 99);
    const full = Object.values(computeIndicator(spec, series));
    const trunc = Object.values(computeIndicator(spec, sliceSeries(series, T0)));
    const warm = createIndicator(spec).warmup;
    let worstLate = 0;
    full.forEach((f, k) => {
      const t = trunc[k];
      for (let i = T0 + warm - 1; i < N; i++) {
        const a = t[i - T0];
        const b = f[i];
        const m = i - (T0 + warm - 1);
        if (spec === 'obv') {
          const offset = f[T0] - series.volume[T0];
          expect(Math.abs(b - a - offset)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b)));
        } else if (spec === 'vwap') {
          if (i > T0 + 24) expect(a).toBe(b);
        } else if (EXACT.has(spec)) {
          if (!Object.is(a, b)) throw new Error(`${spec}: bar ${i}: ${a} vs ${b}`);
        } else if (DECAY[spec] !== undefined) {
          const bound = Math.max(1e-9 * Math.max(1, Math.abs(b)), 1000 * Math.pow(DECAY[spec], m));
          if (!(Math.abs(a - b) <= bound)) throw new Error(`${spec}: bar ${i} (m=${m}): |${a} - ${b}| > ${bound}`);
          if (i >= N - 100) worstLate = Math.max(worstLate, relErr(a, b));
        } else {
          worstLate = Math.max(worstLate, relErr(a, b));
        }
      }
    });
    expect(worstLate).toBeLessThanOrEqual(1e-9);
  });
});
