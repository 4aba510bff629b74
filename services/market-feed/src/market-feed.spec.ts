import * as path from 'node:path';
import { InProcessBus } from '@atp/bus';
import { groupName, TOPICS } from '@atp/contracts';
import { ConfigError } from '@atp/nest-kit';
import { importRecordedCandles, readHftCapture, toCandleEvent, type CandleDoc, type TradeDoc } from '@atp/market-data';
import { CANDLES, MARKETS, TRADES, type MarketsSnapshot } from '@atp/market-data-ccxt';
import { MemoryStore } from '@atp/storage';
import { dataDir, eventually, FakeExchangeServer, loadRecordedOhlcv } from '@atp/testing';
import { collect, startFeedHost, type FeedHost } from './testing/feed-host';

/**
 * market-feed against the local fake Binance (REST + WebSocket) through ccxt's real binance classes,
 * over the in-process bus. Data: recorded 1h candles (shared/data/binance-spot, NostalgiaForInfinity,
 * GPL-3.0), trades and depth of the hftbacktest spot capture (shared/data/ticks/hftbacktest, MIT),
 * the markets snapshot from the recorded Binance exchangeInfo (ticks/cryptofeed/BINANCE.0).
 */
const at = (iso: string) => Date.parse(iso);
const H = 3_600_000;
const BTC = loadRecordedOhlcv('BTC', '1h');
const ETH = loadRecordedOhlcv('ETH', '1h');
const rowAt = (rows: number[][], t: number) => rows.find((r) => r[0] === t)!;
const candle = (r: number[]) => ({ openTime: r[0]!, open: r[1]!, high: r[2]!, low: r[3]!, close: r[4]!, volume: r[5]! });

let server: FakeExchangeServer;
let bus: InProcessBus;
let feed: FeedHost | undefined;
beforeEach(async () => {
  server = await FakeExchangeServer.start();
  server.setCandles('BTCUSDT', '1h', BTC);
  server.setCandles('ETHUSDT', '1h', ETH);
  bus = new InProcessBus();
});
afterEach(async () => {
  await feed?.stop().catch(() => undefined);
  feed = undefined;
  await bus.close();
  await server.close();
});

const live = (env: Record<string, string> = {}) => ({ FEED_SOURCE: 'live', EXCHANGE_API_URL: server.httpUrl, SYMBOLS: 'BTC/USDT,ETH/USDT', TIMEFRAMES: '1h', ...env });

describe('market-feed live (ccxt.pro on the fake exchange)', () => {
  it('publishes and stores each closed candle once, trades and book snapshots, and stores the markets snapshot', async () => {
    // Trades and depth of the hftbacktest capture, as Binance pushes them.
    const trades: Record<string, unknown>[] = [];
    const diffs: Record<string, unknown>[] = [];
    let snapshot: { lastUpdateId: number; bids: [string, string][]; asks: [string, string][] } | null = null;
    for await (const r of readHftCapture(path.join(dataDir(), 'ticks/hftbacktest/spot_btcusdt_20240808.jsonl.gz'))) {
      if (r.kind === 'trade' && trades.length < 50) trades.push({ e: 'trade', E: r.trade.ts, s: 'BTCUSDT', t: Number(r.trade.tradeId), p: String(r.trade.price), q: String(r.trade.amount), T: r.trade.ts, m: r.trade.side === 'sell', M: true });
      else if (r.kind === 'snapshot') snapshot = { lastUpdateId: r.snapshot.lastUpdateId, bids: r.snapshot.bids.map((l) => [String(l[0]), String(l[1])]), asks: r.snapshot.asks.map((l) => [String(l[0]), String(l[1])]) };
      else if (r.kind === 'depth' && diffs.length < 20) diffs.push({ e: 'depthUpdate', E: r.diff.ts, s: 'BTCUSDT', U: r.diff.firstUpdateId, u: r.diff.lastUpdateId, b: r.diff.bids.map((l) => [String(l[0]), String(l[1])]), a: r.diff.asks.map((l) => [String(l[0]), String(l[1])]) });
    }
    server.setDepthSnapshot('BTCUSDT', snapshot!);
    server.clock = at('2021-01-05T09:30:00Z');
    const candles = await collect(bus, TOPICS.mdCandles);
    const tradeEvents = await collect(bus, TOPICS.mdTrades);
    const books = await collect(bus, TOPICS.mdBook);
    feed = await startFeedHost(bus, live({ STREAMS: 'candles,trades,book', SYMBOLS: 'BTC/USDT,ETH/USDT', BOOK_DEPTH: '5' }));

    await eventually(() => expect(server.subscriptions()).toEqual(['btcusdt@depth@100ms', 'btcusdt@kline_1h', 'btcusdt@trade', 'ethusdt@depth@100ms', 'ethusdt@kline_1h', 'ethusdt@trade']), { timeoutMs: 20_000 });
    server.advanceTo(at('2021-01-05T10:30:00Z'));
    server.advanceTo(at('2021-01-05T11:30:00Z'));
    for (const t of trades) server.publish('btcusdt@trade', t);
    for (const d of diffs) server.publish('btcusdt@depth@100ms', d);
    await eventually(() => expect(candles.values).toHaveLength(4), { timeoutMs: 10_000 });
    await eventually(() => expect(tradeEvents.values).toHaveLength(50));
    await eventually(() => expect(books.values.at(-1)?.lastSeq).toBe(diffs.at(-1)!.u));

    // Closed bars 09:00 and 10:00 of each symbol, exactly the recorded values, with the domain's event ids.
    const expected = ['BTC/USDT', 'ETH/USDT'].flatMap((symbol) =>
      [at('2021-01-05T09:00:00Z'), at('2021-01-05T10:00:00Z')].map((t) => {
        const e = toCandleEvent({ exchange: 'binance', symbol, timeframe: '1h' }, candle(rowAt(symbol === 'BTC/USDT' ? BTC : ETH, t)), { closed: true, tsInit: 0, source: 'market-feed' });
        return { ...e, tsInit: expect.any(Number) };
      }),
    );
    expect([...candles.values].sort((a, b) => a.symbol.localeCompare(b.symbol) || a.openTime - b.openTime)).toEqual(expected);
    expect(candles.values.every((c) => c.tsEvent === c.openTime + H)).toBe(true);
    expect(tradeEvents.values[0]).toMatchObject({ exchange: 'binance', symbol: 'BTC/USDT', tradeId: String(trades[0]!.t), price: Number(trades[0]!.p), side: trades[0]!.m ? 'sell' : 'buy' });
    expect(new Set(tradeEvents.values.map((t) => t.eventId)).size).toBe(50);
    const book = books.values.at(-1)!;
    expect(book).toMatchObject({ exchange: 'binance', symbol: 'BTC/USDT', kind: 'snapshot' });
    expect(book.bids).toHaveLength(5);
    expect(book.bids[0]![0]).toBeGreaterThan(book.bids[1]![0]);
    expect(book.asks[0]![0]).toBeGreaterThan(book.bids[0]![0]);

    await feed.stop();
    const store = feed.store;
    feed = undefined;
    const stored = await store.repository<CandleDoc>(CANDLES).range({ where: { symbol: 'BTC/USDT' } });
    expect(stored.map((d) => d.openTime)).toEqual([at('2021-01-05T09:00:00Z'), at('2021-01-05T10:00:00Z')]);
    expect(await store.repository<TradeDoc>(TRADES).count()).toBe(50);
    const snap = (await store.repository<MarketsSnapshot>(MARKETS).get('binance:default'))!;
    expect(Object.keys(snap.markets).sort()).toEqual(['BTC/USDT', 'ETH/USDT']);
    // Binance exchangeInfo of 2021-10-11: BTCUSDT tick size 0.01, step size 0.00001.
    expect(snap.markets['BTC/USDT']).toMatchObject({ id: 'BTCUSDT', precision: { price: 0.01, amount: 0.00001 } });
  }, 60_000);

  it('after a restart, repairs the bars closed while it was down from the stored last bar, with no duplicate', async () => {
    server.clock = at('2021-01-05T09:30:00Z');
    const store = new MemoryStore('market_feed_restart');
    const candles = await collect(bus, TOPICS.mdCandles);
    feed = await startFeedHost(bus, live({ SYMBOLS: 'BTC/USDT', MARKETS_SNAPSHOT: 'none' }), { store });
    await eventually(() => expect(server.subscriptions()).toEqual(['btcusdt@kline_1h']), { timeoutMs: 20_000 });
    server.advanceTo(at('2021-01-05T10:30:00Z'));
    server.advanceTo(at('2021-01-05T11:30:00Z'));
    await eventually(() => expect(candles.values.map((c) => c.openTime)).toEqual([at('2021-01-05T09:00:00Z'), at('2021-01-05T10:00:00Z')]));
    await feed.stop();
    feed = undefined;

    server.advanceTo(at('2021-01-05T14:30:00Z')); // 11:00..13:00 close while market-feed is down
    feed = await startFeedHost(bus, live({ SYMBOLS: 'BTC/USDT', MARKETS_SNAPSHOT: 'none' }), { store });
    await eventually(() => expect(candles.values).toHaveLength(5), { timeoutMs: 20_000 });
    server.advanceTo(at('2021-01-05T15:30:00Z'));
    await eventually(() => expect(candles.values).toHaveLength(6));
    const times = candles.values.map((c) => c.openTime);
    expect(times).toEqual([9, 10, 11, 12, 13, 14].map((h) => at(`2021-01-05T${String(h).padStart(2, '0')}:00:00Z`)));
    expect(await store.repository<CandleDoc>(CANDLES).count()).toBe(6);
  }, 60_000);

  it('raises STALE_DATA on risk.alerts.v1 once when a stream is silent, and STALE_DATA_RECOVERED when it flows again', async () => {
    server.clock = at('2021-01-05T09:30:00Z');
    const alerts = await collect(bus, TOPICS.riskAlerts);
    feed = await startFeedHost(bus, live({ SYMBOLS: 'BTC/USDT', STALE_AFTER_MS: '1000', MARKETS_SNAPSHOT: 'none' }));
    await eventually(() => expect(server.subscriptions()).toEqual(['btcusdt@kline_1h']), { timeoutMs: 20_000 });
    await eventually(() => expect(alerts.values).toHaveLength(1), { timeoutMs: 5_000 });
    expect(alerts.values[0]).toMatchObject({
      code: 'STALE_DATA', severity: 'warning', exchange: 'binance', symbol: 'BTC/USDT', source: 'market-feed',
      details: { stream: 'candles', timeframe: '1h', staleAfterMs: 1000 },
    });
    expect(alerts.values[0]!.message).toMatch(/^no candles 1h of BTC\/USDT on binance for \d+ s \(STALE_AFTER_MS=1000\)$/);
    expect(feed.runner.live!.staleStreams()).toEqual(['candles:binance:BTC/USDT:1h']);
    await new Promise((r) => setTimeout(r, 600)); // still silent: no second alert
    expect(alerts.values).toHaveLength(1);

    server.advanceTo(at('2021-01-05T10:30:00Z'));
    await eventually(() => expect(alerts.values).toHaveLength(2));
    expect(alerts.values[1]).toMatchObject({ code: 'STALE_DATA_RECOVERED', severity: 'info', symbol: 'BTC/USDT' });
    expect(feed.runner.live!.staleStreams()).toEqual([]);
  }, 60_000);
});

describe('market-feed replay (the replay driver)', () => {
  it('replays the recorded candles of a time range free-running under a run id', async () => {
    const candles = await collect(bus, TOPICS.mdCandles, 'r1');
    feed = await startFeedHost(bus, { FEED_SOURCE: 'replay', REPLAY_MODE: 'free', SYMBOLS: 'BTC/USDT,ETH/USDT', RUN_ID: 'r1', REPLAY_FROM: '2021-01-01', REPLAY_TO: '2021-01-02' });
    const stats = await feed.runner.replay;
    expect(stats).toMatchObject({ eventTimes: 24, candles: 48 });
    await eventually(() => expect(candles.values).toHaveLength(48));
    expect(candles.messages[0]!.topic).toBe('run.r1.md.candles.v1');
    expect(candles.values.every((c) => c.closed && c.source === 'replay')).toBe(true);
    expect(candles.values.filter((c) => c.symbol === 'BTC/USDT').map((c) => c.openTime)).toEqual(Array.from({ length: 24 }, (_, i) => at('2021-01-01T00:00:00Z') + i * H));
    // The recorded markets snapshot was stored at start-up.
    expect(feed.runner.snapshot?.source).toMatch(/BINANCE\.0/);
  }, 60_000);

  it('replays its stored candles in lockstep with the pipeline groups', async () => {
    const store = new MemoryStore('market_feed_replay');
    await importRecordedCandles({ sink: store.repository(CANDLES), symbols: ['BTC/USDT'], timeframes: ['1h'] });
    // Stand-ins for the pipeline's consumer groups: each records the event times it saw.
    const seen: Record<string, number[]> = {};
    const subs = await Promise.all(['strategy', 'risk', 'execution', 'pnl'].map((group) =>
      // A run's services consume in run-namespaced groups (groupName), as BusConsumer subscribes them.
      bus.subscribe({ contract: TOPICS.mdCandles, group: groupName(group, 'r2'), runId: 'r2' }, async (m) => {
        (seen[group] ??= []).push(m.value.tsEvent);
        await new Promise((r) => setTimeout(r, 1));
      }),
    ));
    feed = await startFeedHost(bus, { FEED_SOURCE: 'replay', REPLAY_SOURCE: 'store', REPLAY_MODE: 'lockstep', SYMBOLS: 'BTC/USDT', RUN_ID: 'r2', REPLAY_FROM: '2021-03-01', REPLAY_TO: '2021-03-03', MARKETS_SNAPSHOT: 'none' }, { store });
    const stats = (await feed.runner.replay)!;
    expect(stats).toMatchObject({ eventTimes: 48, candles: 48 });
    expect(stats.polls).toBeGreaterThanOrEqual(48);
    // Lockstep: every group had handled bar T before bar T+1 was published, so all saw all, in order.
    for (const g of ['strategy', 'risk', 'execution', 'pnl']) expect(seen[g]).toEqual(Array.from({ length: 48 }, (_, i) => at('2021-03-01T01:00:00Z') + i * H));
    await Promise.all(subs.map((s) => s.close()));
  }, 60_000);

  it('refuses configurations that cannot work, naming the key', async () => {
    await expect(startFeedHost(bus, { FEED_SOURCE: 'replay', EXCHANGE: 'kraken' })).rejects.toThrow(ConfigError);
    await expect(startFeedHost(bus, { FEED_SOURCE: 'replay', EXCHANGE: 'kraken' })).rejects.toThrow(/EXCHANGE must be binance when replaying the recorded data/);
    await expect(startFeedHost(bus, { FEED_SOURCE: 'replay', REPLAY_FROM: '2021-02-01', REPLAY_TO: '2021-01-01' })).rejects.toThrow(/REPLAY_TO must be after REPLAY_FROM/);
    await expect(startFeedHost(bus, { FEED_SOURCE: 'sometimes' })).rejects.toThrow(/FEED_SOURCE must be one of live\|replay\|none/);
  });
});
