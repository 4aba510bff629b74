import ccxt, { type Exchange } from 'ccxt';
import { timeframeMs } from '@atp/core';
import { candleFromRow, type Candle, type SeriesId, type Trade } from '@atp/market-data';
import { loadMarketsWithRetries, withRetries, type RetryPolicy } from './retry';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface ReconnectPolicy {
  /** First wait after a dropped stream, doubled per consecutive failure (default 250 ms). */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export interface LiveCandleFeedOptions {
  /** A ccxt.pro instance (WebSocket). */
  exchange: Exchange;
  /** A REST instance for gap repair (default: `exchange`, ccxt.pro classes also do REST). */
  rest?: Exchange;
  series: SeriesId;
  /** Called once per closed bar, in open-time order; awaited before the next. */
  onClosed: (c: Candle) => void | Promise<void>;
  /** Every bar update the stream delivers (the forming bar included), before it is interpreted: liveness, forming-bar events. */
  onUpdate?: (c: Candle) => void | Promise<void>;
  /**
   * Open time of the last bar already handled (e.g. the last stored candle): bars after it that
   * closed before the stream started are fetched by REST first. Default: start with the stream.
   */
  lastClosedOpenTime?: number;
  reconnect?: ReconnectPolicy;
  retry?: RetryPolicy;
  onEvent?: (e: { kind: 'reconnecting'; error: Error; delayMs: number } | { kind: 'repaired'; from: number; to: number; bars: number }) => void;
}

/**
 * Live candles from ccxt.pro `watchOHLCV` that emits each closed bar exactly once. A bar is closed
 * when a later bar starts. When the stream drops, the next `watchOHLCV` call reconnects and
 * resubscribes; bars that closed meanwhile (or before the start, given `lastClosedOpenTime`) are
 * repaired by REST `fetchOHLCV` since the last closed bar. `stop()` ends the loop and closes the
 * exchange's connections.
 */
export class LiveCandleFeed {
  private stopped = false;
  private loop: Promise<void> | null = null;
  private pending: Candle | null = null;
  /** The pending bar was seen before a reconnect: its final state may have been missed. */
  private pendingStale = false;
  private lastEmitted: number | null;
  readonly tf: number;
  reconnects = 0;
  repairs = 0;
  emitted = 0;

  constructor(private readonly o: LiveCandleFeedOptions) {
    this.tf = timeframeMs(o.series.timeframe);
    this.lastEmitted = o.lastClosedOpenTime ?? null;
  }

  start(): Promise<void> {
    this.loop ??= this.run();
    return this.loop;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.o.exchange.close().catch(() => undefined);
    await this.loop?.catch(() => undefined);
  }

  private async run(): Promise<void> {
    const { exchange, series } = this.o;
    await loadMarketsWithRetries(exchange, this.o.retry);
    if (this.o.rest && this.o.rest !== exchange) await loadMarketsWithRetries(this.o.rest, this.o.retry);
    let failures = 0;
    while (!this.stopped) {
      try {
        const rows = await exchange.watchOHLCV(series.symbol, series.timeframe);
        failures = 0;
        const bars = (rows as number[][]).map((r) => candleFromRow(r)).sort((a, b) => a.openTime - b.openTime);
        for (const c of bars) {
          await this.o.onUpdate?.(c);
          await this.observe(c);
        }
      } catch (e) {
        if (this.stopped) break;
        if (!(e instanceof ccxt.NetworkError)) throw e;
        this.reconnects++;
        if (this.pending) this.pendingStale = true;
        const base = this.o.reconnect?.baseDelayMs ?? 250;
        const delayMs = Math.min(this.o.reconnect?.maxDelayMs ?? 10_000, base * 2 ** failures++);
        this.o.onEvent?.({ kind: 'reconnecting', error: e as Error, delayMs });
        await sleep(delayMs);
      }
    }
  }

  private async observe(c: Candle): Promise<void> {
    if (this.lastEmitted !== null && c.openTime <= this.lastEmitted) return; // already closed and emitted
    if (this.pending === null || c.openTime === this.pending.openTime) {
      if (this.pending === null && this.lastEmitted !== null && c.openTime > this.lastEmitted + this.tf) {
        await this.repair(c.openTime); // bars closed before the stream started
      }
      this.pending = c;
      this.pendingStale = false;
      return;
    }
    if (c.openTime < this.pending.openTime) return; // an older update arriving late
    // A later bar started: everything before c is closed.
    const expected = this.lastEmitted === null ? this.pending.openTime : this.lastEmitted + this.tf;
    if (!this.pendingStale && this.pending.openTime === expected) await this.emit(this.pending);
    if (this.lastEmitted === null || this.lastEmitted + this.tf < c.openTime) await this.repair(c.openTime);
    this.pending = c;
    this.pendingStale = false;
  }

  /** Fetches by REST and emits the closed bars after the last emitted one and before `before`. */
  private async repair(before: number): Promise<void> {
    const rest = this.o.rest ?? this.o.exchange;
    const { series } = this.o;
    let since = this.lastEmitted === null ? this.pending!.openTime : this.lastEmitted + this.tf;
    const from = since;
    let bars = 0;
    while (since < before) {
      const rows = await withRetries(rest, () => rest.fetchOHLCV(series.symbol, series.timeframe, since), this.o.retry);
      const page = (rows as number[][]).map((r) => candleFromRow(r)).filter((c) => c.openTime >= since && c.openTime < before);
      if (page.length === 0) break;
      for (const c of page) {
        await this.emit(c);
        bars++;
      }
      since = page[page.length - 1]!.openTime + this.tf;
    }
    this.repairs++;
    this.o.onEvent?.({ kind: 'repaired', from, to: before, bars });
  }

  private async emit(c: Candle): Promise<void> {
    if (this.lastEmitted !== null && c.openTime <= this.lastEmitted) return;
    this.lastEmitted = c.openTime;
    this.emitted++;
    await this.o.onClosed(c);
  }
}

/**
 * Live public trades from ccxt.pro `watchTrades`, reconnecting on network errors; each trade id is
 * delivered once (ids seen recently are remembered across reconnects).
 */
export class LiveTradeFeed {
  private stopped = false;
  private loop: Promise<void> | null = null;
  private readonly seen = new Set<string>();
  private readonly order: string[] = [];
  reconnects = 0;

  constructor(
    private readonly o: {
      exchange: Exchange;
      exchangeId?: string;
      symbol: string;
      onTrade: (t: Trade) => void | Promise<void>;
      reconnect?: ReconnectPolicy;
      memory?: number;
      onEvent?: (e: { kind: 'reconnecting'; error: Error; delayMs: number }) => void;
    },
  ) {}

  start(): Promise<void> {
    this.loop ??= this.run();
    return this.loop;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.o.exchange.close().catch(() => undefined);
    await this.loop?.catch(() => undefined);
  }

  private async run(): Promise<void> {
    let failures = 0;
    const exchangeId = this.o.exchangeId ?? this.o.exchange.id;
    while (!this.stopped) {
      try {
        const trades = await this.o.exchange.watchTrades(this.o.symbol);
        failures = 0;
        for (const t of trades) {
          const id = String(t.id);
          if (this.seen.has(id)) continue;
          this.seen.add(id);
          this.order.push(id);
          if (this.order.length > (this.o.memory ?? 100_000)) this.seen.delete(this.order.shift()!);
          await this.o.onTrade({
            exchange: exchangeId, symbol: t.symbol ?? this.o.symbol, tradeId: id, ts: t.timestamp!, price: Number(t.price), amount: Number(t.amount),
            side: t.side === 'buy' || t.side === 'sell' ? t.side : null,
          });
        }
      } catch (e) {
        if (this.stopped) break;
        if (!(e instanceof ccxt.NetworkError)) throw e;
        this.reconnects++;
        const delayMs = Math.min(this.o.reconnect?.maxDelayMs ?? 10_000, (this.o.reconnect?.baseDelayMs ?? 250) * 2 ** failures++);
        this.o.onEvent?.({ kind: 'reconnecting', error: e as Error, delayMs });
        await sleep(delayMs);
      }
    }
  }
}

/** One order-book update: the best `depth` levels and the venue's last update id (ccxt `nonce`). */
export interface BookUpdate {
  symbol: string;
  ts: number | null;
  nonce: number | null;
  bids: [number, number][];
  asks: [number, number][];
}

/**
 * Live L2 book from ccxt.pro `watchOrderBook` (ccxt applies the Binance diff/snapshot procedure;
 * after a drop or a sequence gap it refetches the snapshot when watched again), reconnecting on
 * network errors and checksum (sequence) errors.
 */
export class LiveOrderBookFeed {
  private stopped = false;
  private loop: Promise<void> | null = null;
  reconnects = 0;
  resyncs = 0;

  constructor(
    private readonly o: {
      exchange: Exchange;
      symbol: string;
      depth?: number;
      onBook: (b: BookUpdate) => void | Promise<void>;
      reconnect?: ReconnectPolicy;
      onEvent?: (e: { kind: 'reconnecting' | 'resync'; error: Error; delayMs: number }) => void;
    },
  ) {}

  start(): Promise<void> {
    this.loop ??= this.run();
    return this.loop;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.o.exchange.close().catch(() => undefined);
    await this.loop?.catch(() => undefined);
  }

  private async run(): Promise<void> {
    let failures = 0;
    const depth = this.o.depth ?? 20;
    while (!this.stopped) {
      try {
        const ob = await this.o.exchange.watchOrderBook(this.o.symbol);
        failures = 0;
        await this.o.onBook({
          symbol: this.o.symbol, ts: ob.timestamp ?? null, nonce: (ob.nonce as number | undefined) ?? null,
          bids: ob.bids.slice(0, depth).map((l) => [Number(l[0]), Number(l[1])]), asks: ob.asks.slice(0, depth).map((l) => [Number(l[0]), Number(l[1])]),
        });
      } catch (e) {
        if (this.stopped) break;
        if (e instanceof ccxt.ChecksumError) this.resyncs++;
        else if (e instanceof ccxt.NetworkError) this.reconnects++;
        else throw e;
        const delayMs = Math.min(this.o.reconnect?.maxDelayMs ?? 10_000, (this.o.reconnect?.baseDelayMs ?? 250) * 2 ** failures++);
        this.o.onEvent?.({ kind: e instanceof ccxt.ChecksumError ? 'resync' : 'reconnecting', error: e as Error, delayMs });
        await sleep(delayMs);
      }
    }
  }
}
