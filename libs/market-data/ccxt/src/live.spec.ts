import { FakeExchangeServer, eventually, loadRecordedOhlcv, dataDir } from '@atp/testing';
import { L2BookBuilder, readHftCapture, type Candle, type SeriesId, type Trade, type L2Snapshot } from '@atp/market-data';
import * as path from 'node:path';
import { createExchange } from './exchange';
import { LiveCandleFeed, LiveOrderBookFeed, LiveTradeFeed, type BookUpdate } from './live';

/**
 * ccxt.pro's binance class against the fake exchange's WebSocket endpoint. Candles: the recorded
 * BTC/USDT 1h bars (shared/data/binance-spot, NostalgiaForInfinity, GPL-3.0); trades and depth:
 * the hftbacktest spot capture of 2024-08-08 (shared/data/ticks/hftbacktest, MIT).
 */
const rows = loadRecordedOhlcv('BTC', '1h');
const BTC: SeriesId = { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' };
const at = (iso: string) => Date.parse(iso);

let server: FakeExchangeServer;
beforeEach(async () => {
  server = await FakeExchangeServer.start();
  server.setCandles('BTCUSDT', '1h', rows);
});
afterEach(() => server.close());

const pro = () => createExchange('binance', { pro: true, apiUrls: server.binanceUrls(), rateLimitMs: 1 });

describe('LiveCandleFeed (ccxt.pro watchOHLCV)', () => {
  it('emits every closed bar exactly once across a dropped connection, repairing by REST, through a maintenance gap', async () => {
    // 2020-12-21: bars 07:00..14:00 exist, 15:00-17:00 are missing (Binance maintenance), 18:00 resumes.
    server.clock = at('2020-12-21T09:30:00Z');
    const closed: Candle[] = [];
    const feed = new LiveCandleFeed({ exchange: pro(), series: BTC, lastClosedOpenTime: at('2020-12-21T06:00:00Z'), onClosed: (c) => void closed.push(c), reconnect: { baseDelayMs: 100 } });
    const running = feed.start();
    try {
      await eventually(() => expect(server.subscriptions()).toEqual(['btcusdt@kline_1h']));
      // The bars that closed before the start (07:00, 08:00) come by REST as soon as the stream shows the 09:00 bar.
      await eventually(() => expect(closed.map((c) => c.openTime)).toEqual([at('2020-12-21T07:00:00Z'), at('2020-12-21T08:00:00Z')]));
      server.advanceTo(at('2020-12-21T10:30:00Z'));
      server.advanceTo(at('2020-12-21T11:30:00Z'));
      await eventually(() => expect(closed).toHaveLength(4)); // 09:00, 10:00 from the stream
      const connectionsBefore = server.wsConnectionCount;
      expect(server.dropConnections()).toBe(1);
      // While disconnected: 11:00, 12:00, 13:00 close; their final klines are lost.
      server.advanceTo(at('2020-12-21T14:30:00Z'));
      await eventually(() => expect(server.wsConnectionCount).toBe(connectionsBefore + 1)); // reconnected
      await eventually(() => expect(server.subscriptions()).toEqual(['btcusdt@kline_1h'])); // resubscribed
      // Through the gap: 14:00 closes when 18:00 starts; 15:00-17:00 never existed.
      server.advanceTo(at('2020-12-21T18:30:00Z'));
      server.advanceTo(at('2020-12-21T19:30:00Z'));
      server.advanceTo(at('2020-12-21T20:00:00Z'));
      // Binance pushes the forming bar every ~2 s; so does this loop (within the 20:00 bar). A push
      // that crosses the resubscription (sent as the server registers it, before ccxt.pro listens
      // again) is then followed by another, as on the real venue, and the feed catches up from it.
      let now = at('2020-12-21T20:00:00Z');
      await eventually(
        () => {
          server.advanceTo((now += 2_000));
          expect(closed.at(-1)?.openTime).toBe(at('2020-12-21T19:00:00Z'));
        },
        { timeoutMs: 15_000, intervalMs: 100 },
      );
    } finally {
      await feed.stop();
      await running.catch(() => undefined);
    }
    const expected = rows.filter((r) => r[0]! >= at('2020-12-21T07:00:00Z') && r[0]! <= at('2020-12-21T19:00:00Z'));
    expect(expected).toHaveLength(10); // 07..14 and 18, 19
    expect(closed.map((c) => [c.openTime, c.open, c.high, c.low, c.close, c.volume])).toEqual(expected);
    expect(feed.reconnects).toBeGreaterThanOrEqual(1);
    expect(feed.emitted).toBe(10);
    // Gap repair used REST klines after the reconnect.
    expect(server.requestsTo('/klines').length).toBeGreaterThanOrEqual(2);
  });
});

describe('LiveTradeFeed (ccxt.pro watchTrades)', () => {
  it('delivers each recorded trade once across a reconnect with replayed overlap', async () => {
    const recorded: Record<string, unknown>[] = [];
    for await (const r of readHftCapture(path.join(dataDir(), 'ticks/hftbacktest/spot_btcusdt_20240808.jsonl.gz'))) {
      if (r.kind === 'trade' && recorded.length < 200) recorded.push({ e: 'trade', E: r.trade.ts, s: 'BTCUSDT', t: Number(r.trade.tradeId), p: String(r.trade.price), q: String(r.trade.amount), T: r.trade.ts, m: r.trade.side === 'sell', M: true });
    }
    const got: Trade[] = [];
    const feed = new LiveTradeFeed({ exchange: pro(), symbol: 'BTC/USDT', onTrade: (t) => void got.push(t), reconnect: { baseDelayMs: 50 } });
    const running = feed.start();
    try {
      await eventually(() => expect(server.subscriptions()).toEqual(['btcusdt@trade']));
      for (const t of recorded.slice(0, 120)) server.publish('btcusdt@trade', t);
      await eventually(() => expect(got).toHaveLength(120));
      server.dropConnections();
      await eventually(() => expect(server.subscriptions()).toEqual(['btcusdt@trade']));
      for (const t of recorded.slice(100)) server.publish('btcusdt@trade', t); // 20 already seen
      await eventually(() => expect(got).toHaveLength(200));
    } finally {
      await feed.stop();
      await running.catch(() => undefined);
    }
    expect(new Set(got.map((t) => t.tradeId)).size).toBe(200);
    expect(got[0]).toMatchObject({ exchange: 'binance', symbol: 'BTC/USDT', tradeId: '3735683259', price: 61837.63, amount: 0.02, side: 'sell' });
    expect(feed.reconnects).toBe(1);
  });
});

describe('LiveOrderBookFeed (ccxt.pro watchOrderBook)', () => {
  it("ccxt's book from the REST snapshot + recorded diffs equals the domain L2 builder's", async () => {
    let snapshot: L2Snapshot | null = null;
    const diffs: Record<string, unknown>[] = [];
    const builder = new L2BookBuilder({ sequencing: 'spot' });
    for await (const r of readHftCapture(path.join(dataDir(), 'ticks/hftbacktest/spot_btcusdt_20240808.jsonl.gz'))) {
      if (r.kind === 'snapshot') {
        snapshot = r.snapshot;
        builder.onSnapshot(r.snapshot);
      } else if (r.kind === 'depth' && diffs.length < 300) {
        builder.onDiff(r.diff);
        diffs.push({ e: 'depthUpdate', E: r.diff.ts, s: 'BTCUSDT', U: r.diff.firstUpdateId, u: r.diff.lastUpdateId, b: r.diff.bids.map((l) => [String(l[0]), String(l[1])]), a: r.diff.asks.map((l) => [String(l[0]), String(l[1])]) });
      }
    }
    server.setDepthSnapshot('BTCUSDT', { lastUpdateId: snapshot!.lastUpdateId, bids: snapshot!.bids.map((l) => [String(l[0]), String(l[1])]), asks: snapshot!.asks.map((l) => [String(l[0]), String(l[1])]) });
    const books: BookUpdate[] = [];
    const feed = new LiveOrderBookFeed({ exchange: pro(), symbol: 'BTC/USDT', depth: 10, onBook: (b) => void books.push(b) });
    const running = feed.start();
    try {
      await eventually(() => expect(server.subscriptions()).toEqual(['btcusdt@depth@100ms']));
      for (const d of diffs) server.publish('btcusdt@depth@100ms', d);
      await eventually(() => expect(books.at(-1)?.nonce).toBe(diffs.at(-1)!.u));
    } finally {
      await feed.stop();
      await running.catch(() => undefined);
    }
    expect(server.requestsTo('/depth')).toHaveLength(1);
    const last = books.at(-1)!;
    expect(last.bids).toEqual(builder.book.bids.top(10).map((l) => [l[0], l[1]]));
    expect(last.asks).toEqual(builder.book.asks.top(10).map((l) => [l[0], l[1]]));
  });
});
