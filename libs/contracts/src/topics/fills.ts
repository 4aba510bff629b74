import { Type } from '@sinclair/typebox';
import { defineTopic, instrumentKey, retention } from '../contract';
import { DecimalString, eventSchema, instrumentProperties, NonEmpty, Side } from '../common';

/** OrderFilled: one execution. Idempotent downstream by fillId. */
export const FillEvent = eventSchema(
  'FillEvent',
  {
    ...instrumentProperties,
    runId: NonEmpty(),
    fillId: NonEmpty('client order id + fill sequence'),
    clientOrderId: NonEmpty(),
    strategyId: NonEmpty(),
    side: Side,
    price: DecimalString('fill price incl. slippage'),
    quantity: DecimalString('base quantity'),
    fee: DecimalString('fee in feeCurrency'),
    feeCurrency: NonEmpty(),
    liquidity: Type.Union([Type.Literal('maker'), Type.Literal('taker')]),
    role: Type.Union(['entry', 'exit', 'stop-loss', 'take-profit', 'trailing-stop'].map((s) => Type.Literal(s))),
    venueTradeId: Type.Optional(Type.String()),
  },
  'A fill. tsEvent = venue fill time (paper: the bar time it filled on).',
);

export const fillsV1 = defineTopic({
  name: 'fills.v1',
  version: 1,
  schema: FillEvent,
  description: 'Fills from execution.',
  partitions: 6,
  retentionMs: retention.forever,
  key: (v) => instrumentKey(v.exchange, v.symbol),
  keyDoc: 'exchange:symbol',
});
