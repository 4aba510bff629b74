import { decToString, eventIdFrom, roundToPlaces, toDecimal, type Dec, type Timeframe } from '@atp/core';
import type { OrderApprovedEvent, OrderIntent, OrderRejectedEvent } from '@atp/contracts';
import type { MarketSpec, OrderSnapshot } from '@atp/execution';
import type { Portfolio } from '@atp/portfolio';
import type { Approval } from '@atp/risk';

/**
 * What the backtester hands the risk decision for one intent of event time T: the intent, the ids
 * it must use, and the state after steps 1-2 of T (fills of T applied, positions marked at the
 * close of T). Money is exact.
 */
export interface RiskRequest {
  readonly runId: string;
  readonly exchange: string;
  readonly symbol: string;
  readonly strategyId: string;
  readonly decisionId: string;
  /** Event time T. */
  readonly decisionTime: number;
  /** The order's client order id: core `clientOrderId(run, strategy, symbol, T, 0)`. */
  readonly clientOrderId: () => string;
  readonly intent: OrderIntent;
  /** Close of T: the reference price for sizing. */
  readonly price: Dec;
  /** This strategy's signed position on the symbol. */
  readonly position: Dec;
  /** Account equity and cash after steps 1-2 of T. */
  readonly equity: Dec;
  readonly cash: Dec;
  readonly market: MarketSpec;
  /** Open (strategy, symbol) slots sharing the account: sizing divides the equity among them. */
  readonly slots: number;
  readonly tsInit: number;
  readonly shortable: boolean;
  readonly timeframe: Timeframe;
  /** The account (exact), after steps 1-2 of T. Read only. */
  readonly portfolio: Portfolio;
  /** Working orders of the paper exchange (entries, exits, armed brackets). */
  readonly openOrders: readonly OrderSnapshot[];
  /** Event time of the symbol's last closed bar (T when the symbol has a bar at T). */
  readonly lastBarTime: number;
  /** ATR of the symbol (period of the run's `atrPeriod`), NaN while warming up or not computed. */
  readonly atr: number;
}

export type RiskOutcome = { readonly kind: 'approved'; readonly order: OrderApprovedEvent } | { readonly kind: 'rejected'; readonly rejection: OrderRejectedEvent };

/**
 * A {@link RiskOutcome} whose approval is still `@atp/risk`'s Approval (exact values, its sizing
 * record): the backtester submits it and makes its `orders.approved.v1` event
 * (`toOutcomeEvent(approval, tsInit)`, tsInit = the request's) only when the result is read.
 */
export type DeferredRiskOutcome = Approval | { readonly kind: 'rejected'; readonly rejection: OrderRejectedEvent };

/**
 * The risk decision as the backtester calls it (the port). `libRisk` (./lib-risk) runs
 * `@atp/risk`'s full decision (sizing, every pre-trade check, the kill switch) and is the default;
 * `fixedFractionRisk` below is a minimal sizer for tests that pin fills by hand.
 */
export interface RiskPort {
  decide(req: RiskRequest): RiskOutcome;
  /**
   * The same decision as `decide` (and the same state change), its approval not yet a wire event.
   * Optional. The backtester hands it `decisionId: ''` (the id is a hash, made only when an event
   * needs it): a rejection's event may then carry '' as its decision id and event id (the
   * backtester sets `decisionId(runId, strategyId, exchange, symbol, decisionTime)` and
   * `eventIdFrom('rejected', decisionId)` when the result's `rejected` is read), and an approval
   * keeps '' as well: the backtester makes its event at once (toOutcomeEvent, both ids '') and sets
   * them when the result's `approved` is read.
   */
  decideDeferred?(req: RiskRequest): DeferredRiskOutcome;
  /** True when the port needs `atr` (the engine then runs a streaming ATR per symbol). */
  readonly needsAtr?: boolean;
}

export interface FixedFractionOptions {
  /** Fraction of equity per (strategy, symbol) slot put into one entry, (0, 1]. Default 0.95 / slots. */
  readonly fraction?: number;
  /** Fixed base quantity instead of a fraction of equity (decimal string). */
  readonly quantity?: string;
  /** Taker fee used to keep the cost inside cash. Default 0.001. */
  readonly feeRate?: number;
}

/**
 * Minimal sizing and checks: long-only unless shortable; `long` buys fraction x equity / price
 * (rounded down to the amount precision, never more than the cash can pay with fees), `flat` sells
 * the whole position (reduce-only); intents that would not change the position are rejected with
 * NO_CHANGE, shorts with SHORT_NOT_ALLOWED, sizes that round to zero with SIZE_ZERO.
 */
export function fixedFractionRisk(opts: FixedFractionOptions = {}): RiskPort {
  const feeRate = toDecimal(opts.feeRate ?? 0.001);
  return {
    decide(r: RiskRequest): RiskOutcome {
      const reject = (code: string, reason: string): RiskOutcome => ({
        kind: 'rejected',
        rejection: {
          eventId: eventIdFrom('rejected', r.decisionId),
          tsEvent: r.decisionTime,
          tsInit: r.tsInit,
          source: 'risk',
          exchange: r.exchange,
          symbol: r.symbol,
          runId: r.runId,
          decisionId: r.decisionId,
          strategyId: r.strategyId,
          decisionTime: r.decisionTime,
          code,
          reason,
        },
      });
      const approve = (side: 'buy' | 'sell', qty: Dec, reduceOnly: boolean, sizing: Record<string, string | number | null>): RiskOutcome => {
        const i = r.intent;
        const bracket = reduceOnly
          ? undefined
          : {
              ...(i.stopLoss !== undefined ? { stopLoss: i.stopLoss } : {}),
              ...(i.takeProfit !== undefined ? { takeProfit: i.takeProfit } : {}),
              ...(i.trailingStopPct !== undefined ? { trailingStopPct: i.trailingStopPct } : {}),
            };
        return {
          kind: 'approved',
          order: {
            eventId: eventIdFrom('approved', r.decisionId),
            tsEvent: r.decisionTime,
            tsInit: r.tsInit,
            source: 'risk',
            exchange: r.exchange,
            symbol: r.symbol,
            runId: r.runId,
            decisionId: r.decisionId,
            clientOrderId: r.clientOrderId(),
            strategyId: r.strategyId,
            decisionTime: r.decisionTime,
            side,
            type: i.entry,
            quantity: decToString(qty),
            ...(i.entry === 'limit' && i.limitPrice !== undefined ? { limitPrice: i.limitPrice } : {}),
            timeInForce: 'GTC',
            postOnly: false,
            reduceOnly,
            ...(bracket && Object.keys(bracket).length > 0 ? { bracket } : {}),
            sizing,
          },
        };
      };
      const pos = r.position;
      const target = r.intent.target;
      if (target === 'flat') {
        if (pos.isZero()) return reject('NO_CHANGE', 'already flat');
        return approve(pos.gt(0) ? 'sell' : 'buy', pos.abs(), true, { method: 'close-position', position: decToString(pos) });
      }
      if (target === 'short' && !r.shortable) return reject('SHORT_NOT_ALLOWED', `${r.symbol} is long-only`);
      if ((target === 'long' && pos.gt(0)) || (target === 'short' && pos.lt(0))) return reject('NO_CHANGE', `already ${target} ${decToString(pos)}`);
      if (!pos.isZero()) return reject('FLIP_NOT_SUPPORTED', `position ${decToString(pos)}: go flat first`);
      const px = r.intent.entry === 'limit' && r.intent.limitPrice !== undefined ? toDecimal(r.intent.limitPrice) : r.price;
      let qty: Dec;
      let method: string;
      if (opts.quantity !== undefined) {
        qty = toDecimal(opts.quantity);
        method = 'fixed-quantity';
      } else {
        const fraction = toDecimal(opts.fraction ?? 0.95 / Math.max(1, r.slots));
        const budget = r.equity.mul(fraction);
        const cashCap = r.cash.gt(0) ? r.cash : toDecimal(0);
        const spend = budget.lt(cashCap) ? budget : cashCap;
        qty = roundToPlaces(spend.div(px.mul(feeRate.plus(1))), r.market.amountPlaces, 'down');
        method = 'fixed-fraction';
      }
      if (qty.lte(0)) return reject('SIZE_ZERO', `size rounds to zero at price ${decToString(px)} with equity ${decToString(r.equity)}`);
      return approve(target === 'long' ? 'buy' : 'sell', qty, false, { method, equity: decToString(r.equity), price: decToString(px) });
    },
  };
}
