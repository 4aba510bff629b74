import { MemoryStore } from '@atp/storage';
import { FakeExchangeServer } from '@atp/testing';
import { createExchange } from './exchange';
import { DEFAULT_MARKETS_SNAPSHOT_ID, defaultMarketsSnapshot, loadMarketsSnapshot } from './markets';
import { MARKETS } from './collections';

/**
 * The markets snapshot: ccxt's binance class parsing the real Binance spot exchangeInfo of
 * 2021-10-11 recorded by cryptofeed (shared/data/ticks/cryptofeed/BINANCE.0, bmoscon/cryptofeed,
 * XFree86-1.1-style licence), served by the fake exchange.
 */
describe('markets snapshot', () => {
  it('default snapshot: precision, limits and fees of BTC/USDT from BINANCE.0 via ccxt, stored and read back', async () => {
    const snap = await defaultMarketsSnapshot();
    expect(snap._id).toBe(DEFAULT_MARKETS_SNAPSHOT_ID);
    expect(snap.precisionMode).toBe('TICK_SIZE');
    expect(snap.asOf).toBe(1633998511098); // serverTime of the recorded response
    // The recorded filters: PRICE_FILTER tickSize 0.01, min 0.01, max 1000000; LOT_SIZE stepSize/minQty 0.00001,
    // maxQty 9000; MIN_NOTIONAL 10. ccxt's default Binance spot fees: 0.1% maker and taker.
    expect(snap.markets['BTC/USDT']).toEqual({
      id: 'BTCUSDT', symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', type: 'spot', active: true,
      precision: { price: 0.01, amount: 0.00001, base: 1e-8, quote: 1e-8 },
      limits: { amount: { min: 0.00001, max: 9000 }, price: { min: 0.01, max: 1000000 }, cost: { min: 10, max: null } },
      maker: 0.001, taker: 0.001,
    });
    for (const s of ['ETH/USDT', 'XRP/USDT', 'ADA/USDT']) expect(snap.markets[s]?.precision.price).toBeGreaterThan(0);
    expect(Object.keys(snap.markets).length).toBeGreaterThan(1000);

    const store = new MemoryStore();
    const repo = store.repository(MARKETS);
    await repo.init();
    await repo.upsert(snap);
    const back = await repo.get(DEFAULT_MARKETS_SNAPSHOT_ID);
    expect(back!.markets['BTC/USDT']).toEqual(snap.markets['BTC/USDT']);
  });

  it('loads through the fake server only (exchangeInfo once, no futures or keyed endpoints)', async () => {
    const server = await FakeExchangeServer.start();
    try {
      const ex = createExchange('binance', { apiUrls: server.binanceUrls() });
      const snap = await loadMarketsSnapshot(ex, { symbols: ['ETH/USDT'] });
      expect(Object.keys(snap.markets)).toEqual(['ETH/USDT']);
      expect(server.requests.map((r) => r.path)).toEqual(['/api/v3/exchangeInfo']);
    } finally {
      await server.close();
    }
  });
});
