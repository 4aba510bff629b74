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
 * An Approval or Rejection whose decision id is not made yet ('', see the backtester's deferred
 * ids) gets '' as its event id too, without hashing: the caller sets both before anyone reads the event.
 */
export function toOutcomeEvent(outcome: Approval | Rejection, tsInit: number, source = 'risk'): RiskOutcomeEvent {
  // Literals and stores in the wire order rather than object spreads: V8 takes a slow path
  // (microseconds per event) for properties added after a spread.
  if (outcome.kind === 'rejection') {
    const rejection: OrderRejectedEvent = {
      eventId: outcome.decisionId === '' ? '' : eventIdFrom('rejected', outcome.decisionId),
      tsEvent: outcome.decisionTime,
      tsInit,
      source,
      exchange: outcome.exchange,
      symbol: outcome.symbol,
      runId: outcome.runId,
      decisionId: outcome.decisionId,
      strategyId: outcome.strategyId,
      decisionTime: outcome.decisionTime,
      code: outcome.code,
      reason: outcome.reason,
    };
    return { kind: 'rejected', rejection };
  }
  const b = outcome.bracket;
  let bracket: Mutable<NonNullable<OrderApprovedEvent['bracket']>> | undefined;
  if (b) {
    bracket = {};
    if (b.stopLoss) bracket.stopLoss = decToString(b.stopLoss);
    if (b.takeProfit) bracket.takeProfit = decToString(b.takeProfit);
    if (b.trailingStopPct !== undefined) bracket.trailingStopPct = b.trailingStopPct;
  }
  // The usual approval (no limit price, expiry or bracket): one literal with every field in the
  // wire order, so the event is allocated with all of them in the object. Fields stored after a
  // literal live in a separate property array, one more object per event that a backtest keeps
  // (and the collector copies) to the end. The sizing record is copied by a spread for the same
  // reason (Object.assign into {} stores its fields one by one, past the empty literal's room).
  if (!outcome.limitPrice && outcome.expireAt === undefined && !bracket) {
    const usual: OrderApprovedEvent = {
      eventId: outcome.decisionId === '' ? '' : eventIdFrom('approved', outcome.decisionId),
      tsEvent: outcome.decisionTime,
      tsInit,
      source,
      exchange: outcome.exchange,
      symbol: outcome.symbol,
      runId: outcome.runId,
      decisionId: outcome.decisionId,
      strategyId: outcome.strategyId,
      decisionTime: outcome.decisionTime,
      clientOrderId: outcome.clientOrderId,
      side: outcome.side,
      type: outcome.type,
      quantity: decToString(outcome.quantity),
      timeInForce: outcome.timeInForce,
      postOnly: outcome.postOnly,
      reduceOnly: outcome.reduceOnly,
      sizing: { ...outcome.sizing },
    };
    return { kind: 'approved', order: usual };
  }
  const order: Mutable<OrderApprovedEvent> = {
    eventId: outcome.decisionId === '' ? '' : eventIdFrom('approved', outcome.decisionId),
    tsEvent: outcome.decisionTime,
    tsInit,
    source,
    exchange: outcome.exchange,
    symbol: outcome.symbol,
    runId: outcome.runId,
    decisionId: outcome.decisionId,
    strategyId: outcome.strategyId,
    decisionTime: outcome.decisionTime,
    clientOrderId: outcome.clientOrderId,
    side: outcome.side,
    type: outcome.type,
    quantity: decToString(outcome.quantity),
  } as OrderApprovedEvent;
  if (outcome.limitPrice) order.limitPrice = decToString(outcome.limitPrice);
  order.timeInForce = outcome.timeInForce;
  order.postOnly = outcome.postOnly;
  order.reduceOnly = outcome.reduceOnly;
  if (outcome.expireAt !== undefined) order.expireAt = outcome.expireAt;
  if (bracket) order.bracket = bracket;
  order.sizing = { ...outcome.sizing };
  return { kind: 'approved', order };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

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
