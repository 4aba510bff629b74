import { Type } from '@sinclair/typebox';
import { defineTopic, retention } from '../contract';
import { eventSchema, NonEmpty } from '../common';

/** AlertRaised: something a human should see (drawdown, stale data, drift, kill switch). */
export const RiskAlertEvent = eventSchema(
  'RiskAlertEvent',
  {
    alertId: NonEmpty(),
    severity: Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('critical')]),
    code: NonEmpty('e.g. KILL_SWITCH_TRIPPED, DAILY_LOSS_LIMIT, STALE_DATA, RECONCILE_DRIFT'),
    message: NonEmpty(),
    exchange: Type.Optional(Type.String()),
    symbol: Type.Optional(Type.String()),
    strategyId: Type.Optional(Type.String()),
    details: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()])),
  },
  'An alert.',
);

export const riskAlertsV1 = defineTopic({
  name: 'risk.alerts.v1',
  version: 1,
  schema: RiskAlertEvent,
  description: 'Alerts from risk, pnl, ml-inference and market-feed.',
  partitions: 1,
  retentionMs: retention.days(365),
  key: (v) => v.code,
  keyDoc: 'code',
});
