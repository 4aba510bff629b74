import { defineTopic, instrumentKey, retention } from '../contract';
import { EpochMs, eventSchema, instrumentProperties, NonEmpty } from '../common';

/** OrderRejected: by risk (a rule and its reason) — venue rejections travel in orders.events.v1. */
export const OrderRejectedEvent = eventSchema(
  'OrderRejectedEvent',
  {
    ...instrumentProperties,
    runId: NonEmpty(),
    decisionId: NonEmpty(),
    strategyId: NonEmpty(),
    decisionTime: EpochMs(),
    code: NonEmpty('machine-readable rule, e.g. MAX_POSITION, KILL_SWITCH, STALE_DATA'),
    reason: NonEmpty('human-readable reason with the numbers involved'),
  },
  'A risk rejection.',
);

export const ordersRejectedV1 = defineTopic({
  name: 'orders.rejected.v1',
  version: 1,
  schema: OrderRejectedEvent,
  description: 'Risk rejections.',
  partitions: 6,
  retentionMs: retention.days(90),
  key: (v) => instrumentKey(v.exchange, v.symbol),
  keyDoc: 'exchange:symbol',
});
