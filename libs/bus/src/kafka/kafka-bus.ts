import type { Static, TSchema } from '@sinclair/typebox';
import { assertValid, encode, topicName, wireBytes, type TopicContract } from '@atp/contracts';
import { Kafka, logLevel as KafkaLogLevel, type Admin, type Message, type Producer } from 'kafkajs';
import type { Bus, Handler, HealthStatus, LagPass, LagQuery, PublishOptions, RawMessage, ReplayOptions, SubscribeOptions, Subscription, Watermarks } from '../bus';
import { headersFor, publishTraceparent } from '../message-headers';
import type { BusLogger } from '../logging';
import { describeError, retrySettings } from '../retry';
import { contractOfPhysicalTopic, topicSpecs, type TopicSpec } from '../topics';
import { resolveKafkaConfig, type KafkaBusConfig, type ResolvedKafkaBusConfig } from './config';
import { busLogger, kafkaLogCreator, kafkaLogLevel } from './kafka-logging';
import { ProduceQueue, type Produce } from './produce-queue';
import { ProducerPool } from './producer-pool';
import { memoisedDefaultPartitioner } from './partitioner';
import { noDelaySocketFactory } from './socket-factory';
import './request-queue-fix';
import { KafkaSubscription, type KafkaSubscriptionOptions } from './kafka-subscription';
import { GroupCommits } from './offset-committer';
import { OffsetReader, type Committed } from './offset-reader';
import { wireHeaders } from './wire-headers';

/**
 * True when every partition of `topics` has the same high watermark in `a` and `b` (a topic absent
 * from both counts as unchanged; absent from one of them, as changed).
 */
function sameHighs(topics: readonly string[], a: Watermarks, b: Watermarks): boolean {
  for (const topic of topics) {
    const x = a.get(topic);
    const y = b.get(topic);
    if (!x || !y) {
      if (x !== y) return false;
      continue;
    }
    if (x.length !== y.length) return false;
    const highs = new Map(x.map((w) => [w.partition, w.high]));
    if (y.some((w) => highs.get(w.partition) !== w.high)) return false;
  }
  return true;
}

/** Start-up could not reach any broker; the message names KAFKA_BROKERS and the addresses tried. */
export class KafkaUnavailableError extends Error {
  override name = 'KafkaUnavailableError';
}

const HEALTH_TIMEOUT_MS = 2_000;
/** How long ensureTopics waits for new topics to get partition leaders. */
const TOPIC_READY_TIMEOUT_MS = 30_000;
/** close() waits this long for queued publishes before disconnecting (a broker outage must not hang shutdown). */
const CLOSE_DRAIN_MS = 10_000;
/** publishBatch with producer threads: records handed to the workers per chunk (see publishBatch). */
const POOL_CHUNK = 250;

/**
 * The Bus over Apache Kafka, through kafkajs (not Nest's Kafka transport): the same semantics as
 * the in-process bus (bus.ts), checked by the same contract suite against a real broker.
 *
 * - Producer: idempotent (acks=all, one request in flight per broker, as kafkajs requires for
 *   idempotence), keys partitioned by kafkajs's DefaultPartitioner (murmur2, Java-compatible;
 *   memoised per key),
 *   headers from the contracts' `buildHeaders` minus the ones a consumer derives from the record
 *   (wire-headers.ts); concurrent publishes coalesce into one request.
 * - Topics: created on first use (or by ensureTopics) with the contract's partitions and
 *   `retention.ms`, plus `<topic>.dlq`; the producer never auto-creates a 1-partition topic.
 * - Consumers: see KafkaSubscription (manual commits after the handler, pause-on-retry, DLQ).
 * - Replay: a fresh group positioned per partition from offsets or from
 *   `admin.fetchTopicOffsetsByTimestamp`, with an optional end time.
 *
 * Create with `KafkaBus.connect(config)`: it fails fast (connectDeadlineMs) naming KAFKA_BROKERS.
 */
export class KafkaBus implements Bus {
  private readonly kafka: Kafka;
  private readonly admin: Admin;
  private readonly producer: Producer;
  private produce: Produce;
  private pool: ProducerPool | undefined;
  private readonly log: BusLogger;
  private readonly subscriptions = new Set<KafkaSubscription>();
  /** Offset commits of each consumer group's subscriptions (by group): one request for the marks of all its topics. */
  private readonly commits = new Map<string, GroupCommits>();
  /** Topics known to exist with their partition counts (ensured or seen), and ensures in flight. */
  private readonly topics = new Map<string, Promise<number>>();
  private closed = false;

  private constructor(private readonly config: ResolvedKafkaBusConfig) {
    this.log = busLogger(config.logger, config.logLevel);
    this.kafka = new Kafka({
      clientId: config.clientId,
      brokers: [...config.brokers],
      connectionTimeout: config.connectionTimeoutMs,
      requestTimeout: config.requestTimeoutMs,
      retry: { initialRetryTime: 100, retries: 8, maxRetryTime: 5_000 },
      logLevel: kafkaLogLevel(config.logLevel),
      logCreator: kafkaLogCreator(this.log),
      socketFactory: noDelaySocketFactory,
    });
    this.admin = this.kafka.admin();
    this.producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: memoisedDefaultPartitioner,
      // Idempotence needs unlimited retries (kafkajs's default for it): a publish waits out a broker
      // outage (backing off up to 5 s) instead of failing half-way and being re-sent as a duplicate.
      retry: { retries: Number.MAX_SAFE_INTEGER },
    });
    this.produce = new ProduceQueue(this.producer);
  }

  /**
   * Validates the config (KafkaConfigError naming the setting), connects admin and producer and
   * checks the cluster answers. Rejects with KafkaUnavailableError within `connectDeadlineMs` when
   * no broker is reachable.
   */
  static async connect(config: KafkaBusConfig): Promise<KafkaBus> {
    const bus = new KafkaBus(resolveKafkaConfig(config));
    await bus.start();
    return bus;
  }

  private async start(): Promise<void> {
    await this.probe();
    await Promise.all([this.admin.connect(), this.producer.connect()]);
    if (this.config.producerThreads > 1 || this.config.producerWorker) {
      const { brokers, clientId, connectionTimeoutMs, requestTimeoutMs, producerThreads } = this.config;
      try {
        this.pool = await ProducerPool.start({ brokers, clientId, connectionTimeoutMs, requestTimeoutMs, threads: producerThreads }, this.log);
      } catch (e) {
        await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
        throw e;
      }
      this.produce = this.pool;
    }
  }

  /**
   * Fails fast when no broker answers: a throw-away client with few retries and no logging asks
   * for the cluster description, bounded by `connectDeadlineMs` (a blackholed address would
   * otherwise wait for TCP timeouts), and the error names KAFKA_BROKERS, the addresses and the cause.
   */
  private async probe(): Promise<void> {
    const { brokers, clientId, connectionTimeoutMs, connectDeadlineMs } = this.config;
    const admin = new Kafka({
      clientId: `${clientId}-probe`,
      brokers: [...brokers],
      connectionTimeout: Math.min(connectionTimeoutMs, connectDeadlineMs),
      requestTimeout: connectDeadlineMs,
      retry: { initialRetryTime: 100, retries: 3, maxRetryTime: 1_000 },
      logLevel: KafkaLogLevel.NOTHING,
    }).admin();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        (async () => {
          await admin.connect();
          await admin.describeCluster();
        })(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${connectDeadlineMs} ms`)), connectDeadlineMs);
        }),
      ]);
    } catch (e) {
      throw new KafkaUnavailableError(`KAFKA_BROKERS=${brokers.join(',')}: cannot reach a Kafka broker at ${brokers.join(', ')}: ${rootCause(e)}`);
    } finally {
      clearTimeout(timer);
      await admin.disconnect().catch(() => undefined);
    }
  }

  async publish<S extends TSchema>(contract: TopicContract<S>, value: Static<S>, opts?: PublishOptions): Promise<void> {
    this.assertOpen();
    const topic = topicName(contract, opts?.runId);
    const message = this.message(contract, value, opts, topic);
    await this.ensure(topicSpecs(contract, topic));
    await this.produce.send(topic, [message]);
  }

  async publishBatch<S extends TSchema>(contract: TopicContract<S>, values: readonly Static<S>[], opts?: PublishOptions): Promise<void> {
    this.assertOpen();
    const topic = topicName(contract, opts?.runId);
    // The same context for the whole batch: its traceparent taken once.
    const traceparent = publishTraceparent(opts);
    if (!this.pool || values.length <= POOL_CHUNK) {
      const messages = values.map((v) => this.message(contract, v, opts, topic, false, traceparent)); // validates all before sending any
      await this.ensure(topicSpecs(contract, topic));
      await this.produce.send(topic, messages);
      return;
    }
    // Producer threads: hand a large batch over in chunks, each as soon as it is encoded, so the
    // workers encode and send the first records while this thread encodes the rest. Every value is
    // validated first: nothing of a batch holding an invalid one is sent.
    for (const v of values) assertValid(contract, v);
    await this.ensure(topicSpecs(contract, topic));
    const sends: Promise<void>[] = [];
    for (let i = 0; i < values.length; i += POOL_CHUNK) {
      sends.push(this.produce.send(topic, values.slice(i, i + POOL_CHUNK).map((v) => this.message(contract, v, opts, topic, true, traceparent))));
    }
    await Promise.all(sends);
  }

  async publishRaw(topic: string, messages: readonly RawMessage[]): Promise<void> {
    this.assertOpen();
    const c = contractOfPhysicalTopic(topic);
    await this.ensure(c ? [{ topic, partitions: c.partitions, retentionMs: c.retentionMs }] : [{ topic, partitions: 1, retentionMs: -1 }]);
    await this.produce.send(
      topic,
      messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers ? { ...m.headers } : undefined })),
    );
  }

  async subscribe<S extends TSchema>(opts: SubscribeOptions<S>, handler: Handler<Static<S>>): Promise<Subscription> {
    this.assertOpen();
    const topic = topicName(opts.contract, opts.runId);
    const [partitions] = await this.ensure(topicSpecs(opts.contract, topic));
    const latest = opts.from === 'latest';
    return this.startSubscription({
      ...retrySettings(opts),
      contract: opts.contract,
      group: opts.group,
      topic,
      partitions,
      pipelined: opts.pipelined === true,
      fromBeginning: !latest,
      handler: handler as Handler<unknown>,
      // `latest` = the end at subscribe time, fixed before the join (as the in-process bus does),
      // not whenever the first fetch happens to resolve it: a publish after subscribe() is seen.
      startOffsets: latest ? await this.endsWithoutPosition(opts.group, topic) : undefined,
    });
  }

  /** High watermarks of the partitions where `group` has no committed offset yet. */
  private async endsWithoutPosition(group: string, topic: string): Promise<Record<number, string>> {
    const [committed] = await this.admin.fetchOffsets({ groupId: group, topics: [topic] });
    const has = new Set((committed?.partitions ?? []).filter((p) => BigInt(p.offset) >= 0n).map((p) => p.partition));
    const out: Record<number, string> = {};
    for (const m of await this.watermarks(topic)) if (!has.has(m.partition)) out[m.partition] = m.high;
    return out;
  }

  async replay<S extends TSchema>(opts: ReplayOptions<S>, handler: Handler<Static<S>>): Promise<Subscription> {
    this.assertOpen();
    if (opts.fromOffsets && opts.fromTime !== undefined) throw new RangeError('replay: give fromOffsets or fromTime, not both');
    const topic = topicName(opts.contract, opts.runId);
    const [partitions] = await this.ensure(topicSpecs(opts.contract, topic));
    const [group] = (await this.admin.describeGroups([opts.group])).groups;
    if (group && group.members.length > 0) throw new Error(`replay needs a fresh consumer group: ${opts.group} has ${group.members.length} member(s) (state ${group.state})`);

    const watermarks = await this.watermarks(topic);
    const startOffsets: Record<number, string> = {};
    if (opts.fromTime !== undefined) {
      for (const { partition, offset } of await this.admin.fetchTopicOffsetsByTimestamp(topic, opts.fromTime)) startOffsets[partition] = offset;
    } else {
      // From offsets; partitions without one are read from their beginning (they had no records
      // when the positions were taken).
      for (const w of watermarks) {
        const given = opts.fromOffsets?.[w.partition];
        if (given !== undefined && !/^[0-9]+$/.test(given)) throw new RangeError(`bad offset ${JSON.stringify(given)} for partition ${w.partition}`);
        const g = given === undefined ? BigInt(w.low) : BigInt(given);
        const clamped = g < BigInt(w.low) ? BigInt(w.low) : g > BigInt(w.high) ? BigInt(w.high) : g;
        startOffsets[w.partition] = clamped.toString();
      }
    }
    return this.startSubscription({
      ...retrySettings(opts),
      contract: opts.contract,
      group: opts.group,
      topic,
      partitions,
      pipelined: opts.pipelined === true,
      fromBeginning: true,
      handler: handler as Handler<unknown>,
      startOffsets,
      endTime: opts.toTime,
    });
  }

  async lag(group: string, topics: readonly string[]): Promise<number> {
    // The watermarks of all topics in parallel, then the group's positions in one OffsetFetch:
    // lockstep replay polls this between event times, so its latency sets the replay's pace.
    const marks = await Promise.all(
      topics.map((topic) =>
        this.watermarks(topic).catch((e: unknown) => {
          if ((e as { type?: string }).type === 'UNKNOWN_TOPIC_OR_PARTITION') return undefined; // no topic: nothing to consume
          throw e;
        }),
      ),
    );
    const present = topics.filter((_, i) => marks[i] !== undefined);
    if (present.length === 0) return 0;
    const committed = await this.admin.fetchOffsets({ groupId: group, topics: present });
    let lag = 0n;
    topics.forEach((topic, i) => {
      const m = marks[i];
      if (!m) return;
      const byPartition = new Map((committed.find((c) => c.topic === topic)?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
      for (const w of m) {
        const low = BigInt(w.low);
        const high = BigInt(w.high);
        const c = byPartition.get(w.partition) ?? -1n;
        const from = c < low ? low : c; // no commit (-1) or trimmed: from the log start
        if (high > from) lag += high - from;
      }
    });
    return Number(lag);
  }

  async lagPass(groups: readonly LagQuery[], before?: Watermarks, previous?: LagPass): Promise<LagPass> {
    const topics = [...new Set(groups.flatMap((g) => g.topics))];
    const known = previous && before === previous.after ? groups.map((g, i) => previous.lags[i] === 0 && sameHighs(g.topics, previous.first, before)) : undefined;
    const reader = this.offsetReader();
    if (reader) {
      try {
        return await this.lagPassWith(reader, groups, topics, before, known);
      } catch {
        // e.g. a topic that does not exist yet, a coordinator that moved: this pass through the admin client
      }
    }
    return this.lagPassWith(undefined, groups, topics, before, known);
  }

  /**
   * One lag pass: the watermarks (`before`, or read now), every group's committed offsets, the
   * watermarks again. Through the OffsetReader (one ListOffsets for all topics, one OffsetFetch per
   * group) or, without it, the admin client (per topic, and a coordinator look-up per group).
   * `known[i]`: group i is known to have lag 0 against `before` (see Bus.lagPass): not asked.
   */
  private async lagPassWith(reader: OffsetReader | undefined, groups: readonly LagQuery[], topics: string[], before?: Watermarks, known?: readonly boolean[]): Promise<LagPass> {
    const marksOf = (ts: string[]) => (reader ? reader.watermarks(ts) : this.watermarksOf(ts));
    const first = before ?? (await marksOf(topics));
    let asked = 0;
    const committed: (Committed | undefined)[] = await Promise.all(
      groups.map(async (g, i) => {
        if (known?.[i]) return undefined;
        asked++;
        const present = g.topics.filter((t) => first.has(t));
        if (present.length === 0) return new Map();
        if (reader) return reader.committed(g.group, present);
        const r = await this.admin.fetchOffsets({ groupId: g.group, topics: present });
        return new Map(r.map((c) => [c.topic, new Map(c.partitions.map((p) => [p.partition, BigInt(p.offset)]))]));
      }),
    );
    const after = await marksOf(topics);
    let onLow = false;
    const lags = groups.map((g, i) => {
      if (!committed[i]) return 0; // known to be drained
      let lag = 0n;
      for (const topic of g.topics) {
        const marks = first.get(topic);
        if (!marks) continue;
        const byPartition = committed[i]!.get(topic);
        for (const w of marks) {
          const c = byPartition?.get(w.partition) ?? -1n;
          const from = c < w.low ? w.low : c; // no commit (-1) or trimmed: from the log start
          if (w.high > from) {
            lag += w.high - from;
            if (c < w.low) onLow = true;
          }
        }
      }
      return Number(lag);
    });
    if (onLow) reader?.staleLows(); // a lag from a kept low: read the lows again next time
    // produced: a high watermark moved, or a topic appeared (or vanished), during the pass
    return { lags, produced: !sameHighs(topics, first, after), first, after, asked };
  }

  private reader: OffsetReader | null | undefined;

  /** The OffsetReader of this bus (created on first use), or undefined when kafkajs offers none. */
  private offsetReader(): OffsetReader | undefined {
    if (this.reader === undefined) this.reader = OffsetReader.create(this.kafka) ?? null;
    return this.reader ?? undefined;
  }

  /** Watermarks of topics, all asked for in parallel; topics that do not exist are left out. */
  private async watermarksOf(topics: readonly string[]): Promise<Watermarks> {
    const marks = await Promise.all(
      topics.map((topic) =>
        this.watermarks(topic).catch((e: unknown) => {
          if ((e as { type?: string }).type === 'UNKNOWN_TOPIC_OR_PARTITION') return undefined;
          throw e;
        }),
      ),
    );
    const out = new Map<string, { partition: number; low: bigint; high: bigint }[]>();
    topics.forEach((topic, i) => {
      const m = marks[i];
      if (m) out.set(topic, m.map((w) => ({ partition: w.partition, low: BigInt(w.low), high: BigInt(w.high) })));
    });
    return out;
  }

  async ensureTopics(contracts: readonly TopicContract[], runId?: string): Promise<void> {
    this.assertOpen();
    await this.ensure(contracts.flatMap((c) => topicSpecs(c, topicName(c, runId))));
  }

  async health(): Promise<HealthStatus> {
    if (this.closed) return { ok: false, detail: 'kafka bus closed' };
    let timer: NodeJS.Timeout | undefined;
    try {
      const c = await Promise.race([
        this.admin.describeCluster(),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${HEALTH_TIMEOUT_MS} ms`)), HEALTH_TIMEOUT_MS))),
      ]);
      return { ok: c.brokers.length > 0, detail: `${c.brokers.length} broker(s), controller ${c.controller}` };
    } catch (e) {
      return { ok: false, detail: `KAFKA_BROKERS=${this.config.brokers.join(',')}: ${describeError(e)}` };
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.subscriptions].map((s) => s.close()));
    await Promise.race([this.produce.drain(), new Promise((r) => setTimeout(r, CLOSE_DRAIN_MS).unref())]);
    await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect(), this.pool?.close(CLOSE_DRAIN_MS), this.reader?.close()]);
  }

  private async startSubscription(opts: KafkaSubscriptionOptions): Promise<Subscription> {
    let commits = this.commits.get(opts.group);
    if (!commits) this.commits.set(opts.group, (commits = new GroupCommits(opts.group, this.config.commitIntervalMs, this.log)));
    const sub = new KafkaSubscription(this.kafka, this.config, this.produce, this.log, opts, (s) => this.subscriptions.delete(s), commits);
    this.subscriptions.add(sub);
    try {
      await sub.start();
    } catch (e) {
      await sub.close().catch(() => undefined);
      throw e;
    }
    return sub;
  }

  /** The Kafka message of a value: validated and encoded (`checked`: validated already, only encoded); `traceparent`: its publish call's (see headersFor). */
  private message<S extends TSchema>(contract: TopicContract<S>, value: Static<S>, opts: PublishOptions | undefined, topic: string, checked = false, traceparent = publishTraceparent(opts)): Message {
    const bytes = checked ? wireBytes(value) : encode(contract, value);
    const headers = wireHeaders(headersFor(contract, value, opts, Date.now(), traceparent), (value as { eventId?: unknown }).eventId, topic);
    return { key: contract.key(value), value: bytes, headers };
  }

  /**
   * Makes sure the topics exist; resolves to their partition counts. Creates missing ones with the
   * contract's partitions, `retention.ms` and the configured replication factor; an existing topic
   * is left as it is (raising partitions would move keys to other partitions), with a warning when
   * it has fewer partitions than its contract asks for.
   */
  private ensure(specs: readonly TopicSpec[]): Promise<number[]> {
    const missing = specs.filter((s) => !this.topics.has(s.topic));
    if (missing.length) {
      const created = this.createTopics(missing);
      for (const s of missing) {
        const p = created.then((counts) => counts.get(s.topic) ?? s.partitions);
        p.catch(() => this.topics.delete(s.topic)); // retry on next use
        this.topics.set(s.topic, p);
      }
    }
    return Promise.all(specs.map((s) => this.topics.get(s.topic)!));
  }

  private async createTopics(specs: readonly TopicSpec[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    const existing = new Set(await this.admin.listTopics());
    const toCreate = specs.filter((s) => !existing.has(s.topic));
    if (toCreate.length) {
      await this.admin.createTopics({
        // kafkajs's own wait gives up on UNKNOWN_TOPIC_OR_PARTITION, which a busy KRaft broker
        // answers for a moment after creating a topic: wait for the leaders here instead.
        waitForLeaders: false,
        topics: toCreate.map((s) => ({
          topic: s.topic,
          numPartitions: s.partitions,
          replicationFactor: this.config.replicationFactor,
          configEntries: [{ name: 'retention.ms', value: String(s.retentionMs) }],
        })),
      });
      await this.waitForLeaders(toCreate.map((s) => s.topic));
      for (const s of toCreate) counts.set(s.topic, s.partitions);
    }
    const present = specs.filter((s) => existing.has(s.topic));
    if (present.length) {
      const meta = await this.admin.fetchTopicMetadata({ topics: present.map((s) => s.topic) });
      for (const t of meta.topics) {
        counts.set(t.name, t.partitions.length);
        const want = present.find((s) => s.topic === t.name)!.partitions;
        if (t.partitions.length < want) {
          this.log({ level: 'warn', namespace: 'bus.kafka', message: 'topic has fewer partitions than its contract', topic: t.name, partitions: t.partitions.length, contractPartitions: want });
        }
      }
    }
    return counts;
  }

  /**
   * Low/high watermarks per partition. Retries for a while on the transient leader errors a broker
   * answers right after a topic was created or a leader moved (kafkajs's admin gives up on them),
   * and on kafkajs's TypeError for an answer without the topic.
   */
  private async watermarks(topic: string): Promise<Array<{ partition: number; offset: string; high: string; low: string }>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.admin.fetchTopicOffsets(topic);
      } catch (e) {
        const type = (e as { type?: string }).type;
        // kafkajs's fetchTopicOffsets also fails with a TypeError ("Cannot destructure property
        // 'partitions' of 'low.pop(...)'") when a ListOffsets answer lacks the topic, which a busy
        // broker gives right after creating it: transient as well.
        const transient = type === 'NOT_LEADER_FOR_PARTITION' || type === 'LEADER_NOT_AVAILABLE' || e instanceof TypeError;
        if (attempt >= 8 || !transient) throw e;
        await new Promise((r) => setTimeout(r, 25 * 2 ** attempt));
      }
    }
  }

  /** Polls metadata until every partition of `topics` has a leader (the topics are usable). */
  private async waitForLeaders(topics: string[]): Promise<void> {
    const deadline = Date.now() + TOPIC_READY_TIMEOUT_MS;
    let last: unknown;
    for (let delay = 20; Date.now() < deadline; delay = Math.min(delay * 2, 500)) {
      try {
        const meta = await this.admin.fetchTopicMetadata({ topics });
        if (meta.topics.length === topics.length && meta.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) {
          // and the leaders serve them (ListOffsets reaches each partition's leader)
          await Promise.all(topics.map((t) => this.watermarks(t)));
          return;
        }
      } catch (e) {
        const type = (e as { type?: string }).type;
        if (type !== 'UNKNOWN_TOPIC_OR_PARTITION' && type !== 'LEADER_NOT_AVAILABLE') throw e;
        last = e;
      }
      await new Promise((r) => setTimeout(r, delay));
    }
    throw new Error(`topics ${topics.join(', ')} have no leader after ${TOPIC_READY_TIMEOUT_MS} ms${last ? ` (${describeError(last)})` : ''}`);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('kafka bus is closed');
  }
}

/** The innermost message of a kafkajs error chain (kafkajs wraps the socket error in retry errors). */
function rootCause(e: unknown): string {
  let cur = e as { message?: string; originalError?: unknown; cause?: unknown } | undefined;
  let msg = describeError(e);
  for (let i = 0; cur && i < 5; i++) {
    if (cur.message) msg = cur.message;
    cur = (cur.originalError ?? cur.cause) as typeof cur;
  }
  return msg;
}
