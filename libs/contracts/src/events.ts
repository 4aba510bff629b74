import type { Static } from '@sinclair/typebox';
import { CandleEvent } from './topics/md-candles';
import { TradeEvent } from './topics/md-trades';
import { BookEvent } from './topics/md-book';
import { OtcQuoteEvent } from './topics/otc-quotes';
import { FeatureVectorEvent } from './topics/features';
import { SignalEvent } from './topics/signals';
import { DecisionEvent, OrderIntent } from './topics/orders-intents';
import { Bracket, OrderApprovedEvent } from './topics/orders-approved';
import { OrderRejectedEvent } from './topics/orders-rejected';
import { BarMatched, OrderEvent, OrderUpdate } from './topics/orders-events';
import { FillEvent } from './topics/fills';
import { PnlEvent } from './topics/pnl';
import { RiskAlertEvent } from './topics/risk-alerts';
import { OrderCommandEvent } from './topics/orders-commands';
import { RiskCommandEvent } from './topics/risk-commands';

/** The value schemas, for tests and tools that validate fragments. */
export const schemas = {
  CandleEvent, TradeEvent, BookEvent, OtcQuoteEvent, FeatureVectorEvent, SignalEvent, OrderIntent, DecisionEvent,
  Bracket, OrderApprovedEvent, OrderRejectedEvent, OrderUpdate, BarMatched, OrderEvent, FillEvent, PnlEvent,
  RiskAlertEvent, OrderCommandEvent, RiskCommandEvent,
} as const;

export type CandleEvent = Static<typeof CandleEvent>;
export type TradeEvent = Static<typeof TradeEvent>;
export type BookEvent = Static<typeof BookEvent>;
export type OtcQuoteEvent = Static<typeof OtcQuoteEvent>;
export type FeatureVectorEvent = Static<typeof FeatureVectorEvent>;
export type SignalEvent = Static<typeof SignalEvent>;
export type OrderIntent = Static<typeof OrderIntent>;
export type DecisionEvent = Static<typeof DecisionEvent>;
export type Bracket = Static<typeof Bracket>;
export type OrderApprovedEvent = Static<typeof OrderApprovedEvent>;
export type OrderRejectedEvent = Static<typeof OrderRejectedEvent>;
export type OrderUpdate = Static<typeof OrderUpdate>;
export type BarMatched = Static<typeof BarMatched>;
export type OrderEvent = Static<typeof OrderEvent>;
export type FillEvent = Static<typeof FillEvent>;
export type PnlEvent = Static<typeof PnlEvent>;
export type RiskAlertEvent = Static<typeof RiskAlertEvent>;
export type OrderCommandEvent = Static<typeof OrderCommandEvent>;
export type RiskCommandEvent = Static<typeof RiskCommandEvent>;
