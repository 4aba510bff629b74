// Paper trading on LIVE ccxt.pro streams, end to end: the embedded launcher's services (what
// `atp paper` runs) in one process, market-feed on FEED_SOURCE=live through ccxt.pro's binance class
// pointed at the fake exchange (EXCHANGE_API_URL), which pushes closed 1h klines of the recorded
// BTC/USDT data (Binance spot, ../shared/data/binance-spot, NostalgiaForInfinity, GPL-3.0) over its
// WebSocket. The WebSocket is dropped once mid-run: the bars that closed meanwhile come by REST after
// the reconnect, none missing or twice. Strong check: the decisions, approvals, order events, fills
// and final P&L equal the in-process backtester's on exactly the bars pushed and the same spec.
import type { Bus } from '@atp/bus';
import { backtestConfigFromSpec, runBacktest } from '@atp/backtest';
import type { FillEvent, PnlEvent } from '@atp/contracts';
import { BUS } from '@atp/nest-kit';
import { memorySink } from '@atp/observability';
import { PnlHandlers } from '@atp/svc-pnl';
import { RiskHandlers } from '@atp/svc-risk';
import { MarketFeedRunner } from '@atp/svc-market-feed';
import { eventually, FakeExchangeServer, loadRecordedOhlcv } from '@atp/testing';
import { liveStreamsEnv } from '../../apps/cli/src/commands/paper';
import { startEmbedded, type EmbeddedHost } from '../../apps/embedded/src/embedded';
import { collect } from '../pipeline/support/collect';
import { backtestRecords, canonical, firstDifference, pnlOf } from '../pipeline/support/compare';
import { maCrossoverSpec, recordedSeries } from '../pipeline/support/spec';
import { collectMarketData, pipelineDrain } from './support/live';

const H = 3_600_000;
/** First bar pushed: 2021-01-01T00:00Z; the 1h data has no missing bar for the next 980 hours. */
const FROM = Date.UTC(2021, 0, 1);
/** Closed bars pushed (the bar after the last one starts, so that one closes too). */
const BARS = 300;
/**
 * The WebSocket is dropped while bar DROP_AT forms; DOWN bars close before the client is back and
 * then come by REST at once. A position (and its stop-loss bracket) is open across them; none of
 * them carries a new intent (the `firehose` case pushes every bar at once).
 */
const DROP_AT = 150;
const DOWN = 4;
const RUN_ID = 'paper';

describe('paper trading on live ccxt.pro streams (fake Binance WebSocket) vs the backtester', () => {
  let server: FakeExchangeServer | undefined;
  let host: EmbeddedHost | undefined;
  afterEach(async () => {
    await host?.stop('test').catch(() => undefined);
    await server?.close();
  });

  // paced: after each bar, wait until the pipeline drained it (a live market leaves it an hour).
  // firehose: push every bar at once (as a REST catch-up after a long drop does), the pipeline
  // draining concurrently. Execution then sees bars T+1.. before risk has answered the decisions of
  // T; its decision barrier holds them until it has (EXECUTION_DECISION_WAIT_MS), so the bar-matched
  // markers count the fills of the orders decided at T and the decisions equal the backtester's.
  // (Without the barrier, EXECUTION_DECISION_WAIT_MS=0, the decisions diverge at about bar 100.)
  const pacings = ['paced', 'firehose'] as const;
  it.each(pacings)('%s: closed bars flow once each across a dropped WebSocket; the paper fills and P&L equal the backtest on the same bars', async (pacing) => {
    const rows = loadRecordedOhlcv('BTC', '1h');
    const first = rows.findIndex((r) => r[0] === FROM);
    const pushed = rows.slice(first, first + BARS);
    expect(pushed.every((r, i) => r[0] === FROM + i * H)).toBe(true); // no gap in the window

    // MA crossover with short windows on BTC/USDT only, native 2-ATR stop-loss brackets, next-open
    // fills with 5 bps slippage, 0.1% fees: the pipeline spec `atp paper` hands to every service.
    const spec = maCrossoverSpec(RUN_ID, ['BTC/USDT'], { strategies: [{ id: 'ma-x', strategy: 'ma-crossover', params: { fast: 5, slow: 15, atrStop: 2 } }] });
    const bt = runBacktest(backtestConfigFromSpec(spec, { recordBarMatched: true }), recordedSeries(spec, FROM, FROM + BARS * H));
    expect(bt.bars).toBe(BARS);
    expect(bt.fills.length).toBeGreaterThanOrEqual(10);

    server = await FakeExchangeServer.start();
    server.setCandles('BTCUSDT', '1h', rows);
    server.clock = FROM + H / 2; // bar 0 forming: REST serves nothing later

    // `atp paper --symbols BTC/USDT --timeframe 1h --exchange-api-url <fake>`'s environment, with this spec.
    const env: Record<string, string> = {
      ...liveStreamsEnv({ exchange: 'binance', symbols: 'BTC/USDT', timeframe: '1h', exchangeApiUrl: server.httpUrl }, 'paper'),
      PIPELINE_SPEC: JSON.stringify(spec),
      SERVICE_PORT: '0',
      SERVICE_HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
    };
    expect(env).toMatchObject({ TRADING_MODE: 'paper', MARKET_FEED_FEED_SOURCE: 'live', EXCHANGE_API_URL: server.httpUrl });
    const logs = memorySink();
    host = await startEmbedded({ env, logSink: logs });
    const bus = host.app.get<symbol, Bus>(BUS, { strict: false });
    const feed = host.app.get(MarketFeedRunner, { strict: false }).live!;
    expect(feed).toBeTruthy();
    const md = await collectMarketData(bus);
    const c = await collect(bus, '');
    const drained = pipelineDrain(bus);
    await eventually(() => expect(server!.subscriptions()).toEqual(['btcusdt@kline_1h']), { timeoutMs: 15_000 });

    const t0 = Date.now();
    const closedCount = () => md.candles.filter((x) => x.closed).length;
    // Bar k-1 closes (its final kline) and bar k starts (an update) at k h + 30 min; the feed emits
    // bar k-1 once it sees bar k. Wait for it to reach the bus and the pipeline to drain: an hour
    // of a live market, in milliseconds.
    const step = async (k: number, expectClosed: number) => {
      server!.advanceTo(FROM + k * H + H / 2);
      if (pacing === 'firehose') return;
      await eventually(() => expect(closedCount()).toBe(expectClosed), { timeoutMs: 10_000, intervalMs: 1 });
      await drained();
    };
    for (let k = 1; k <= DROP_AT; k++) await step(k, k);
    await eventually(() => expect(closedCount()).toBe(DROP_AT), { timeoutMs: 20_000 });

    // Network drop: bars DROP_AT .. DROP_AT + DOWN - 1 close while the client is away (their final
    // klines go nowhere); after the reconnect the stream shows a later bar and the feed repairs the
    // gap by REST (fetchOHLCV since the last emitted bar), then carries on with the stream.
    const connections = server.wsConnectionCount;
    const klinesBefore = server.requestsTo('/klines').length;
    expect(server.dropConnections()).toBe(1);
    for (let k = DROP_AT + 1; k <= DROP_AT + DOWN; k++) server.advanceTo(FROM + k * H + H / 2);
    await new Promise((r) => setTimeout(r, 50));
    expect(closedCount()).toBe(DROP_AT); // nothing came while disconnected
    await eventually(() => expect(server!.wsConnectionCount).toBe(connections + 1), { timeoutMs: 15_000 });
    // Resubscribed; the venue pushes the forming bar (DROP_AT + DOWN) on subscribe, so the feed sees
    // that DOWN bars closed meanwhile and fetches them by REST.
    await eventually(() => expect(server!.subscriptions()).toEqual(['btcusdt@kline_1h']), { timeoutMs: 15_000 });
    await eventually(() => expect(closedCount()).toBe(DROP_AT + DOWN), { timeoutMs: 10_000, intervalMs: 1 });
    await drained();
    expect(server.requestsTo('/klines').length).toBeGreaterThan(klinesBefore);
    for (let k = DROP_AT + DOWN + 1; k <= BARS; k++) await step(k, k);
    await eventually(() => expect(closedCount()).toBe(BARS), { timeoutMs: 20_000 });
    await drained();
    const pushMs = Date.now() - t0;

    // Closed bars downstream: exactly the pushed bars, in order, each once, with their recorded values.
    await eventually(() => expect(md.features.length).toBeGreaterThanOrEqual(BARS));
    const closed = md.candles.filter((x) => x.closed);
    expect(closed.map((x) => [x.openTime, x.open, x.high, x.low, x.close, x.volume])).toEqual(pushed);
    expect(closed.every((x) => x.exchange === 'binance' && x.symbol === 'BTC/USDT' && x.timeframe === '1h')).toBe(true);
    expect(md.candles.filter((x) => !x.closed)).toEqual([]); // PUBLISH_FORMING off
    expect(feed.counts).toMatchObject({ candles: BARS });
    expect(feed.counts.reconnects).toBeGreaterThanOrEqual(1);
    const repaired = logs.records().filter((r) => r['msg'] === 'live feed repaired by REST');
    expect(repaired).toContainEqual(expect.objectContaining({ feed: 'candles:binance:BTC/USDT:1h', from: FROM + DROP_AT * H, to: FROM + (DROP_AT + DOWN) * H, bars: DOWN }));

    // Features and decision records: one per bar.
    expect(md.features.map((f) => f.openTime)).toEqual(pushed.map((r) => r[0]));
    await eventually(async () => expect(await c.lag()).toBe(0));
    const b = canonical(c.data);
    expect(b.decisions.map((d) => d.decisionTime)).toEqual(pushed.map((r) => r[0]! + H));
    expect(c.data.decisions).toHaveLength(BARS); // not one delivered twice either

    // Orders approved and filled on paper, at prices inside the bar they filled on (+- the 5 bps slippage).
    expect(b.approved.length).toBeGreaterThanOrEqual(5);
    expect(b.fills.length).toBeGreaterThanOrEqual(10);
    const bars = new Map(pushed.map((r) => [r[0]!, r]));
    for (const f of b.fills) {
      const bar = bars.get(f.tsEvent - H); // tsEvent: the close of the bar it filled on
      expect({ fill: f.fillId, bar: !!bar }).toEqual({ fill: f.fillId, bar: true });
      const price = Number(f.price);
      expect(price).toBeGreaterThanOrEqual(bar![3]! * (1 - 5e-4) - 1e-9);
      expect(price).toBeLessThanOrEqual(bar![2]! * (1 + 5e-4) + 1e-9);
    }

    // Paper: no order, account or trade request ever reached the (fake) venue; public data only.
    expect(server.requests.filter((r) => !/\/(exchangeInfo|klines|time|ping)$/.test(r.path)).map((r) => r.path)).toEqual([]);

    // Parity: the same decisions, approvals, rejections, order events and fills as the backtester.
    const a = canonical(backtestRecords(bt));
    expect(firstDifference(a, b, ['backtest', 'paper-live'])).toBeUndefined();

    // P&L published, and the final state equal to the backtest's.
    expect(c.data.pnl.length).toBeGreaterThan(0);
    const pnl = host.app.get(PnlHandlers, { strict: false }).core;
    expect(pnlOf(pnl.pnl())).toEqual(pnlOf(bt.final));
    expect(pnl.portfolio.roundTrips()).toHaveLength(bt.roundTrips.length);
    expect(host.app.get(RiskHandlers, { strict: false }).core.portfolio.cash().toString()).toBe(bt.final.cash);

    // What the user of `atp paper` sees: the dashboard API lists the same fills and the final P&L.
    const api = async <T>(p: string) => (await fetch(`${host!.url}${p}`)).json() as Promise<T>;
    await eventually(async () => {
      expect((await api<FillEvent[]>('/api/fills')).map((f) => f.fillId).sort()).toEqual(b.fills.map((f) => f.fillId));
      expect((await api<{ account: PnlEvent | null }>('/api/pnl')).account).toMatchObject({ strategyId: '*', cash: bt.final.cash, realized: bt.final.realized, fees: bt.final.fees, equity: bt.final.equity });
    });
    expect(logs.records().filter((r) => r['level'] === 'error' || r['level'] === 'fatal')).toEqual([]);
    console.log(`paper on live streams (${pacing}): ${BARS} closed 1h bars pushed over the fake WebSocket in ${pushMs} ms (1 drop, ${DOWN} bars repaired by REST); ${b.decisions.length} decisions, ${b.approved.length} approvals, ${b.fills.length} fills, final equity ${bt.final.equity}`);
    await md.close();
    await c.close();
  }, 60_000);
});
