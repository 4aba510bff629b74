import type { DecisionEvent, FillEvent, OrderApprovedEvent, OrderCommandEvent, OrderRejectedEvent, OrderUpdate, RiskAlertEvent, RiskCommandEvent } from '@atp/contracts';
import type { AuditEntry, AuditValue } from './record';

/**
 * The audit entries of the pipeline's messages: what each service records when it publishes
 * (or, for pnl, applies) one. Pure mappings of the published values: recording never changes them.
 * Field names become storable keys (a `.` or a leading `$` is replaced by `_`).
 */

function safeKey(k: string): string {
  // Most keys need no change: no regular expression for them (this runs per field of every record).
  if (k.indexOf('.') < 0 && k.charCodeAt(0) !== 36) return k;
  return k.replace(/\./g, '_').replace(/^\$/, '_');
}

function compact(o: Record<string, AuditValue | undefined>): Record<string, AuditValue> {
  const out: Record<string, AuditValue> = {};
  for (const k of Object.keys(o)) {
    const v = o[k];
    if (v !== undefined) out[safeKey(k)] = v;
  }
  return out;
}

/** strategy: one record per decision, `intent` or `noop`, with the values decided on and the strategy's version. */
export function decisionEntry(d: DecisionEvent): AuditEntry {
  const i = d.intent;
  return {
    kind: d.kind === 'intent' ? 'intent' : 'noop',
    subject: d.decisionId,
    ids: [d.eventId],
    refs: [...d.causeIds],
    decision: i ? i.target : 'noop',
    inputs: compact({
      exchange: d.exchange,
      symbol: d.symbol,
      timeframe: d.timeframe,
      ...d.inputs,
      intent_entry: i?.entry,
      intent_limitPrice: i?.limitPrice,
      intent_stopLoss: i?.stopLoss,
      intent_takeProfit: i?.takeProfit,
      intent_trailingStopPct: i?.trailingStopPct,
      intent_reason: i?.reason,
    }),
    versions: { strategyId: d.strategyId, strategyVersion: d.strategyVersion },
    time: d.decisionTime,
  };
}

/** risk: an approval, subject the client order id, caused by the intent (risk's stop monitor originates its own exits). */
export function approvalEntry(a: OrderApprovedEvent): AuditEntry {
  const stopMonitor = a.sizing['method'] === 'stop-monitor';
  return {
    kind: 'approval',
    subject: a.clientOrderId,
    ids: [a.decisionId, a.eventId],
    causes: stopMonitor ? [] : [{ kind: 'intent', id: a.decisionId }],
    decision: 'approved',
    inputs: compact({
      exchange: a.exchange,
      symbol: a.symbol,
      side: a.side,
      type: a.type,
      quantity: a.quantity,
      limitPrice: a.limitPrice,
      reduceOnly: a.reduceOnly,
      stopLoss: a.bracket?.stopLoss,
      takeProfit: a.bracket?.takeProfit,
      ...Object.fromEntries(Object.entries(a.sizing).map(([k, v]) => [`sizing_${k}`, v])),
    }),
    versions: { strategyId: a.strategyId },
    time: a.tsEvent,
    ...(stopMonitor ? { origin: 'stop-monitor' } : {}),
  };
}

/** risk: a rejection with its rule code and reason, caused by the intent. */
export function rejectionEntry(r: OrderRejectedEvent): AuditEntry {
  return {
    kind: 'rejection',
    subject: r.decisionId,
    ids: [r.eventId],
    causes: [{ kind: 'intent', id: r.decisionId }],
    decision: r.code,
    inputs: { exchange: r.exchange, symbol: r.symbol, reason: r.reason },
    versions: { strategyId: r.strategyId },
    time: r.tsEvent,
  };
}

/** risk (kill switch, limit changes) and order commands (cancel, cancel-all). */
export function commandEntry(c: RiskCommandEvent | OrderCommandEvent): AuditEntry {
  const isRisk = c.kind !== 'cancel' && c.kind !== 'cancel-all';
  return {
    kind: 'command',
    subject: c.commandId,
    ids: [c.eventId],
    decision: c.kind,
    inputs: isRisk
      ? compact({ limit: (c as RiskCommandEvent).limit, value: (c as RiskCommandEvent).value, reason: c.reason, actor: c.actor })
      : compact({ clientOrderId: (c as OrderCommandEvent).clientOrderId, exchange: (c as OrderCommandEvent).exchange, symbol: (c as OrderCommandEvent).symbol, strategyId: (c as OrderCommandEvent).strategyId, reason: c.reason, actor: c.actor }),
    time: c.tsEvent,
    origin: c.actor,
  };
}

/** risk, pnl: an alert (kill switch tripped, stop monitor fired, limits). */
export function alertEntry(a: RiskAlertEvent): AuditEntry {
  return {
    kind: 'alert',
    subject: a.alertId,
    ids: [a.eventId],
    decision: a.code,
    inputs: compact({ severity: a.severity, message: a.message, exchange: a.exchange, symbol: a.symbol, strategyId: a.strategyId, ...a.details }),
    time: a.tsEvent,
  };
}

/**
 * execution: an order update gives the order's record (once per client order id, caused by its
 * approval, or for a bracket leg by its entry order: `parentOf`) and the update's own record.
 */
export function orderEntries(e: OrderUpdate, parentOf: (clientOrderId: string) => string | undefined): AuditEntry[] {
  const parent = e.role === 'stop-loss' || e.role === 'take-profit' || e.role === 'trailing-stop' ? parentOf(e.clientOrderId) : undefined;
  const order: AuditEntry = {
    kind: 'order',
    subject: e.clientOrderId,
    causes: [parent ? { kind: 'order', id: parent } : { kind: 'approval', id: e.clientOrderId }],
    decision: e.status,
    inputs: compact({ exchange: e.exchange, symbol: e.symbol, role: e.role, side: e.side, type: e.type, quantity: e.quantity, limitPrice: e.limitPrice, stopPrice: e.stopPrice, venueOrderId: e.venueOrderId }),
    versions: { strategyId: e.strategyId },
    time: e.tsEvent,
  };
  const update: AuditEntry = {
    kind: 'order-event',
    subject: e.eventId,
    causes: [{ kind: 'order', id: e.clientOrderId }],
    decision: e.status,
    inputs: compact({ filledQuantity: e.filledQuantity, avgFillPrice: e.avgFillPrice, reason: e.reason }),
    time: e.tsEvent,
  };
  return [order, update];
}

function fillInputs(f: FillEvent): Record<string, AuditValue> {
  return compact({ exchange: f.exchange, symbol: f.symbol, side: f.side, price: f.price, quantity: f.quantity, fee: f.fee, feeCurrency: f.feeCurrency, liquidity: f.liquidity, role: f.role, venueTradeId: f.venueTradeId });
}

/** execution: a fill, caused by its order. */
export function fillEntry(f: FillEvent): AuditEntry {
  return { kind: 'fill', subject: f.fillId, ids: [f.eventId], causes: [{ kind: 'order', id: f.clientOrderId }], decision: f.side, inputs: fillInputs(f), versions: { strategyId: f.strategyId }, time: f.tsEvent };
}

/** pnl: a fill applied to the portfolio (subject the fill id), caused by execution's fill record. */
export function pnlFillEntry(f: FillEvent): AuditEntry {
  return { kind: 'pnl', subject: f.fillId, causes: [{ kind: 'fill', id: f.fillId }], decision: 'applied', inputs: fillInputs(f), versions: { strategyId: f.strategyId }, time: f.tsEvent };
}
