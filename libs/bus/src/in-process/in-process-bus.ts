import type { Static, TSchema } from '@sinclair/typebox';
import { assertValid, topicName, dlqTopicName, wireBytes, type MessageHeaders, type TopicContract } from '@atp/contracts';
import type { Bus, Handler, HealthStatus, PublishOptions, RawMessage, ReplayOptions, SubscribeOptions, Subscription } from '../bus';
import { deadLetterBytes, deadLetterHeaders, deadLetterRecord, type DeadLetterInput } from '../dead-letter';
import { headersFor, publishTraceparent } from '../message-headers';
import { KeyPartitioner } from '../partitioner';
import { retrySettings } from '../retry';
import { contractOfPhysicalTopic } from '../topics';
import type { BusLogger } from '../logging';
import { ConsumerGroup, PartitionWorker, type Member, type WorkerHost } from './consumer-group';
import { planned } from './json-copy';
import { PartitionLog, SnapshotRecord, type LogRecord } from './partition-log';

export interface InProcessBusOptions {
  /** Produce-time source for record timestamps, Unix ms (default `Date.now`). Replay by time uses it. */
  now?: () => number;
  /**
   * Bounds the retained log of each partition for long embedded runs: beyond it the oldest records
   * are dropped (in chunks: at most `max + max/8` are kept), except records a subscribed group has
   * not acknowledged yet — an active consumer never loses a message. Default: keep everything.
   */
  maxRetainedPerPartition?: number;
  /** Deliveries in one synchronous turn before yielding to the event loop (default 1000). */
  deliveriesPerTurn?: number;
  /** Receives a warn record per dead letter. Default: none (the dead letter itself is the record). */
  logger?: BusLogger;
}

class TopicState {
  readonly partitions: PartitionLog[];
  readonly partitioner: KeyPartitioner;
  /** Consumer groups on this topic, to wake their workers on append and to bound retention. */
  readonly groups: ConsumerGroup[] = [];

  constructor(readonly name: string, partitionCount: number) {
    this.partitions = Array.from({ length: partitionCount }, () => new PartitionLog());
    this.partitioner = new KeyPartitioner(partitionCount);
  }

  wake(partition: number): void {
    for (const g of this.groups) g.workers[partition].wake();
  }
}

/**
 * The embedded Bus: Kafka's delivery semantics (bus.ts) inside one Node process, with no broker —
 * per-key ordering through the same murmur2 key -> partition mapping Kafka uses, consumer groups
 * with committed positions, at-least-once acknowledgement by the handler's promise, retries with
 * backoff, dead letters and replay from offsets or produce time over a retained log.
 *
 * Values travel as their wire form, never as shared objects, so a handler that mutates its message
 * cannot affect another group: validated on publish as for Kafka and kept as a private snapshot of
 * what the bytes decode to (json-copy.ts: plain JSON data; anything else is encoded at once); each
 * delivery through the schema it was published with gets its own copy of the snapshot (or parses
 * the bytes), without validating it again; raw records, and other schemas, are decoded from the
 * bytes (written when first asked for) and validated as a Kafka consumer does.
 */
export class InProcessBus implements Bus {
  private readonly topics = new Map<string, TopicState>();
  /** Topics by contract and run id ('' for none): see `published`. */
  private readonly byContract = new Map<TopicContract, Map<string, TopicState>>();
  private readonly groups = new Map<string, ConsumerGroup>();
  private readonly subscriptions = new Set<Subscription>();
  private readonly now: () => number;
  private readonly maxRetained: number | undefined;
  private readonly trimSlack: number;
  private readonly host: WorkerHost;
  private closed = false;

  constructor(private readonly options: InProcessBusOptions = {}) {
    this.now = options.now ?? Date.now;
    const max = options.maxRetainedPerPartition;
    if (max !== undefined && (!Number.isInteger(max) || max < 1)) throw new RangeError(`maxRetainedPerPartition must be an integer >= 1, got ${max}`);
    this.maxRetained = max;
    this.trimSlack = max === undefined ? 0 : Math.max(1, Math.floor(max / 8));
    const perTurn = options.deliveriesPerTurn ?? 1000;
    if (!Number.isInteger(perTurn) || perTurn < 1) throw new RangeError(`deliveriesPerTurn must be an integer >= 1, got ${perTurn}`);
    this.host = { deliveriesPerTurn: perTurn, now: this.now, deadLetter: (d) => this.deadLetter(d) };
  }

  async publish<S extends TSchema>(contract: TopicContract<S>, value: Static<S>, opts?: PublishOptions): Promise<void> {
    this.assertOpen();
    assertValid(contract, value);
    const t = this.published(contract, opts?.runId);
    const ts = this.now();
    t.wake(this.appendChecked(t, contract, contract.key(value), value, headersFor(contract, value, opts, ts), ts));
  }

  /**
   * Validates every value first (an invalid value publishes nothing of the batch), then takes and
   * appends each one in turn: its snapshot is taken as it is appended (json-copy.ts), nothing is
   * kept per value in between, and the partitions are woken as they are first appended to (the
   * workers run in a later microtask, once the whole batch is in the log, in that order).
   */
  async publishBatch<S extends TSchema>(contract: TopicContract<S>, values: readonly Static<S>[], opts?: PublishOptions): Promise<void> {
    this.assertOpen();
    const n = values.length;
    for (let i = 0; i < n; i++) assertValid(contract, values[i]);
    const t = this.published(contract, opts?.runId);
    const ts = this.now();
    if (n === 1) {
      const v = values[0];
      t.wake(this.appendChecked(t, contract, contract.key(v), v, headersFor(contract, v, opts, ts), ts));
      return;
    }
    // The same context for the whole batch: its traceparent taken once.
    const traceparent = publishTraceparent(opts);
    // Partitions woken so far, as a bit mask (topics have at most 32 partitions here; beyond, a Set).
    let woken = 0;
    let wokenBeyond: Set<number> | undefined;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      const p = this.appendChecked(t, contract, contract.key(v), v, headersFor(contract, v, opts, ts, traceparent), ts);
      if (p < 32) {
        const bit = 1 << p;
        if ((woken & bit) !== 0) continue;
        woken |= bit;
      } else {
        if (wokenBeyond?.has(p)) continue;
        (wokenBeyond ??= new Set()).add(p);
      }
      t.wake(p);
    }
  }

  async publishRaw(topic: string, messages: readonly RawMessage[]): Promise<void> {
    this.assertOpen();
    const t = this.topicFor(topic, contractOfPhysicalTopic(topic)?.partitions);
    const ts = this.now();
    const touched = new Set<number>();
    for (const m of messages) {
      const value = m.value === null ? null : Buffer.from(m.value);
      touched.add(this.append(t, m.key, value, Object.freeze({ ...(m.headers ?? {}) }), ts));
    }
    for (const p of touched) t.wake(p);
  }

  async subscribe<S extends TSchema>(opts: SubscribeOptions<S>, handler: Handler<Static<S>>): Promise<Subscription> {
    this.assertOpen();
    const physical = topicName(opts.contract, opts.runId);
    const t = this.topicFor(physical, opts.contract.partitions);
    const g = this.groupFor(opts.group, t, opts.from ?? 'earliest');
    return this.join(g, this.member(opts, handler));
  }

  async replay<S extends TSchema>(opts: ReplayOptions<S>, handler: Handler<Static<S>>): Promise<Subscription> {
    this.assertOpen();
    if (opts.fromOffsets && opts.fromTime !== undefined) throw new RangeError('replay: give fromOffsets or fromTime, not both');
    const physical = topicName(opts.contract, opts.runId);
    const t = this.topicFor(physical, opts.contract.partitions);
    const existing = this.groups.get(groupKey(opts.group, physical));
    if (existing?.active) throw new Error(`replay needs a fresh consumer group: ${opts.group} already consumes ${physical}`);
    const g = existing ?? this.groupFor(opts.group, t, 'earliest');
    for (const w of g.workers) {
      const log = t.partitions[w.partition];
      const fromOffset = opts.fromOffsets?.[w.partition];
      // Partitions without a start offset are read from their beginning: they had no records
      // when the positions were taken.
      if (fromOffset !== undefined) w.next = Math.min(Math.max(parseOffset(fromOffset), log.start), log.end);
      else if (opts.fromTime !== undefined) w.next = log.offsetAtTime(opts.fromTime);
      else w.next = log.start;
    }
    return this.join(g, this.member(opts, handler, opts.toTime));
  }

  async lag(group: string, topics: readonly string[]): Promise<number> {
    let lag = 0;
    for (const name of topics) {
      const t = this.topics.get(name);
      if (!t) continue;
      const g = this.groups.get(groupKey(group, name));
      for (let p = 0; p < t.partitions.length; p++) {
        const log = t.partitions[p];
        const committed = g ? Math.max(g.workers[p].next, log.start) : log.start;
        lag += Math.max(0, log.end - committed);
      }
    }
    return lag;
  }

  async ensureTopics(contracts: readonly TopicContract[], runId?: string): Promise<void> {
    this.assertOpen();
    for (const c of contracts) {
      const physical = topicName(c, runId);
      this.topicFor(physical, c.partitions);
      this.topicFor(dlqTopicName(physical), c.partitions);
    }
  }

  async health(): Promise<HealthStatus> {
    return this.closed ? { ok: false, detail: 'in-process bus closed' } : { ok: true, detail: 'in-process' };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    for (const g of this.groups.values()) for (const w of g.workers) w.stop();
  }

  /** Positions (next offset to read) per partition of a physical topic: for replay from a position. */
  endOffsets(topic: string): Record<number, string> {
    const t = this.topics.get(topic);
    const out: Record<number, string> = {};
    t?.partitions.forEach((log, p) => (out[p] = String(log.end)));
    return out;
  }

  private member<S extends TSchema>(opts: SubscribeOptions<S> | ReplayOptions<S>, handler: Handler<Static<S>>, endTime?: number): Member {
    const { maxAttempts, retryBackoffMs } = retrySettings(opts);
    return { contract: opts.contract, handler: handler as Handler<unknown>, maxAttempts, retryBackoffMs, endTime, pipelined: opts.pipelined === true, background: opts.background === true, closed: false };
  }

  private join(g: ConsumerGroup, m: Member): Subscription {
    g.join(m);
    const sub: Subscription = {
      group: g.id,
      topic: g.topic,
      close: async () => {
        if (m.closed) return;
        m.closed = true;
        this.subscriptions.delete(sub);
        await g.leave(m);
      },
    };
    this.subscriptions.add(sub);
    return sub;
  }

  /**
   * The topic a contract publishes to under a run id, remembered per (contract, run id): no
   * physical name built and looked up per publish. (Topics are never removed.)
   */
  private published(contract: TopicContract, runId: string | undefined): TopicState {
    let byRun = this.byContract.get(contract);
    if (!byRun) this.byContract.set(contract, (byRun = new Map()));
    const key = runId ?? '';
    let t = byRun.get(key);
    if (!t) byRun.set(key, (t = this.topicFor(topicName(contract, runId), contract.partitions)));
    return t;
  }

  /** The topic, created on first use with `partitions` (default 1, as an unknown topic gets). */
  private topicFor(name: string, partitions: number | undefined): TopicState {
    let t = this.topics.get(name);
    if (!t) {
      t = new TopicState(name, partitions ?? 1);
      this.topics.set(name, t);
    }
    return t;
  }

  private groupFor(id: string, t: TopicState, from: 'earliest' | 'latest'): ConsumerGroup {
    const key = groupKey(id, t.name);
    let g = this.groups.get(key);
    if (!g) {
      const workers = t.partitions.map((log, p) => new PartitionWorker(this.host, id, t.name, p, log, from === 'latest' ? log.end : log.start));
      g = new ConsumerGroup(id, t.name, workers);
      this.groups.set(key, g);
      t.groups.push(g);
    }
    return g;
  }

  private append(t: TopicState, key: string | null, value: Buffer | null, headers: MessageHeaders, timestamp: number): number {
    return this.appendRecord(t, { key, value, headers, timestamp });
  }

  /**
   * Appends a value validated against `contract` (`assertValid`): its snapshot when it is plain
   * JSON data (json-copy.ts `planned`, taken now: later changes of the publisher's object do not
   * reach the log), else its bytes.
   */
  private appendChecked(t: TopicState, contract: TopicContract, key: string | null, value: unknown, headers: MessageHeaders, timestamp: number): number {
    const p = planned(value);
    const rec: LogRecord = p !== undefined ? new SnapshotRecord(key, p.snapshot, p.plan, contract.schema, headers, timestamp) : { key, value: wireBytes(value), headers, timestamp, checked: contract.schema };
    return this.appendRecord(t, rec);
  }

  private appendRecord(t: TopicState, rec: LogRecord): number {
    const p = t.partitioner.partition(rec.key);
    const log = t.partitions[p];
    log.append(rec);
    if (this.maxRetained !== undefined && log.size >= this.maxRetained + this.trimSlack) this.trim(t, p);
    return p;
  }

  private trim(t: TopicState, p: number): void {
    const log = t.partitions[p];
    let keepFrom = log.end - this.maxRetained!;
    for (const g of t.groups) if (g.active) keepFrom = Math.min(keepFrom, g.workers[p].next);
    log.trimBefore(keepFrom);
  }

  private deadLetter(d: DeadLetterInput): void {
    const record = deadLetterRecord(d);
    const dlq = dlqTopicName(d.topic);
    const t = this.topicFor(dlq, this.topics.get(d.topic)?.partitions.length);
    const p = this.append(t, d.key, deadLetterBytes(record), Object.freeze(deadLetterHeaders(record)), this.now());
    t.wake(p);
    this.options.logger?.({ level: 'warn', namespace: 'bus.in-process', message: 'dead letter', topic: d.topic, partition: d.partition, offset: d.offset, group: d.group, reason: d.reason });
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('in-process bus is closed');
  }
}

function groupKey(group: string, topic: string): string {
  return `${group}\u0000${topic}`;
}

function parseOffset(s: string): number {
  if (!/^[0-9]+$/.test(s)) throw new RangeError(`bad offset ${JSON.stringify(s)}: a non-negative decimal string`);
  return Number(s);
}
