
import { eventIdFrom } from '@atp/core';
import { createStrategy, decisionId, FeatureComputer, FeatureLayout, strategyNames, type Decision, type Strategy } from './index';

/** Feeds closes (o = h = l = c unless given) through a strategy with a position oracle. */
function drive(s: Strategy & { layout?: FeatureLayout }, bars: { c: number; h?: number; l?: number; v?: number }[], position: (i: number) => number = () => 0) {
  const fc = new FeatureComputer(new FeatureLayout(s.features));
  const inputs = new Float64Array(s.inputNames.length);
  const out: Decision[] = [];
  bars.forEach((b, i) => {
    const bar = { openTime: i * 3_600_000, open: b.c, high: b.h ?? b.c, low: b.l ?? b.c, close: b.c, volume: b.v ?? 1 };
    fc.update(bar, false);
    out.push(s.onBar(bar, fc, undefined, { time: (i + 1) * 3_600_000, exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h', barCount: i + 1, position: position(i), inputs }));
  });
  return out;
}
const kinds = (d: Decision[]) => d.map((x) => (x.kind === 'noop' ? x.reason : `${x.intent.target}`));

describe('ma-crossover', () => {
  it('goes long on the golden cross and flat on the death cross (SMA 2/3, hand-computed)', () => {
    // sma2 - sma3: bar2 -0.5, bar3 -0.5, bar4 -0.1667, bar5 +0.667 (golden), bar6 +1, bar7 +0.5, bar8 -0.667 (death)
    const closes = [10, 9, 8, 7, 8, 10, 12, 11, 9, 7].map((c) => ({ c }));
    const d = drive(createStrategy('ma-crossover', { fast: 2, slow: 3 }), closes, (i) => (i >= 6 ? 1 : 0));
    expect(kinds(d)).toEqual(['warm-up', 'warm-up', 'warm-up', 'no cross', 'no cross', 'long', 'no cross', 'no cross', 'flat', 'no cross']);
    // the intents in full, fields in wire order (constant decisions, shared by every cross)
    const long = d[5]!;
    const flat = d[8]!;
    if (long.kind !== 'intent' || flat.kind !== 'intent') throw new Error('not intents');
    expect(Object.entries(long.intent)).toEqual([['target', 'long'], ['entry', 'market'], ['reason', 'golden cross: fast above slow']]);
    expect(Object.entries(flat.intent)).toEqual([['target', 'flat'], ['entry', 'market'], ['reason', 'death cross: fast below slow']]);
  });
  it('adds an ATR stop below the close', () => {
    const closes = [10, 9, 8, 7, 8, 10].map((c) => ({ c, h: c + 1, l: c - 1 }));
    const d = drive(createStrategy('ma-crossover', { fast: 2, slow: 3, atrStop: 2, atrPeriod: 2 }), closes);
    const last = d[5];
    expect(last.kind).toBe('intent');
    // ATR(2) Wilder: TRs from bar1: 2, 2, 2, 2, 3 (bar5: h 11, l 9, prev close 8 -> 3); seed (2+2)/2=2; 2, 2, (2*1+3)/2=2.5
    if (last.kind === 'intent') expect(last.intent.stopLoss).toBe('5'); // 10 - 2 * 2.5
    if (last.kind === 'intent') expect(Object.keys(last.intent)).toEqual(['target', 'entry', 'stopLoss', 'reason']);
  });
  it('rejects bad parameters with the key named', () => {
    expect(() => createStrategy('ma-crossover', { fast: 30, slow: 10 })).toThrow(/fast \(30\) must be below slow/);
    expect(() => createStrategy('ma-crossover', { fast: 1 })).toThrow(/fast must be an integer in \[2, 200\]/);
    expect(() => createStrategy('ma-crossover', { nope: 1 })).toThrow(/unknown parameter "nope"/);
    expect(() => createStrategy('nope')).toThrow(/unknown strategy "nope"; known: ma-crossover, mean-reversion, breakout/);
  });
});

describe('mean-reversion', () => {
  it('z-score: long below -k, flat back at the mean', () => {
    // period 3, k 1: bar2 closes 10,10,7 -> mean 9, sd sqrt(2) -> z = -1.414 < -1: long
    const closes = [10, 10, 7, 8, 9.5, 10].map((c) => ({ c }));
    const d = drive(createStrategy('mean-reversion', { period: 3, k: 1, stopPct: 10 }), closes, (i) => (i >= 3 ? 1 : 0));
    expect(kinds(d)).toEqual(['warm-up', 'warm-up', 'long', 'long, below the mean', 'flat', 'flat']);
    if (d[2].kind === 'intent') expect(d[2].intent.stopLoss).toBe('6.3');
  });
  it('bollinger: close under the lower band', () => {
    const closes = [10, 10, 7, 9].map((c) => ({ c }));
    const d = drive(createStrategy('mean-reversion', { mode: 'bollinger', period: 3, k: 1, stopPct: 0 }), closes);
    expect(kinds(d).slice(2)).toEqual(['long', 'inside the band']);
  });
});

describe('breakout', () => {
  it('breaks above the previous channel, exits below the previous exit channel', () => {
    const bars = [10, 11, 10, 12, 11, 9, 8].map((c) => ({ c }));
    const d = drive(createStrategy('breakout', { period: 2, exitPeriod: 2 }), bars, (i) => (i >= 4 ? 1 : 0));
    // bar3: close 12 > max(high1, high2) = 11 -> long; bar5: close 9 < min(low3, low4) = 11 -> flat
    expect(kinds(d)).toEqual(['warm-up', 'warm-up', 'inside the channel', 'long', 'long, above the exit channel', 'flat', 'flat']);
  });
  it('volume confirmation filters a breakout on thin volume', () => {
    const bars = [10, 11, 10, 12].map((c, i) => ({ c, v: i === 3 ? 1 : 10 }));
    const d = drive(createStrategy('breakout', { period: 2, exitPeriod: 2, volumeFactor: 1 }), bars);
    expect(kinds(d)[3]).toBe('breakout without volume confirmation');
  });
});

describe('registry', () => {
  it('lists the three strategies with versioned parameters', () => {
    expect(strategyNames()).toEqual(['ma-crossover', 'mean-reversion', 'breakout']);
    const s = createStrategy('ma-crossover');
    expect(s.version).toBe('1.0.0+atrPeriod=14,atrStop=0,fast=10,ma=sma,slow=30');
    expect(s.apiVersion).toBe(1);
    expect(s.warmupBars).toBe(31);
  });
});

describe('decision ids', () => {
  it('equal core eventIdFrom over the same parts', () => {
    expect(decisionId('run-1', 'ma', 'binance', 'BTC/USDT', 1609459200000)).toBe(eventIdFrom('decision', 'run-1', 'ma', 'binance', 'BTC/USDT', 1609459200000));
  });
});
