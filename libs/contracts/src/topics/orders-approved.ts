import { Type } from '@sinclair/typebox';
import { defineTopic, instrumentKey, retention } from '../contract';
import { DecimalString, EpochMs, eventSchema, instrumentProperties, NonEmpty, Side } from '../common';

export const OrderType = Type.Union([Type.Literal('market'), Type.Literal('limit')]);
export const TimeInForce = Type.Union([Type.Literal('GTC'), Type.Literal('IOC'), Type.Literal('FOK')]);

/** Protective orders armed when the entry fills (natively on the venue where it supports them). */
export const Bracket = Type.Object(
  {
    stopLoss: Type.Optional(DecimalString('stop price')),
    takeProfit: Type.Optional(DecimalString('take-profit limit price')),
    trailingStopPct: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 100 })),
  },
  { additionalProperties: false, title: 'Bracket' },
);

/** OrderApproved: risk sized and checked an intent; execution submits it (SubmitOrder). */
export const OrderApprovedEvent = eventSchema(
  'OrderApprovedEvent',
  {
    ...instrumentProperties,
    runId: NonEmpty(),
    decisionId: NonEmpty(),
    clientOrderId: Type.String({ pattern: '^[A-Za-z0-9_-]{1,36}$' }),
    strategyId: NonEmpty(),
    decisionTime: EpochMs(),
    side: Side,
    type: OrderType,
    quantity: DecimalString('base quantity, rounded to the market precision'),
    limitPrice: Type.Optional(DecimalString()),
    timeInForce: TimeInForce,
    postOnly: Type.Boolean(),
    reduceOnly: Type.Boolean({ description: 'true for exits: may only reduce the position' }),
    expireAt: Type.Optional(EpochMs('cancel if not filled by this event time')),
    bracket: Type.Optional(Bracket),
    sizing: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Null()]), { description: 'how the size was computed (method, equity, risk amount ...)' }),
  },
  'A risk-approved order.',
);

export const ordersApprovedV1 = defineTopic({
  name: 'orders.approved.v1',
  version: 1,
  schema: OrderApprovedEvent,
  description: 'Risk-approved orders to execution.',
  partitions: 6,
  retentionMs: retention.days(90),
  key: (v) => instrumentKey(v.exchange, v.symbol),
  keyDoc: 'exchange:symbol',
});
