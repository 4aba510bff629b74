import { decToString, ManualClock, toDecimal } from '@atp/core';
import type { MarketSpec } from '@atp/execution';
import { decideRisk, initialRiskState, portfolioView, stepFromPlaces, toOutcomeEvent, type MarketInfo, type OpenOrderView, type RiskAlert, type RiskLimits, type RiskState } from '@atp/risk';
import type { RiskOutcome, RiskPort, RiskRequest } from './risk-port';

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

/**
 * The backtester's RiskPort over `@atp/risk`'s `decideRisk`: the same pure function the risk
 * service runs, with its state (kill switch, watermarks, order rate) carried from call to call.
 * Without limits each entry is sized at 95% of equity divided among the (strategy, symbol) slots.
 */
export function libRisk(opts: LibRiskOptions = {}): RiskPort {
  let state: RiskState = initialRiskState();
  const markets = new Map<string, MarketInfo>();
  const clock = new ManualClock(0);
  const needsAtr = (l: RiskLimits | undefined) => !!l && (l.sizing.method === 'atr' || Object.values(l.sizingByStrategy ?? {}).some((r) => r.method === 'atr'));
  const marketOf = (r: RiskRequest): MarketInfo => {
    let m = markets.get(r.symbol);
    if (!m) markets.set(r.symbol, (m = marketInfoOf(r.exchange, r.market, r.shortable)));
    return m;
  };
  return {
    needsAtr: needsAtr(opts.limits),
    decide(r: RiskRequest): RiskOutcome {
      const limits: RiskLimits = opts.limits ?? { sizing: { method: 'fixed-notional', notional: decToString(r.equity.mul(0.95).div(Math.max(1, r.slots))) } };
      if (clock.now() < r.decisionTime) clock.set(r.decisionTime);
      // Armed brackets (stop loss / take profit) protect the position; they are not pending exits,
      // so they are left out: otherwise risk would refuse the strategy's own exit (EXIT_PENDING).
      const openOrders: OpenOrderView[] = r.openOrders.filter((o) => o.parentClientOrderId === undefined).map((o) => ({
        strategyId: o.strategyId,
        exchange: o.exchange,
        symbol: o.symbol,
        side: o.side,
        quantity: decToString(toDecimal(o.quantity).minus(o.filledQuantity)),
        price: o.limitPrice ?? o.stopPrice ?? decToString(r.price),
        reduceOnly: o.role !== 'entry',
      }));
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
        market: marketOf(r),
        portfolio: portfolioView(r.portfolio, openOrders),
        marketData: { lastClose: decToString(r.price), lastBarTime: r.lastBarTime, atr: Number.isFinite(r.atr) ? r.atr : null },
        limits,
        state,
        clock,
      });
      state = res.state;
      if (opts.onAlert) for (const a of res.alerts) opts.onAlert(a);
      if (res.outcome.kind === 'noop') throw new Error(`risk returned noop for intent ${r.decisionId}`);
      return toOutcomeEvent(res.outcome, r.tsInit, 'risk');
    },
  };
}
