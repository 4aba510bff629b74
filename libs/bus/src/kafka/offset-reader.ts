import type { Kafka } from 'kafkajs';
import type { Watermarks } from '../bus';

type Marks = { partition: number; low: bigint; high: bigint }[];

/** The part of kafkajs's (internal) Cluster and Broker this reader uses. */
interface Cluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addMultipleTargetTopics(topics: string[]): Promise<void>;
  refreshMetadataIfNecessary(): Promise<void>;
  findTopicPartitionMetadata(topic: string): { partitionId: number }[];
  fetchTopicsOffset(topics: { topic: string; fromBeginning: boolean; partitions: { partition: number }[] }[]): Promise<{ topic: string; partitions: { partition: number; offset: string }[] }[]>;
  findGroupCoordinator(q: { groupId: string }): Promise<CoordinatorBroker>;
}
interface CoordinatorBroker {
  offsetFetch(q: { groupId: string; topics: { topic: string; partitions: { partition: number }[] }[] }): Promise<{ responses: { topic: string; partitions: { partition: number; offset: string }[] }[] }>;
}

/** Committed offsets of one group, by topic then partition (-1: none). */
export type Committed = Map<string, Map<number, bigint>>;

/**
 * Watermarks of many topics and several groups' committed offsets with few broker requests, for
 * the lockstep replay's drain check, which asks between every two event times. kafkajs's admin
 * asks two ListOffsets per topic (high and low) and looks the group coordinator up again on every
 * fetchOffsets: a pass over 11 topics and 4 groups cost ~30 requests. Here:
 *
 * - the high watermarks of all topics come in ONE ListOffsets per leader broker;
 * - low watermarks are read with the first highs of a topic and then kept: lows only grow (log
 *   retention), so a kept low is at most the real one and a lag computed from it is at least the
 *   real lag — never a false "drained". When a lag rests on a kept low (a group without a commit
 *   there, or behind the low), the next read refreshes the lows ({@link staleLows}); so does a
 *   high watermark that went back or below its kept low (the topic was deleted and created again:
 *   the one case where lows shrink), and lows older than {@link LOWS_MAX_AGE_MS};
 * - each group's coordinator is looked up once and kept (dropped when a fetch fails).
 *
 * It uses kafkajs's cluster object, which kafkajs creates for its clients but does not export
 * (kafkajs 2.2.x): `create` returns undefined when that is not available, and every read that fails
 * here rejects, so the caller can fall back to the admin client.
 */
/** Kept low watermarks are read again after this long, whatever happened (ms). */
export const LOWS_MAX_AGE_MS = 10_000;

export class OffsetReader {
  private readonly lows = new Map<string, Map<number, bigint>>();
  private lowsAt = 0;
  /** The last high watermark seen per topic and partition (a lower one means the topic was created again). */
  private readonly highs = new Map<string, Map<number, bigint>>();
  private readonly coordinators = new Map<string, Promise<CoordinatorBroker>>();
  private lowsStale = false;
  private connected: Promise<void> | undefined;

  private constructor(private readonly cluster: Cluster) {}

  /** A reader on its own connections of `kafka`'s cluster; undefined when this kafkajs has no such factory. */
  static create(kafka: Kafka): OffsetReader | undefined {
    const sym = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
    const factory = sym ? (kafka as unknown as Record<symbol, unknown>)[sym] : undefined;
    if (typeof factory !== 'function') return undefined;
    const cluster = (factory as (o: object) => Cluster)({ allowAutoTopicCreation: false });
    const ok = ['connect', 'disconnect', 'addMultipleTargetTopics', 'refreshMetadataIfNecessary', 'findTopicPartitionMetadata', 'fetchTopicsOffset', 'findGroupCoordinator'].every((m) => typeof (cluster as unknown as Record<string, unknown>)[m] === 'function');
    return ok ? new OffsetReader(cluster) : undefined;
  }

  /** Marks the kept lows for a refresh on the next read (a lag rested on one). */
  staleLows(): void {
    this.lowsStale = true;
  }

  /** High (and kept low) watermarks of `topics`; all of them must exist. */
  async watermarks(topics: readonly string[]): Promise<Watermarks> {
    await this.ready(topics);
    const parts = topics.map((topic) => ({ topic, partitions: this.cluster.findTopicPartitionMetadata(topic).map((p) => ({ partition: p.partitionId })) }));
    const readLows = () => this.cluster.fetchTopicsOffset(parts.map((p) => ({ ...p, fromBeginning: true })));
    const needLows = this.lowsStale || Date.now() - this.lowsAt > LOWS_MAX_AGE_MS || topics.some((t) => !this.lows.has(t));
    const at = Date.now();
    const [highs, read] = await Promise.all([this.cluster.fetchTopicsOffset(parts.map((p) => ({ ...p, fromBeginning: false }))), needLows ? readLows() : undefined]);
    const lows = read ?? (this.recreated(highs) ? await readLows() : undefined);
    if (lows) {
      this.lowsStale = false;
      this.lowsAt = at;
      for (const t of lows) this.lows.set(t.topic, new Map(t.partitions.map((p) => [p.partition, BigInt(p.offset)])));
    }
    for (const t of highs) this.highs.set(t.topic, new Map(t.partitions.map((p) => [p.partition, BigInt(p.offset)])));
    const out = new Map<string, Marks>();
    for (const t of highs) {
      const low = this.lows.get(t.topic);
      out.set(
        t.topic,
        t.partitions.map((p) => ({ partition: p.partition, high: BigInt(p.offset), low: low?.get(p.partition) ?? 0n })).sort((a, b) => a.partition - b.partition),
      );
    }
    for (const topic of topics) if (!out.has(topic)) throw new Error(`no offsets for ${topic}`);
    return out;
  }

  /** True when a high watermark went back, or below its kept low: a topic deleted and created again. */
  private recreated(highs: readonly { topic: string; partitions: { partition: number; offset: string }[] }[]): boolean {
    for (const t of highs) {
      const seen = this.highs.get(t.topic);
      const low = this.lows.get(t.topic);
      for (const p of t.partitions) {
        const h = BigInt(p.offset);
        if (h < (seen?.get(p.partition) ?? 0n) || h < (low?.get(p.partition) ?? 0n)) return true;
      }
    }
    return false;
  }

  /** The group's committed offsets on `topics` (one OffsetFetch to its kept coordinator). */
  async committed(groupId: string, topics: readonly string[]): Promise<Committed> {
    await this.ready(topics);
    let coordinator = this.coordinators.get(groupId);
    if (!coordinator) {
      coordinator = this.cluster.findGroupCoordinator({ groupId });
      this.coordinators.set(groupId, coordinator);
    }
    try {
      const { responses } = await (
        await coordinator
      ).offsetFetch({ groupId, topics: topics.map((topic) => ({ topic, partitions: this.cluster.findTopicPartitionMetadata(topic).map((p) => ({ partition: p.partitionId })) })) });
      return new Map(responses.map((r) => [r.topic, new Map(r.partitions.map((p) => [p.partition, BigInt(p.offset)]))]));
    } catch (e) {
      this.coordinators.delete(groupId); // moved, or the connection broke: look it up again next time
      throw e;
    }
  }

  async close(): Promise<void> {
    if (this.connected) await this.cluster.disconnect().catch(() => undefined);
  }

  private async ready(topics: readonly string[]): Promise<void> {
    this.connected ??= this.cluster.connect();
    try {
      await this.connected;
    } catch (e) {
      this.connected = undefined;
      throw e;
    }
    await this.cluster.addMultipleTargetTopics([...topics]);
    await this.cluster.refreshMetadataIfNecessary();
  }
}
