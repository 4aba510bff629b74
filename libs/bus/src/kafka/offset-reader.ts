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
  /** The API versions the broker announced (kafkajs reads them on connect). */
  versions?: Record<number, { minVersion: number; maxVersion: number } | undefined>;
  /** kafkajs's connection pool of the broker: sends a protocol request (see multiGroupOffsetFetch). */
  connectionPool?: { send(protocol: unknown): Promise<unknown> };
}

const OFFSET_FETCH = 9;
/** The first OffsetFetch version that asks for several groups in one request (KIP-709, Kafka 3.0). */
const OFFSET_FETCH_GROUPS = 8;

/** Unsigned varint (Kafka's flexible versions: compact lengths, tagged-field counts). */
function uvarint(out: number[], v: number): void {
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
}

function compactString(out: number[], s: string): void {
  const b = Buffer.from(s, 'utf8');
  uvarint(out, b.length + 1);
  for (const x of b) out.push(x);
}

/** The body of an OffsetFetch v8 request for `groups` (request header v2: its tagged fields first). */
export function encodeOffsetFetchV8(groups: readonly { groupId: string; topics: readonly { topic: string; partitions: readonly number[] }[] }[]): Buffer {
  const out: number[] = [0]; // the request header's (empty) tagged fields, after the client id kafkajs writes
  uvarint(out, groups.length + 1);
  for (const g of groups) {
    compactString(out, g.groupId);
    uvarint(out, g.topics.length + 1);
    for (const t of g.topics) {
      compactString(out, t.topic);
      uvarint(out, t.partitions.length + 1);
      for (const p of t.partitions) out.push((p >>> 24) & 0xff, (p >>> 16) & 0xff, (p >>> 8) & 0xff, p & 0xff);
      out.push(0); // tagged fields
    }
    out.push(0);
  }
  out.push(0); // require_stable: false
  out.push(0);
  return Buffer.from(out);
}

/** An OffsetFetch v8 response (after the correlation id): committed offsets by group; throws on an error code. */
export function decodeOffsetFetchV8(b: Buffer): Map<string, Committed> {
  let o = 0;
  const uv = (): number => {
    let v = 0;
    let shift = 0;
    for (;;) {
      const x = b[o++]!;
      if (x === undefined) throw new Error('OffsetFetch v8 response truncated');
      v += (x & 0x7f) * 2 ** shift;
      if ((x & 0x80) === 0) return v;
      shift += 7;
    }
  };
  const tags = () => {
    for (let n = uv(); n > 0; n--) {
      uv();
      o += uv();
    }
  };
  const str = (): string | null => {
    const n = uv();
    if (n === 0) return null;
    const s = b.toString('utf8', o, o + n - 1);
    o += n - 1;
    return s;
  };
  tags(); // response header v1
  o += 4; // throttle_time_ms
  const out = new Map<string, Committed>();
  for (let g = uv() - 1; g > 0; g--) {
    const groupId = str()!;
    const committed: Committed = new Map();
    for (let t = uv() - 1; t > 0; t--) {
      const topic = str()!;
      const parts = new Map<number, bigint>();
      for (let p = uv() - 1; p > 0; p--) {
        const partition = b.readInt32BE(o);
        const offset = b.readBigInt64BE(o + 4);
        o += 16; // partition, committed offset, committed leader epoch
        str(); // metadata
        const error = b.readInt16BE(o);
        o += 2;
        tags();
        if (error !== 0) throw new Error(`OffsetFetch of group ${groupId}, ${topic}[${partition}]: error code ${error}`);
        parts.set(partition, offset);
      }
      tags();
      committed.set(topic, parts);
    }
    const error = b.readInt16BE(o);
    o += 2;
    tags();
    if (error !== 0) throw new Error(`OffsetFetch of group ${groupId}: error code ${error}`);
    out.set(groupId, committed);
  }
  tags();
  return out;
}

/** Committed offsets of one group, by topic then partition (-1: none). */
export type Committed = Map<string, Map<number, bigint>>;

interface Ask {
  groupId: string;
  topics: { topic: string; partitions: number[] }[];
  resolve: (c: Committed) => void;
  reject: (e: unknown) => void;
}

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
  /** OffsetFetch asks of this turn, by coordinator (one request each). */
  private readonly batches = new Map<CoordinatorBroker, Ask[]>();

  /** Several groups per OffsetFetch (v8) where the coordinator has it; false: one request per group (after 3 failed in a row). */
  multiGroup = true;
  private multiFailures = 0;

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

  /**
   * The group's committed offsets on `topics`: the calls made in one turn for groups of the same
   * coordinator go out in ONE OffsetFetch (v8, several groups) when the broker has it, else one
   * OffsetFetch per group, to its kept coordinator.
   */
  async committed(groupId: string, topics: readonly string[]): Promise<Committed> {
    await this.ready(topics);
    let coordinator = this.coordinators.get(groupId);
    if (!coordinator) {
      coordinator = this.cluster.findGroupCoordinator({ groupId });
      this.coordinators.set(groupId, coordinator);
    }
    try {
      const broker = await coordinator;
      if (this.multiGroup && (broker.versions?.[OFFSET_FETCH]?.maxVersion ?? 0) >= OFFSET_FETCH_GROUPS && broker.connectionPool) {
        return await this.batched(broker, groupId, topics);
      }
      const { responses } = await broker.offsetFetch({ groupId, topics: topics.map((topic) => ({ topic, partitions: this.cluster.findTopicPartitionMetadata(topic).map((p) => ({ partition: p.partitionId })) })) });
      return new Map(responses.map((r) => [r.topic, new Map(r.partitions.map((p) => [p.partition, BigInt(p.offset)]))]));
    } catch (e) {
      this.coordinators.delete(groupId); // moved, or the connection broke: look it up again next time
      throw e;
    }
  }

  /** Joins the turn's OffsetFetch of `broker` (sent on the next turn, with every group asked meanwhile). */
  private batched(broker: CoordinatorBroker, groupId: string, topics: readonly string[]): Promise<Committed> {
    return new Promise<Committed>((resolve, reject) => {
      let batch = this.batches.get(broker);
      if (!batch) {
        const asks: Ask[] = [];
        batch = asks;
        this.batches.set(broker, asks);
        setImmediate(() => {
          this.batches.delete(broker);
          void this.sendBatch(broker, asks);
        });
      }
      batch.push({ groupId, topics: topics.map((topic) => ({ topic, partitions: this.cluster.findTopicPartitionMetadata(topic).map((p) => p.partitionId) })), resolve, reject });
    });
  }

  private async sendBatch(broker: CoordinatorBroker, asks: readonly Ask[]): Promise<void> {
    // One entry per group, with the topics of every ask of it in this turn (a group asked twice
    // gets one answer covering both asks' topics, which each ask reads its own from).
    const byId = new Map<string, Map<string, Ask['topics'][number]>>();
    for (const a of asks) {
      let topics = byId.get(a.groupId);
      if (!topics) byId.set(a.groupId, (topics = new Map()));
      for (const t of a.topics) topics.set(t.topic, t);
    }
    const groups = [...byId].map(([groupId, topics]) => ({ groupId, topics: [...topics.values()] }));
    try {
      const body = encodeOffsetFetchV8(groups);
      const byGroup = (await broker.connectionPool!.send({
        request: { apiKey: OFFSET_FETCH, apiVersion: OFFSET_FETCH_GROUPS, apiName: 'OffsetFetch', encode: () => Promise.resolve({ buf: body, buffer: body }) },
        response: { decode: (payload: Buffer) => Promise.resolve(decodeOffsetFetchV8(payload)), parse: (v: unknown) => Promise.resolve(v) },
      })) as Map<string, Committed>;
      this.multiFailures = 0;
      for (const a of asks) {
        const c = byGroup.get(a.groupId);
        if (c) a.resolve(c);
        else a.reject(new Error(`OffsetFetch: no answer for group ${a.groupId}`));
      }
    } catch (e) {
      if (++this.multiFailures >= 3) this.multiGroup = false;
      for (const a of asks) this.coordinators.delete(a.groupId);
      for (const a of asks) a.reject(e);
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
