/**
 * @atp/risk — the full risk decision as pure functions: position sizing, pre-trade limits,
 * protective-level validation, the kill switch and daily-loss / drawdown limits. The backtester
 * calls `decideRisk` directly; the risk service wraps the same function.
 */
export { decideRisk } from './decide';
export { sizePosition, fixedFractionalQty, atrQty, kellyFraction, fixedNotionalQty, type SizingContext, type SizingResult } from './sizing';
export { withLimit, type RiskLimits, type SizingRule, type ConfigNumber } from './limits';
export { stepFromPlaces, marketInfoFromCcxt, marketInfoFromPlaces, type MarketInfo, type CcxtMarketLike, type PlacesMarketLike } from './market';
export {
  initialRiskState,
  engageKillSwitch,
  releaseKillSwitch,
  observeEquity,
  applyRiskCommand,
  type KillSwitch,
  type RiskState,
  type RiskAlert,
} from './state';
export { toOutcomeEvent, toAlertEvent, type RiskOutcomeEvent } from './events';
export { portfolioView } from './portfolio-view';
export { decOf, decString } from './dec-memo';
export type {
  Approval,
  ApprovedBracket,
  DecisionRef,
  MarketSnapshot,
  NoIntent,
  OpenOrderView,
  PortfolioView,
  PositionView,
  Rejection,
  RejectionCode,
  RiskRequest,
  RiskResult,
} from './types';
