import { parsePipelineSpec } from '@atp/backtest';
import { ManualClock } from '@atp/core';
import type { CandleEvent, OrderApprovedEvent, OrderUpdate } from '@atp/contracts';
import { toCandleEvent } from '@atp/market-data';
import { EXEC_INPUT, ExecutionCore, type ExecutionOutput } from './execution-core';

const H = 3_600_000;
const T0 = Date.UTC(2021, 0, 1);
const spec = parsePipelineSpec({ version: 1, runId: 'ex', exchange: 'binance', timeframe: '1h', symbols: ['BTC/USDT'], initialCash: '10000', strategies: [{ id: 's1', strategy: 'ma-crossover' }] });

const candle = (i: number, o: number, h: number, l: number, c: number): CandleEvent =>
  toCandleEvent({ exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' }, { openTime: T0 + i * H, open: o, high: h, low: l, close: c, volume: 100 }, { closed: true, tsInit: 0, source: 'test' });
const close = (i: number) => T0 + (i + 1) * H;

function approval(coid: string, decidedAtBar: number, over: Partial<OrderApprovedEvent> = {}): OrderApprovedEvent {
  return {
    eventId: `a-${coid}`, tsEvent: close(decidedAtBar), tsInit: 0, source: 'risk', exchange: 'binance', symbol: 'BTC/USDT', runId: 'ex', decisionId: `d-${coid}`,
    clientOrderId: coid, strategyId: 's1', decisionTime: close(decidedAtBar), side: 'buy', type: 'market', quantity: '1', timeInForce: 'GTC', postOnly: false, reduceOnly: false, sizing: {}, ...over,
  };
}

const fills = (o: ExecutionOutput[]) => o.flatMap((x) => (x.kind === 'fill' ? [x.fill] : []));
const updates = (o: ExecutionOutput[]) => o.flatMap((x) => (x.kind === 'order' && x.event.kind === 'order' ? [x.event as OrderUpdate] : []));
const markers = (o: ExecutionOutput[]) => o.flatMap((x) => (x.kind === 'order' && x.event.kind === 'bar-matched' ? [x.event] : []));

describe('ExecutionCore (paper venue behind the gateway port)', () => {
  it('matches by event time: an order decided at T fills at the open of the first bar after T, then the marker counts it', () => {
    const core = new ExecutionCore(spec, new ManualClock(0));
    expect(markers(core.apply(EXEC_INPUT.candle, candle(0, 100, 101, 99, 100), false))).toEqual([expect.objectContaining({ barTime: close(0), fills: 0 })]);
    const sub = core.apply(EXEC_INPUT.approval, approval('c1', 0, { bracket: { stopLoss: '90' } }), false);
    expect(updates(sub).map((u) => u.status)).toEqual(['acknowledged']);
    expect(sub).toContainEqual({ kind: 'submitted', clientOrderId: 'c1', decisionTime: close(0) });
    const out = core.apply(EXEC_INPUT.candle, candle(1, 102, 103, 101, 102), false);
    expect(fills(out)).toEqual([expect.objectContaining({ fillId: 'c1:0', price: '102', quantity: '1', fee: '0.102', tsEvent: close(1) })]);
    expect(markers(out)).toEqual([expect.objectContaining({ barTime: close(1), fills: 1 })]);
    expect(out[out.length - 1]!.kind === 'order' && out[out.length - 1]!.kind).toBeTruthy(); // the marker comes last
    // the stop loss was armed by the fill; a bar through it fills the stop at the stop price
    const stop = core.apply(EXEC_INPUT.candle, candle(2, 95, 96, 89, 90), false);
    expect(fills(stop)).toEqual([expect.objectContaining({ role: 'stop-loss', price: '90', side: 'sell' })]);
  });

  it('an approval arriving after later bars were matched still fills on the first bar after its decision time', () => {
    const core = new ExecutionCore(spec, new ManualClock(0));
    core.apply(EXEC_INPUT.candle, candle(0, 100, 101, 99, 100), false);
    core.apply(EXEC_INPUT.candle, candle(1, 104, 105, 103, 104), false);
    core.apply(EXEC_INPUT.candle, candle(2, 108, 109, 107, 108), false);
    const late = core.apply(EXEC_INPUT.approval, approval('late', 0), false);
    expect(fills(late)).toEqual([expect.objectContaining({ price: '104', tsEvent: close(1) })]);
  });

  it('never submits a client order id twice and ignores old or repeated candles', () => {
    const core = new ExecutionCore(spec, new ManualClock(0));
    core.apply(EXEC_INPUT.candle, candle(0, 100, 101, 99, 100), false);
    core.apply(EXEC_INPUT.approval, approval('c1', 0), false);
    expect(core.apply(EXEC_INPUT.approval, approval('c1', 0), false)).toEqual([]);
    expect(core.apply(EXEC_INPUT.candle, candle(0, 100, 101, 99, 100), false)).toEqual([]);
    expect(core.venue.openOrders()).toHaveLength(1);
  });

  it('obeys cancel and cancel-all commands and cancels working orders on shutdown', () => {
    const core = new ExecutionCore(spec, new ManualClock(0));
    core.apply(EXEC_INPUT.candle, candle(0, 100, 101, 99, 100), false);
    core.apply(EXEC_INPUT.approval, approval('l1', 0, { type: 'limit', limitPrice: '80' }), false);
    core.apply(EXEC_INPUT.approval, approval('l2', 0, { type: 'limit', limitPrice: '81' }), false);
    core.apply(EXEC_INPUT.approval, approval('l3', 0, { type: 'limit', limitPrice: '82', strategyId: 's2' }), false);
    const cmd = { eventId: 'k1', tsEvent: close(0), tsInit: 0, source: 'test', commandId: 'k1', kind: 'cancel' as const, clientOrderId: 'l1', reason: 'test', actor: 'gateway:ops' };
    expect(updates(core.apply(EXEC_INPUT.command, cmd, false)).map((u) => [u.clientOrderId, u.status])).toEqual([['l1', 'cancel-requested'], ['l1', 'cancelled']]);
    const all = core.apply(EXEC_INPUT.command, { ...cmd, eventId: 'k2', commandId: 'k2', kind: 'cancel-all', clientOrderId: undefined, symbol: 'BTC/USDT', strategyId: 's1' }, false);
    expect(updates(all).filter((u) => u.status === 'cancelled').map((u) => u.clientOrderId)).toEqual(['l2']);
    expect(core.venue.openOrders().map((o) => o.clientOrderId)).toEqual(['l3']);
    expect(updates(core.apply(EXEC_INPUT.shutdown, {}, false)).filter((u) => u.status === 'cancelled').map((u) => u.clientOrderId)).toEqual(['l3']);
  });

  it('a journal replay rebuilds the venue exactly, without recording submissions again', () => {
    const inputs: [string, unknown][] = [
      [EXEC_INPUT.candle, candle(0, 100, 101, 99, 100)],
      [EXEC_INPUT.approval, approval('c1', 0, { bracket: { stopLoss: '95', takeProfit: '110' } })],
      [EXEC_INPUT.candle, candle(1, 101, 102, 100, 101)],
    ];
    const live = new ExecutionCore(spec, new ManualClock(0));
    const replayed = new ExecutionCore(spec, new ManualClock(0));
    const a = inputs.flatMap(([k, v]) => live.apply(k, v, false));
    const b = inputs.flatMap(([k, v]) => replayed.apply(k, v, true));
    expect(b).toEqual(a.filter((o) => o.kind !== 'submitted'));
    expect(replayed.venue.openOrders()).toEqual(live.venue.openOrders());
  });
});
