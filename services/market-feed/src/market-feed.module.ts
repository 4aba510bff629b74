import { Module, type DynamicModule } from '@nestjs/common';
import { defineService, serviceModule, type ServiceRuntime } from '@atp/nest-kit';
import { version } from '../package.json';
import { marketFeedConfig, type MarketFeedConfig } from './config';
import { MarketFeedRunner } from './market-feed.runner';

/**
 * market-feed: Publishes market data (md.candles.v1, md.trades.v1, md.book.v1) from live streams, stored data or replay, and stale-data alerts (risk.alerts.v1).
 * FEED_SOURCE picks live (ccxt.pro), replay (the replay driver) or none; {@link MarketFeedRunner}
 * does the work. The runtime (bus, store, clock, logger, config) comes from the host, so the same
 * module runs standalone, embedded or in a test.
 */
@Module({})
export class MarketFeedModule {
  static register(runtime: ServiceRuntime<MarketFeedConfig>): DynamicModule {
    return serviceModule(MarketFeedModule, runtime, { providers: [MarketFeedRunner] });
  }
}

export const marketFeedService = defineService({
  name: 'market-feed',
  version,
  config: marketFeedConfig,
  envPrefix: 'MARKET_FEED_',
  module: (runtime) => MarketFeedModule.register(runtime),
});
