import { createStrategy, MA_CROSSOVER } from '@atp/strategies';
import { loadRecordedSeries, sliceSeries, workerExecutor } from '../index';
import { deflatedSharpe, expectedMaxSharpe, normCdf, normInv } from './deflated-sharpe';
import { optimise, type OptimiseConfig } from './optimiser';
import { probabilityOfBacktestOverfitting } from './pbo';
import { gridSearch, gridValues, randomSearch, walkForwardFolds } from './search';

describe('search spaces', () => {
  it('walks declared ranges by step, enums and booleans', () => {
    expect(gridValues({ name: 'k', type: 'float', default: 2, min: 0.5, max: 1.5, step: 0.25, description: '' })).toEqual([0.5, 0.75, 1, 1.25, 1.5]);
    expect(gridValues({ name: 'p', type: 'int', default: 10, min: 2, max: 10, step: 4, description: '' })).toEqual([2, 6, 10]);
    const g = gridSearch(MA_CROSSOVER.parameters, { ranges: { fast: [5, 10], slow: [20, 30, 40] }, search: [] });
    expect(g).toHaveLength(6);
    expect(g[0]).toEqual({ fast: 5, slow: 20, ma: 'sma', atrStop: 0, atrPeriod: 14 });
    expect(() => gridSearch(MA_CROSSOVER.parameters)).toThrow(/exceed maxCandidates/);
  });
  it('random search is deterministic per seed, distinct, inside the ranges', () => {
    const a = randomSearch(MA_CROSSOVER.parameters, 20, 42, { search: ['fast', 'slow'] });
    expect(randomSearch(MA_CROSSOVER.parameters, 20, 42, { search: ['fast', 'slow'] })).toEqual(a);
    expect(new Set(a.map((c) => JSON.stringify(c))).size).toBe(20);
    for (const c of a) {
      expect(c.fast as number).toBeGreaterThanOrEqual(2);
      expect(c.slow as number).toBeLessThanOrEqual(400);
      expect(c.ma).toBe('sma');
    }
  });
  it('walk-forward folds by time: rolling and anchored', () => {
    const H = 3_600_000;
    expect(walkForwardFolds(0, 100 * H, H, { folds: 3, trainBlocks: 2 })).toEqual([
      { index: 0, trainFrom: 0, testFrom: 40 * H, testTo: 60 * H },
      { index: 1, trainFrom: 20 * H, testFrom: 60 * H, testTo: 80 * H },
      { index: 2, trainFrom: 40 * H, testFrom: 80 * H, testTo: 100 * H },
    ]);
    expect(walkForwardFolds(0, 100 * H, H, { folds: 2, trainBlocks: 1, anchored: true }).map((f) => f.trainFrom)).toEqual([0, 0]);
    expect(() => walkForwardFolds(0, 3 * H, H, { folds: 5 })).toThrow(/cannot make/);
  });
});

describe('deflated Sharpe ratio and PBO', () => {
  // Reference values: Python 3 statistics.NormalDist (inv_cdf, cdf) with the paper's formulas.
  it('normal distribution helpers match Python statistics.NormalDist', () => {
    expect(normInv(0.01)).toBeCloseTo(-2.3263478740408408, 8);
    expect(normInv(0.3)).toBeCloseTo(-0.5244005127080407, 8);
    expect(normCdf(1.234)).toBeCloseTo(0.8913985478784757, 6);
  });
  it('expected maximum Sharpe of N unskilled trials', () => {
    expect(expectedMaxSharpe(100, 1)).toBeCloseTo(2.5306028932016846, 7);
    expect(expectedMaxSharpe(10, 0.04)).toBeCloseTo(0.31491966026915, 7);
  });
  it('DSR of a skewed return series against 5 trials', () => {
    const r = Array.from({ length: 500 }, (_, i) => (0.001 * (((i * 7919) % 13) - 6)) / 6 + 0.00003 + (i % 50 === 0 ? 0.002 : 0));
    const d = deflatedSharpe(r, [0.10026921856100209, 0.02, -0.01, 0.05, 0.03]);
    expect(d.sharpe).toBeCloseTo(0.10026921856100209, 12);
    expect(d.sr0).toBeCloseTo(0.04885794719159124, 8);
    expect(d.dsr).toBeCloseTo(0.878896009113144, 5);
  });
  it('PBO: a candidate better everywhere is never overfit; pure noise is overfit about half the time', () => {
    let s = 7;
    const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5;
    const noise = Array.from({ length: 12 }, () => Array.from({ length: 800 }, () => rnd() * 0.01));
    const good = noise.map((r, j) => (j === 0 ? r.map((x) => x + 0.01) : r));
    expect(probabilityOfBacktestOverfitting(good).pbo).toBe(0);
    const p = probabilityOfBacktestOverfitting(noise);
    expect(p.combinations).toBe(70);
    expect(p.pbo).toBeGreaterThan(0.2);
    expect(p.pbo).toBeLessThan(0.8);
  });
});

describe('optimise', () => {
  const btc = sliceSeries(loadRecordedSeries('BTC/USDT', '1h'), 0, 3000);
  const config: OptimiseConfig = {
    runId: 'opt',
    strategy: 'ma-crossover',
    searchSpec: { kind: 'grid', search: [], ranges: { fast: [5, 10, 20], slow: [30, 60] } },
    folds: 2,
    trainBlocks: 2,
    initialCash: '10000',
  };
  it('ranks candidates on out-of-sample Sharpe, with DSR and PBO; worker threads give identical results', async () => {
    const a = await optimise(config, [btc]);
    expect(a.ranked).toHaveLength(6);
    expect(a.folds).toHaveLength(2);
    for (let i = 1; i < a.ranked.length; i++) expect(a.ranked[i - 1].oosSharpe).toBeGreaterThanOrEqual(a.ranked[i].oosSharpe);
    expect(a.deflatedSharpe.trials).toBe(6);
    expect(a.deflatedSharpe.dsr).toBeGreaterThanOrEqual(0);
    expect(a.deflatedSharpe.dsr).toBeLessThanOrEqual(1);
    expect(a.pbo.combinations).toBe(70);
    expect(createStrategy('ma-crossover', a.best.params).name).toBe('ma-crossover');
    const b = await optimise(config, [btc], workerExecutor(2));
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  }, 60_000);
});
