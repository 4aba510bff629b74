import ccxt, { type Exchange } from 'ccxt';
import { ManualClock } from '@atp/core';
import { assertValid, TOPICS, type FillEvent, type OrderUpdate } from '@atp/contracts';
import type { SubmitOrder } from '@atp/execution';
import { FakeExchangeServer } from '@atp/testing';
import { CcxtGateway, type CcxtGatewayResult, type PollResult } from './ccxt-gateway';

/**
 * CcxtGateway through ccxt's real `binance` class (signed requests, HMAC verified by the fake) against
 * the local fake exchange: Binance spot's recorded exchangeInfo of 2021-10-11 (BTCUSDT: tickSize 0.01,
 * stepSize 0.00001, minNotional 10), 0.1% maker/taker commission in the received asset.
 */

const KEY = 'test-api-key';
const SECRET = 'test-secret';

let fake: FakeExchangeServer;
/** Markets parsed by ccxt from the fake's exchangeInfo once (parsing 1,900 markets per test is slow). */
let markets: Exchange['markets'] | undefined;

function binance(timeoutMs = 2_000): Exchange {
  const ex = new ccxt.binance({
    apiKey: KEY,
    secret: SECRET,
    timeout: timeoutMs,
    enableRateLimit: false,
    options: { fetchMarkets: { types: ['spot'] }, fetchMargins: false, fetchCurrencies: false },
  });
  ex.urls.api = { ...(ex.urls.api as Record<string, unknown>), ...fake.binanceUrls() } as Exchange['urls']['api'];
  if (markets) ex.setMarkets(markets);
  return ex;
}

/** Every order event and fill the gateway produces must satisfy the orders.events.v1 / fills.v1 contracts. */
function valid<R extends { events: readonly OrderUpdate[]; fills: readonly FillEvent[] }>(r: R): R {
  for (const e of r.events) assertValid(TOPICS.ordersEvents, e);
  for (const f of r.fills) assertValid(TOPICS.fills, f);
  return r;
}

class CheckedGateway extends CcxtGateway {
  override async submit(...a: Parameters<CcxtGateway['submit']>): Promise<CcxtGatewayResult> {
    return valid(await super.submit(...a));
  }
  override async resume(...a: Parameters<CcxtGateway['resume']>): Promise<CcxtGatewayResult> {
    return valid(await super.resume(...a));
  }
  override async cancel(...a: Parameters<CcxtGateway['cancel']>): Promise<CcxtGatewayResult> {
    return valid(await super.cancel(...a));
  }
  override async poll(): Promise<PollResult> {
    return valid(await super.poll());
  }
}

function gateway(ex = binance()): CcxtGateway {
  return new CheckedGateway({ exchange: ex, runId: 'run-1', clock: new ManualClock(1_700_000_000_000), lookupDelayMs: 20 });
}

let seq = 0;
function order(over: Partial<SubmitOrder> = {}): SubmitOrder {
  seq++;
  return {
    runId: 'run-1', exchange: 'binance', symbol: 'BTC/USDT', clientOrderId: `t-${seq}`, strategyId: 's1', decisionTime: 1_600_000_000_000,
    side: 'buy', type: 'market', quantity: '0.002', ...over,
  };
}

const posts = () => fake.requests.filter((r) => r.method === 'POST' && r.path === '/api/v3/order');

beforeAll(async () => {
  fake = await FakeExchangeServer.start();
  const ex = binance();
  markets = await ex.loadMarkets();
  await fake.close();
});
beforeEach(async () => {
  fake = await FakeExchangeServer.start();
  fake.privateApi.secret = SECRET;
  fake.privateApi.setBalance('USDT', '10000');
  fake.privateApi.setBalance('BTC', '1');
  fake.privateApi.setMarket('BTCUSDT', { price: '50000.00' });
});
afterEach(async () => {
  await fake.close();
});

describe('CcxtGateway with ccxt.binance against the fake exchange', () => {
  it('market buy fills at the last price with the taker commission in BTC', async () => {
    const gw = gateway();
    const r = await gw.submit(order({ clientOrderId: 'mkt-1' }));
    expect(r.duplicate).toBe(false);
    expect(r.order).toMatchObject({ status: 'filled', quantity: '0.002', filledQuantity: '0.002', avgFillPrice: '50000' });
    expect(r.events.map((e) => e.status)).toEqual(['acknowledged', 'filled']);
    expect(r.events[0]!.venueOrderId).toBe('1000');
    expect(r.fills).toHaveLength(1);
    expect(r.fills[0]).toMatchObject({
      fillId: 'mkt-1:0', eventId: 'mkt-1:0/f', clientOrderId: 'mkt-1', price: '50000', quantity: '0.002', fee: '0.000002', feeCurrency: 'BTC',
      liquidity: 'taker', side: 'buy', venueTradeId: '5000', role: 'entry', symbol: 'BTC/USDT', exchange: 'binance',
    });
    // What went over the wire: one signed POST with the deterministic client order id.
    expect(posts()).toHaveLength(1);
    expect(posts()[0]!.body).toMatchObject({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.002', newClientOrderId: 'mkt-1' });
    // 10000 - 0.002 * 50000 = 9900 USDT; 1 + 0.002 - 0.000002 = 1.001998 BTC.
    const bal = await gw.fetchBalance();
    expect(bal.USDT).toEqual({ free: '9900', used: '0', total: '9900' });
    expect(bal.BTC).toEqual({ free: '1.001998', used: '0', total: '1.001998' });
    const trades = await gw.fetchTrades('BTC/USDT');
    expect(trades.map((f) => [f.fillId, f.price, f.quantity, f.fee, f.liquidity])).toEqual([['mkt-1:0', '50000', '0.002', '0.000002', 'taker']]);
  });

  it('limit order rests, then fills at its price (maker) when the price trades through it, seen by poll()', async () => {
    const gw = gateway();
    const r = await gw.submit(order({ clientOrderId: 'lim-1', type: 'limit', quantity: '0.01', limitPrice: '49000' }));
    expect(r.order).toMatchObject({ status: 'acknowledged', filledQuantity: '0', limitPrice: '49000' });
    expect(r.fills).toEqual([]);
    expect(posts()[0]!.body).toMatchObject({ type: 'LIMIT', timeInForce: 'GTC', price: '49000', quantity: '0.01' });
    expect(fake.privateApi.balance('USDT')).toEqual({ free: '9510', locked: '490' });
    expect(await gw.poll()).toEqual({ events: [], fills: [] });
    expect((await gw.fetchOpenOrders('BTC/USDT')).map((o) => [o.clientOrderId, o.status, o.strategyId])).toEqual([['lim-1', 'acknowledged', 's1']]);

    fake.privateApi.setLastPrice('BTCUSDT', '48999.99');
    const p = await gw.poll();
    expect(p.fills.map((f) => [f.fillId, f.price, f.quantity, f.fee, f.feeCurrency, f.liquidity])).toEqual([['lim-1:0', '49000', '0.01', '0.00001', 'BTC', 'maker']]);
    expect(p.events.map((e) => [e.status, e.filledQuantity, e.avgFillPrice])).toEqual([['filled', '0.01', '49000']]);
    expect(gw.order('lim-1')!.status).toBe('filled');
    expect(fake.privateApi.balance('USDT')).toEqual({ free: '9510', locked: '0' });
    expect(fake.privateApi.balance('BTC')).toEqual({ free: '1.00999', locked: '0' });
    // Nothing new on the next poll: each venue trade is emitted once; reads continue after the last trade id.
    expect(await gw.poll()).toEqual({ events: [], fills: [] });
    expect(fake.requestsTo('/myTrades').map((q) => q.query.fromId ?? null)).toEqual([null, null]); // no working order: no read
    await gw.submit(order({ clientOrderId: 'lim-2', type: 'limit', quantity: '0.01', limitPrice: '40000' }));
    expect(await gw.poll()).toEqual({ events: [], fills: [] });
    expect(fake.requestsTo('/myTrades').map((q) => q.query.fromId ?? null)).toEqual([null, null, '5001']);
  });

  it('post-only: crossing is rejected with the venue reason, non-crossing rests as LIMIT_MAKER', async () => {
    const gw = gateway();
    const bad = await gw.submit(order({ clientOrderId: 'po-1', type: 'limit', limitPrice: '50000', postOnly: true }));
    expect(bad.order!.status).toBe('rejected');
    expect(bad.events.map((e) => [e.status, e.reason])).toEqual([['rejected', 'Order would immediately match and take.']]);
    const ok = await gw.submit(order({ clientOrderId: 'po-2', type: 'limit', limitPrice: '49999.99', postOnly: true }));
    expect(ok.order!.status).toBe('acknowledged');
    expect(posts().map((p) => p.body!.type)).toEqual(['LIMIT_MAKER', 'LIMIT_MAKER']);
    expect(posts()[1]!.body!.timeInForce).toBeUndefined();
  });

  it('IOC takes the liquidity there is, then expires', async () => {
    fake.privateApi.setMarket('BTCUSDT', { price: '50000.00', available: '0.2' });
    fake.privateApi.setBalance('USDT', '30000');
    const gw = gateway();
    const r = await gw.submit(order({ clientOrderId: 'ioc-1', type: 'limit', quantity: '0.5', limitPrice: '50010', timeInForce: 'IOC' }));
    expect(posts()[0]!.body).toMatchObject({ type: 'LIMIT', timeInForce: 'IOC', quantity: '0.5', price: '50010' });
    expect(r.events.map((e) => [e.status, e.filledQuantity])).toEqual([['acknowledged', '0'], ['partially-filled', '0.2'], ['expired', '0.2']]);
    expect(r.fills.map((f) => [f.price, f.quantity, f.fee, f.liquidity])).toEqual([['50000', '0.2', '0.0002', 'taker']]);
    expect(r.order).toMatchObject({ status: 'expired', quantity: '0.5', filledQuantity: '0.2' });
    // The unfilled remainder's lock is released: 30000 - 0.2 * 50000.
    expect(fake.privateApi.balance('USDT')).toEqual({ free: '20000', locked: '0' });
  });

  it('FOK that cannot fill completely expires with nothing filled', async () => {
    fake.privateApi.setMarket('BTCUSDT', { price: '50000.00', available: '0.001' });
    const gw = gateway();
    const r = await gw.submit(order({ clientOrderId: 'fok-1', type: 'limit', quantity: '0.002', limitPrice: '50000', timeInForce: 'FOK' }));
    expect(r.events.map((e) => e.status)).toEqual(['acknowledged', 'expired']);
    expect(r.fills).toEqual([]);
  });

  it('stop (stop-market): rejected without a request, Binance spot BTCUSDT has no STOP_LOSS order type (recorded orderTypes)', async () => {
    const gw = gateway();
    const r = await gw.submit(order({ clientOrderId: 'stop-1', side: 'sell', type: 'stop', quantity: '0.01', stopPrice: '48000', role: 'stop-loss' }));
    expect(r.order).toMatchObject({ status: 'rejected', stopPrice: '48000', role: 'stop-loss' });
    expect(r.events.map((e) => [e.status, e.reason])).toEqual([['rejected', 'triggerPrice parameter is not allowed for BTC/USDT market orders']]);
    expect(posts()).toHaveLength(0);
  });

  it('expireAt: a resting order past its expiry is cancelled at the venue by poll() and reported expired', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const gw = new CheckedGateway({ exchange: binance(), runId: 'run-1', clock });
    await gw.submit(order({ clientOrderId: 'exp-1', type: 'limit', quantity: '0.01', limitPrice: '45000', expireAt: 1_700_000_060_000 }));
    expect(await gw.poll()).toEqual({ events: [], fills: [] });
    clock.set(1_700_000_060_000);
    const p = await gw.poll();
    expect(p.events.map((e) => [e.status, e.reason])).toEqual([['expired', 'expireAt 1700000060000 reached']]);
    expect(fake.privateApi.orderByClientId('exp-1')!.status).toBe('CANCELED');
    expect(fake.privateApi.balance('USDT')).toEqual({ free: '10000', locked: '0' });
  });

  it('cancel: cancel-requested then cancelled; unknown and repeated cancels are no-ops', async () => {
    const gw = gateway();
    await gw.submit(order({ clientOrderId: 'c-1', type: 'limit', quantity: '0.01', limitPrice: '40000' }));
    const c = await gw.cancel('c-1', 'strategy exit');
    expect(c.events.map((e) => [e.status, e.reason])).toEqual([['cancel-requested', 'strategy exit'], ['cancelled', 'strategy exit']]);
    expect(fake.privateApi.orderByClientId('c-1')!.status).toBe('CANCELED');
    expect(fake.privateApi.balance('USDT')).toEqual({ free: '10000', locked: '0' });
    expect(fake.requests.filter((r) => r.method === 'DELETE').map((r) => r.query.origClientOrderId)).toEqual(['c-1']);
    expect(await gw.cancel('c-1')).toMatchObject({ events: [], fills: [], order: { status: 'cancelled' } });
    expect(await gw.cancel('nope')).toEqual({ order: undefined, duplicate: false, events: [], fills: [] });
    expect(fake.requests.filter((r) => r.method === 'DELETE')).toHaveLength(1);
  });

  it('cancel racing a fill: the venue says unknown order, the gateway reports the fill', async () => {
    const gw = gateway();
    await gw.submit(order({ clientOrderId: 'race-1', type: 'limit', quantity: '0.01', limitPrice: '49000' }));
    fake.privateApi.setLastPrice('BTCUSDT', '48000'); // filled at the venue, not yet polled
    const c = await gw.cancel('race-1');
    expect(c.events.map((e) => e.status)).toEqual(['cancel-requested', 'filled']);
    expect(c.fills.map((f) => [f.price, f.quantity, f.liquidity])).toEqual([['49000', '0.01', 'maker']]);
  });

  it('duplicate submit: the known id returns duplicate without a second POST; an id the venue already has is adopted', async () => {
    const gw = gateway();
    const first = await gw.submit(order({ clientOrderId: 'dup-1', type: 'limit', quantity: '0.01', limitPrice: '45000' }));
    const again = await gw.submit(order({ clientOrderId: 'dup-1', type: 'limit', quantity: '0.01', limitPrice: '45000' }));
    expect(again).toEqual({ order: first.order, duplicate: true, events: [], fills: [] });
    expect(posts()).toHaveLength(1);

    // A second gateway (e.g. after a restart) sends the same id: the venue answers -2010 Duplicate.
    const gw2 = gateway();
    const adopted = await gw2.submit(order({ clientOrderId: 'dup-1', type: 'limit', quantity: '0.01', limitPrice: '45000' }));
    expect(adopted.duplicate).toBe(true);
    expect(adopted.order).toMatchObject({ status: 'acknowledged', quantity: '0.01', limitPrice: '45000' });
    expect(posts().map((p) => p.status)).toEqual([200, 400]);
    expect(fake.privateApi.orders.filter((o) => o.clientOrderId === 'dup-1')).toHaveLength(1);
  });

  it('concurrent submits of one client order id: one POST, the second answered duplicate', async () => {
    const gw = gateway();
    const o = order({ clientOrderId: 'conc-1', type: 'limit', quantity: '0.01', limitPrice: '45000' });
    const [a, b] = await Promise.all([gw.submit(o), gw.submit(o), gw.poll()]);
    expect([a.duplicate, b.duplicate]).toEqual([false, true]);
    expect(a.events.map((e) => e.status)).toEqual(['acknowledged']);
    expect(posts()).toHaveLength(1);
  });

  it('resume (after a restart): a known venue order is adopted with the same fill ids, an unknown one is submitted once', async () => {
    const gw = gateway();
    const first = await gw.submit(order({ clientOrderId: 'res-1' })); // filled market buy
    const gw2 = gateway();
    const again = await gw2.resume(order({ clientOrderId: 'res-1' }));
    expect(again.duplicate).toBe(true);
    expect(again.events.map((e) => [e.eventId, e.status])).toEqual(first.events.map((e) => [e.eventId, e.status]));
    expect(again.fills).toEqual(first.fills.map((f) => ({ ...f, tsEvent: expect.any(Number) })));
    const fresh = await gw2.resume(order({ clientOrderId: 'res-2', type: 'limit', quantity: '0.01', limitPrice: '45000' }));
    expect(fresh).toMatchObject({ duplicate: false, order: { status: 'acknowledged' } });
    expect(posts().map((p) => p.body!.newClientOrderId)).toEqual(['res-1', 'res-2']);
  });

  it('timeout after the venue accepted: exactly one POST, found by client order id, fills fetched', async () => {
    const gw = gateway(binance(300));
    fake.privateApi.scriptOrder({ kind: 'accept-then-delay', delayMs: 1_000 });
    const r = await gw.submit(order({ clientOrderId: 'to-1' }));
    expect(r.uncertain).toBeUndefined();
    expect(r.order).toMatchObject({ status: 'filled', filledQuantity: '0.002', avgFillPrice: '50000' });
    expect(r.events.map((e) => e.status)).toEqual(['acknowledged', 'filled']);
    expect(r.fills.map((f) => [f.fillId, f.price, f.quantity, f.fee, f.venueTradeId])).toEqual([['to-1:0', '50000', '0.002', '0.000002', '5000']]);
    expect(posts()).toHaveLength(1);
    const lookups = fake.requests.filter((q) => q.method === 'GET' && q.path === '/api/v3/order');
    expect(lookups.map((q) => [q.query.origClientOrderId, q.status])).toEqual([['to-1', 200]]);
    expect(fake.privateApi.orders).toHaveLength(1);
  });

  it('connection dropped after acceptance: one POST, the resting order reported acknowledged', async () => {
    const gw = gateway();
    fake.privateApi.scriptOrder({ kind: 'accept-then-drop' });
    const r = await gw.submit(order({ clientOrderId: 'drop-1', type: 'limit', quantity: '0.01', limitPrice: '45000' }));
    expect(r.order!.status).toBe('acknowledged');
    expect(r.events.map((e) => [e.status, e.venueOrderId])).toEqual([['acknowledged', '1000']]);
    expect(posts()).toHaveLength(1);
  });

  it('request lost before the venue: look-up says unknown, re-sent exactly once', async () => {
    const gw = gateway();
    fake.privateApi.scriptOrder({ kind: 'lose' });
    const r = await gw.submit(order({ clientOrderId: 'lost-1' }));
    expect(r.order!.status).toBe('filled');
    expect(posts()).toHaveLength(2);
    expect(posts().every((p) => p.body!.newClientOrderId === 'lost-1')).toBe(true);
    const lookups = fake.requests.filter((q) => q.method === 'GET' && q.path === '/api/v3/order');
    expect(lookups.map((q) => [q.query.origClientOrderId, q.status])).toEqual([['lost-1', 400]]);
    expect(fake.privateApi.orders).toHaveLength(1);
  });

  it('venue unreachable after a send: uncertain (status new, no events), resolved by poll()', async () => {
    const gw = gateway();
    fake.privateApi.scriptOrder({ kind: 'accept-then-drop' });
    fake.privateApi.dropNextQueries(3); // every look-up of the submit fails too
    const r = await gw.submit(order({ clientOrderId: 'unc-1', type: 'limit', quantity: '0.01', limitPrice: '45000' }));
    expect(r.uncertain).toBe(true);
    expect(r.reason).toMatch(/^NetworkError: .*; look-up: NetworkError: /);
    expect(r.order!.status).toBe('new');
    expect(r.events).toEqual([]);
    expect(posts()).toHaveLength(1);
    const p = await gw.poll();
    expect(p.events.map((e) => [e.status, e.venueOrderId])).toEqual([['acknowledged', '1000']]);
    expect(posts()).toHaveLength(1);
    expect(fake.privateApi.orders).toHaveLength(1);
  });

  it('a send the venue never got, unresolved at submit: poll() finds it unknown and rejects it', async () => {
    const gw = new CheckedGateway({ exchange: binance(), runId: 'run-1', clock: new ManualClock(0), lookupDelayMs: 20, maxSends: 1 });
    fake.privateApi.scriptOrder({ kind: 'lose' });
    const r = await gw.submit(order({ clientOrderId: 'unc-2' }));
    expect(r.uncertain).toBe(true);
    expect(posts()).toHaveLength(1);
    const p = await gw.poll();
    expect(p.events.map((e) => [e.status, e.reason])).toEqual([['rejected', 'unknown at the venue after an uncertain send']]);
    expect(fake.privateApi.orders).toHaveLength(0);
  });

  it('precision: quantity rounded down to the step, price to the tick, named in the reason; below minimums rejected without a request', async () => {
    const gw = gateway();
    const r = await gw.submit(order({ clientOrderId: 'prec-1', type: 'limit', quantity: '0.0123456', limitPrice: '45000.004' }));
    expect(posts()[0]!.body).toMatchObject({ quantity: '0.01234', price: '45000' });
    expect(r.order).toMatchObject({ status: 'acknowledged', quantity: '0.01234', limitPrice: '45000' });
    expect(r.events[0]!.reason).toBe('quantity rounded down from 0.0123456 to 0.01234 (precision 0.00001); limit price rounded from 45000.004 to 45000 (tick 0.01)');

    const small = await gw.submit(order({ clientOrderId: 'prec-2', type: 'limit', quantity: '0.0002', limitPrice: '45000' }));
    expect(small.order!.status).toBe('rejected');
    expect(small.events[0]!.reason).toBe('notional 9 below the market minimum cost 10 of BTC/USDT');
    const tiny = await gw.submit(order({ clientOrderId: 'prec-3', quantity: '0.000001' }));
    expect(tiny.order!.status).toBe('rejected');
    expect(tiny.events[0]!.reason).toMatch(/^quantity 0\.000001 below the amount precision of BTC\/USDT/);
    expect(posts()).toHaveLength(1);
    // A market order under minNotional is refused by the venue (filter applies to market orders too).
    const mkt = await gw.submit(order({ clientOrderId: 'prec-4', quantity: '0.0001' }));
    expect(mkt.events.map((e) => [e.status, e.reason])).toEqual([['rejected', '-1013 Filter failure: MIN_NOTIONAL']]);
  });

  it('insufficient funds: rejected with the venue reason', async () => {
    const gw = gateway();
    const r = await gw.submit(order({ clientOrderId: 'nf-1', quantity: '1' }));
    expect(r.events.map((e) => [e.status, e.reason])).toEqual([['rejected', 'Account has insufficient balance for requested action.']]);
  });

  it('reconcile: nothing when in sync; finds an order placed elsewhere, a fill missed locally and balance differences', async () => {
    const gw = gateway();
    const m = await gw.submit(order({ clientOrderId: 'r-1' })); // market buy 0.002 @ 50000
    const l = await gw.submit(order({ clientOrderId: 'r-2', type: 'limit', quantity: '0.01', limitPrice: '49000' }));
    const local = [m.order!, l.order!];
    // Independent local books: 10000 - 100 = 9900 USDT (490 of it locked by r-2); 1.001998 BTC.
    const balances = { USDT: '9900', BTC: '1.001998' };
    expect(await gw.reconcile(local, balances)).toEqual([]);

    fake.privateApi.placeDirect({ symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.1', price: '60000', newClientOrderId: 'manual-1' });
    fake.privateApi.setBalance('USDT', '9000'); // 900 withdrawn (free 9410 -> 9000 with 490 locked: total 9490)
    fake.privateApi.setLastPrice('BTCUSDT', '48500'); // r-2 fills at the venue, local still says acknowledged
    const drifts = await gw.reconcile(local, balances);
    expect(drifts.map((d) => [d.kind, d.clientOrderId ?? d.asset])).toEqual([
      ['unknown-venue-order', 'manual-1'],
      ['missing-at-venue', 'r-2'],
      ['fill-missing-locally', 'r-2'],
      ['balance-difference', 'BTC'],
      ['balance-difference', 'USDT'],
    ]);
    expect(drifts[0]!.details).toMatchObject({ side: 'sell', quantity: '0.1', limitPrice: '60000', venueStatus: 'acknowledged' });
    expect(drifts[1]!.details).toMatchObject({ localStatus: 'acknowledged', venueStatus: 'filled' });
    expect(drifts[2]!.details).toMatchObject({ localFilled: '0', venueFilled: '0.01', missing: '0.01' });
    // BTC: +0.01 - 0.00001 commission from r-2's fill; USDT: 9000 free + 0 locked after r-2 used its 490.
    expect(drifts[3]!.details).toMatchObject({ local: '1.001998', venue: '1.011988', difference: '0.00999' });
    expect(drifts[4]!.details).toMatchObject({ local: '9900', venue: '9000', difference: '-900' });
  });
});
