import { Dec } from '@atp/core';
import type { OrderIntent } from '@atp/contracts';
import { noop, STRATEGY_API_VERSION, type Decision, type Strategy } from '@atp/strategies';
import { toCandleEvent } from '@atp/market-data';
import { candleEventId, decisionEvents, fixedFractionRisk, libRisk, registeredStrategy, runBacktest, seriesFromRows, sliceSeries, syntheticSeries, type BarSeries, type StrategyEntry } from './index';

const H = 3_600_000;
const T0 = 1_609_459_200_000; // 2021-01-01T00:00Z

/** A strategy that plays a script: intent at bar index i (0-based), else a no-op. */
function scripted(id: string, script: Record<number, Partial<OrderIntent>>): StrategyEntry {
  const idle = noop('idle');
  return {
    id,
    create: (): Strategy => {
      let i = -1;
      return {
        apiVersion: STRATEGY_API_VERSION,
        id,
        name: 'scripted',
        version: '1',
        params: {},
        warmupBars: 0,
        features: [],
        inputNames: ['close'],
        onBar(c, _f, _s, ctx): Decision {
          i++;
          ctx.inputs[0] = c.close;
          const s = script[i];
          return s ? { kind: 'intent', intent: { target: 'long', entry: 'market', reason: `script ${i}`, ...s } } : idle;
        },
      };
    },
  };
}

const rows = (bars: number[][]) => bars.map((b, i) => [T0 + i * H, ...b]);

describe('event sequence, fills and P&L by hand', () => {
  // bar:       open  high  low   close  volume
  const bars = rows([
    [100, 101, 99, 100, 10], // 0: decide long (market, SL 95, TP 110)
    [101, 103, 100, 102, 10], // 1: entry fills at the open 101; SL not reached
    [102, 111, 101, 108, 10], // 2: TP 110 reached (high 111) -> sells at 110
    [108, 109, 104, 105, 10], // 3: decide long again, no bracket
    [104, 106, 103, 105, 10], // 4: entry at 104; decide flat
    [107, 108, 106, 107, 10], // 5: exit at the open 107
  ]);
  const series = seriesFromRows('binance', 'BTC/USDT', '1h', bars);
  const run = () =>
    runBacktest(
      {
        runId: 'hand',
        strategies: [scripted('s1', { 0: { stopLoss: '95', takeProfit: '110' }, 3: {}, 4: { target: 'flat' } })],
        initialCash: '1000',
        risk: fixedFractionRisk({ quantity: '2' }),
        checkIdentity: true,
      },
      [series],
    );

  it('fills at the next open, takes profit at the limit, and books exact P&L', () => {
    const r = run();
    expect(r.fills.map((f) => [f.tsEvent - T0, f.role, f.side, f.price, f.quantity, f.fee])).toEqual([
      [2 * H, 'entry', 'buy', '101', '2', '0.202'], // 202 notional, 0.1%
      [3 * H, 'take-profit', 'sell', '110', '2', '0.22'],
      [5 * H, 'entry', 'buy', '104', '2', '0.208'],
      [6 * H, 'exit', 'sell', '107', '2', '0.214'],
    ]);
    // trade 1: (110-101)*2 = 18 gross, fees 0.422 -> 17.578; trade 2: (107-104)*2 = 6, fees 0.422 -> 5.578
    expect(r.roundTrips.map((t) => [t.grossPnl, t.fees, t.netPnl])).toEqual([
      ['18', '0.422', '17.578'],
      ['6', '0.422', '5.578'],
    ]);
    // equity = 1000 + 24 - 0.844 = 1023.156
    expect(r.final).toMatchObject({ realized: '24', fees: '0.844', unrealized: '0', equity: '1023.156', cash: '1023.156' });
    expect(r.equity.equity[r.equity.equity.length - 1]).toBe(1023.156);
    // equity marked at each close: bar 1 close 102 with 2 held: 1000 - 202.202 + 204 = 1001.798
    expect(r.equity.equity[1]).toBeCloseTo(1001.798, 9);
  });

  it('records one decision per (strategy, symbol, bar) and the ids are deterministic', () => {
    const a = run();
    const b = run();
    expect(a.decisions[0].count).toBe(6);
    const evs = a.decisions[0].toEvents('hand', () => 'c');
    expect(evs.map((e) => e.kind)).toEqual(['intent', 'noop', 'noop', 'intent', 'intent', 'noop']);
    expect(evs[1].inputs).toEqual({ close: 102, reason: 'idle' });
    expect(a.approved.map((x) => x.clientOrderId)).toEqual(b.approved.map((x) => x.clientOrderId));
    expect(a.fills.map((f) => f.fillId)).toEqual(b.fills.map((f) => f.fillId));
    expect(a.orderEvents.map((e) => e.eventId)).toEqual(b.orderEvents.map((e) => e.eventId));
    expect(JSON.stringify(a.fills)).toBe(JSON.stringify(b.fills));
  });

  it('decision records are caused by the md.candles.v1 event of their bar', () => {
    const r = run();
    const evs = decisionEvents(r);
    expect(evs).toHaveLength(6);
    const c = toCandleEvent({ exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' }, { openTime: T0, open: 100, high: 101, low: 99, close: 100, volume: 10 }, { closed: true, tsInit: 0, source: 't' });
    expect(evs[0].causeIds).toEqual([c.eventId]);
    expect(candleEventId('binance', 'BTC/USDT', '1h', T0)).toBe(c.eventId);
    expect(evs[0]).toMatchObject({ kind: 'intent', decisionTime: T0 + H, tsEvent: T0 + H, strategyId: 's1', intent: { target: 'long', stopLoss: '95', takeProfit: '110' } });
  });

  it('cheat-on-close fills at the close of the decision bar', () => {
    const r = runBacktest(
      { runId: 'coc', strategies: [scripted('s1', { 0: {} })], initialCash: '1000', risk: fixedFractionRisk({ quantity: '1' }), fillModel: { marketFill: 'cheat-on-close' } },
      [series],
    );
    expect(r.fills.map((f) => [f.tsEvent - T0, f.price])).toEqual([[H, '100']]);
  });

  it('rejects what risk refuses, with a code', () => {
    const r = runBacktest({ runId: 'rej', strategies: [scripted('s1', { 1: { target: 'flat' }, 2: { target: 'short' } })], initialCash: '1000' }, [series]);
    expect(r.rejected.map((x) => x.code)).toEqual(['NO_POSITION', 'SHORT_NOT_ALLOWED']);
  });
});

describe('gaps, progress and the trading window', () => {
  it('flags the first bar after missing bars in the features', () => {
    const gaps: boolean[] = [];
    const entry: StrategyEntry = { id: 'g', create: () => ({ ...scripted('g', {}).create('x'), onBar: (_c, f) => (gaps.push(f.gapBefore), noop('x')) }) };
    const s = seriesFromRows('binance', 'BTC/USDT', '1h', [[T0, 1, 1, 1, 1, 1], [T0 + H, 1, 1, 1, 1, 1], [T0 + 4 * H, 1, 1, 1, 1, 1], [T0 + 5 * H, 1, 1, 1, 1, 1]]);
    runBacktest({ runId: 'gap', strategies: [entry], initialCash: '1' }, [s]);
    expect(gaps).toEqual([false, false, true, false]);
  });
  it('reports progress in bars and trades only from tradeFrom', () => {
    const s = syntheticSeries(1000, 3);
    const seen: number[] = [];
    const r = runBacktest(
      { runId: 'pw', strategies: [scripted('w', { 10: {}, 600: {} })], initialCash: '1000', risk: fixedFractionRisk({ quantity: '1' }), onProgress: (p) => seen.push(p.done), progressEvery: 250, tradeFrom: s.openTime[500] + H },
      [s],
    );
    expect(seen).toEqual([250, 500, 750, 1000, 1000]);
    expect(r.decisions[0].decisionAt(10)).toEqual({ kind: 'noop', reason: 'before the trading window' });
    expect(r.approved.map((a) => a.decisionTime)).toEqual([s.openTime[600] + H]);
    expect(r.metrics.bars.periods).toBe(500);
  });
});

describe('signals', () => {
  it('joins the signal of (symbol, T) with the bar of T', () => {
    const seen: (number | undefined)[] = [];
    const entry: StrategyEntry = {
      id: 'sig',
      create: () => ({ ...scripted('sig', {}).create('x'), onBar: (_c, _f, sig) => (seen.push(sig?.score), noop('x')) }),
    };
    const s = seriesFromRows('binance', 'BTC/USDT', '1h', rows([[1, 1, 1, 1, 1], [1, 1, 1, 1, 1]]));
    runBacktest({ runId: 'sg', strategies: [entry], initialCash: '1', signals: (_sym, t) => (t === T0 + 2 * H ? { score: 0.5, probabilities: {}, model: 'm' } : undefined) }, [s]);
    expect(seen).toEqual([undefined, 0.5]);
  });
});

describe('multi-symbol alignment', () => {
  it('time-aligns symbols by event time and decides per (strategy, symbol)', () => {
    const a = seriesFromRows('binance', 'AAA/USDT', '1h', rows([[1, 1, 1, 1, 1], [1, 1, 1, 1, 1], [1, 1, 1, 1, 1]]));
    // BBB starts one bar later and misses the bar after (a gap)
    const b = seriesFromRows('binance', 'BBB/USDT', '1h', [[T0 + H, 2, 2, 2, 2, 1], [T0 + 3 * H, 2, 2, 2, 2, 1]]);
    const r = runBacktest({ runId: 'm', strategies: [scripted('z', {}), scripted('a', {})], initialCash: '1000' }, [b, a]);
    expect(r.eventTimes).toBe(4);
    expect(r.equity.times.length).toBe(4);
    expect(r.decisions.map((d) => `${d.strategy.id}:${d.symbol}:${d.count}`)).toEqual(['a:AAA/USDT:3', 'a:BBB/USDT:2', 'z:AAA/USDT:3', 'z:BBB/USDT:2']);
  });
});

/** Random OHLCV rows from a seed (xorshift), with occasional gaps. */
function randomSeries(seed: number, n: number): BarSeries {
  const s = syntheticSeries(n, seed, { symbol: 'BTC/USDT', vol: 0.03 });
  return s;
}

/** A strategy making seeded random decisions with every kind of protective level. */
function randomStrategy(seed: number): StrategyEntry {
  return {
    id: 'rnd',
    create: (): Strategy => {
      let x = seed >>> 0 || 1;
      const rnd = () => {
        x ^= x << 13;
        x >>>= 0;
        x ^= x >>> 17;
        x ^= x << 5;
        x >>>= 0;
        return x / 4294967296;
      };
      const idle = noop('idle');
      return {
        apiVersion: STRATEGY_API_VERSION,
        id: 'rnd',
        name: 'random',
        version: '1',
        params: {},
        warmupBars: 0,
        features: ['sma:5'],
        inputNames: ['close'],
        onBar(c, _f, _s, ctx): Decision {
          ctx.inputs[0] = c.close;
          const u = rnd();
          if (u < 0.08 && ctx.position === 0) {
            const v = rnd();
            return {
              kind: 'intent',
              intent: {
                target: 'long',
                entry: v < 0.3 ? 'limit' : 'market',
                ...(v < 0.3 ? { limitPrice: (c.close * 0.995).toFixed(2) } : {}),
                ...(rnd() < 0.6 ? { stopLoss: (c.close * 0.97).toFixed(2) } : {}),
                ...(rnd() < 0.6 ? { takeProfit: (c.close * 1.03).toFixed(2) } : {}),
                ...(rnd() < 0.4 ? { trailingStopPct: 2 } : {}),
                reason: 'dice',
              },
            };
          }
          if (u > 0.93 && ctx.position > 0) return { kind: 'intent', intent: { target: 'flat', entry: 'market', reason: 'dice' } };
          return idle;
        },
      };
    },
  };
}

describe('properties on seeded random bars', () => {
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: equity identity at every fill and at the end; fills inside their bar`, () => {
      const s = randomSeries(seed, 600);
      const r = runBacktest(
        { runId: `p${seed}`, strategies: [randomStrategy(seed)], initialCash: '10000', fillModel: { participationPct: 50 }, checkIdentity: true },
        [s],
      );
      expect(r.fills.length).toBeGreaterThan(20);
      for (const e of r.ledger) {
        // every ledger entry: equity = initial + realized + unrealized - fees, exactly
        expect(new Dec(10000).plus(e.realized).plus(e.unrealized).minus(e.fees).toFixed()).toBe(new Dec(e.equity).toFixed());
      }
      const f = r.final;
      expect(new Dec(f.initialCash).plus(f.realized).plus(f.unrealized).minus(f.fees).eq(f.equity)).toBe(true);
      const byTime = new Map<number, number>();
      for (let i = 0; i < s.openTime.length; i++) byTime.set(s.openTime[i] + H, i);
      for (const fill of r.fills) {
        const i = byTime.get(fill.tsEvent)!;
        expect(Number(fill.price)).toBeGreaterThanOrEqual(s.low[i]);
        expect(Number(fill.price)).toBeLessThanOrEqual(s.high[i]);
      }
    });
  }

  it('changing bars after t never changes decisions at or before t', () => {
    const full = randomSeries(9, 500);
    const cut = 300;
    const altered = { ...full, open: full.open.slice(), high: full.high.slice(), low: full.low.slice(), close: full.close.slice(), volume: full.volume.slice() };
    for (let i = cut; i < 500; i++) {
      altered.close[i] *= 1.5;
      altered.high[i] *= 1.6;
      altered.open[i] *= 1.4;
    }
    const strategies = [registeredStrategy('ma-crossover', { fast: 5, slow: 20, atrStop: 2 }), registeredStrategy('breakout', { period: 10, exitPeriod: 5 }), registeredStrategy('mean-reversion', { period: 10, k: 1 })];
    const a = runBacktest({ runId: 'la', strategies, initialCash: '10000' }, [full]);
    const b = runBacktest({ runId: 'la', strategies, initialCash: '10000' }, [altered]);
    const c = runBacktest({ runId: 'la', strategies, initialCash: '10000' }, [sliceSeries(full, 0, cut)]);
    for (let k = 0; k < a.decisions.length; k++) {
      const ea = a.decisions[k].toEvents('la', () => 'x', 0, cut);
      expect(b.decisions[k].toEvents('la', () => 'x', 0, cut)).toEqual(ea);
      expect(c.decisions[k].toEvents('la', () => 'x', 0, cut)).toEqual(ea);
    }
    const tCut = full.openTime[cut - 1] + H;
    expect(b.fills.filter((f) => f.tsEvent <= tCut)).toEqual(a.fills.filter((f) => f.tsEvent <= tCut));
  });
});

describe('deferred approvals', () => {
  it('a risk port with decideDeferred gives the same run as its decide alone (approved events and rejection ids made on read)', () => {
    const strategies = [registeredStrategy('ma-crossover', { fast: 5, slow: 20, atrStop: 2 }), registeredStrategy('breakout', { period: 10, exitPeriod: 5 }), registeredStrategy('mean-reversion', { period: 10, k: 1 }), randomStrategy(5)];
    const series = [randomSeries(11, 400), { ...randomSeries(12, 400), symbol: 'ETH/USDT' }];
    const deferred = libRisk({ limits: { sizing: { method: 'fixed-notional', notional: '2000' }, maxPositionNotional: '2500' } });
    expect(deferred.decideDeferred).toBeDefined();
    const plain = libRisk({ limits: { sizing: { method: 'fixed-notional', notional: '2000' }, maxPositionNotional: '2500' } });
    const a = runBacktest({ runId: 'dv', strategies, initialCash: '10000', risk: deferred }, series);
    const b = runBacktest({ runId: 'dv', strategies, initialCash: '10000', risk: { decide: (r) => plain.decide(r) } }, series);
    expect(a.approved.length).toBeGreaterThan(10);
    expect(a.rejected.length).toBeGreaterThan(0);
    expect(Object.keys(a)).toEqual(Object.keys(b));
    expect(JSON.stringify(a.approved)).toBe(JSON.stringify(b.approved));
    expect(a.approved).toBe(a.approved); // made once
    expect(a.rejected).toBe(a.rejected);
    expect(a.rejected.every((e) => e.decisionId.length === 32 && e.eventId.length > 0)).toBe(true);
    expect(JSON.stringify(a.rejected)).toBe(JSON.stringify(b.rejected));
    expect(JSON.stringify({ ...a, decisions: undefined })).toBe(JSON.stringify({ ...b, decisions: undefined }));
  });
});
