import { parsePipelineSpec } from '@atp/backtest';
import { eventIdFrom, ManualClock } from '@atp/core';
import type { BarMatched, CandleEvent, FeatureVectorEvent, FillEvent, OrderUpdate } from '@atp/contracts';
import { toCandleEvent } from '@atp/market-data';
import { STRATEGY_INPUT, StrategyCore } from './strategy-core';

const H = 3_600_000;
const T0 = Date.UTC(2021, 0, 1);
const close = (i: number) => T0 + (i + 1) * H;
const spec = parsePipelineSpec({
  version: 1, runId: 'st', exchange: 'binance', timeframe: '1h', symbols: ['BTC/USDT', 'ETH/USDT'], initialCash: '1000',
  strategies: [{ id: 'b', strategy: 'ma-crossover', params: { fast: 2, slow: 3 } }, { id: 'a', strategy: 'ma-crossover', params: { fast: 2, slow: 4 }, symbols: ['BTC/USDT'] }],
});
const candle = (symbol: string, i: number, c: number): CandleEvent =>
  toCandleEvent({ exchange: 'binance', symbol, timeframe: '1h' }, { openTime: T0 + i * H, open: c, high: c + 1, low: c - 1, close: c, volume: 10 }, { closed: true, tsInit: 0, source: 'test' });
const marker = (symbol: string, i: number, fills = 0): BarMatched => ({
  eventId: eventIdFrom('m', symbol, i), tsEvent: close(i), tsInit: 0, source: 'execution', exchange: 'binance', symbol, kind: 'bar-matched', runId: 'st', timeframe: '1h', barTime: close(i), fills,
});
const filled = (symbol: string, coid: string): OrderUpdate => ({
  eventId: `${coid}/o1`, tsEvent: 0, tsInit: 0, source: 'execution', exchange: 'binance', symbol, kind: 'order', runId: 'st', clientOrderId: coid, strategyId: 'b', role: 'entry', status: 'filled', side: 'buy', type: 'market', quantity: '2', filledQuantity: '2',
});
const fill = (symbol: string, coid: string, i: number): FillEvent => ({
  eventId: `${coid}:0/f`, tsEvent: close(i), tsInit: 0, source: 'execution', exchange: 'binance', symbol, runId: 'st', fillId: `${coid}:0`, clientOrderId: coid, strategyId: 'b', side: 'buy', price: '100', quantity: '2', fee: '0.2', feeCurrency: 'USDT', liquidity: 'taker', role: 'entry',
});

describe('StrategyCore', () => {
  it('decides bar T of a symbol only after execution matched T, once per (strategy, symbol, T), instances in id order', () => {
    const core = new StrategyCore(spec, new ManualClock(5));
    expect(core.apply(STRATEGY_INPUT.candle, candle('BTC/USDT', 0, 100))).toEqual([]);
    const d = core.apply(STRATEGY_INPUT.orderEvent, marker('BTC/USDT', 0));
    expect(d.map((x) => [x.strategyId, x.symbol, x.decisionTime, x.kind, x.inputs['reason']])).toEqual([
      ['a', 'BTC/USDT', close(0), 'noop', 'warm-up'],
      ['b', 'BTC/USDT', close(0), 'noop', 'warm-up'],
    ]);
    expect(d[0]!.causeIds).toEqual([candle('BTC/USDT', 0, 100).eventId]);
    expect(d[0]!.tsInit).toBe(5);
    // a repeated marker or candle decides nothing again
    expect(core.apply(STRATEGY_INPUT.orderEvent, marker('BTC/USDT', 0))).toEqual([]);
    expect(core.apply(STRATEGY_INPUT.candle, candle('BTC/USDT', 0, 100))).toEqual([]);
    // ETH is traded by b only
    core.apply(STRATEGY_INPUT.candle, candle('ETH/USDT', 0, 10));
    expect(core.apply(STRATEGY_INPUT.orderEvent, marker('ETH/USDT', 0)).map((x) => x.strategyId)).toEqual(['b']);
  });

  it('decides the bars of a symbol in time order whatever order the topics deliver them in', () => {
    // Per topic, a symbol's messages keep their order (one key, one partition); across topics they race.
    const core = new StrategyCore(spec, new ManualClock(0));
    expect(core.apply(STRATEGY_INPUT.orderEvent, marker('BTC/USDT', 0))).toEqual([]); // the marker overtook its candle
    expect(core.apply(STRATEGY_INPUT.candle, candle('BTC/USDT', 0, 100)).map((x) => x.decisionTime)).toEqual([close(0), close(0)]);
    expect(core.apply(STRATEGY_INPUT.candle, candle('BTC/USDT', 1, 101))).toEqual([]);
    expect(core.apply(STRATEGY_INPUT.candle, candle('BTC/USDT', 2, 102))).toEqual([]);
    expect(core.apply(STRATEGY_INPUT.orderEvent, marker('BTC/USDT', 1)).map((x) => x.decisionTime)).toEqual([close(1), close(1)]);
    expect(core.apply(STRATEGY_INPUT.orderEvent, marker('BTC/USDT', 2)).map((x) => x.decisionTime)).toEqual([close(2), close(2)]);
  });

  it('waits for the fills a marker announces: the strategy sees its position after step 1 of T', () => {
    const core = new StrategyCore(spec, new ManualClock(0));
    core.apply(STRATEGY_INPUT.candle, candle('BTC/USDT', 0, 100));
    core.apply(STRATEGY_INPUT.orderEvent, filled('BTC/USDT', 'c1')); // a fill transition, then the marker
    expect(core.apply(STRATEGY_INPUT.orderEvent, marker('BTC/USDT', 0, 1))).toEqual([]);
    expect(core.apply(STRATEGY_INPUT.fill, fill('BTC/USDT', 'c1', 0))).toHaveLength(2);
  });

  it('joins features.v1 records in topic mode and names them as causes', () => {
    const core = new StrategyCore(spec, new ManualClock(0), { features: 'topic', only: ['b'] });
    const f: FeatureVectorEvent = {
      eventId: 'f0', tsEvent: close(0), tsInit: 0, source: 'features', exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h', openTime: T0, featureSet: 'default', featureSetVersion: 1, values: { sma_2: 100, sma_3: null }, stable: false, gapBefore: false,
    };
    core.apply(STRATEGY_INPUT.candle, candle('BTC/USDT', 0, 100));
    expect(core.apply(STRATEGY_INPUT.orderEvent, marker('BTC/USDT', 0))).toEqual([]);
    const d = core.apply(STRATEGY_INPUT.features, f);
    expect(d.map((x) => [x.strategyId, x.inputs['fast'], x.inputs['slow']])).toEqual([['b', 100, null]]);
    expect(d[0]!.causeIds).toEqual([candle('BTC/USDT', 0, 100).eventId, 'f0']);
  });
  it('waits(): a candle before execution\'s marker of its bar (and the fills it announced) waits; applying it then decides nothing', () => {
    const core = new StrategyCore(spec, new ManualClock(0));
    const c0 = candle('BTC/USDT', 0, 100);
    expect(core.waits(STRATEGY_INPUT.candle, c0)).toBe(true);
    expect(core.apply(STRATEGY_INPUT.candle, c0)).toEqual([]);
    expect(core.waits(STRATEGY_INPUT.orderEvent, marker('BTC/USDT', 0))).toBe(false);
    expect(core.apply(STRATEGY_INPUT.orderEvent, marker('BTC/USDT', 0))).toHaveLength(2);
    // The marker overtook its candle: the candle decides at once, it does not wait.
    core.apply(STRATEGY_INPUT.orderEvent, marker('BTC/USDT', 1));
    expect(core.waits(STRATEGY_INPUT.candle, candle('BTC/USDT', 1, 101))).toBe(false);
    expect(core.apply(STRATEGY_INPUT.candle, candle('BTC/USDT', 1, 101))).toHaveLength(2);
    // A marker announcing a fill not applied yet: the next candle still waits.
    core.apply(STRATEGY_INPUT.orderEvent, filled('BTC/USDT', 'c1'));
    core.apply(STRATEGY_INPUT.orderEvent, marker('BTC/USDT', 2, 1));
    expect(core.waits(STRATEGY_INPUT.candle, candle('BTC/USDT', 2, 102))).toBe(true);
    expect(core.apply(STRATEGY_INPUT.candle, candle('BTC/USDT', 2, 102))).toEqual([]);
    // Not this process's instrument, or not closed: nothing to wait for.
    expect(core.waits(STRATEGY_INPUT.candle, candle('XRP/USDT', 3, 1))).toBe(false);
    expect(core.waits(STRATEGY_INPUT.candle, { ...candle('BTC/USDT', 3, 103), closed: false })).toBe(false);
  });
});
