import { Type } from '@sinclair/typebox';
import { defineTopic, instrumentKey, retention } from '../contract';
import { DecimalString, EpochMs, eventSchema, instrumentProperties, NonEmpty, Timeframe } from '../common';

/** What a strategy wants; risk turns it into a sized order or a rejection. */
export const OrderIntent = Type.Object(
  {
    target: Type.Union([Type.Literal('long'), Type.Literal('flat'), Type.Literal('short')], { description: 'desired position' }),
    entry: Type.Union([Type.Literal('market'), Type.Literal('limit')]),
    limitPrice: Type.Optional(DecimalString('limit price, for entry = limit')),
    stopLoss: Type.Optional(DecimalString('protective stop price')),
    takeProfit: Type.Optional(DecimalString('take-profit price')),
    trailingStopPct: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 100, description: 'trailing stop distance, percent of price' })),
    reason: NonEmpty('why, in the strategy\'s words'),
  },
  { additionalProperties: false, title: 'OrderIntent' },
);

/** DecisionRecorded: exactly one per (strategy, symbol, bar): an intent or an explicit no-op. */
export const DecisionEvent = eventSchema(
  'DecisionEvent',
  {
    ...instrumentProperties,
    runId: NonEmpty('run id (live, paper, or a backtest/replay run)'),
    decisionId: NonEmpty('deterministic: (run, strategy, symbol, decision time)'),
    strategyId: NonEmpty('strategy instance id'),
    strategyVersion: NonEmpty('strategy code/params version'),
    timeframe: Timeframe,
    decisionTime: EpochMs('event time T of the bar decided on (its close)'),
    kind: Type.Union([Type.Literal('intent'), Type.Literal('noop')]),
    intent: Type.Optional(OrderIntent),
    inputs: Type.Record(Type.String(), Type.Union([Type.Number(), Type.String(), Type.Boolean(), Type.Null()]), {
      description: 'the values that drove the decision, for audit',
    }),
    causeIds: Type.Array(Type.String(), { description: 'event ids of the candle/features/signals decided on' }),
  },
  'A strategy decision record. tsEvent = decisionTime.',
);

export const ordersIntentsV1 = defineTopic({
  name: 'orders.intents.v1',
  version: 1,
  schema: DecisionEvent,
  description: 'Strategy decisions (intents and no-ops) to risk.',
  partitions: 6,
  retentionMs: retention.days(90),
  key: (v) => instrumentKey(v.exchange, v.symbol),
  keyDoc: 'exchange:symbol',
});
