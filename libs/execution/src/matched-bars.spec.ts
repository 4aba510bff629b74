import { ManualClock } from '@atp/core';
import { defaultMarket, MatchedBarTracker, PaperExchange, type FillModel } from './index';

const H = 3_600_000;
const bar = (i: number, o: number, h: number, l: number, c: number) => ({ symbol: 'BTC/USDT', timeframe: '1h' as const, openTime: i * H, open: o, high: h, low: l, close: c, volume: 1000 });
const venue = (m: Partial<FillModel> = {}) =>
  new PaperExchange({ exchange: 'binance', runId: 't', clock: new ManualClock(0), markets: [defaultMarket('BTC/USDT')], fillModel: m, balances: { USDT: '10000' } });
const order = (coid: string, decisionTime: number) => ({ runId: 't', exchange: 'binance', symbol: 'BTC/USDT', clientOrderId: coid, strategyId: 's', decisionTime, side: 'buy' as const, type: 'market' as const, quantity: '1' });

describe('MatchedBarTracker', () => {
  it('a marker that overtakes its fills does not match the bar until they are applied', () => {
    const px = venue();
    const t = new MatchedBarTracker();
    const b0 = px.onBar(bar(0, 100, 101, 99, 100));
    for (const e of [...b0.events, b0.marker]) t.onOrderEvent(e);
    expect(t.isMatched('binance', 'BTC/USDT', H)).toBe(true); // no fills on bar 0
    px.submitNow({ ...order('c1', H), bracket: { stopLoss: '90' } });
    const b1 = px.onBar(bar(1, 101, 102, 100, 101));
    expect(b1.fills).toHaveLength(1);
    for (const e of [...b1.events, b1.marker]) t.onOrderEvent(e); // marker first (different topic than the fill)
    expect(t.isMatched('binance', 'BTC/USDT', 2 * H)).toBe(false);
    expect(t.fillsSettled('binance', 'BTC/USDT')).toBe(false);
    t.onFillApplied('binance', 'BTC/USDT');
    expect(t.isMatched('binance', 'BTC/USDT', 2 * H)).toBe(true);
    expect(t.lastMatched('binance', 'BTC/USDT')).toBe(2 * H);
    expect(t.isMatched('binance', 'ETH/USDT', 2 * H)).toBe(false);
  });

  it('counts fills that happen outside bar matching (cheat-on-close) before the next marker', () => {
    const px = venue({ marketFill: 'cheat-on-close' });
    const t = new MatchedBarTracker();
    const b0 = px.onBar(bar(0, 100, 101, 99, 100));
    for (const e of [...b0.events, b0.marker]) t.onOrderEvent(e);
    const r = px.submitNow(order('c2', H));
    expect(r.fills).toHaveLength(1); // at the close of bar 0
    for (const e of r.events) t.onOrderEvent(e);
    const b1 = px.onBar(bar(1, 101, 102, 100, 101));
    expect(b1.marker.fills).toBe(0);
    t.onOrderEvent(b1.marker);
    expect(t.isMatched('binance', 'BTC/USDT', 2 * H)).toBe(false);
    t.onFillApplied('binance', 'BTC/USDT');
    expect(t.isMatched('binance', 'BTC/USDT', 2 * H)).toBe(true);
  });
});

describe('PaperExchange.cancelAllNow', () => {
  it('returns the cancel events of every order it cancels', () => {
    const px = venue();
    px.onBar(bar(0, 100, 101, 99, 100));
    px.submitNow({ ...order('a', H), type: 'limit', limitPrice: '50' });
    px.submitNow({ ...order('b', H), type: 'limit', limitPrice: '51' });
    const r = px.cancelAllNow({ symbol: 'BTC/USDT' });
    expect(r.events.filter((e) => e.status === 'cancelled').map((e) => e.clientOrderId)).toEqual(['a', 'b']);
    expect(px.openOrders()).toEqual([]);
  });
});
