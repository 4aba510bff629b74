import { Type } from '@sinclair/typebox';
import { defineTopic, instrumentKey, retention } from '../contract';
import { EpochMs, eventSchema, instrumentProperties } from '../common';

const Level = Type.Tuple([Type.Number({ exclusiveMinimum: 0 }), Type.Number({ minimum: 0 })], { description: '[price, quantity]; quantity 0 deletes the level in a diff' });

/** BookUpdated: an L2 snapshot, a Binance-style diff (with sequence ids), or a top-of-book quote. */
export const BookEvent = eventSchema(
  'BookEvent',
  {
    ...instrumentProperties,
    kind: Type.Union([Type.Literal('snapshot'), Type.Literal('diff'), Type.Literal('top')]),
    ts: EpochMs('venue time, Unix ms'),
    firstSeq: Type.Union([Type.Integer(), Type.Null()], { description: 'first update id in a diff (Binance U)' }),
    lastSeq: Type.Union([Type.Integer(), Type.Null()], { description: 'last update id (Binance u / lastUpdateId)' }),
    bids: Type.Array(Level, { description: 'best first' }),
    asks: Type.Array(Level, { description: 'best first' }),
  },
  'An order-book event.',
);

export const mdBookV1 = defineTopic({
  name: 'md.book.v1',
  version: 1,
  schema: BookEvent,
  description: 'Order-book snapshots, diffs and top-of-book from market-feed.',
  partitions: 6,
  retentionMs: retention.days(7),
  key: (v) => instrumentKey(v.exchange, v.symbol),
  keyDoc: 'exchange:symbol',
});
