import { decToString, eventIdFrom } from '@atp/core';
import type { OrderApprovedEvent, OrderRejectedEvent, RiskAlertEvent } from '@atp/contracts';
import type { RiskAlert } from './state';
import type { Approval, Rejection } from './types';

/** The wire form of a risk outcome (the same shape as the backtester's RiskPort outcome). */
export type RiskOutcomeEvent = { readonly kind: 'approved'; readonly order: OrderApprovedEvent } | { readonly kind: 'rejected'; readonly rejection: OrderRejectedEvent };

/**
 * Turns an Approval or Rejection into its orders.approved.v1 / orders.rejected.v1 event.
 * eventId = eventIdFrom('approved' | 'rejected', decisionId) (derived from the cause); tsEvent is the
 * decision time; `tsInit` (local creation time) is the only input that may differ between runs.
 */
export function toOutcomeEvent(outcome: Approval | Rejection, tsInit: number, source = 'risk'): RiskOutcomeEvent {
  const common = {
    tsEvent: outcome.decisionTime,
    tsInit,
    source,
    exchange: outcome.exchange,
    symbol: outcome.symbol,
    runId: outcome.runId,
    decisionId: outcome.decisionId,
    strategyId: outcome.strategyId,
    decisionTime: outcome.decisionTime,
  };
  if (outcome.kind === 'rejection') {
    return { kind: 'rejected', rejection: { eventId: eventIdFrom('rejected', outcome.decisionId), ...common, code: outcome.code, reason: outcome.reason } };
  }
  const b = outcome.bracket;
  const bracket = b
    ? {
        ...(b.stopLoss ? { stopLoss: decToString(b.stopLoss) } : {}),
        ...(b.takeProfit ? { takeProfit: decToString(b.takeProfit) } : {}),
        ...(b.trailingStopPct !== undefined ? { trailingStopPct: b.trailingStopPct } : {}),
      }
    : undefined;
  return {
    kind: 'approved',
    order: {
      eventId: eventIdFrom('approved', outcome.decisionId),
      ...common,
      clientOrderId: outcome.clientOrderId,
      side: outcome.side,
      type: outcome.type,
      quantity: decToString(outcome.quantity),
      ...(outcome.limitPrice ? { limitPrice: decToString(outcome.limitPrice) } : {}),
      timeInForce: outcome.timeInForce,
      postOnly: outcome.postOnly,
      reduceOnly: outcome.reduceOnly,
      ...(outcome.expireAt !== undefined ? { expireAt: outcome.expireAt } : {}),
      ...(bracket ? { bracket } : {}),
      sizing: { ...outcome.sizing },
    },
  };
}

/** A risk.alerts.v1 event for an alert; alertId/eventId derive from (code, time, scope). */
export function toAlertEvent(alert: RiskAlert, tsInit: number, scope: { exchange?: string; symbol?: string; strategyId?: string } = {}, source = 'risk'): RiskAlertEvent {
  const id = eventIdFrom('alert', alert.code, alert.time, scope.exchange ?? '', scope.symbol ?? '', scope.strategyId ?? '');
  return {
    eventId: id,
    tsEvent: alert.time,
    tsInit,
    source,
    alertId: id,
    severity: alert.severity,
    code: alert.code,
    message: alert.message,
    ...scope,
    details: { ...alert.details },
  };
}
