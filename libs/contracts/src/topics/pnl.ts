import { Type } from '@sinclair/typebox';
import { defineTopic, retention } from '../contract';
import { DecimalString, eventSchema, NonEmpty } from '../common';

/** PnlUpdated: positions and P&L of one strategy (or '*' for the account) at an event time. */
export const PnlEvent = eventSchema(
  'PnlEvent',
  {
    runId: NonEmpty(),
    account: NonEmpty(),
    strategyId: NonEmpty("strategy id, or '*' for the whole account"),
    cash: DecimalString(),
    realized: DecimalString('realized P&L, gross of fees'),
    unrealized: DecimalString(),
    fees: DecimalString('fees paid, reporting currency'),
    equity: DecimalString('initial cash + realized + unrealized - fees'),
    positions: Type.Array(
      Type.Object(
        { exchange: NonEmpty(), symbol: NonEmpty(), quantity: DecimalString(), avgPrice: DecimalString(), mark: DecimalString(), unrealized: DecimalString() },
        { additionalProperties: false, title: 'PositionSnapshot' },
      ),
    ),
  },
  'A P&L snapshot.',
);

export const pnlV1 = defineTopic({
  name: 'pnl.v1',
  version: 1,
  schema: PnlEvent,
  description: 'P&L snapshots from pnl.',
  partitions: 3,
  retentionMs: retention.days(365),
  key: (v) => `${v.account}:${v.strategyId}`,
  keyDoc: 'account:strategyId',
});
