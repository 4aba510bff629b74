import { Type, type Static } from '@sinclair/typebox';
import { commonConfigProperties, Env, serviceConfig } from '@atp/nest-kit';

const DATE = '^([0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?|[0-9]{10,13})$';

/** market-feed configuration: the common keys (HTTP port 3001 by default) and its own. */
export const marketFeedConfigSchema = Type.Object({
  ...commonConfigProperties({ port: 3001 }),
  EXCHANGE: Env.string({ default: 'binance', pattern: '^[a-z0-9]+$', rule: 'a ccxt exchange id such as binance' }),
  SYMBOLS: Env.symbols({ default: ['BTC/USDT', 'ETH/USDT'] }),
  TIMEFRAMES: Env.timeframes({ default: ['1h'] }),
  FEED_SOURCE: Env.oneOf(['live', 'replay', 'none'] as const, {
    default: 'none',
    description: 'live: ccxt.pro streams; replay: stored or recorded candles through the replay driver; none: publish nothing (the CLI or a test drives replays). npm start (embedded) defaults to replay',
  }),
  STREAMS: Env.list(Type.Union([Type.Literal('candles'), Type.Literal('trades'), Type.Literal('book')]), {
    default: ['candles'],
    rule: 'a comma-separated list of candles|trades|book',
    description: 'live streams to publish: md.candles.v1, md.trades.v1, md.book.v1',
  }),
  EXCHANGE_API_URL: Type.Optional(Env.url(['http', 'https'], { description: 'send REST and WebSocket calls to this base URL (a local fake exchange, a proxy) instead of the venue' })),
  BOOK_DEPTH: Env.int({ default: 20, minimum: 1, maximum: 1000, description: 'levels per side in md.book.v1 snapshots' }),
  PUBLISH_FORMING: Env.bool({ default: false, description: 'also publish the forming (not yet closed) bar on every update, closed=false' }),
  MARKETS_SNAPSHOT: Env.oneOf(['auto', 'recorded', 'exchange', 'none'] as const, {
    default: 'auto',
    description: 'markets snapshot loaded and stored at start-up: recorded (BINANCE.0 in DATA_DIR through ccxt), exchange (loadMarkets), auto: exchange when live, else recorded',
  }),
  DATA_DIR: Type.Optional(Env.string({ description: 'recorded market data (default ../shared/data): replay source and the recorded markets snapshot' })),
  STALE_AFTER_MS: Env.int({ default: 120_000, minimum: 1_000, description: 'no data on a live stream for this long raises a STALE_DATA alert on risk.alerts.v1' }),
  REPLAY_SOURCE: Env.oneOf(['recorded', 'store'] as const, { default: 'recorded', description: 'replay the recorded files in DATA_DIR, or the candles this service stored' }),
  REPLAY_MODE: Env.oneOf(['lockstep', 'free'] as const, { default: 'lockstep', description: 'lockstep (deterministic, waits for the pipeline per event time) or free-running' }),
  REPLAY_SPEED: Env.string({ default: 'max', pattern: '^(max|[0-9]+(\\.[0-9]+)?)$', rule: 'max or a speed-up factor such as 3600' }),
  REPLAY_RATE: Env.int({
    default: 0,
    minimum: 0,
    maximum: 1_000_000,
    description: 'lockstep pacing: at most this many event times (one bar of every symbol) per second, for people watching; 0 = as fast as the pipeline drains. npm start (embedded) defaults to 100',
  }),
  REPLAY_FROM: Type.Optional(Env.string({ pattern: DATE, rule: 'a date (2021-01-01, 2021-01-01T10:00Z) or Unix ms', description: 'first open time replayed' })),
  REPLAY_TO: Type.Optional(Env.string({ pattern: DATE, rule: 'a date (2021-01-01, 2021-01-01T10:00Z) or Unix ms', description: 'open times before this are replayed' })),
});

export const marketFeedConfig = serviceConfig(marketFeedConfigSchema, [
  (c, k) => (c.FEED_SOURCE === 'live' && c.STREAMS.length === 0 ? { key: k('STREAMS'), rule: 'must name at least one stream when FEED_SOURCE=live' } : undefined),
  (c, k) => (c.FEED_SOURCE === 'replay' && c.REPLAY_SOURCE === 'recorded' && c.EXCHANGE !== 'binance' ? { key: k('EXCHANGE'), rule: 'must be binance when replaying the recorded data (REPLAY_SOURCE=recorded)' } : undefined),
  (c, k) => (c.REPLAY_FROM && c.REPLAY_TO && parseDateSetting(c.REPLAY_FROM) >= parseDateSetting(c.REPLAY_TO) ? { key: k('REPLAY_TO'), rule: 'must be after REPLAY_FROM' } : undefined),
]);

export type MarketFeedConfig = Readonly<Static<typeof marketFeedConfigSchema>>;

/** A date setting (validated by the schema's pattern) as Unix ms; times without an offset are UTC. */
export function parseDateSetting(v: string): number {
  if (/^[0-9]{10,13}$/.test(v)) return v.length === 10 ? Number(v) * 1000 : Number(v);
  const iso = /[zZ]|[+-][0-9]{2}:?[0-9]{2}$/.test(v) || v.length === 10 ? v : `${v}Z`;
  return Date.parse(iso.replace(' ', 'T'));
}
