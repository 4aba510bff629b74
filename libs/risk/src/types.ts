import type { Clock, Dec, DecimalString, Side } from '@atp/core';
import type { DecisionEvent } from '@atp/contracts';
import type { RiskLimits } from './limits';
import type { MarketInfo } from './market';
import type { RiskAlert, RiskState } from './state';

/** One open position as risk sees it (its own projection from fills.v1, or a `Portfolio`). */
export interface PositionView {
  readonly strategyId: string;
  readonly exchange: string;
  readonly symbol: string;
  /** Signed base quantity: > 0 long, < 0 short. */
  readonly quantity: DecimalString;
  /** Last mark, quote currency. */
  readonly mark: DecimalString;
}

/** A working order (remaining quantity) that counts against cash and limits. */
export interface OpenOrderView {
  readonly strategyId: string;
  readonly exchange: string;
  readonly symbol: string;
  readonly side: Side;
  /** Remaining (unfilled) base quantity. */
  readonly quantity: DecimalString;
  /** Limit price, or the reference price of a market order. */
  readonly price: DecimalString;
  readonly reduceOnly: boolean;
}

/** The account after steps 1-2 of event time T (fills of T applied, positions marked at T's close). */
export interface PortfolioView {
  /** Decimal strings on the wire; the backtester hands its exact Decs (no string made unless one is needed). */
  readonly equity: DecimalString | Dec;
  readonly cash: DecimalString | Dec;
  readonly positions: readonly PositionView[];
  readonly openOrders?: readonly OpenOrderView[];
}

/** Recent market data of the intent's instrument (float64, as on md.*). */
export interface MarketSnapshot {
  /** Close of the last closed bar: the reference price of market entries, collars and sizing. */
  readonly lastClose: number | DecimalString;
  /** Event time (close) of the last closed bar, Unix ms: the stale-data guard compares it with the decision time. */
  readonly lastBarTime: number;
  /** ATR of the decision's timeframe, in price units; null or absent when not warmed up. */
  readonly atr?: number | null;
}

/** Everything one risk decision depends on. Nothing else is read: the decision is a pure function of it. */
export interface RiskRequest {
  readonly decision: Pick<DecisionEvent, 'runId' | 'decisionId' | 'strategyId' | 'exchange' | 'symbol' | 'timeframe' | 'decisionTime' | 'kind' | 'intent'>;
  readonly market: MarketInfo;
  readonly portfolio: PortfolioView;
  readonly marketData: MarketSnapshot;
  readonly limits: RiskLimits;
  readonly state: RiskState;
  /** Event-time clock in backtest and replay, system clock live: used only to detect a decision that arrives late. */
  readonly clock: Clock;
  /** Sequence for the client order id (default 0: one order per decision). */
  readonly orderSeq?: number;
}

/** Identifies the decision an outcome answers. */
export interface DecisionRef {
  readonly runId: string;
  readonly decisionId: string;
  readonly strategyId: string;
  readonly exchange: string;
  readonly symbol: string;
  readonly decisionTime: number;
}

/** Protective levels armed when the entry fills; prices rounded to the tick. */
export interface ApprovedBracket {
  readonly stopLoss?: Dec;
  readonly takeProfit?: Dec;
  readonly trailingStopPct?: number;
}

/** A sized, checked order. Quantity is a multiple of the amount step (rounded down). */
export interface Approval extends DecisionRef {
  readonly kind: 'approval';
  readonly clientOrderId: string;
  readonly side: Side;
  readonly type: 'market' | 'limit';
  readonly quantity: Dec;
  readonly limitPrice?: Dec;
  readonly timeInForce: 'GTC';
  readonly postOnly: false;
  /** True for exits: the order may only reduce the position. */
  readonly reduceOnly: boolean;
  readonly expireAt?: number;
  readonly bracket?: ApprovedBracket;
  /** How the size was computed: method, inputs, raw size, caps, rounding (strings for exact values). */
  readonly sizing: Readonly<Record<string, string | number | null>>;
}

/** Machine-readable reasons for a rejection. */
export type RejectionCode =
  | 'INVALID_INTENT'
  | 'ALREADY_IN_POSITION'
  | 'NO_POSITION'
  | 'EXIT_PENDING'
  | 'SHORT_NOT_ALLOWED'
  | 'KILL_SWITCH'
  | 'DAILY_LOSS_LIMIT'
  | 'MAX_DRAWDOWN'
  | 'STALE_DATA'
  | 'ORDER_RATE'
  | 'STOP_REQUIRED'
  | 'INVALID_STOP_LOSS'
  | 'INVALID_TAKE_PROFIT'
  | 'INVALID_TRAILING_STOP'
  | 'PRICE_COLLAR'
  | 'NO_EQUITY'
  | 'NO_ATR'
  | 'NO_EDGE'
  | 'INSUFFICIENT_CASH'
  | 'MAX_POSITION_QTY'
  | 'MAX_POSITION_NOTIONAL'
  | 'MAX_GROSS_EXPOSURE'
  | 'MIN_AMOUNT'
  | 'MIN_NOTIONAL';

/** A refused intent: a code and a reason with the numbers involved. */
export interface Rejection extends DecisionRef {
  readonly kind: 'rejection';
  readonly code: RejectionCode;
  readonly reason: string;
  readonly details: Readonly<Record<string, string | number | null>>;
}

/** A no-op decision record: nothing to approve or reject. */
export interface NoIntent extends DecisionRef {
  readonly kind: 'noop';
}

/** The outcome of one decision and the risk state after it. */
export interface RiskResult {
  readonly outcome: Approval | Rejection | NoIntent;
  readonly state: RiskState;
  /** Alerts raised (limit trips, kill switch), for risk.alerts.v1. */
  readonly alerts: readonly RiskAlert[];
}
