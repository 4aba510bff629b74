import { AssignerProtocol, type Assigner, type PartitionAssigner } from 'kafkajs';

/** Protocol name every bus consumer announces; all members of a group must share it. */
export const ASSIGNER_NAME = 'AtpSubscriptionRoundRobin';

/**
 * Round-robin partition assignment that honours each member's own subscription.
 *
 * The bus runs one kafkajs consumer per `subscribe`, so one service's group (e.g. `risk`) has
 * members on different topics (fills, candles, intents). kafkajs's RoundRobinAssigner assigns only
 * the leader's topics, among all members, and kafkajs then drops partitions of topics a member did
 * not subscribe to: some topics would never be consumed. Here each topic's partitions go round-robin
 * to the members subscribed to it (Kafka's Java assignors do the same), rotating across topics so
 * load stays even.
 */
export const subscriptionRoundRobin: PartitionAssigner = ({ cluster }): Assigner => ({
  name: ASSIGNER_NAME,
  version: 0,
  async assign({ members }) {
    const subs = members
      .map((m) => ({ memberId: m.memberId, topics: AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.topics ?? [] }))
      .sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
    const topics = [...new Set(subs.flatMap((s) => s.topics))].sort();
    await cluster.addMultipleTargetTopics(topics); // the leader needs metadata of topics it does not consume
    const assignment = new Map<string, Record<string, number[]>>(subs.map((s) => [s.memberId, {}]));
    let turn = 0;
    for (const topic of topics) {
      const eligible = subs.filter((s) => s.topics.includes(topic));
      const partitions = cluster
        .findTopicPartitionMetadata(topic)
        .map((p) => p.partitionId)
        .sort((a, b) => a - b);
      for (const p of partitions) {
        const to = assignment.get(eligible[turn++ % eligible.length].memberId)!;
        (to[topic] ??= []).push(p);
      }
    }
    return subs.map((s) => ({
      memberId: s.memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 0, assignment: assignment.get(s.memberId)!, userData: Buffer.alloc(0) }),
    }));
  },
  protocol({ topics }) {
    return { name: ASSIGNER_NAME, metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }) };
  },
});
