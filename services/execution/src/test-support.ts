// Test support (not exported from index): a one-symbol pipeline spec and hand-made candles and
// approvals for the execution core's specs.
import { parsePipelineSpec } from '@atp/backtest';
import type { CandleEvent, OrderApprovedEvent } from '@atp/contracts';
import { toCandleEvent } from '@atp/market-data';

export const H = 3_600_000;
export const T0 = Date.UTC(2021, 0, 1);
/** Run `ex`, binance BTC/USDT 1h, strategy s1 (MA crossover), 10,000 of cash. */
export const spec = parsePipelineSpec({ version: 1, runId: 'ex', exchange: 'binance', timeframe: '1h', symbols: ['BTC/USDT'], initialCash: '10000', strategies: [{ id: 's1', strategy: 'ma-crossover' }] });

/** The closed 1h candle of bar i (opening at T0 + i hours). */
export const candle = (i: number, o: number, h: number, l: number, c: number): CandleEvent =>
  toCandleEvent({ exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' }, { openTime: T0 + i * H, open: o, high: h, low: l, close: c, volume: 100 }, { closed: true, tsInit: 0, source: 'test' });

/** Bar i's close time (its decision time). */
export const close = (i: number) => T0 + (i + 1) * H;

/** Risk's approval `coid` of a market buy of 1 decided at bar `decidedAtBar`, with `over` on top. */
export function approval(coid: string, decidedAtBar: number, over: Partial<OrderApprovedEvent> = {}): OrderApprovedEvent {
  return {
    eventId: `a-${coid}`, tsEvent: close(decidedAtBar), tsInit: 0, source: 'risk', exchange: 'binance', symbol: 'BTC/USDT', runId: 'ex', decisionId: `d-${coid}`,
    clientOrderId: coid, strategyId: 's1', decisionTime: close(decidedAtBar), side: 'buy', type: 'market', quantity: '1', timeInForce: 'GTC', postOnly: false, reduceOnly: false, sizing: {}, ...over,
  };
}
