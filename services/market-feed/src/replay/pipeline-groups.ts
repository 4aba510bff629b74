import { TOPICS, topicName, type TopicContract } from '@atp/contracts';

/** A consumer group of the pipeline and the topics it consumes. */
export interface PipelineGroup {
  readonly group: string;
  readonly topics: readonly TopicContract[];
}

/**
 * The trading pipeline's consumer groups (each service's group is its name) and the topics each
 * consumes: what lockstep replay waits on. Lag is asked per group on its own topics only (a group
 * has no position on a topic it does not consume, which would count as lag forever).
 */
export const PIPELINE_GROUPS: readonly PipelineGroup[] = [
  { group: 'strategy', topics: [TOPICS.mdCandles, TOPICS.features, TOPICS.signals, TOPICS.ordersEvents, TOPICS.fills] },
  { group: 'risk', topics: [TOPICS.mdCandles, TOPICS.ordersIntents, TOPICS.ordersEvents, TOPICS.fills, TOPICS.riskCommands] },
  { group: 'execution', topics: [TOPICS.mdCandles, TOPICS.ordersIntents, TOPICS.ordersApproved, TOPICS.ordersRejected, TOPICS.ordersCommands] },
  { group: 'pnl', topics: [TOPICS.mdCandles, TOPICS.ordersEvents, TOPICS.fills] },
];

/** Every topic the pipeline groups consume (physical names under a run id). */
export function pipelineTopics(groups: readonly PipelineGroup[], runId?: string): string[] {
  return [...new Set(groups.flatMap((g) => g.topics.map((t) => topicName(t, runId))))].sort();
}
