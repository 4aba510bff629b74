import { Inject, Injectable, Optional, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { resolveDataDir } from '@atp/market-data';
import { CANDLES, defaultMarketsSnapshot, loadMarketsSnapshot, MARKETS, type MarketsSnapshot } from '@atp/market-data-ccxt';
import { HOST_INFO, SERVICE_RUNTIME, type HostContext, type ServiceRuntime } from '@atp/nest-kit';
import { parseDateSetting, type MarketFeedConfig } from './config';
import { LiveMarketFeed, venueExchange } from './live-market-feed';
import { recordedCandleSource, repositoryCandleSource, ReplayDriver, type ReplayStats } from './replay';
import { replayPacer, stoppableLagBus } from './replay-pacing';

class ReplayStopped extends Error {
  override name = 'ReplayStopped';
}

/**
 * What market-feed does once its module is up (FEED_SOURCE): `live` starts the ccxt.pro feeds
 * ({@link LiveMarketFeed}); `replay` runs the replay driver (recorded files or this service's
 * stored candles, lockstep or free-running) once the host is serving, so every pipeline module
 * has subscribed; `none` publishes nothing. In every mode the markets snapshot is loaded and
 * stored first (MARKETS_SNAPSHOT). Stops its feeds (or the replay, between event times) when the
 * module is destroyed.
 */
@Injectable()
export class MarketFeedRunner implements OnApplicationBootstrap, OnModuleDestroy {
  live: LiveMarketFeed | null = null;
  /** Settles when the replay is over (with its stats, or null if it failed or was stopped). */
  replay: Promise<ReplayStats | null> | null = null;
  snapshot: MarketsSnapshot | null = null;
  private stopping = false;

  constructor(
    @Inject(SERVICE_RUNTIME) private readonly rt: ServiceRuntime<MarketFeedConfig>,
    @Optional() @Inject(HOST_INFO) private readonly host?: HostContext,
  ) {}

  private get dataDir(): string {
    return this.rt.config.DATA_DIR ?? resolveDataDir();
  }

  async onApplicationBootstrap(): Promise<void> {
    const c = this.rt.config;
    await this.storeMarketsSnapshot();
    if (c.FEED_SOURCE === 'live') {
      this.live = new LiveMarketFeed({
        bus: this.rt.bus,
        store: this.rt.store,
        clock: this.rt.clock,
        logger: this.rt.logger,
        exchange: c.EXCHANGE,
        symbols: c.SYMBOLS,
        timeframes: c.TIMEFRAMES,
        streams: c.STREAMS,
        apiUrl: c.EXCHANGE_API_URL,
        bookDepth: c.BOOK_DEPTH,
        publishForming: c.PUBLISH_FORMING,
        staleAfterMs: c.STALE_AFTER_MS,
        runId: c.RUN_ID,
      });
      await this.live.start();
    } else if (c.FEED_SOURCE === 'replay') {
      this.replay = this.runReplay();
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    await this.live?.stop();
    await this.replay;
  }

  /**
   * Loads the markets snapshot (precision, limits, fees) and stores it in `markets` as
   * `<exchange>:default`, limited to SYMBOLS. `auto`: from the exchange when live, else the recorded
   * Binance exchangeInfo (falling back to the exchange); failures in `auto` are logged, not fatal.
   */
  private async storeMarketsSnapshot(): Promise<void> {
    const c = this.rt.config;
    const want = c.MARKETS_SNAPSHOT === 'auto' ? (c.FEED_SOURCE === 'live' ? ['exchange'] : ['recorded', 'exchange']) : c.MARKETS_SNAPSHOT === 'none' ? [] : [c.MARKETS_SNAPSHOT];
    for (const source of want) {
      if (source === 'recorded' && c.EXCHANGE !== 'binance') continue; // the recording is Binance's
      try {
        const snap =
          source === 'recorded'
            ? await defaultMarketsSnapshot({ symbols: c.SYMBOLS, dataDir: this.dataDir })
            : await loadMarketsSnapshot(venueExchange(c.EXCHANGE, c.EXCHANGE_API_URL, false), { symbols: c.SYMBOLS, asOf: this.rt.clock.now() });
        const repo = this.rt.store.repository(MARKETS);
        await repo.init();
        await repo.upsert(snap);
        this.snapshot = snap;
        this.rt.logger.info('markets snapshot stored', { id: snap._id, source: snap.source, markets: Object.keys(snap.markets).length });
        return;
      } catch (e) {
        if (c.MARKETS_SNAPSHOT !== 'auto') throw new Error(`markets snapshot (MARKETS_SNAPSHOT=${c.MARKETS_SNAPSHOT}) could not be loaded: ${(e as Error).message}`);
        this.rt.logger.warn('markets snapshot not loaded', { source, err: (e as Error).message });
      }
    }
  }

  private async runReplay(): Promise<ReplayStats | null> {
    const c = this.rt.config;
    // Lockstep needs every pipeline module subscribed: wait until the host serves.
    while (this.host && this.host.phase === 'starting' && !this.stopping) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setImmediate(r));
    if (this.stopping) return null;
    const candles = this.rt.store.repository(CANDLES);
    await candles.init();
    const source = c.REPLAY_SOURCE === 'store' ? repositoryCandleSource(candles) : recordedCandleSource(this.dataDir);
    const timeframe = c.TIMEFRAMES[0]!;
    if (c.TIMEFRAMES.length > 1) this.rt.logger.warn('replay publishes one timeframe: the first of TIMEFRAMES', { timeframe, ignored: c.TIMEFRAMES.slice(1) });
    const pace = replayPacer(c.REPLAY_MODE === 'lockstep' ? c.REPLAY_RATE : 0);
    const bus = stoppableLagBus(this.rt.bus, () => this.stopping, () => new ReplayStopped('stopped with the service'));
    const driver = new ReplayDriver(bus, source, {
      runId: c.RUN_ID ?? '',
      exchange: c.EXCHANGE,
      symbols: c.SYMBOLS,
      timeframe,
      from: c.REPLAY_FROM ? parseDateSetting(c.REPLAY_FROM) : undefined,
      to: c.REPLAY_TO ? parseDateSetting(c.REPLAY_TO) : undefined,
      mode: c.REPLAY_MODE,
      speed: c.REPLAY_SPEED === 'max' ? 'max' : Number(c.REPLAY_SPEED),
      pollMs: this.rt.config.BUS === 'in-process' ? 0 : 2,
      now: () => this.rt.clock.now(),
      onEventTime: async () => {
        if (this.stopping) throw new ReplayStopped('stopped with the service');
        await pace();
      },
    });
    this.rt.logger.info('replay started', { source: c.REPLAY_SOURCE, mode: c.REPLAY_MODE, speed: c.REPLAY_SPEED, rate: c.REPLAY_RATE, symbols: c.SYMBOLS, timeframe, runId: c.RUN_ID });
    try {
      const stats = await driver.run();
      this.rt.logger.info('replay finished', { ...stats });
      return stats;
    } catch (e) {
      if (e instanceof ReplayStopped) this.rt.logger.info('replay stopped with the service');
      else this.rt.logger.error('replay failed', { err: e });
      return null;
    }
  }
}
