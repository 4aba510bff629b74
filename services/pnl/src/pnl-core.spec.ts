import { parsePipelineSpec, specMarkets } from '@atp/backtest';
import { ManualClock } from '@atp/core';
import type { CandleEvent } from '@atp/contracts';
import { PaperExchange } from '@atp/execution';
import { toCandleEvent } from '@atp/market-data';
import { PNL_INPUT, PnlCore } from './pnl-core';

const H = 3_600_000;
const T0 = Date.UTC(2021, 0, 1);
const close = (i: number) => T0 + (i + 1) * H;
const spec = parsePipelineSpec({ version: 1, runId: 'pl', exchange: 'binance', timeframe: '1h', symbols: ['BTC/USDT', 'ETH/USDT'], initialCash: '1000', strategies: [{ id: 's', strategy: 'ma-crossover' }] });
const candle = (symbol: string, i: number, c: number, o = c): CandleEvent =>
  toCandleEvent({ exchange: 'binance', symbol, timeframe: '1h' }, { openTime: T0 + i * H, open: o, high: Math.max(o, c) + 1, low: Math.min(o, c) - 1, close: c, volume: 10 }, { closed: true, tsInit: 0, source: 'test' });

describe('PnlCore', () => {
  it('closes bar T once every symbol is matched and its fills applied, marks at the close after the fills, emits account and strategy snapshots', async () => {
    const venue = new PaperExchange({ exchange: 'binance', runId: 'pl', clock: new ManualClock(0), markets: specMarkets(spec), balances: { USDT: '1000' } });
    const core = new PnlCore(spec, new ManualClock(7));
    const bar = (i: number, btc: [number, number], eth: number) => {
      const out = [];
      for (const [sym, c, o] of [['BTC/USDT', btc[1], btc[0]], ['ETH/USDT', eth, eth]] as const) {
        const ev = candle(sym, i, c, o);
        out.push(...core.apply(PNL_INPUT.candle, ev));
        const r = venue.onBar({ symbol: sym, timeframe: '1h', openTime: ev.openTime, open: ev.open, high: ev.high, low: ev.low, close: ev.close, volume: ev.volume });
        for (const e of [...r.events, r.marker]) out.push(...core.apply(PNL_INPUT.orderEvent, e)); // marker before the fills
        for (const f of r.fills) out.push(...core.apply(PNL_INPUT.fill, f));
      }
      return out;
    };
    expect(bar(0, [100, 100], 10).filter((o) => o.kind === 'pnl').map((o) => o.kind === 'pnl' && [o.event.strategyId, o.event.tsEvent, o.event.tsInit])).toEqual([
      ['*', close(0), 7],
      ['s', close(0), 7],
    ]);
    venue.submitNow({ runId: 'pl', exchange: 'binance', symbol: 'BTC/USDT', clientOrderId: 'c1', strategyId: 's', decisionTime: close(0), side: 'buy', type: 'market', quantity: '2' });
    const out = bar(1, [101, 110], 10); // fills at the open 101, marked at the close 110
    const account = out.find((o) => o.kind === 'pnl' && o.event.strategyId === '*');
    expect(account?.kind === 'pnl' && account.event).toMatchObject({ cash: '797.798', unrealized: '18', fees: '0.202', equity: '1017.798', positions: [expect.objectContaining({ symbol: 'BTC/USDT', quantity: '2', mark: '110' })] });
    expect(out.find((o) => o.kind === 'equity')).toEqual({ kind: 'equity', point: { time: close(1), equity: '1017.798', cash: '797.798', realized: '0', unrealized: '18', fees: '0.202', exposed: true } });
    // idempotent by fill id: a redelivered fill changes nothing
    const [fill] = await venue.fetchTrades();
    const equity = core.pnl().equity;
    core.apply(PNL_INPUT.fill, fill);
    expect(core.pnl().equity).toBe(equity);
    expect(core.portfolio.duplicateFills()).toBe(1);
  });

  it('waits for a symbol whose bar of T is not matched yet', () => {
    const core = new PnlCore(spec, new ManualClock(0));
    core.apply(PNL_INPUT.candle, candle('BTC/USDT', 0, 100));
    core.apply(PNL_INPUT.candle, candle('ETH/USDT', 0, 10));
    const m = (symbol: string) => ({ eventId: `m-${symbol}`, tsEvent: close(0), tsInit: 0, source: 'x', exchange: 'binance', symbol, kind: 'bar-matched' as const, runId: 'pl', timeframe: '1h', barTime: close(0), fills: 0 });
    expect(core.apply(PNL_INPUT.orderEvent, m('BTC/USDT'))).toEqual([]);
    expect(core.apply(PNL_INPUT.orderEvent, m('ETH/USDT')).length).toBe(3);
    expect(core.processedUpTo).toBe(close(0));
  });
  it('waits(): a candle before execution\'s marker of its bar waits; applying it then closes nothing', () => {
    const core = new PnlCore(spec, new ManualClock(0));
    const m = (symbol: string, i: number) => ({ eventId: `m-${symbol}-${i}`, tsEvent: close(i), tsInit: 0, source: 'x', exchange: 'binance', symbol, kind: 'bar-matched' as const, runId: 'pl', timeframe: '1h', barTime: close(i), fills: 0 });
    for (const sym of ['BTC/USDT', 'ETH/USDT']) {
      expect(core.waits(PNL_INPUT.candle, candle(sym, 0, 100))).toBe(true);
      expect(core.apply(PNL_INPUT.candle, candle(sym, 0, 100))).toEqual([]);
    }
    expect(core.waits(PNL_INPUT.orderEvent, m('BTC/USDT', 0))).toBe(false);
    core.apply(PNL_INPUT.orderEvent, m('BTC/USDT', 0));
    expect(core.apply(PNL_INPUT.orderEvent, m('ETH/USDT', 0))).toHaveLength(3);
    // The marker came first: the candle does not wait (it closes the bar).
    core.apply(PNL_INPUT.orderEvent, m('BTC/USDT', 1));
    core.apply(PNL_INPUT.orderEvent, m('ETH/USDT', 1));
    expect(core.waits(PNL_INPUT.candle, candle('BTC/USDT', 1, 101))).toBe(false);
    expect(core.apply(PNL_INPUT.candle, candle('BTC/USDT', 1, 101))).toEqual([]);
    expect(core.waits(PNL_INPUT.candle, candle('ETH/USDT', 1, 11))).toBe(false);
    expect(core.apply(PNL_INPUT.candle, candle('ETH/USDT', 1, 11))).toHaveLength(3);
  });
});
