import { dlqTopicName, topicByName, type TopicContract } from '@atp/contracts';
import { deadLetterTopic } from './dead-letter';

const RUN_PREFIX = /^run\.[A-Za-z0-9_-]{1,64}\./;
const DLQ_SUFFIX = '.dlq';

/**
 * The contract behind a physical topic name (`[run.<id>.]<topic>[.dlq]`), so a topic first seen
 * through `publishRaw` still gets its contract's partitions and retention. Undefined for topics
 * outside the contracts (tools, tests).
 */
export function contractOfPhysicalTopic(physical: string): TopicContract | undefined {
  const base = physical.replace(RUN_PREFIX, '');
  if (base.endsWith(DLQ_SUFFIX)) {
    const src = topicByName(base.slice(0, -DLQ_SUFFIX.length));
    return src ? deadLetterTopic(src) : undefined;
  }
  return topicByName(base);
}

/** A physical topic and its dead-letter topic, with the contract's partitions and retention. */
export interface TopicSpec {
  topic: string;
  partitions: number;
  retentionMs: number;
}

export function topicSpecs(contract: TopicContract, physical: string): TopicSpec[] {
  return [
    { topic: physical, partitions: contract.partitions, retentionMs: contract.retentionMs },
    { topic: dlqTopicName(physical), partitions: contract.partitions, retentionMs: contract.retentionMs },
  ];
}
