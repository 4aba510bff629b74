import { MemoryStore } from '@atp/storage';
import { FakeExchangeServer, loadRecordedOhlcv } from '@atp/testing';
import { scanSeries, type CandleDoc, type SeriesId } from '@atp/market-data';
import { createExchange } from './exchange';
import { backfillOHLCV } from './backfill';
import { CANDLES } from './collections';

/**
 * Backfill through ccxt's real binance and kraken classes against the local fake exchange, which
 * serves the recorded Binance spot BTC/USDT 1h candles (shared/data/binance-spot, from
 * iterativv/NostalgiaForInfinity, GPL-3.0): 5,482 bars, 2020-12-01 00:00 .. 2021-07-17 20:00 UTC,
 * with 6 maintenance gaps (11 missing hours).
 */
const SINCE = Date.UTC(2020, 11, 1);
const BTC: SeriesId = { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' };
const rows = loadRecordedOhlcv('BTC', '1h');
const noSleepRetry = { baseDelayMs: 10 };

let server: FakeExchangeServer;
beforeEach(async () => {
  server = await FakeExchangeServer.start();
  server.setCandles('BTCUSDT', '1h', rows);
});
afterEach(() => server.close());

async function repo() {
  const r = new MemoryStore().repository(CANDLES);
  await r.init();
  return r;
}
const binance = (o: { rateLimitMs?: number } = {}) => createExchange('binance', { apiUrls: server.binanceUrls(), rateLimitMs: o.rateLimitMs ?? 1 });

async function checkComplete(r: Awaited<ReturnType<typeof repo>>) {
  const docs: CandleDoc[] = await r.range({ where: { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' } });
  expect(docs).toHaveLength(5482);
  const report = scanSeries(docs.map((d) => d.openTime), '1h');
  expect([report.duplicates.length, report.gaps.length, report.missingBars]).toEqual([0, 6, 11]);
  expect(docs.map((d) => [d.openTime, d.open, d.high, d.low, d.close, d.volume])).toEqual(rows);
}

describe('backfillOHLCV via ccxt binance', () => {
  it('pages all 5,482 recorded 1h candles by since with the exchange limit (1000)', async () => {
    const r = await repo();
    const progress: number[] = [];
    const res = await backfillOHLCV({ exchange: binance(), repo: r, series: BTC, since: SINCE, onProgress: (p) => progress.push(p.candles) });
    expect(res).toMatchObject({ candles: 5482, requests: 7, resumed: false, stop: 'caught-up', first: SINCE, last: rows.at(-1)![0] });
    expect(res.written).toEqual({ inserted: 5482, modified: 0, unchanged: 0 });
    expect(progress).toEqual([1000, 2000, 3000, 4000, 5000, 5482]);
    const k = server.requestsTo('/klines');
    expect(k.map((q) => q.query.limit)).toEqual(Array(7).fill('1000'));
    // Each page starts right after the last bar of the previous one.
    expect(k.map((q) => Number(q.query.startTime))).toEqual([SINCE, ...[1000, 2000, 3000, 4000, 5000, 5482].map((i) => rows[i - 1]![0]! + 3_600_000)]);
    await checkComplete(r);
  });

  it('honours ccxt rate limiting: requests are spaced by rateLimit x cost', async () => {
    const r = await repo();
    await backfillOHLCV({ exchange: binance({ rateLimitMs: 100 }), repo: r, series: BTC, since: SINCE });
    const at = server.requests.map((q) => q.at);
    // ccxt's leaky bucket (capacity 1, refill 1 token per rateLimit ms, each call costs >= 1 token):
    // on average at least rateLimit between calls; without the limiter they come ~1 ms apart.
    expect(at).toHaveLength(8);
    expect((at.at(-1)! - at[0]!) / (at.length - 1)).toBeGreaterThanOrEqual(100);
  });

  it('a 429 then a 418 are honoured: Retry-After waited each time, one request per attempt', async () => {
    const r = await repo();
    server.failNext({ status: 429, retryAfterSec: 1 }, { status: 418, retryAfterSec: 1 });
    const retries: (number | null)[] = [];
    const res = await backfillOHLCV({ exchange: binance(), repo: r, series: BTC, since: SINCE, retry: { ...noSleepRetry, onRetry: (i) => retries.push(i.retryAfterMs) } });
    expect(res.candles).toBe(5482);
    expect(retries).toEqual([1000, 1000]);
    // The first call is exchangeInfo (ccxt loads markets first): 429, 418, then 200.
    const all = server.requests;
    expect(all.map((q) => q.status).slice(0, 3)).toEqual([429, 418, 200]);
    expect(all).toHaveLength(3 + 7);
    expect(all[1]!.at - all[0]!.at).toBeGreaterThanOrEqual(990);
    expect(all[2]!.at - all[1]!.at).toBeGreaterThanOrEqual(990);
    await checkComplete(r);
  });

  it("under the fake's real weight limit it backs off on 429 and never gets banned (no 418, no storm)", async () => {
    const r = await repo();
    // 26 weight per 3 s window: exchangeInfo (20) + three klines (2 each) fit in the first window.
    // (3 s, not 1 s: on a loaded machine the first four requests may take over a second, and a
    // window that resets before the fourth would show no 429 at all.)
    server.setRateLimit({ weightPerWindow: 26, windowMs: 3000, banMs: 5000 });
    const res = await backfillOHLCV({ exchange: binance(), repo: r, series: BTC, since: SINCE, retry: noSleepRetry });
    expect(res.candles).toBe(5482);
    const statuses = server.requests.map((q) => q.status);
    expect(statuses.filter((s) => s === 418)).toEqual([]);
    expect(statuses.filter((s) => s === 429)).toHaveLength(1);
    expect(statuses).toHaveLength(9);
    expect(statuses.filter((s) => s === 200)).toHaveLength(8); // exchangeInfo + 7 klines
  });

  it('retries a dropped connection and a 503 with backoff', async () => {
    const r = await repo();
    server.failNext({ drop: true }, { status: 503 });
    const res = await backfillOHLCV({ exchange: binance(), repo: r, series: BTC, since: SINCE, retry: noSleepRetry });
    expect(res.candles).toBe(5482);
    expect(server.requests.map((q) => q.status).slice(0, 3)).toEqual([-1, 503, 200]);
  });

  it('resumes after an interruption from the last stored candle: no duplicates, no gaps', async () => {
    const r = await repo();
    const a = await backfillOHLCV({ exchange: binance(), repo: r, series: BTC, since: SINCE, maxRequests: 3 });
    expect(a).toMatchObject({ candles: 3000, stop: 'max-requests' });
    const b = await backfillOHLCV({ exchange: binance(), repo: r, series: BTC, since: SINCE });
    expect(b).toMatchObject({ resumed: true, startedAt: rows[2999]![0]! + 3_600_000, candles: 2482 });
    expect(b.written).toEqual({ inserted: 2482, modified: 0, unchanged: 0 });
    await checkComplete(r);
    const c = await backfillOHLCV({ exchange: binance(), repo: r, series: BTC, since: SINCE });
    expect(c).toMatchObject({ resumed: true, candles: 0, requests: 1 });
  });

  it('gives up after maxRetries and throws the ccxt error', async () => {
    const r = await repo();
    server.failNext({ status: 503 }, { status: 503 }, { status: 503 });
    await expect(backfillOHLCV({ exchange: binance(), repo: r, series: BTC, since: SINCE, retry: { baseDelayMs: 1, maxRetries: 2 } })).rejects.toThrow(/503|ExchangeNotAvailable|Service Unavailable/);
  });
});

describe('backfillOHLCV via ccxt kraken (the second exchange class)', () => {
  it('pages the same candles served as Kraken OHLC (720 per call, since in seconds)', async () => {
    // Kraken markets come from the recorded AssetPairs (cryptofeed KRAKEN.0); the bars are Binance's
    // recorded BTC/USDT bars served under Kraken's XBTUSDT pair: this tests ccxt's kraken paging.
    server.setKrakenCandles('XBTUSDT', 60, rows);
    const r = await repo();
    const ex = createExchange('kraken', { apiUrls: server.krakenUrls(), rateLimitMs: 1 });
    const series: SeriesId = { exchange: 'kraken', symbol: 'BTC/USDT', timeframe: '1h' };
    const res = await backfillOHLCV({ exchange: ex, repo: r, series, since: SINCE });
    expect(res).toMatchObject({ candles: 5482, requests: 9 }); // ceil(5482 / 720) = 8 pages + 1 empty
    const ohlc = server.requestsTo('/OHLC');
    expect(ohlc[0]!.query).toEqual({ pair: 'XBTUSDT', interval: '60', since: String(SINCE / 1000 - 3600) });
    expect(await r.count({ exchange: 'kraken' })).toBe(5482);
  });
});
