import type { Static, TSchema } from '@sinclair/typebox';
import type { Bus, Subscription } from '@atp/bus';
import { TOPICS, topicName, type DecisionEvent, type FillEvent, type OrderApprovedEvent, type OrderCommandEvent, type OrderEvent, type OrderRejectedEvent, type PnlEvent, type RiskAlertEvent, type TopicContract } from '@atp/contracts';

/** Everything the pipeline published under a run id, as a test consumer group saw it (duplicates included). */
export interface Collected {
  decisions: DecisionEvent[];
  approved: OrderApprovedEvent[];
  rejected: OrderRejectedEvent[];
  orderEvents: OrderEvent[];
  fills: FillEvent[];
  pnl: PnlEvent[];
  alerts: RiskAlertEvent[];
  commands: OrderCommandEvent[];
}

export const COLLECT_GROUP = 'test-collector';

const COLLECTED: [keyof Collected, TopicContract][] = [
  ['decisions', TOPICS.ordersIntents],
  ['approved', TOPICS.ordersApproved],
  ['rejected', TOPICS.ordersRejected],
  ['orderEvents', TOPICS.ordersEvents],
  ['fills', TOPICS.fills],
  ['pnl', TOPICS.pnl],
  ['alerts', TOPICS.riskAlerts],
  ['commands', TOPICS.ordersCommands],
];

/** Subscribes a collector group to every output topic of the pipeline. */
export async function collect(bus: Bus, runId: string, group = COLLECT_GROUP): Promise<{ data: Collected; lag(): Promise<number>; close(): Promise<void> }> {
  const data: Collected = { decisions: [], approved: [], rejected: [], orderEvents: [], fills: [], pnl: [], alerts: [], commands: [] };
  const subs: Subscription[] = [];
  for (const [key, contract] of COLLECTED) {
    const list = data[key] as unknown[];
    subs.push(await bus.subscribe({ contract: contract as TopicContract<TSchema>, group, runId, from: 'earliest' }, (m) => void list.push(m.value as Static<TSchema>)));
  }
  return {
    data,
    lag: () => bus.lag(group, COLLECTED.map(([, c]) => topicName(c, runId))),
    close: async () => {
      await Promise.all(subs.map((s) => s.close()));
    },
  };
}
