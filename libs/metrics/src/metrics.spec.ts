import {
  annualReturn,
  annualVolatility,
  calmarRatio,
  computeMetrics,
  dailyEquity,
  dailyReturns,
  downsideRisk,
  drawdownOfEquity,
  exposure,
  maxDrawdown,
  nanStd,
  performance,
  periodsPerYear,
  sharpeRatio,
  simpleReturns,
  sortinoRatio,
  totalReturn,
  tradeStats,
  turnover,
} from './index';
import { Dec } from '@atp/core';

/** |a - b| <= 1e-9 x max(1, |b|), with NaN == NaN and inf == inf. */
function close(a: number, b: number): void {
  if (Number.isNaN(b) || !Number.isFinite(b)) {
    expect(a).toBe(b);
    return;
  }
  const tol = 1e-9 * Math.max(1, Math.abs(b));
  if (!(Math.abs(a - b) <= tol)) throw new Error(`expected ${a} to be within ${tol} of ${b}`);
}

describe('periods per year', () => {
  it('uses a 365-day year of bars', () => {
    expect(periodsPerYear('1h')).toBe(8760);
    expect(periodsPerYear('5m')).toBe(105120);
    expect(periodsPerYear('1d')).toBe(365);
  });
});

describe('hand-computed reference: equity 100, 110, 99, 108.9, 108.9 with 12 periods per year', () => {
  // returns: 110/100-1 = 0.1, 99/110-1 = -0.1, 108.9/99-1 = 0.1, 0
  const equity = [100, 110, 99, 108.9, 108.9];
  const r = simpleReturns(equity);
  const ppy = 12;

  it('simple returns', () => {
    expect(r.length).toBe(4);
    [0.1, -0.1, 0.1, 0].forEach((x, i) => close(r[i]!, x));
  });
  it('total return: 1.1 x 0.9 x 1.1 x 1 - 1 = 0.089', () => close(totalReturn(r), 0.089));
  it('CAGR: n = 4 periods = 1/3 year, 1.089^3 - 1 = 1.291467969 - 1', () => close(annualReturn(r, ppy), 0.291467969));
  it('volatility: mean 0.025, squared deviations 0.005625+0.015625+0.005625+0.000625 = 0.0275, var = 0.0275/3, x sqrt(12) -> sqrt(0.11)', () => {
    close(annualVolatility(r, ppy), Math.sqrt(0.11)); // sqrt(0.0275/3 x 12) = sqrt(0.11) = 0.33166247903554
    close(annualVolatility(r, ppy), 0.33166247903554);
  });
  it('Sharpe: 0.025 / sqrt(11/1200) x sqrt(12) = 0.025 x 120 / sqrt(11) = 3 / sqrt(11)', () => {
    close(sharpeRatio(r, ppy), 3 / Math.sqrt(11));
    close(sharpeRatio(r, ppy), 0.9045340337332909);
  });
  it('Sharpe with a risk-free rate: r = 0.02, 0.04, rf = 0.01 -> 0.02 / sqrt(0.0002) = sqrt(2) at 1 period per year', () => {
    close(sharpeRatio([0.02, 0.04], 1, 0.01), Math.SQRT2);
  });
  it('downside risk: mean(0, 0.01, 0, 0) = 0.0025 over all 4 returns, sqrt = 0.05, x sqrt(12)', () => {
    close(downsideRisk(r, ppy), 0.05 * Math.sqrt(12));
  });
  it('Sortino: 0.025 x 12 / (0.05 x sqrt(12)) = 6 / sqrt(12) = sqrt(3)', () => close(sortinoRatio(r, ppy), Math.sqrt(3)));
  it('max drawdown: 99/110 - 1 = -0.1, over 3 bars from the peak (index 1) to the end (not recovered)', () => {
    close(maxDrawdown(r), -0.1);
    const d = drawdownOfEquity(equity);
    close(d.maxDrawdown, -0.1);
    expect(d).toMatchObject({ peakIndex: 1, troughIndex: 2, recoveryIndex: -1, durationBars: 3 });
  });
  it('Calmar: 0.291467969 / 0.1', () => close(calmarRatio(r, ppy), 2.91467969));
});

describe("empyrical's own regression values (empyrical 0.5.5 tests/test_stats.py, 252 periods per year)", () => {
  // mixed_returns = [nan, 1, 10, -4, 2, 3, 2, 1, -10] / 100 (the NaN is skipped, but counted in n)
  const mixed = [NaN, 1, 10, -4, 2, 3, 2, 1, -10].map((x) => x / 100);
  const positive = [1, 2, 1, 1, 1, 1, 1, 1, 1].map((x) => x / 100);
  const negative = [0, -6, -7, -1, -9, -2, -6, -8, -5].map((x) => x / 100);
  const weekly = [0, 1, 10, -4, 2, 3, 2, 1, -10].map((x) => x / 100);
  const flat1 = new Array(9).fill(0.01);

  it('annual return, volatility, Calmar', () => {
    close(annualReturn(mixed, 252), 1.9135925373194231);
    close(annualReturn(weekly, 52), 0.24690830513998208);
    close(annualVolatility(mixed, 252), 0.9136465399704637);
    close(annualVolatility(weekly, 52), 0.38851569394870583);
    close(calmarRatio(mixed, 252), 19.135925373194233);
    close(calmarRatio(weekly, 52), 2.4690830513998208);
    // empyrical's test prints 0.03893 (5 places); exactly 1.01 x 1.10 x 0.96 x 1.02 x 1.03 x 1.02 x 1.01 x 0.90 - 1:
    close(totalReturn(mixed), 0.03893109170048);
  });
  it('Sharpe', () => {
    close(sharpeRatio(mixed, 252), 1.7238613961706866);
    close(sharpeRatio(positive, 252), 52.915026221291804);
    close(sharpeRatio(negative, 252), -24.406808633910085);
    expect(sharpeRatio(flat1, 252)).toBe(Infinity);
    expect(sharpeRatio(mixed, 252, 0.01) - sharpeRatio(mixed, 252, 0.01)).toBe(0);
  });
  it('downside risk and Sortino', () => {
    close(downsideRisk(mixed, 252), 0.60448325038829653);
    close(downsideRisk(mixed, 252, 0.1), 1.7161730681956295);
    close(downsideRisk(weekly, 52), 0.25888650451930134);
    close(sortinoRatio(mixed, 252), 2.605531251673693);
    close(sortinoRatio(negative, 252), -13.532743075043401);
    close(sortinoRatio(weekly, 52), 1.1158901056866439);
    expect(sortinoRatio(positive, 252)).toBe(Infinity);
  });
  it('max drawdown', () => {
    close(maxDrawdown(mixed), -0.1);
    expect(maxDrawdown(positive)).toBe(0);
    close(maxDrawdown(negative), totalReturn(negative));
  });
});

describe('NaN policy', () => {
  it('empty and too-short series give NaN', () => {
    for (const f of [totalReturn, maxDrawdown]) expect(f([])).toBeNaN();
    for (const f of [annualReturn, annualVolatility, sharpeRatio, sortinoRatio, downsideRisk, calmarRatio]) expect(f([], 365)).toBeNaN();
    for (const f of [annualVolatility, sharpeRatio, sortinoRatio]) expect(f([0.01], 365)).toBeNaN();
    expect(downsideRisk([0.01], 365)).toBe(0);
    expect(nanStd([1])).toBeNaN();
  });
  it('constant returns: std exactly 0, so Sharpe is +inf for a positive mean and NaN for zero returns (as empyrical)', () => {
    expect(annualVolatility([0.001, 0.001, 0.001], 8760)).toBe(0);
    expect(sharpeRatio([0.001, 0.001, 0.001], 8760)).toBe(Infinity);
    expect(sharpeRatio([-0.001, -0.001], 8760)).toBe(-Infinity);
    expect(sharpeRatio([0, 0, 0], 8760)).toBeNaN();
    expect(sortinoRatio([0, 0, 0], 8760)).toBeNaN();
  });
  it('Calmar is NaN without a drawdown', () => {
    expect(calmarRatio([0.01, 0.02], 365)).toBeNaN();
  });
});

describe('longer series against a separate two-pass implementation of the published formulas', () => {
  /** Deterministic PRNG (mulberry32) and Box-Muller normals. */
  function normals(seed: number, n: number, mu: number, sigma: number): number[] {
    let a = seed >>> 0;
    const u = () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return (((t ^ (t >>> 14)) >>> 0) + 1) / 4294967297;
    };
    return Array.from({ length: n }, () => mu + sigma * Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u()));
  }

  // The reference: written differently on purpose (array methods, two passes, logs, quadratic max).
  const ref = {
    mean: (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length,
    std: (x: number[]) => {
      const m = ref.mean(x);
      return Math.sqrt(x.map((v) => (v - m) ** 2).reduce((s, v) => s + v, 0) / (x.length - 1));
    },
    total: (x: number[]) => Math.exp(x.map((v) => Math.log1p(v)).reduce((s, v) => s + v, 0)) - 1,
    cagr: (x: number[], ppy: number) => Math.exp((ppy / x.length) * x.map((v) => Math.log1p(v)).reduce((s, v) => s + v, 0)) - 1,
    vol: (x: number[], ppy: number) => ref.std(x) * Math.sqrt(ppy),
    sharpe: (x: number[], ppy: number, rf: number) => {
      const e = x.map((v) => v - rf);
      return (ref.mean(e) / ref.std(e)) * Math.sqrt(ppy);
    },
    downside: (x: number[], ppy: number, req: number) => Math.sqrt(x.map((v) => Math.min(v - req, 0) ** 2).reduce((s, v) => s + v, 0) / x.length) * Math.sqrt(ppy),
    sortino: (x: number[], ppy: number, req: number) => (ref.mean(x.map((v) => v - req)) * ppy) / ref.downside(x, ppy, req),
    mdd: (x: number[]) => {
      const values = [100];
      for (const v of x) values.push(values[values.length - 1]! * (1 + v));
      return Math.min(...values.map((v, i) => v / Math.max(...values.slice(0, i + 1)) - 1));
    },
  };

  const cases: [string, number[], number][] = [
    ['1h bars, 3000 returns', normals(11, 3000, 0.00005, 0.004), 8760],
    ['5m bars, 2000 returns', normals(12, 2000, -0.00001, 0.0015), 105120],
    ['daily, 400 returns', normals(13, 400, 0.001, 0.03), 365],
  ];

  it.each(cases)('%s', (_name, r, ppy) => {
    close(totalReturn(r), ref.total(r));
    close(annualReturn(r, ppy), ref.cagr(r, ppy));
    close(annualVolatility(r, ppy), ref.vol(r, ppy));
    close(sharpeRatio(r, ppy), ref.sharpe(r, ppy, 0));
    close(sharpeRatio(r, ppy, 0.00001), ref.sharpe(r, ppy, 0.00001));
    close(downsideRisk(r, ppy), ref.downside(r, ppy, 0));
    close(sortinoRatio(r, ppy), ref.sortino(r, ppy, 0));
    close(sortinoRatio(r, ppy, 0.0001), ref.sortino(r, ppy, 0.0001));
    close(maxDrawdown(r), ref.mdd(r));
    close(calmarRatio(r, ppy), ref.cagr(r, ppy) / Math.abs(ref.mdd(r)));
    // The equity-curve drawdown is the same number as the returns-based one.
    const eq = [100];
    for (const v of r) eq.push(eq[eq.length - 1]! * (1 + v));
    close(drawdownOfEquity(eq).maxDrawdown, ref.mdd(r));
    close(totalReturn(simpleReturns(eq)), ref.total(r));
  });
});

describe('drawdown duration', () => {
  it('counts bars from the peak to the recovery', () => {
    // peak 120 at 1, trough 90 at 2 (-25%), back at or above 120 at index 4 (130)
    expect(drawdownOfEquity([100, 120, 90, 100, 130, 125])).toEqual({ maxDrawdown: -0.25, peakIndex: 1, troughIndex: 2, recoveryIndex: 4, durationBars: 3 });
  });
  it('counts to the end when not recovered, measures from the last bar at the peak level, and is 0 without drawdown', () => {
    expect(drawdownOfEquity([100, 120, 120, 90, 100])).toEqual({ maxDrawdown: -0.25, peakIndex: 2, troughIndex: 3, recoveryIndex: -1, durationBars: 2 });
    expect(drawdownOfEquity([1, 2, 3])).toMatchObject({ maxDrawdown: 0, durationBars: 0 });
    expect(drawdownOfEquity([]).maxDrawdown).toBeNaN();
  });
});

describe('trade statistics, exposure, turnover', () => {
  it('computes win rate, profit factor and average win/loss on net P&L', () => {
    // wins 10 + 20.5 = 30.5; losses -5 - 2.5 = -7.5; one break-even
    expect(tradeStats([{ netPnl: '10' }, { netPnl: '-5' }, { netPnl: '0' }, { netPnl: '20.5' }, { netPnl: '-2.5' }])).toEqual({
      trades: 5, wins: 2, losses: 2, winRate: 0.4, grossProfit: 30.5, grossLoss: -7.5,
      profitFactor: 30.5 / 7.5, avgWin: 15.25, avgLoss: -3.75, avgTrade: 4.6,
    });
    expect(tradeStats([{ netPnl: 1 }])).toMatchObject({ profitFactor: Infinity, avgLoss: NaN, winRate: 1 });
    expect(tradeStats([])).toMatchObject({ trades: 0, winRate: NaN, profitFactor: NaN, avgWin: NaN });
  });
  it('equals decimal.js summing trade by trade, bit for bit (seeded random P&Ls: mixed scales and signs, zeros, numbers, sums past 60 digits)', () => {
    // reference: the definition, one decimal.js sum per trade (60 significant digits, half up)
    const D = Dec; // decimal.js at 60 digits, half up
    const reference = (pnls: readonly (string | number)[]) => {
      let wins = 0;
      let losses = 0;
      let profit = new D(0);
      let loss = new D(0);
      for (const v of pnls) {
        const x = new D(typeof v === 'number' ? String(v) : v);
        if (x.gt(0)) {
          wins++;
          profit = profit.plus(x);
        } else if (x.lt(0)) {
          losses++;
          loss = loss.plus(x);
        }
      }
      const n = pnls.length;
      return {
        trades: n,
        wins,
        losses,
        winRate: n > 0 ? wins / n : NaN,
        grossProfit: profit.toNumber(),
        grossLoss: loss.toNumber(),
        profitFactor: losses > 0 ? profit.div(loss.abs()).toNumber() : wins > 0 ? Infinity : NaN,
        avgWin: wins > 0 ? profit.div(wins).toNumber() : NaN,
        avgLoss: losses > 0 ? loss.div(losses).toNumber() : NaN,
        avgTrade: n > 0 ? profit.plus(loss).div(n).toNumber() : NaN,
      };
    };
    let seed = 11;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const digits = (k: number) => Array.from({ length: k }, () => String(Math.floor(rnd() * 10))).join('');
    const pnl = (wide: boolean): string | number => {
      const u = rnd();
      if (u < 0.05) return ['0', '0.000', '-0', '-0.0'][Math.floor(rnd() * 4)]!;
      if (u < 0.08) return (rnd() - 0.5) * 1000; // a number
      const sign = rnd() < 0.5 ? '-' : '';
      const int = wide && rnd() < 0.3 ? digits(1 + Math.floor(rnd() * 40)) : String(Math.floor(rnd() * 5000));
      const frac = rnd() < 0.2 ? '' : `.${digits(1 + Math.floor(rnd() * (wide ? 30 : 16)))}`;
      return sign + int + frac;
    };
    const cases: (string | number)[][] = [[], ['0'], ['-0.5'], ['1'.repeat(60)], ['1'.repeat(60), '1'], ['1'.repeat(60), '0.1'], ['9'.repeat(59), '0.1'], ['-' + '9'.repeat(30) + '.' + '9'.repeat(30), '-0.' + '0'.repeat(29) + '1'], ['5', '0.' + '0'.repeat(58) + '5']];
    for (let k = 0; k < 300; k++) {
      const wide = k % 3 === 0;
      const strings = k % 5 !== 0;
      cases.push(Array.from({ length: Math.floor(rnd() * 60) }, () => {
        const v = pnl(wide);
        return strings && typeof v === 'number' ? String(v) : v;
      }));
    }
    for (const c of cases) {
      const got = tradeStats(c.map((netPnl) => ({ netPnl })));
      const want = reference(c);
      for (const key of Object.keys(want) as (keyof typeof want)[]) {
        if (!Object.is(got[key], want[key])) throw new Error(`${key}: ${got[key]} != ${want[key]} for ${JSON.stringify(c)}`);
      }
    }
  });
  it('exposure is the fraction of bars with a position; turnover is notional over mean equity', () => {
    expect(exposure([1, 0, 1, 1])).toBe(0.75);
    expect(exposure([])).toBeNaN();
    expect(turnover('300', [100, 200])).toBe(2);
  });
});

describe('daily resampling', () => {
  const D = 86_400_000;
  const H = 3_600_000;
  // 12:00 day 0 -> 100 (start); 00:00 day 1 -> 110 (closes day 0); 06:00 day 1 -> 100;
  // nothing on day 2 (carried: 100); 00:00 day 4 -> 121 (closes day 3)
  const times = [12 * H, D, D + 6 * H, 4 * D];
  const equity = [100, 110, 100, 121];

  it('takes the last point of each UTC day, a point at 00:00 closing the previous day, and carries over empty days', () => {
    const d = dailyEquity(times, equity);
    expect(Array.from(d.days)).toEqual([0, D, 2 * D, 3 * D]);
    expect(Array.from(d.close)).toEqual([110, 100, 100, 121]);
  });
  it('measures the first day from the start equity, so daily returns compound to the total return', () => {
    const r = dailyReturns(times, equity);
    [0.1, 100 / 110 - 1, 0, 0.21].forEach((x, i) => close(r[i]!, x));
    close(totalReturn(r), 0.21);
    expect(() => dailyEquity([2, 1], [1, 1])).toThrow(RangeError);
  });
});

describe('dailyEquity against the per-point definition', () => {
  it('gives the days and closes of utcDayStart(t - 1) for every point (seeded times: integer and fractional, around midnights, negative, gaps, repeats)', () => {
    const DAY = 86_400_000;
    const reference = (times: readonly number[], equity: readonly number[]) => {
      const days: number[] = [];
      const close: number[] = [];
      for (let i = 0; i < times.length; i++) {
        const d = Math.floor((times[i]! - 1) / DAY) * DAY;
        const last = days.length - 1;
        if (last >= 0 && days[last] === d) {
          close[last] = equity[i]!;
          continue;
        }
        if (last >= 0) for (let g = days[last]! + DAY; g < d; g += DAY) {
          days.push(g);
          close.push(close[close.length - 1]!);
        }
        days.push(d);
        close.push(equity[i]!);
      }
      return { days: Float64Array.from(days), close: Float64Array.from(close) };
    };
    let seed = 17;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    for (let c = 0; c < 200; c++) {
      const start = [1_700_000_000_000, -3 * DAY, 0, 4.9e15, 5.1e15][c % 5]! + Math.floor(rnd() * DAY);
      const times: number[] = [];
      let t = start;
      for (let i = 0; i < 300; i++) {
        const u = rnd();
        if (u < 0.1) t = (Math.floor(t / DAY) + 1) * DAY + [0, 1, 2, -1e-7, 1e-7, 0.5][Math.floor(rnd() * 6)]!; // at a midnight, or just around it
        else if (u < 0.15) t += 0; // a repeated time
        else if (u < 0.2) t += DAY * (1 + Math.floor(rnd() * 4)); // a gap of days
        else t += rnd() < 0.5 ? 3_600_000 : rnd() * 7_200_000; // an hour, or a fractional step
        times.push(t);
      }
      const equity = times.map((_, i) => 1000 + i);
      const got = dailyEquity(times, equity);
      const want = reference(times, equity);
      expect(Array.from(got.days)).toEqual(Array.from(want.days));
      expect(Array.from(got.close)).toEqual(Array.from(want.close));
    }
  });
});

describe('computeMetrics', () => {
  it('puts it together on a curve with a start point', () => {
    const H = 3_600_000;
    const rep = computeMetrics({
      times: [2 * H, 3 * H, 4 * H, 5 * H],
      equity: [110, 99, 108.9, 108.9],
      exposed: [1, 1, 0, 0],
      start: { time: H, equity: 100 },
      timeframe: '1h',
      trades: [{ netPnl: '8.9' }],
      feesPaid: '1.1',
      tradedNotional: '525.8',
    });
    expect(rep.startEquity).toBe(100);
    expect(rep.endEquity).toBe(108.9);
    close(rep.bars.totalReturn, 0.089);
    close(rep.bars.sharpe, (0.025 / Math.sqrt(0.0275 / 3)) * Math.sqrt(8760));
    expect(rep.bars.periods).toBe(4);
    expect(rep.bars.drawdown.durationBars).toBe(3);
    expect(rep.daily.periods).toBe(1);
    close(rep.daily.totalReturn, 0.089);
    expect(rep.exposure).toBe(0.5);
    close(rep.turnover, 525.8 / ((100 + 110 + 99 + 108.9 + 108.9) / 5));
    expect(rep.feesPaid).toBe(1.1);
    expect(rep.trades.winRate).toBe(1);
  });
});

describe('performance', () => {
  it('gives exactly the values of the statistics called one by one, each with its own option (random series, NaNs, edge lengths, non-zero rf and required return)', () => {
    let seed = 7;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const series: number[][] = [[], [0.01], [0.01, -0.02], [0, 0, 0], [0.01, 0.01, 0.01]];
    for (let k = 0; k < 40; k++) series.push(Array.from({ length: 1 + Math.floor(rnd() * 300) }, () => (rnd() < 0.05 ? NaN : (rnd() - 0.5) * 0.04)));
    for (const r of series) {
      for (const [rf, req] of [
        [0, 0],
        [0.0001, -0.0002],
      ] as const) {
        const p = performance(r, 8760, { riskFree: rf, requiredReturn: req });
        const same = (a: number, b: number) => expect(Object.is(a, b)).toBe(true);
        same(p.totalReturn, totalReturn(r));
        same(p.annualReturn, annualReturn(r, 8760));
        same(p.annualVolatility, annualVolatility(r, 8760));
        same(p.sharpe, sharpeRatio(r, 8760, rf));
        same(p.sortino, sortinoRatio(r, 8760, req));
        same(p.maxDrawdown, maxDrawdown(r));
        same(p.calmar, calmarRatio(r, 8760));
        expect(p.periods).toBe(r.length);
      }
    }
  });
});

describe('computeMetrics on curves of different lengths one after another (its per-bar returns are written into a reused array)', () => {
  it('gives each curve the per-bar statistics of its own simple returns, bit for bit, whatever came before', () => {
    let seed = 11;
    const curve = (n: number): Float64Array => {
      const e = new Float64Array(n);
      let v = 1000;
      for (let i = 0; i < n; i++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        v *= 1 + (seed / 0x7fffffff - 0.5) * 0.02;
        e[i] = v;
      }
      return e;
    };
    const at = (n: number) => Float64Array.from({ length: n }, (_, i) => 1_609_459_200_000 + i * 3_600_000);
    const long = curve(5000);
    const short = curve(700);
    const longer = curve(12000);
    const metricsOf = (e: Float64Array) => computeMetrics({ times: at(e.length), equity: e, timeframe: '1h' });
    const first = metricsOf(long);
    for (const e of [short, longer, long, short]) {
      const m = metricsOf(e);
      // the reference: performance() over a fresh simpleReturns array
      const ref = performance(simpleReturns(e), periodsPerYear('1h'));
      for (const k of Object.keys(ref) as (keyof typeof ref)[]) expect(Object.is(m.bars[k], ref[k])).toBe(true);
    }
    expect(metricsOf(long)).toEqual(first);
  });
});
