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

/**
 * Subscribes collectors to every output topic of the pipeline: one consumer group per topic
 * (`<group>.<topic>`), so on Kafka no collector waits for the others to join its group.
 */
export async function collect(bus: Bus, runId: string, group = COLLECT_GROUP): Promise<{ data: Collected; lag(): Promise<number>; close(): Promise<void> }> {
  const data: Collected = { decisions: [], approved: [], rejected: [], orderEvents: [], fills: [], pnl: [], alerts: [], commands: [] };
  const groupOf = (c: TopicContract) => `${group}.${c.name}`;
  const subs: Subscription[] = await Promise.all(
    COLLECTED.map(([key, contract]) => {
      const list = data[key] as unknown[];
      return bus.subscribe({ contract: contract as TopicContract<TSchema>, group: groupOf(contract), runId, from: 'earliest' }, (m) => void list.push(m.value as Static<TSchema>));
    }),
  );
  return {
    data,
    lag: async () => (await Promise.all(COLLECTED.map(([, c]) => bus.lag(groupOf(c), [topicName(c, runId)])))).reduce((a, b) => a + b, 0),
    close: async () => {
      await Promise.all(subs.map((s) => s.close()));
    },
  };
}
