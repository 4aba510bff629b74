import { Type } from '@sinclair/typebox';
import { defineTopic, instrumentKey, retention } from '../contract';
import { EpochMs, eventSchema, instrumentProperties, Timeframe } from '../common';

/** CandleClosed / CandleUpdated: OHLCV bar of one instrument. Prices and volume are float64. */
export const CandleEvent = eventSchema(
  'CandleEvent',
  {
    ...instrumentProperties,
    timeframe: Timeframe,
    openTime: EpochMs('bar open time, Unix ms'),
    open: Type.Number({ exclusiveMinimum: 0 }),
    high: Type.Number({ exclusiveMinimum: 0 }),
    low: Type.Number({ exclusiveMinimum: 0 }),
    close: Type.Number({ exclusiveMinimum: 0 }),
    volume: Type.Number({ minimum: 0, description: 'base-currency volume' }),
    closed: Type.Boolean({ description: 'true once the bar is final; only closed bars drive decisions' }),
  },
  'An OHLCV candle. tsEvent = openTime + timeframe for a closed bar.',
);

export const mdCandlesV1 = defineTopic({
  name: 'md.candles.v1',
  version: 1,
  schema: CandleEvent,
  description: 'Candles from market-feed (live streams, stored data or replay).',
  partitions: 6,
  retentionMs: retention.forever,
  key: (v) => instrumentKey(v.exchange, v.symbol),
  keyDoc: 'exchange:symbol',
});
