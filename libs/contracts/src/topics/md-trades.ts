import { Type } from '@sinclair/typebox';
import { defineTopic, instrumentKey, retention } from '../contract';
import { EpochMs, eventSchema, instrumentProperties, NonEmpty } from '../common';

/** TradePrinted: one public trade on a venue. */
export const TradeEvent = eventSchema(
  'TradeEvent',
  {
    ...instrumentProperties,
    tradeId: NonEmpty('venue trade id'),
    ts: EpochMs('venue trade time, Unix ms'),
    price: Type.Number({ exclusiveMinimum: 0 }),
    amount: Type.Number({ exclusiveMinimum: 0, description: 'base-currency quantity' }),
    side: Type.Union([Type.Literal('buy'), Type.Literal('sell'), Type.Null()], { description: 'taker side, null if unknown' }),
  },
  'A public trade.',
);

export const mdTradesV1 = defineTopic({
  name: 'md.trades.v1',
  version: 1,
  schema: TradeEvent,
  description: 'Public trades from market-feed.',
  partitions: 6,
  retentionMs: retention.forever,
  key: (v) => instrumentKey(v.exchange, v.symbol),
  keyDoc: 'exchange:symbol',
});
