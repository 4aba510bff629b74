import { Dec, decProduct, decToString, ManualClock, toDecimal } from '@atp/core';
import type { OrderRejectedEvent } from '@atp/contracts';
import type { MarketSpec } from '@atp/execution';
import { decideRisk, decString, initialRiskState, portfolioView, stepFromPlaces, toOutcomeEvent, type Approval, type MarketInfo, type OpenOrderView, type Rejection, type RiskAlert, type RiskLimits, type RiskState } from '@atp/risk';
import { decisionId } from '@atp/strategies';
import type { DeferredRiskOutcome, RiskOutcome, RiskPort, RiskRequest } from './risk-port';

/** Default limits of a backtest: 95% of equity per (strategy, symbol) slot, fixed notional sizing is computed per call. */
export interface LibRiskOptions {
  /** The account's limits. Default: size each entry at 95% of equity / slots (fixed notional). */
  readonly limits?: RiskLimits;
  /** Called with every alert the risk decision raises (kill switch trips, limit breaches). */
  readonly onAlert?: (a: RiskAlert) => void;
}

/** The MarketInfo `@atp/risk` reads, from the paper exchange's market spec. */
export function marketInfoOf(exchange: string, m: MarketSpec, shortable: boolean): MarketInfo {
  return {
    exchange,
    symbol: m.symbol,
    base: m.base,
    quote: m.quote,
    amountStep: stepFromPlaces(m.amountPlaces),
    priceTick: stepFromPlaces(m.pricePlaces ?? 8),
    makerFee: m.makerFee ?? '0.001',
    takerFee: m.takerFee ?? '0.001',
    shortable,
  };
}

/** True when the limits size some entry by ATR (the caller then computes a streaming ATR per symbol). */
export function limitsNeedAtr(l: RiskLimits | undefined): boolean {
  return !!l && (l.sizing.method === 'atr' || Object.values(l.sizingByStrategy ?? {}).some((r) => r.method === 'atr'));
}

/** The outcome of one {@link libRiskStep}: the wire event, the risk state after it and its alerts. */
export interface LibRiskStep {
  readonly outcome: RiskOutcome;
  readonly state: RiskState;
  readonly alerts: readonly RiskAlert[];
}

/**
 * One risk decision exactly as the backtester's port makes it, without carried state: the risk
 * service calls this with its own persisted state, limits and event-time clock, so both run the
 * same code. Without limits the entry is sized at 95% of equity divided among the slots. Armed
 * brackets (orders with a parent) are not pending exits and are left out of the open orders.
 * `clock` is moved forward to the decision time when behind. `market` is the symbol's
 * `marketInfoOf(...)`, made once per symbol by the caller: @atp/risk caches its parsed numbers per
 * MarketInfo object. Throws when risk answers an intent with a no-op (a bug).
 */
export function libRiskStep(r: RiskRequest, limits: RiskLimits | undefined, state: RiskState, clock: ManualClock, market: MarketInfo): LibRiskStep {
  const res = riskDecision(r, limits, state, clock, market);
  return { outcome: toOutcomeEvent(res.outcome, r.tsInit, 'risk'), state: res.state, alerts: res.alerts };
}

/** {@link libRiskStep}'s decision before its wire event: the Approval or Rejection itself. */
function riskDecision(r: RiskRequest, limits: RiskLimits | undefined, state: RiskState, clock: ManualClock, market: MarketInfo): { outcome: Approval | Rejection; state: RiskState; alerts: readonly RiskAlert[] } {
  const lim: RiskLimits = limits ?? defaultLimits(r);
  if (clock.now() < r.decisionTime) clock.set(r.decisionTime);
  const lastClose = decString(r.price);
  // Armed brackets (stop loss / take profit) protect the position; they are not pending exits,
  // so they are left out: otherwise risk would refuse the strategy's own exit (EXIT_PENDING).
  const openOrders: OpenOrderView[] = [];
  for (const o of r.openOrders) {
    if (o.parentClientOrderId !== undefined) continue;
    openOrders.push({
      strategyId: o.strategyId,
      exchange: o.exchange,
      symbol: o.symbol,
      side: o.side,
      quantity: remaining(o.quantity, o.filledQuantity),
      price: o.limitPrice ?? o.stopPrice ?? lastClose,
      reduceOnly: o.role !== 'entry',
    });
  }
  const res = decideRisk({
    decision: {
      runId: r.runId,
      decisionId: r.decisionId,
      strategyId: r.strategyId,
      exchange: r.exchange,
      symbol: r.symbol,
      timeframe: r.timeframe,
      decisionTime: r.decisionTime,
      kind: 'intent',
      intent: r.intent,
    },
    market,
    portfolio: portfolioView(r.portfolio, openOrders),
    marketData: { lastClose, lastBarTime: r.lastBarTime, atr: Number.isFinite(r.atr) ? r.atr : null },
    limits: lim,
    state,
    clock,
  });
  const outcome = res.outcome;
  if (outcome.kind === 'noop') throw new Error(`risk returned noop for intent ${r.decisionId || decisionId(r.runId, r.strategyId, r.exchange, r.symbol, r.decisionTime)}`);
  return { outcome, state: res.state, alerts: res.alerts };
}

/** A canonical decimal string (decToString's form) of a number >= 0: no leading zero but the units', no trailing zero after a point, no sign. */
const CANONICAL_UNSIGNED = /^(?:0|[1-9][0-9]*)(?:\.[0-9]*[1-9])?$/;

/**
 * An order's remaining quantity, decToString(quantity - filled): for an order with nothing filled
 * yet (filled '0', the usual case) and a canonical quantity, the quantity string itself — decimal.js's
 * x - 0 is x rounded to the precision (60 digits, more than such a string has), which prints back as
 * the same canonical string — without the parse, subtraction and print.
 */
function remaining(quantity: string, filled: string): string {
  // (at most 41 characters: at most 40 digits, well within the precision)
  if (filled === '0' && quantity.length <= 41 && CANONICAL_UNSIGNED.test(quantity)) return quantity;
  return decToString(toDecimal(quantity).minus(filled));
}

const SHARE = new Dec('0.95');

/**
 * Fixed-notional sizing at 95% of equity divided among the slots. The notional is worked out on
 * first read (only entries read it); a class with a prototype getter, as an object literal with
 * a getter costs an accessor pair and a closure per decision.
 */
class DefaultSizing {
  readonly method = 'fixed-notional' as const;
  #notional: string | undefined = undefined;
  readonly #equity: Dec;
  readonly #slots: number;
  constructor(equity: Dec, slots: number) {
    this.#equity = equity;
    this.#slots = slots;
  }
  get notional(): string {
    // a division by one slot is exact: skipped
    return (this.#notional ??= decString(this.#slots > 1 ? decProduct(this.#equity, SHARE).div(this.#slots) : decProduct(this.#equity, SHARE)));
  }
}

/** 95% of equity divided among the slots, fixed notional (the notional is only read by entries). */
function defaultLimits(r: RiskRequest): RiskLimits {
  return { sizing: new DefaultSizing(r.equity, r.slots) };
}

/**
 * The backtester's RiskPort over `@atp/risk`'s `decideRisk` ({@link libRiskStep}): the same pure
 * function the risk service runs, with its state (kill switch, watermarks, order rate) carried
 * from call to call. Without limits each entry is sized at 95% of equity divided among the
 * (strategy, symbol) slots.
 */
export function libRisk(opts: LibRiskOptions = {}): RiskPort {
  let state: RiskState = initialRiskState();
  const markets = new Map<string, MarketInfo>();
  const clock = new ManualClock(0);
  const marketOf = (r: RiskRequest): MarketInfo => {
    let m = markets.get(r.symbol);
    if (!m) markets.set(r.symbol, (m = marketInfoOf(r.exchange, r.market, r.shortable)));
    return m;
  };
  return {
    needsAtr: limitsNeedAtr(opts.limits),
    decide(r: RiskRequest): RiskOutcome {
      const step = libRiskStep(r, opts.limits, state, clock, marketOf(r));
      state = step.state;
      if (opts.onAlert) for (const a of step.alerts) opts.onAlert(a);
      return step.outcome;
    },
    decideDeferred(r: RiskRequest): DeferredRiskOutcome {
      const res = riskDecision(r, opts.limits, state, clock, marketOf(r));
      state = res.state;
      if (opts.onAlert) for (const a of res.alerts) opts.onAlert(a);
      const o = res.outcome;
      if (o.kind === 'approval') return o;
      // (a request without its decision id gets a rejection event without ids: the backtester sets them when read)
      return toOutcomeEvent(r.decisionId === o.decisionId ? o : { ...o, decisionId: r.decisionId }, r.tsInit, 'risk') as { readonly kind: 'rejected'; readonly rejection: OrderRejectedEvent };
    },
  };
}
