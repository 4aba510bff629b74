import { Type, type Static } from '@sinclair/typebox';
import { commonConfigProperties, Env, serviceConfig } from '@atp/nest-kit';

/** market-feed configuration: the common keys (HTTP port 3001 by default) and its own. */
export const marketFeedConfigSchema = Type.Object({
  ...commonConfigProperties({ port: 3001 }),
  EXCHANGE: Env.string({ default: 'binance', pattern: '^[a-z0-9]+$', rule: 'a ccxt exchange id such as binance' }),
  SYMBOLS: Env.symbols({ default: ['BTC/USDT', 'ETH/USDT'] }),
  TIMEFRAMES: Env.timeframes({ default: ['1h'] }),
  DATA_DIR: Type.Optional(Env.string({ description: 'recorded market data to publish (paper on recorded data)' })),
  STALE_AFTER_MS: Env.int({ default: 120_000, minimum: 1_000, description: 'no data for this long raises a stale-data alert' }),
});

export const marketFeedConfig = serviceConfig(marketFeedConfigSchema);

export type MarketFeedConfig = Readonly<Static<typeof marketFeedConfigSchema>>;
