/**
 * @atp/portfolio — positions and P&L in exact decimals: FIFO lots per (strategy, instrument),
 * account cash in the quote currency, realized P&L gross of fees with fees apart, unrealized P&L
 * from marks, round trips, a per-bar equity curve and serialisable state. Pure and deterministic.
 */
export { Portfolio, PORTFOLIO_STATE_VERSION, type PortfolioState, type PositionMark } from './portfolio';
export { pnlEvent, type PnlEventOptions } from './pnl-event';
export type { PositionState } from './position';
export {
  PortfolioError,
  type ApplyFillResult,
  type EquityCurve,
  type FillLedgerEntry,
  type PnlSnapshot,
  type PortfolioConfig,
  type PortfolioErrorCode,
  type PortfolioFill,
  type PositionSnapshot,
  type RoundTrip,
} from './types';
