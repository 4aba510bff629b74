import type { Portfolio } from '@atp/portfolio';
import type { OpenOrderView, PortfolioView } from './types';

/** The risk view of a `Portfolio` (the backtester's and the pnl projection's), plus working orders. */
export function portfolioView(p: Portfolio, openOrders: readonly OpenOrderView[] = []): PortfolioView {
  const s = p.pnl();
  return {
    equity: s.equity,
    cash: s.cash,
    positions: s.positions.map((x) => ({ strategyId: x.strategyId, exchange: x.exchange, symbol: x.symbol, quantity: x.quantity, mark: x.mark })),
    openOrders,
  };
}
