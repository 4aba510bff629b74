import { loadCandles, randomSeries } from '../../test-support';
import type { Bar, IndicatorState } from '../core/types';
import { computeFeatureSet, FEATURE_SETS, featureSet, FeatureSetRunner } from './feature-sets';
import { columnNames, computeIndicator, createIndicator, indicatorNames, parseIndicatorSpec, restoreIndicator } from './registry';

describe('parseIndicatorSpec', () => {
  test('fills defaults and keeps given parameters', () => {
    expect(parseIndicatorSpec('rsi:14')).toEqual({ name: 'rsi', params: [14] });
    expect(parseIndicatorSpec('rsi')).toEqual({ name: 'rsi', params: [14] });
    expect(parseIndicatorSpec('macd:12:26:9')).toEqual({ name: 'macd', params: [12, 26, 9] });
    expect(parseIndicatorSpec('bbands:20:2')).toEqual({ name: 'bbands', params: [20, 2, 2] });
    expect(parseIndicatorSpec('bbands:20:2:1.5')).toEqual({ name: 'bbands', params: [20, 2, 1.5] });
    expect(parseIndicatorSpec('stoch:5:3:3')).toEqual({ name: 'stoch', params: [5, 3, 3] });
    expect(parseIndicatorSpec(' STOCHF ')).toEqual({ name: 'stochf', params: [5, 3] });
    expect(parseIndicatorSpec('obv')).toEqual({ name: 'obv', params: [] });
    expect(parseIndicatorSpec('keltner')).toEqual({ name: 'keltner', params: [20, 10, 2] });
  });

  test('rejects unknown names and bad parameters with a message naming them', () => {
    expect(() => parseIndicatorSpec('foo:3')).toThrow(/unknown indicator "foo"/);
    expect(() => parseIndicatorSpec('rsi:1')).toThrow(/period must be an integer >= 2/);
    expect(() => parseIndicatorSpec('sma:2.5')).toThrow(/period must be an integer/);
    expect(() => parseIndicatorSpec('sma:x')).toThrow(/"x" is not a number/);
    expect(() => parseIndicatorSpec('obv:3')).toThrow(/at most 0 parameter/);
  });

  test('every registered name parses with its defaults and builds', () => {
    for (const name of indicatorNames()) {
      const ind = createIndicator(name);
      expect(ind.outputs.length).toBe(ind.columns.length);
      expect(ind.warmup).toBeGreaterThanOrEqual(1);
    }
  });
});

describe('output and column names', () => {
  test('multi-output indicators name each output', () => {
    expect(createIndicator('macd:12:26:9').outputs).toEqual(['macd', 'macd_signal', 'macd_hist']);
    expect(columnNames('macd:12:26:9')).toEqual(['macd_12_26_9', 'macd_signal_12_26_9', 'macd_hist_12_26_9']);
    expect(columnNames('bbands:20:2')).toEqual(['bb_upper_20_2_2', 'bb_middle_20_2_2', 'bb_lower_20_2_2']);
    expect(columnNames('dmi:14')).toEqual(['adx_14', 'plus_di_14', 'minus_di_14']);
    expect(columnNames('obv')).toEqual(['obv']);
    expect(Object.keys(computeIndicator('stoch', randomSeries(50, 1)))).toEqual(['stoch_k', 'stoch_d']);
  });
});

describe('feature sets', () => {
  test('default-v1 is versioned, has unique columns, and covers every indicator family', () => {
    const set = featureSet('default-v1');
    expect(set.version).toBe(1);
    expect(Object.isFrozen(FEATURE_SETS['default-v1'].specs)).toBe(true);
    const runner = FeatureSetRunner.create('default-v1');
    expect(new Set(runner.columns).size).toBe(runner.columns.length);
    expect(runner.warmup).toBe(Math.max(...set.specs.map((s) => createIndicator(s).warmup)));
  });

  test('streaming rows equal the batch columns on recorded ETH/USDT 1h candles, and a JSON restore resumes identically', () => {
    // Data: Binance ETH/USDT 1h (iterativv/NostalgiaForInfinity, GPL-3.0; see shared/data/README.md).
    const s = loadCandles('ETH_USDT-1h.json');
    const n = 600;
    const batch = computeFeatureSet('default-v1', s);
    let runner = FeatureSetRunner.create('default-v1');
    for (let i = 0; i < n; i++) {
      if (i === 300) runner = FeatureSetRunner.restore(JSON.parse(JSON.stringify(runner.getState())) as IndicatorState);
      const bar: Bar = { openTime: s.openTime[i], open: s.open[i], high: s.high[i], low: s.low[i], close: s.close[i], volume: s.volume[i] };
      const row = runner.update(bar);
      runner.columns.forEach((c, k) => {
        const b = batch[c][i];
        if (Number.isNaN(b)) expect(row[k]).toBeNull();
        else expect(row[k]).toBe(b);
      });
      expect(runner.isStable).toBe(i >= runner.warmup - 1);
    }
  });

  test('updateFloat writes what updateInto writes (null as NaN) for every registered indicator, on recorded ETH/USDT 1h candles and from a restored state', () => {
    // Data: Binance ETH/USDT 1h (iterativv/NostalgiaForInfinity, GPL-3.0; see shared/data/README.md).
    const s = loadCandles('ETH_USDT-1h.json');
    for (const name of indicatorNames()) {
      const viaRow = createIndicator(name);
      let viaFloat = createIndicator(name);
      const w = viaRow.outputs.length;
      const row: (number | null)[] = new Array<number | null>(w).fill(null);
      const out = new Float64Array(w + 2).fill(7); // written at offset 1 only
      let nulls = 0;
      for (let i = 0; i < 400; i++) {
        if (i === 200) viaFloat = restoreIndicator(JSON.parse(JSON.stringify(viaFloat.getState())) as IndicatorState);
        const bar: Bar = { openTime: s.openTime[i], open: s.open[i], high: s.high[i], low: s.low[i], close: s.close[i], volume: s.volume[i] };
        viaRow.updateInto(bar, row, 0);
        viaFloat.updateFloat(bar, out, 1);
        for (let k = 0; k < w; k++) {
          if (row[k] === null) {
            nulls++;
            expect(out[1 + k]).toBeNaN();
          } else expect(out[1 + k]).toBe(row[k]);
        }
        expect(viaFloat.isStable).toBe(viaRow.isStable);
      }
      expect([out[0], out[w + 1]]).toEqual([7, 7]);
      if (viaRow.warmup > 1) expect(nulls).toBeGreaterThan(0); // the warm-up was compared too
    }
  });

  test('a set defined by a spec list (not registered) restores from its state with its definition', () => {
    const def = { name: 'custom', version: 2, description: 'test', specs: ['rsi:14', 'sma:5'] };
    const a = FeatureSetRunner.create(def);
    const series = randomSeries(40, 7);
    const bar = (i: number): Bar => ({ openTime: series.openTime[i], open: series.open[i], high: series.high[i], low: series.low[i], close: series.close[i], volume: series.volume[i] });
    for (let i = 0; i < 20; i++) a.update(bar(i));
    const state = JSON.parse(JSON.stringify(a.getState())) as IndicatorState;
    expect(() => FeatureSetRunner.restore(state)).toThrow(/unknown feature set "custom"/);
    expect(() => FeatureSetRunner.restore(state, { ...def, version: 1 })).toThrow(/saved for custom v2, not custom v1/);
    const b = FeatureSetRunner.restore(state, def);
    for (let i = 20; i < 40; i++) expect(b.update(bar(i))).toEqual(a.update(bar(i)));
  });

  test('unknown set names throw', () => {
    expect(() => featureSet('nope')).toThrow(/unknown feature set/);
  });
});
