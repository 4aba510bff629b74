import type { TopicContract } from './contract';
import { mdCandlesV1 } from './topics/md-candles';
import { mdTradesV1 } from './topics/md-trades';
import { mdBookV1 } from './topics/md-book';
import { otcQuotesV1 } from './topics/otc-quotes';
import { featuresV1 } from './topics/features';
import { signalsV1 } from './topics/signals';
import { ordersIntentsV1 } from './topics/orders-intents';
import { ordersApprovedV1 } from './topics/orders-approved';
import { ordersRejectedV1 } from './topics/orders-rejected';
import { ordersEventsV1 } from './topics/orders-events';
import { fillsV1 } from './topics/fills';
import { pnlV1 } from './topics/pnl';
import { riskAlertsV1 } from './topics/risk-alerts';
import { ordersCommandsV1 } from './topics/orders-commands';
import { riskCommandsV1 } from './topics/risk-commands';

/** All topics, the single source of topic names (ARCHITECTURE.md, "Data flow"). */
export const TOPICS = {
  mdCandles: mdCandlesV1,
  mdTrades: mdTradesV1,
  mdBook: mdBookV1,
  otcQuotes: otcQuotesV1,
  features: featuresV1,
  signals: signalsV1,
  ordersIntents: ordersIntentsV1,
  ordersApproved: ordersApprovedV1,
  ordersRejected: ordersRejectedV1,
  ordersEvents: ordersEventsV1,
  fills: fillsV1,
  pnl: pnlV1,
  riskAlerts: riskAlertsV1,
  ordersCommands: ordersCommandsV1,
  riskCommands: riskCommandsV1,
} as const;

export const ALL_TOPICS: readonly TopicContract[] = Object.values(TOPICS) as TopicContract[];

export function topicByName(name: string): TopicContract | undefined {
  return ALL_TOPICS.find((t) => t.name === name);
}
