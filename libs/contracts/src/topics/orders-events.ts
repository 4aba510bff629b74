import { Type } from '@sinclair/typebox';
import { defineTopic, instrumentKey, retention } from '../contract';
import { DecimalString, EpochMs, envelopeProperties, instrumentProperties, NonEmpty, Side, Timeframe } from '../common';
import { OrderType } from './orders-approved';

export const OrderStatus = Type.Union(
  ['new', 'acknowledged', 'partially-filled', 'filled', 'cancel-requested', 'cancelled', 'rejected', 'expired'].map((s) => Type.Literal(s)),
);

/** OrderUpdated: a transition of the order state machine. */
export const OrderUpdate = Type.Object(
  {
    ...envelopeProperties,
    ...instrumentProperties,
    kind: Type.Literal('order'),
    runId: NonEmpty(),
    clientOrderId: NonEmpty(),
    strategyId: NonEmpty(),
    role: Type.Union(['entry', 'exit', 'stop-loss', 'take-profit', 'trailing-stop'].map((s) => Type.Literal(s))),
    status: OrderStatus,
    side: Side,
    type: Type.Union([OrderType, Type.Literal('stop')]),
    quantity: DecimalString(),
    filledQuantity: DecimalString(),
    avgFillPrice: Type.Optional(DecimalString()),
    limitPrice: Type.Optional(DecimalString()),
    stopPrice: Type.Optional(DecimalString()),
    venueOrderId: Type.Optional(Type.String()),
    reason: Type.Optional(Type.String()),
  },
  { additionalProperties: false, title: 'OrderUpdate' },
);

/** BarMatched: execution has matched every pending order of an instrument against bar T. */
export const BarMatched = Type.Object(
  {
    ...envelopeProperties,
    ...instrumentProperties,
    kind: Type.Literal('bar-matched'),
    runId: NonEmpty(),
    timeframe: Timeframe,
    barTime: EpochMs('event time T (bar close)'),
    fills: Type.Integer({ minimum: 0, description: 'number of fills emitted for this bar' }),
  },
  { additionalProperties: false, title: 'BarMatched' },
);

export const OrderEvent = Type.Union([OrderUpdate, BarMatched], { title: 'OrderEvent', description: 'Order state changes and per-bar matching markers.' });

export const ordersEventsV1 = defineTopic({
  name: 'orders.events.v1',
  version: 1,
  schema: OrderEvent,
  description: 'Order lifecycle events and bar-matched markers from execution.',
  partitions: 6,
  retentionMs: retention.days(90),
  key: (v) => instrumentKey(v.exchange, v.symbol),
  keyDoc: 'exchange:symbol',
});
