import type { Bus } from '@atp/bus';
import { TOPICS, type RiskAlertEvent } from '@atp/contracts';
import { eventIdFrom, type Clock, type Timeframe } from '@atp/core';
import { toBookEvent, toCandleDoc, toCandleEvent, toTradeDoc, toTradeEvent, type Candle, type CandleDoc, type SeriesId, type Trade, type TradeDoc } from '@atp/market-data';
import { apiUrlsFor, CANDLES, createExchange, LiveCandleFeed, LiveOrderBookFeed, LiveTradeFeed, loadMarketsWithRetries, TRADES, type BookUpdate, type CcxtExchange } from '@atp/market-data-ccxt';
import type { Logger } from '@atp/observability';
import type { Repository, Store } from '@atp/storage';
import { StaleDataMonitor, type StaleChange } from './stale-monitor';

export type LiveStream = 'candles' | 'trades' | 'book';

/** A ccxt instance of `exchange` (pro: WebSocket too), pointed at `apiUrl` when set (EXCHANGE_API_URL). */
export function venueExchange(exchange: string, apiUrl: string | undefined, pro: boolean, rateLimitMs?: number): CcxtExchange {
  return createExchange(exchange, { pro, apiUrls: apiUrl ? apiUrlsFor(exchange, apiUrl) : undefined, rateLimitMs });
}

export interface LiveMarketFeedOptions {
  readonly bus: Bus;
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly exchange: string;
  readonly symbols: readonly string[];
  readonly timeframes: readonly Timeframe[];
  readonly streams: readonly LiveStream[];
  /** Base URL replacing the venue's REST and WebSocket endpoints (a fake exchange in tests). */
  readonly apiUrl?: string;
  readonly bookDepth: number;
  /** Publish the forming bar on every update (closed = false), besides each closed bar. */
  readonly publishForming: boolean;
  readonly staleAfterMs: number;
  /** How often silence is checked, ms (default min(staleAfterMs / 4, 5 s)). */
  readonly checkEveryMs?: number;
  /** Topics under this run id (replay/paper runs); none for live. */
  readonly runId?: string;
  /** ccxt's rate limit per request-cost unit, ms (tests against the fake exchange: 1). */
  readonly rateLimitMs?: number;
  /** Reconnect back-off base, ms (default 250). */
  readonly reconnectBaseMs?: number;
  readonly source?: string;
}

interface Running {
  readonly key: string;
  stop(): Promise<void>;
  done: Promise<void>;
}

/**
 * market-feed's live side, free of Nest: one ccxt.pro feed per (stream, symbol[, timeframe]) —
 * closed candles (each exactly once, REST-repaired across drops and from the last stored bar on
 * start), public trades (each id once) and L2 book snapshots — stored (candles and trades, upserts
 * by natural key, so a restart or a repair never duplicates) and then published on md.candles.v1 /
 * md.trades.v1 / md.book.v1. A stream silent for `staleAfterMs` raises STALE_DATA on
 * risk.alerts.v1 (once), and STALE_DATA_RECOVERED when data flows again.
 */
export class LiveMarketFeed {
  private readonly candles: Repository<CandleDoc>;
  private readonly trades: Repository<TradeDoc>;
  private readonly monitor: StaleDataMonitor;
  private readonly running: Running[] = [];
  /** What each stream key names (symbols may contain ':', so keys are not parsed back). */
  private readonly streamInfo = new Map<string, { stream: LiveStream; symbol: string; timeframe: string | null }>();
  private timer: NodeJS.Timeout | undefined;
  private tradeBuffer: TradeDoc[] = [];
  private stopped = false;
  readonly counts = { candles: 0, forming: 0, trades: 0, books: 0, alerts: 0, reconnects: 0 };

  constructor(private readonly o: LiveMarketFeedOptions) {
    this.candles = o.store.repository(CANDLES);
    this.trades = o.store.repository(TRADES);
    this.monitor = new StaleDataMonitor(o.staleAfterMs);
  }

  private exchange(pro: boolean): CcxtExchange {
    return venueExchange(this.o.exchange, this.o.apiUrl, pro, this.o.rateLimitMs);
  }

  /**
   * Loads the venue's markets once, then starts every feed (their loops run until `stop`).
   * Throws when the markets cannot be loaded (after retries) or a symbol is not listed.
   */
  async start(): Promise<void> {
    await Promise.all([this.candles.init(), this.trades.init()]);
    const base = this.exchange(true);
    await loadMarketsWithRetries(base);
    const missing = this.o.symbols.filter((s) => !base.markets?.[s]);
    await base.close().catch(() => undefined);
    if (missing.length) throw new Error(`${this.o.exchange} does not list ${missing.join(', ')} (SYMBOLS)`);
    const withMarkets = () => {
      const ex = this.exchange(true);
      ex.setMarkets(base.markets, base.currencies as never);
      return ex;
    };
    const reconnect = { baseDelayMs: this.o.reconnectBaseMs ?? 250 };
    const now = () => this.o.clock.now();
    for (const symbol of this.o.symbols) {
      if (this.o.streams.includes('candles')) {
        for (const timeframe of this.o.timeframes) {
          const series: SeriesId = { exchange: this.o.exchange, symbol, timeframe };
          const key = `candles:${this.o.exchange}:${symbol}:${timeframe}`;
          const last = await this.candles.last({ exchange: this.o.exchange, symbol, timeframe });
          const feed = new LiveCandleFeed({
            exchange: withMarkets(),
            series,
            lastClosedOpenTime: last?.openTime,
            reconnect,
            onUpdate: (c) => this.onCandleUpdate(key, series, c),
            onClosed: (c) => this.onClosedCandle(series, c),
            onEvent: (e) => this.onFeedEvent(key, e),
          });
          this.launch(key, () => feed.start(), () => feed.stop());
        }
      }
      if (this.o.streams.includes('trades')) {
        const key = `trades:${this.o.exchange}:${symbol}`;
        const feed = new LiveTradeFeed({ exchange: withMarkets(), exchangeId: this.o.exchange, symbol, reconnect, onTrade: (t) => this.onTrade(key, t), onEvent: (e) => this.onFeedEvent(key, e) });
        this.launch(key, () => feed.start(), () => feed.stop());
      }
      if (this.o.streams.includes('book')) {
        const key = `book:${this.o.exchange}:${symbol}`;
        const feed = new LiveOrderBookFeed({ exchange: withMarkets(), symbol, depth: this.o.bookDepth, reconnect, onBook: (b) => this.onBook(key, b), onEvent: (e) => this.onFeedEvent(key, e) });
        this.launch(key, () => feed.start(), () => feed.stop());
      }
    }
    for (const r of this.running) this.monitor.watch(r.key, now());
    const every = this.o.checkEveryMs ?? Math.min(this.o.staleAfterMs / 4, 5_000);
    this.timer = setInterval(() => void this.checkStale(), every);
    this.timer.unref();
    this.o.logger.info('live feeds started', { exchange: this.o.exchange, feeds: this.running.map((r) => r.key), apiUrl: this.o.apiUrl });
  }

  /** Stops every feed (closing its connections) and flushes buffered trades. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    await Promise.all(this.running.map((r) => r.stop().catch(() => undefined)));
    await Promise.all(this.running.map((r) => r.done));
    await this.flushTrades();
  }

  /** Streams currently considered stale. */
  staleStreams(): string[] {
    return this.running.map((r) => r.key).filter((k) => this.monitor.isStale(k));
  }

  private launch(key: string, start: () => Promise<void>, stop: () => Promise<void>): void {
    const [stream, , ...rest] = key.split(':');
    const timeframe = stream === 'candles' ? rest.pop()! : null;
    this.streamInfo.set(key, { stream: stream as LiveStream, symbol: rest.join(':'), timeframe });
    const done = start().catch((e: unknown) => {
      // A feed loop only ends with an error that retrying cannot fix (bad symbol, auth...).
      if (!this.stopped) this.o.logger.error('live feed stopped', { feed: key, err: e });
    });
    this.running.push({ key, stop, done });
  }

  private opts() {
    return { tsInit: this.o.clock.now(), source: this.o.source ?? 'market-feed' };
  }

  private async publish(topic: 'mdCandles' | 'mdTrades' | 'mdBook' | 'riskAlerts', value: unknown): Promise<void> {
    try {
      await this.o.bus.publish(TOPICS[topic] as typeof TOPICS.mdCandles, value as never, { runId: this.o.runId });
    } catch (e) {
      // A lost live event is logged, not fatal: closed candles are stored first and can be replayed.
      this.o.logger.error('publish failed', { topic: TOPICS[topic].name, err: e });
    }
  }

  private async onCandleUpdate(key: string, series: SeriesId, c: Candle): Promise<void> {
    await this.seen(key);
    if (!this.o.publishForming) return;
    this.counts.forming++;
    await this.publish('mdCandles', toCandleEvent(series, c, { closed: false, asOf: this.o.clock.now(), ...this.opts() }));
  }

  private async onClosedCandle(series: SeriesId, c: Candle): Promise<void> {
    // Stored before it is published: whatever consumers saw can be replayed from the store.
    await this.candles.upsertMany([toCandleDoc(series, c)]);
    this.counts.candles++;
    await this.publish('mdCandles', toCandleEvent(series, c, { closed: true, ...this.opts() }));
  }

  private async onTrade(key: string, t: Trade): Promise<void> {
    await this.seen(key);
    this.counts.trades++;
    this.tradeBuffer.push(toTradeDoc(t));
    if (this.tradeBuffer.length >= 500) await this.flushTrades();
    await this.publish('mdTrades', toTradeEvent(t, this.opts()));
  }

  private async flushTrades(): Promise<void> {
    if (this.tradeBuffer.length === 0) return;
    const docs = this.tradeBuffer;
    this.tradeBuffer = [];
    try {
      await this.trades.upsertMany(docs);
    } catch (e) {
      this.o.logger.error('storing trades failed', { trades: docs.length, err: e });
    }
  }

  private async onBook(key: string, b: BookUpdate): Promise<void> {
    await this.seen(key);
    this.counts.books++;
    const ts = b.ts ?? this.o.clock.now();
    await this.publish('mdBook', toBookEvent({ exchange: this.o.exchange, symbol: b.symbol }, { kind: 'snapshot', book: { lastUpdateId: b.nonce ?? ts, ts, bids: b.bids, asks: b.asks } }, this.opts()));
  }

  private onFeedEvent(key: string, e: { kind: string; delayMs?: number; error?: Error; from?: number; to?: number; bars?: number }): void {
    if (e.kind === 'reconnecting' || e.kind === 'resync') {
      this.counts.reconnects++;
      this.o.logger.warn('live feed reconnecting', { feed: key, kind: e.kind, delayMs: e.delayMs, err: e.error?.message });
    } else this.o.logger.info('live feed repaired by REST', { feed: key, from: e.from, to: e.to, bars: e.bars });
  }

  private async seen(key: string): Promise<void> {
    const change = this.monitor.seen(key, this.o.clock.now());
    if (change) await this.alert(change);
  }

  private async checkStale(): Promise<void> {
    if (this.stopped) return;
    await this.flushTrades();
    for (const change of this.monitor.check(this.o.clock.now())) await this.alert(change);
  }

  private async alert(c: StaleChange): Promise<void> {
    const { stream, symbol, timeframe } = this.streamInfo.get(c.key)!;
    const exchange = this.o.exchange;
    const stale = c.kind === 'stale';
    const code = stale ? 'STALE_DATA' : 'STALE_DATA_RECOVERED';
    const id = eventIdFrom('alert', code, c.key, c.lastSeen);
    const what = `${stream}${timeframe ? ` ${timeframe}` : ''} of ${symbol} on ${exchange}`;
    const alert: RiskAlertEvent = {
      eventId: id,
      alertId: id,
      tsEvent: c.at,
      tsInit: this.o.clock.now(),
      source: this.o.source ?? 'market-feed',
      severity: stale ? 'warning' : 'info',
      code,
      message: stale
        ? `no ${what} for ${Math.round(c.silentMs / 1000)} s (STALE_AFTER_MS=${this.o.staleAfterMs})`
        : `${what} flowing again after ${Math.round(c.silentMs / 1000)} s of silence`,
      exchange,
      symbol,
      details: { stream, timeframe, lastSeen: c.lastSeen, silentMs: c.silentMs, staleAfterMs: this.o.staleAfterMs },
    };
    this.counts.alerts++;
    (stale ? this.o.logger.warn : this.o.logger.info).call(this.o.logger, stale ? 'stale data' : 'stale data recovered', { stream: c.key, silentMs: c.silentMs });
    await this.publish('riskAlerts', alert);
  }
}
