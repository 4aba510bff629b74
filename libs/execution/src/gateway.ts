import type { DecimalString, Side } from '@atp/core';
import type { Bracket, FillEvent, OrderApprovedEvent, OrderUpdate } from '@atp/contracts';
import type { OrderStatus } from './order-state';

/** Order types the gateways understand. `stop` is a stop-market order. */
export type OrderType = 'market' | 'limit' | 'stop';
export type OrderRole = 'entry' | 'exit' | 'stop-loss' | 'take-profit' | 'trailing-stop';
export type TimeInForce = 'GTC' | 'IOC' | 'FOK';

/** SubmitOrder: the command a gateway executes (built from an `OrderApprovedEvent`). */
export interface SubmitOrder {
  readonly runId: string;
  readonly exchange: string;
  readonly symbol: string;
  /** Idempotency key: at most 36 chars of [A-Za-z0-9_-]. */
  readonly clientOrderId: string;
  readonly strategyId: string;
  /** Event time T of the decision: matching starts with the first bar after T. */
  readonly decisionTime: number;
  readonly side: Side;
  readonly type: OrderType;
  readonly quantity: DecimalString;
  readonly limitPrice?: DecimalString;
  readonly stopPrice?: DecimalString;
  readonly timeInForce?: TimeInForce;
  readonly postOnly?: boolean;
  readonly reduceOnly?: boolean;
  /** Cancel (status `expired`) if not filled by this event time. */
  readonly expireAt?: number;
  readonly bracket?: Bracket;
  readonly role?: OrderRole;
}

/** A point-in-time view of one order. Quantities and prices are decimal strings. */
export interface OrderSnapshot {
  readonly clientOrderId: string;
  readonly exchange: string;
  readonly symbol: string;
  readonly strategyId: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly role: OrderRole;
  readonly status: OrderStatus;
  readonly quantity: DecimalString;
  readonly filledQuantity: DecimalString;
  readonly avgFillPrice?: DecimalString;
  readonly limitPrice?: DecimalString;
  readonly stopPrice?: DecimalString;
  readonly decisionTime: number;
  readonly parentClientOrderId?: string;
}

/** What a submit or cancel caused: order events and, for immediate fills, fills. */
export interface GatewayResult {
  readonly order: OrderSnapshot | undefined;
  /** True when the client order id was already known: nothing new happened. */
  readonly duplicate: boolean;
  readonly events: readonly OrderUpdate[];
  readonly fills: readonly FillEvent[];
}

export interface BalanceEntry {
  readonly free: DecimalString;
  readonly used: DecimalString;
  readonly total: DecimalString;
}

/**
 * ExchangeGateway v1: the port execution talks to a venue through (paper exchange, ccxt).
 *
 * Contract:
 * - `submit` is idempotent by `clientOrderId`: submitting an id that the gateway already knows
 *   never creates a second order; it returns the known order with `duplicate: true` and no events.
 * - `submit` resolves once the venue accepted or rejected the order (status `acknowledged` or
 *   `rejected`); fills arrive later through the gateway's own event stream (paper: `onBar`),
 *   or in the result when the venue fills at once.
 * - `cancel` of an unknown or terminal order resolves with `order` undefined or unchanged and no
 *   events; it never throws for a race with a fill.
 * - `fetchOpenOrders` lists orders that can still fill; `fetchTrades` the fills, oldest first;
 *   `fetchBalance` free/used/total per asset as decimal strings.
 * - Money and quantities are exact decimal strings throughout; no method reads the wall clock.
 * A breaking change is a new interface version (`gatewayVersion: 2`), kept beside this one.
 */
export interface ExchangeGateway {
  readonly gatewayVersion: 1;
  readonly exchange: string;
  submit(order: SubmitOrder): Promise<GatewayResult>;
  cancel(clientOrderId: string, reason?: string): Promise<GatewayResult>;
  fetchOpenOrders(symbol?: string): Promise<readonly OrderSnapshot[]>;
  fetchTrades(symbol?: string, sinceMs?: number): Promise<readonly FillEvent[]>;
  fetchBalance(): Promise<Readonly<Record<string, BalanceEntry>>>;
}

/** The SubmitOrder for a risk approval (orders.approved.v1): the one mapping, used by every mode. */
export function submitOrderFromApproval(a: OrderApprovedEvent): SubmitOrder {
  return {
    runId: a.runId,
    exchange: a.exchange,
    symbol: a.symbol,
    clientOrderId: a.clientOrderId,
    strategyId: a.strategyId,
    decisionTime: a.decisionTime,
    side: a.side,
    type: a.type,
    quantity: a.quantity,
    limitPrice: a.limitPrice,
    timeInForce: a.timeInForce,
    postOnly: a.postOnly,
    reduceOnly: a.reduceOnly,
    expireAt: a.expireAt,
    bracket: a.bracket,
    role: a.reduceOnly ? 'exit' : 'entry',
  };
}
