import { ManualClock } from '@atp/core';
import { defaultMarket, PaperExchange, type FillModel, type MarketSpec, type SubmitOrder } from './index';

// Hand-computed scenarios: every expected number below is worked out by hand in the comment
// beside it from ARCHITECTURE.md's fill model (no outside tool needed for this arithmetic).

const H = 3_600_000;
/** Event time (close) of the bar with index i: bar i opens at i*H. */
const T = (i: number) => (i + 1) * H;

function venue(model: Partial<FillModel> = {}, market: Partial<MarketSpec> = {}) {
  return new PaperExchange({
    exchange: 'binance',
    runId: 'test',
    clock: new ManualClock(0),
    markets: [defaultMarket('BTC/USDT', market)],
    fillModel: model,
    balances: { USDT: '10000' },
  });
}

function bar(i: number, o: number, h: number, l: number, c: number, v = 1000) {
  return { symbol: 'BTC/USDT', timeframe: '1h' as const, openTime: i * H, open: o, high: h, low: l, close: c, volume: v };
}

let n = 0;
function order(over: Partial<SubmitOrder>): SubmitOrder {
  return {
    runId: 'test',
    exchange: 'binance',
    symbol: 'BTC/USDT',
    clientOrderId: `c${n++}`,
    strategyId: 's1',
    decisionTime: T(0),
    side: 'buy',
    type: 'market',
    quantity: '1',
    ...over,
  };
}

const fills = (r: { fills: readonly { price: string; quantity: string; fee: string; role: string; liquidity: string }[] }) =>
  r.fills.map((f) => [f.role, f.price, f.quantity, f.fee, f.liquidity]);

describe('market orders', () => {
  it('decided at T fill at the open of T+1 with the taker fee', () => {
    const x = venue();
    x.onBar(bar(0, 90, 95, 85, 92));
    const r = x.submitNow(order({ quantity: '0.5' }));
    expect(r.fills).toEqual([]);
    expect(r.events.map((e) => e.status)).toEqual(['acknowledged']);
    const m = x.onBar(bar(1, 100, 110, 95, 105));
    // 100 * 0.5 = 50 notional; fee 0.1% = 0.05
    expect(fills(m)).toEqual([['entry', '100', '0.5', '0.05', 'taker']]);
    expect(m.events.map((e) => e.status)).toEqual(['filled']);
    expect(m.marker).toMatchObject({ kind: 'bar-matched', barTime: T(1), fills: 1 });
    expect(m.fills[0].tsEvent).toBe(T(1));
    expect(m.fills[0].fillId).toBe(`${m.fills[0].clientOrderId}:0`);
  });

  it('cheat-on-close fills at the close of T at once', () => {
    const x = venue({ marketFill: 'cheat-on-close' });
    x.onBar(bar(0, 90, 95, 85, 102));
    const r = x.submitNow(order({ quantity: '0.5' }));
    // 102 * 0.5 = 51; fee 0.051
    expect(fills(r)).toEqual([['entry', '102', '0.5', '0.051', 'taker']]);
  });

  it('an order decided at T fills on the first bar after T even when it arrives late', () => {
    const x = venue();
    x.onBar(bar(0, 90, 95, 85, 92));
    x.onBar(bar(1, 100, 110, 95, 105));
    x.onBar(bar(2, 120, 125, 115, 121));
    const r = x.submitNow(order({ decisionTime: T(0) }));
    expect(fills(r)).toEqual([['entry', '100', '1', '0.1', 'taker']]);
    expect(r.fills[0].tsEvent).toBe(T(1));
  });

  it('slippage: fixed bps against the trader, rounded against the trader to the price precision', () => {
    const x = venue({ slippageBps: 10 }, { pricePlaces: 2 });
    x.onBar(bar(0, 90, 95, 85, 92));
    x.submitNow(order({ side: 'buy' }));
    x.submitNow(order({ side: 'sell' }));
    const m = x.onBar(bar(1, 100.123, 110, 95, 105));
    // buy: 100.123 * 1.001 = 100.223123 -> up to 100.23; fee 0.10023 -> 0.10023
    // sell: 100.123 * 0.999 = 100.022877 -> down to 100.02; fee 0.10002
    expect(fills(m)).toEqual([
      ['entry', '100.23', '1', '0.10023', 'taker'],
      ['entry', '100.02', '1', '0.10002', 'taker'],
    ]);
  });

  it('fees are rounded to the quote precision half away from zero', () => {
    const x = venue({}, { quotePlaces: 4 });
    x.onBar(bar(0, 12, 13, 11, 12.5));
    x.submitNow(order({ quantity: '0.1' }));
    const m = x.onBar(bar(1, 12.5, 13, 12, 12.7));
    // 12.5 * 0.1 = 1.25; 0.1% = 0.00125 -> 4 places half away from zero = 0.0013
    expect(fills(m)).toEqual([['entry', '12.5', '0.1', '0.0013', 'taker']]);
  });
});

describe('limit orders', () => {
  it('a buy fills only when the low goes strictly below the limit, at the limit, maker fee', () => {
    const x = venue();
    x.onBar(bar(0, 100, 101, 99, 100));
    x.submitNow(order({ type: 'limit', limitPrice: '96' }));
    expect(x.onBar(bar(1, 100, 101, 96, 98)).fills).toEqual([]); // touch only
    // 96 * 1 = 96; maker 0.1% = 0.096
    expect(fills(x.onBar(bar(2, 100, 101, 95.5, 98)))).toEqual([['entry', '96', '1', '0.096', 'maker']]);
  });
  it('touch fills are an option', () => {
    const x = venue({ touchFills: true });
    x.onBar(bar(0, 100, 101, 99, 100));
    x.submitNow(order({ type: 'limit', limitPrice: '96' }));
    expect(fills(x.onBar(bar(1, 100, 101, 96, 98)))).toEqual([['entry', '96', '1', '0.096', 'maker']]);
  });
  it('a buy fills at the open when the bar opens below the limit', () => {
    const x = venue();
    x.onBar(bar(0, 100, 101, 99, 100));
    x.submitNow(order({ type: 'limit', limitPrice: '96' }));
    expect(fills(x.onBar(bar(1, 94, 97, 93, 95)))).toEqual([['entry', '94', '1', '0.094', 'maker']]);
  });
  it('sells mirror: above the limit strictly, or at a higher open', () => {
    const x = venue();
    x.onBar(bar(0, 100, 101, 99, 100));
    x.submitNow(order({ side: 'sell', type: 'limit', limitPrice: '104' }));
    x.submitNow(order({ side: 'sell', type: 'limit', limitPrice: '103' }));
    const m = x.onBar(bar(1, 102, 104, 101, 103));
    expect(fills(m)).toEqual([['entry', '103', '1', '0.103', 'maker']]); // 104 only touched
    expect(fills(x.onBar(bar(2, 106, 107, 105, 106)))).toEqual([['entry', '106', '1', '0.106', 'maker']]);
  });
});

describe('stop orders', () => {
  it('trigger when the bar reaches the stop and fill at the stop', () => {
    const x = venue();
    x.onBar(bar(0, 100, 101, 99, 100));
    x.submitNow(order({ type: 'stop', stopPrice: '105' }));
    x.submitNow(order({ side: 'sell', type: 'stop', stopPrice: '95' }));
    expect(fills(x.onBar(bar(1, 100, 105, 95, 100)))).toEqual([
      ['entry', '105', '1', '0.105', 'taker'],
      ['entry', '95', '1', '0.095', 'taker'],
    ]);
  });
  it('fill at the open when the bar gaps through, with slippage against the trader', () => {
    const x = venue({ slippageBps: 20 });
    x.onBar(bar(0, 100, 101, 99, 100));
    x.submitNow(order({ type: 'stop', stopPrice: '105' }));
    // gap up: open 107 > 105 -> 107 * 1.002 = 107.214; fee 0.107214
    expect(fills(x.onBar(bar(1, 107, 108, 106, 107)))).toEqual([['entry', '107.214', '1', '0.107214', 'taker']]);
  });
});

describe('brackets', () => {
  const entry = (x: PaperExchange, over: Partial<SubmitOrder> = {}) =>
    x.submitNow(order({ bracket: { stopLoss: '98', takeProfit: '102' }, ...over }));

  it('on the entry bar only the stop loss is checked (take profit reached but ignored)', () => {
    const x = venue();
    x.onBar(bar(0, 100, 101, 99, 100));
    entry(x);
    const m = x.onBar(bar(1, 100, 103, 99, 101)); // high 103 > TP 102, low 99 > SL 98
    expect(fills(m)).toEqual([['entry', '100', '1', '0.1', 'taker']]);
    expect(m.events.map((e) => `${e.role}:${e.status}`)).toEqual(['entry:filled', 'stop-loss:acknowledged', 'take-profit:acknowledged']);
    // next bar: TP through -> 102 at maker fee, stop loss cancelled (position closed)
    const m2 = x.onBar(bar(2, 101, 102.5, 99.5, 102));
    expect(fills(m2)).toEqual([['take-profit', '102', '1', '0.102', 'maker']]);
    expect(m2.events.map((e) => `${e.role}:${e.status}`)).toEqual(['take-profit:filled', 'stop-loss:cancel-requested', 'stop-loss:cancelled']);
    expect(x.openOrders()).toEqual([]);
  });

  it('the stop loss can fill on the entry bar', () => {
    const x = venue();
    x.onBar(bar(0, 100, 101, 99, 100));
    entry(x);
    const m = x.onBar(bar(1, 100, 103, 97, 99));
    expect(fills(m)).toEqual([
      ['entry', '100', '1', '0.1', 'taker'],
      ['stop-loss', '98', '1', '0.098', 'taker'],
    ]);
  });

  it('a later bar reaching both: the stop loss is assumed first', () => {
    const x = venue();
    x.onBar(bar(0, 100, 101, 99, 100));
    entry(x);
    x.onBar(bar(1, 100, 101, 99, 100));
    const m = x.onBar(bar(2, 100, 103, 97, 100));
    expect(fills(m)).toEqual([['stop-loss', '98', '1', '0.098', 'taker']]);
    expect(m.events.find((e) => e.role === 'take-profit' && e.status === 'cancelled')?.reason).toMatch(/oco/);
  });

  it('a gap through the stop loss fills at the open', () => {
    const x = venue();
    x.onBar(bar(0, 100, 101, 99, 100));
    entry(x);
    x.onBar(bar(1, 100, 101, 99, 100));
    expect(fills(x.onBar(bar(2, 96, 97, 95, 96)))).toEqual([['stop-loss', '96', '1', '0.096', 'taker']]);
  });

  it('trailing levels move at the close of T and apply from T+1', () => {
    const x = venue();
    x.onBar(bar(0, 100, 101, 99, 100));
    x.submitNow(order({ bracket: { trailingStopPct: 5 } }));
    // entry at 100 -> initial level 95 (not checked on the entry bar); close 110 -> level 104.5 from bar 2
    expect(fills(x.onBar(bar(1, 100, 111, 96, 110)))).toEqual([['entry', '100', '1', '0.1', 'taker']]);
    // bar 2 low 105 > 104.5: no exit; its close 120 -> level 114 from bar 3
    expect(x.onBar(bar(2, 110, 121, 105, 120)).fills).toEqual([]);
    // bar 3 low 113 <= 114 -> trailing stop fills at 114 (0.114 fee)
    const m = x.onBar(bar(3, 119, 119, 113, 115));
    expect(fills(m)).toEqual([['trailing-stop', '114', '1', '0.114', 'taker']]);
  });

  it('the trailing level is never checked on the bar whose close moved it', () => {
    const x = venue();
    x.onBar(bar(0, 100, 101, 99, 100));
    x.submitNow(order({ bracket: { trailingStopPct: 5 } }));
    x.onBar(bar(1, 100, 111, 99, 110)); // level 104.5 from bar 2
    // bar 2: low 104.6 above 104.5 while close 130 would lift the level to 123.5: no fill on bar 2
    expect(x.onBar(bar(2, 110, 131, 104.6, 130)).fills).toEqual([]);
    expect(fills(x.onBar(bar(3, 125, 126, 120, 121)))).toEqual([['trailing-stop', '123.5', '1', '0.1235', 'taker']]);
  });

  it('an exit fill cancels the bracket it makes unnecessary', () => {
    const x = venue();
    x.onBar(bar(0, 100, 101, 99, 100));
    entry(x);
    x.onBar(bar(1, 100, 101, 99, 100));
    x.submitNow(order({ side: 'sell', reduceOnly: true, decisionTime: T(1), quantity: '5' }));
    const m = x.onBar(bar(2, 100, 101, 99, 100));
    // reduce-only clamps 5 to the 1 held
    expect(fills(m)).toEqual([['exit', '100', '1', '0.1', 'taker']]);
    expect(x.openOrders()).toEqual([]);
    expect(x.positionOf('s1', 'BTC/USDT').toString()).toBe('0');
  });
});

describe('volume participation', () => {
  it('caps each bar at p% of its volume and carries the rest to later bars', () => {
    const x = venue({ participationPct: 10 });
    x.onBar(bar(0, 100, 101, 99, 100));
    x.submitNow(order({ quantity: '5' }));
    // bar 1: 10% of 20 = 2 at open 100 (fee 0.2); bar 2: 10% of 10 = 1 at open 101; bar 3: the last 2 at 102
    const m1 = x.onBar(bar(1, 100, 101, 99, 100, 20));
    expect(fills(m1)).toEqual([['entry', '100', '2', '0.2', 'taker']]);
    expect(m1.events.map((e) => e.status)).toEqual(['partially-filled']);
    expect(fills(x.onBar(bar(2, 101, 102, 100, 101, 10)))).toEqual([['entry', '101', '1', '0.101', 'taker']]);
    const m3 = x.onBar(bar(3, 102, 103, 101, 102, 1000));
    expect(fills(m3)).toEqual([['entry', '102', '2', '0.204', 'taker']]);
    expect(m3.events[0]).toMatchObject({ status: 'filled', filledQuantity: '5', avgFillPrice: '101' }); // (200+101+204)/5
  });
  it('shares one bar\'s cap between orders in submission order', () => {
    const x = venue({ participationPct: 50 });
    x.onBar(bar(0, 100, 101, 99, 100));
    x.submitNow(order({ quantity: '3' }));
    x.submitNow(order({ quantity: '3' }));
    expect(fills(x.onBar(bar(1, 100, 101, 99, 100, 8))).map((f) => f[2])).toEqual(['3', '1']);
  });
});

describe('expiry, cancel, idempotency, rejection', () => {
  it('expires an order not filled by its expiry time', () => {
    const x = venue();
    x.onBar(bar(0, 100, 101, 99, 100));
    x.submitNow(order({ type: 'limit', limitPrice: '90', expireAt: T(2) }));
    expect(x.onBar(bar(1, 100, 101, 95, 100)).events).toEqual([]);
    const m = x.onBar(bar(2, 100, 101, 95, 100));
    expect(m.events.map((e) => e.status)).toEqual(['expired']);
    expect(x.onBar(bar(3, 80, 81, 79, 80)).fills).toEqual([]);
  });
  it('cancels: cancel-requested then cancelled; a second cancel is a no-op', () => {
    const x = venue();
    const r = x.submitNow(order({ type: 'limit', limitPrice: '90' }));
    const c = x.cancelNow(r.order!.clientOrderId);
    expect(c.events.map((e) => e.status)).toEqual(['cancel-requested', 'cancelled']);
    expect(x.cancelNow(r.order!.clientOrderId).events).toEqual([]);
  });
  it('answers for final orders (filled, cancelled, rejected) by their snapshot: order(), duplicates and cancels, a fresh object each time', () => {
    const x = venue();
    x.onBar(bar(0, 100, 101, 99, 100));
    const filled = order({ quantity: '0.5' });
    const limit = order({ type: 'limit', limitPrice: '90', quantity: '0.25' });
    const bad = order({ quantity: '-1' });
    x.submitNow(filled);
    x.submitNow(limit);
    expect(x.submitNow(bad).order).toMatchObject({ status: 'rejected' });
    expect(x.onBar(bar(1, 100.5, 101, 99, 100)).fills).toHaveLength(1); // the market order at the open
    const cancelled = x.cancelNow(limit.clientOrderId).order!;
    // a filled market order: at the open of bar 1
    const want = { clientOrderId: filled.clientOrderId, exchange: 'binance', symbol: 'BTC/USDT', strategyId: 's1', side: 'buy', type: 'market', role: 'entry', status: 'filled', quantity: '0.5', filledQuantity: '0.5', avgFillPrice: '100.5', decisionTime: T(0) };
    const a = x.order(filled.clientOrderId)!;
    expect(a).toEqual(want);
    expect(Object.keys(a)).toEqual(Object.keys(want)); // the snapshot's field order
    (a as { status: string }).status = 'changed by a caller';
    expect(x.order(filled.clientOrderId)).toEqual(want); // not the caller's object
    expect(x.order(limit.clientOrderId)).toMatchObject({ status: 'cancelled', filledQuantity: '0', limitPrice: '90' });
    // the same snapshot (fields and order) as the one made when the order ended
    expect(x.order(limit.clientOrderId)).toEqual(cancelled);
    expect(Object.keys(x.order(limit.clientOrderId)!)).toEqual(Object.keys(cancelled));
    expect(x.order(bad.clientOrderId)).toMatchObject({ status: 'rejected' });
    expect(x.order('unknown')).toBeUndefined();
    // duplicates of final orders change nothing
    const dup = x.submitNow(filled);
    expect(dup).toMatchObject({ duplicate: true, events: [], fills: [] });
    expect(dup.order).toEqual(want);
    expect(x.submitAndTake(limit)).toEqual({ events: [], fills: [] });
    expect(x.submitAndTake(bad)).toEqual({ events: [], fills: [] });
    // a cancel of a final order: its snapshot, no events
    expect(x.cancelNow(filled.clientOrderId)).toEqual({ order: want, duplicate: false, events: [], fills: [] });
    expect(x.cancelAllNow().events).toEqual([]);
    expect(x.openOrders()).toEqual([]);
    expect(x.onBar(bar(2, 80, 81, 79, 80)).fills).toEqual([]); // the cancelled limit never fills
  });
  it('a final bracket child answers with its parent, stop price and fill, as its live snapshot did', () => {
    const x = venue();
    x.onBar(bar(0, 100, 101, 99, 100));
    const entry = order({ clientOrderId: 'e1', quantity: '0.5', bracket: { stopLoss: '95' } });
    x.submitNow(entry);
    x.onBar(bar(1, 100.5, 101, 99, 100)); // the entry fills at the open; its stop loss is armed
    const [child] = x.openOrders();
    expect(child).toMatchObject({ role: 'stop-loss', status: 'acknowledged', stopPrice: '95', parentClientOrderId: 'e1' });
    x.onBar(bar(2, 96, 97, 90, 92)); // the stop triggers and fills
    const done = x.order(child!.clientOrderId)!;
    expect(done).toEqual({ ...child, status: 'filled', filledQuantity: '0.5', avgFillPrice: done.avgFillPrice });
    expect(done.avgFillPrice).toBeDefined();
    expect(Object.keys(done)).toEqual(['clientOrderId', 'exchange', 'symbol', 'strategyId', 'side', 'type', 'role', 'status', 'quantity', 'filledQuantity', 'avgFillPrice', 'stopPrice', 'decisionTime', 'parentClientOrderId']);
  });
  it('submitting the same client order id twice never creates two orders', async () => {
    const x = venue();
    x.onBar(bar(0, 100, 101, 99, 100));
    const o = order({});
    const a = await x.submit(o);
    const b = await x.submit(o);
    expect(b.duplicate).toBe(true);
    expect(b.events).toEqual([]);
    expect(a.order!.clientOrderId).toBe(b.order!.clientOrderId);
    expect(x.onBar(bar(1, 100, 101, 99, 100)).fills).toHaveLength(1);
    expect(await x.fetchTrades()).toHaveLength(1);
    // 10000 - 100 - 0.1
    expect(await x.fetchBalance()).toEqual({ BTC: { free: '1', used: '0', total: '1' }, USDT: { free: '9899.9', used: '0', total: '9899.9' } });
  });
  it('rejects malformed orders with a reason', () => {
    const x = venue();
    expect(x.submitNow(order({ quantity: '0' })).events[0]).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/positive/) });
    expect(x.submitNow(order({ type: 'limit' })).events[0].reason).toMatch(/limitPrice/);
    expect(x.submitNow(order({ symbol: 'DOGE/USDT' })).events[0].reason).toMatch(/unknown symbol/);
  });
  it('throws on bars out of time order', () => {
    const x = venue();
    x.onBar(bar(1, 100, 101, 99, 100));
    expect(() => x.onBar(bar(1, 100, 101, 99, 100))).toThrow(/not after/);
  });
});

describe('property: fills stay inside their bar', () => {
  it('no fill price outside [low, high] of its bar (no slippage), random orders over random bars', () => {
    let s = 42;
    const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
    const x = venue({ participationPct: 30 });
    let p = 100;
    const bars: Record<number, { l: number; h: number }> = {};
    for (let i = 0; i < 400; i++) {
      const o = p * (1 + (rnd() - 0.5) * 0.02);
      const c = o * (1 + (rnd() - 0.5) * 0.02);
      const h = Math.max(o, c) * (1 + rnd() * 0.01);
      const l = Math.min(o, c) * (1 - rnd() * 0.01);
      p = c;
      const r = x.onBar(bar(i, o, h, l, c, 5 + rnd() * 10));
      bars[T(i)] = { l, h };
      for (const f of r.fills) {
        const b = bars[f.tsEvent];
        expect(Number(f.price)).toBeGreaterThanOrEqual(b.l);
        expect(Number(f.price)).toBeLessThanOrEqual(b.h);
      }
      const side = rnd() < 0.5 ? 'buy' : 'sell';
      const kind = rnd();
      const px = (c * (0.97 + rnd() * 0.06)).toFixed(2);
      x.submitNow(
        order({
          decisionTime: T(i),
          side,
          type: kind < 0.3 ? 'market' : kind < 0.7 ? 'limit' : 'stop',
          limitPrice: px,
          stopPrice: px,
          quantity: (1 + Math.floor(rnd() * 3)).toString(),
          bracket: side === 'buy' && rnd() < 0.5 ? { stopLoss: (c * 0.98).toFixed(2), takeProfit: (c * 1.02).toFixed(2), trailingStopPct: 2 } : undefined,
          expireAt: T(i + 5),
        }),
      );
    }
  });
});

describe('submitAndTake (the backtester\'s submit)', () => {
  it('has the effects, events and fills of submitNow: cheat-on-close, late orders, rejections, duplicates', () => {
    const run = (submit: (x: PaperExchange, o: SubmitOrder) => { events: readonly unknown[]; fills: readonly unknown[] }) => {
      const x = venue({ marketFill: 'cheat-on-close' });
      const out: unknown[] = [];
      x.onBar(bar(0, 90, 95, 85, 92));
      const orders = [
        order({ clientOrderId: 'a1', quantity: '0.5' }), // fills at the close of T(0)
        order({ clientOrderId: 'a1', quantity: '0.5' }), // duplicate
        order({ clientOrderId: 'bad id!', quantity: '1' }), // rejected
        order({ clientOrderId: 'a2', side: 'sell', type: 'limit', limitPrice: '120', quantity: '0.5', reduceOnly: true }),
      ];
      for (const o of orders) {
        const r = submit(x, o);
        out.push(r.events, r.fills);
      }
      out.push(x.onBar(bar(1, 100, 125, 95, 105)));
      out.push(x.openOrders(), x.balanceNow());
      return JSON.stringify(out);
    };
    expect(run((x, o) => x.submitAndTake(o))).toBe(run((x, o) => x.submitNow(o)));
  });
});

describe('matchBarOf', () => {
  it('has the effects of matchBar (fills, events, counts, late orders, errors) with the bar read from an object', () => {
    // the same bracket scenario on two venues: one fed through matchBar's float arguments, one through matchBarOf
    const bars = [bar(0, 90, 95, 85, 92), bar(1, 100, 110, 95, 105), bar(2, 104, 120, 103, 118), bar(3, 117, 118, 88, 95)];
    const run = (viaObject: boolean) => {
      const x = venue({}, { pricePlaces: 2 });
      const out: unknown[] = [];
      bars.forEach((b, i) => {
        if (i === 1) out.push(x.submitNow(order({ clientOrderId: 'mboA', quantity: '0.5', bracket: { stopLoss: '90', takeProfit: '115' } })));
        if (i === 2) out.push(x.submitNow(order({ clientOrderId: 'mboB', decisionTime: T(0), side: 'buy', quantity: '0.25' }))); // late: matched against stored bar 1 at once
        const t = T(i);
        const nf = viaObject ? x.matchBarOf(b.symbol, { time: t, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume }) : x.matchBar(b.symbol, t, b.open, b.high, b.low, b.close, b.volume);
        out.push(nf, x.takeFills(), x.takeEvents());
      });
      return out;
    };
    const viaArgs = run(false);
    expect(run(true)).toEqual(viaArgs);
    expect(viaArgs.filter((v) => typeof v === 'number')).toEqual([0, 1, 1, 1]); // entry at the open of bar 1; take profit at 115 on bar 2 (the late order's entry fills on submit, against stored bar 1); the stop, clamped to the 0.25 left, at 90 on bar 3
    const x = venue();
    x.matchBarOf('BTC/USDT', { time: T(1), open: 1, high: 1, low: 1, close: 1, volume: 1 });
    expect(() => x.matchBarOf('BTC/USDT', { time: T(1), open: 1, high: 1, low: 1, close: 1, volume: 1 })).toThrow(/not after/);
    expect(() => x.matchBarOf('ETH/USDT', { time: T(2), open: 1, high: 1, low: 1, close: 1, volume: 1 })).toThrow(/unknown symbol/);
  });
});

describe('order events and snapshots: fields in the wire order', () => {
  it('a filled market order (its own literal) and a limit order with a reason list their fields in the same order as ever', () => {
    const x = venue();
    x.onBar(bar(0, 90, 95, 85, 92));
    const coid = order({ quantity: '0.5' }).clientOrderId;
    x.submitNow({ ...order({ quantity: '0.5' }), clientOrderId: coid });
    const m = x.onBar(bar(1, 100, 110, 95, 105));
    const filled = m.events.find((e) => e.status === 'filled')!;
    expect(Object.keys(filled)).toEqual(['eventId', 'tsEvent', 'tsInit', 'source', 'exchange', 'symbol', 'kind', 'runId', 'clientOrderId', 'strategyId', 'role', 'status', 'side', 'type', 'quantity', 'filledQuantity', 'avgFillPrice']);
    expect(filled.avgFillPrice).toBe('100');
    const snap = x.order(coid)!;
    expect(Object.keys(snap)).toEqual(['clientOrderId', 'exchange', 'symbol', 'strategyId', 'side', 'type', 'role', 'status', 'quantity', 'filledQuantity', 'avgFillPrice', 'decisionTime']);
    expect(snap).toMatchObject({ status: 'filled', quantity: '0.5', filledQuantity: '0.5', avgFillPrice: '100', decisionTime: T(0) });
    // a limit order cancelled with a reason: the general path
    const lim = order({ type: 'limit', limitPrice: '50', quantity: '1' });
    x.submitNow(lim);
    const c = x.cancelNow(lim.clientOrderId, 'not wanted');
    const cancelled = c.events.find((e) => e.status === 'cancelled')!;
    expect(Object.keys(cancelled)).toEqual(['eventId', 'tsEvent', 'tsInit', 'source', 'exchange', 'symbol', 'kind', 'runId', 'clientOrderId', 'strategyId', 'role', 'status', 'side', 'type', 'quantity', 'filledQuantity', 'limitPrice', 'reason']);
    expect(Object.keys(x.order(lim.clientOrderId)!)).toEqual(['clientOrderId', 'exchange', 'symbol', 'strategyId', 'side', 'type', 'role', 'status', 'quantity', 'filledQuantity', 'limitPrice', 'decisionTime']);
    // never filled, no limit: the literal without an average price
    const mk = order({ quantity: '1', decisionTime: T(1) });
    x.submitNow(mk);
    x.cancelNow(mk.clientOrderId);
    expect(Object.keys(x.order(mk.clientOrderId)!)).toEqual(['clientOrderId', 'exchange', 'symbol', 'strategyId', 'side', 'type', 'role', 'status', 'quantity', 'filledQuantity', 'decisionTime']);
  });
});
