import { Type } from '@sinclair/typebox';
import { defineTopic, instrumentKey, retention } from '../contract';
import { eventSchema, NonEmpty } from '../common';

/** CancelOrder / CancelAllOrders: from risk or the gateway to execution. */
export const OrderCommandEvent = eventSchema(
  'OrderCommandEvent',
  {
    commandId: NonEmpty(),
    kind: Type.Union([Type.Literal('cancel'), Type.Literal('cancel-all')]),
    clientOrderId: Type.Optional(NonEmpty()),
    exchange: Type.Optional(NonEmpty()),
    symbol: Type.Optional(NonEmpty()),
    strategyId: Type.Optional(NonEmpty()),
    reason: NonEmpty(),
    actor: NonEmpty('who asked: risk, gateway:<user>, cli'),
  },
  'An order command.',
);

export const ordersCommandsV1 = defineTopic({
  name: 'orders.commands.v1',
  version: 1,
  schema: OrderCommandEvent,
  description: 'Cancel commands to execution.',
  partitions: 1,
  retentionMs: retention.days(90),
  key: (v) => (v.exchange && v.symbol ? instrumentKey(v.exchange, v.symbol) : 'all'),
  keyDoc: 'exchange:symbol or "all"',
});
