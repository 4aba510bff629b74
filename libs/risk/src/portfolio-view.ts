import type { Portfolio } from '@atp/portfolio';
import type { OpenOrderView, PortfolioView } from './types';

/** The risk view of a `Portfolio` (the backtester's and the pnl projection's), plus working orders. */
export function portfolioView(p: Portfolio, openOrders: readonly OpenOrderView[] = []): PortfolioView {
  // The same values as p.pnl()'s equity, cash and positions, without building the full snapshot;
  // equity and cash as the portfolio's Decs (risk prints them only where its output needs them).
  return {
    equity: p.equity(),
    cash: p.cash(),
    positions: p.positionMarks(),
    openOrders,
  };
}
