import type { TSchema } from '@sinclair/typebox';
import { decode, dlqTopicName, type MessageHeaders, type TopicContract } from '@atp/contracts';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { BusMessage, Handler, Subscription } from '../bus';
import { deadLetterBytes, deadLetterHeaders, deadLetterRecord, type DeadLetterInput } from '../dead-letter';
import type { BusLogger } from '../logging';
import { describeError, givesUp, retryDelayMs } from '../retry';
import type { ResolvedKafkaBusConfig } from './config';
import type { Produce } from './produce-queue';
import { subscriptionRoundRobin } from './assigner';
import type { GroupCommits, OffsetCommitter } from './offset-committer';
import { presentedHeaders } from './wire-headers';

export interface KafkaSubscriptionOptions {
  contract: TopicContract<TSchema>;
  group: string;
  /** Physical topic. */
  topic: string;
  partitions: number;
  fromBeginning: boolean;
  maxAttempts: number;
  retryBackoffMs: number;
  handler: Handler<unknown>;
  /**
   * Start positions applied on the first assignment and committed right after the join (replay;
   * `latest` for partitions the group has no position on: their end at subscribe time).
   */
  startOffsets?: Record<number, string>;
  /** Replay end: a record produced at or after this time stops its partition (not delivered). */
  endTime?: number;
  /** See SubscribeOptions.pipelined. */
  pipelined?: boolean;
}

type Outcome = 'acked' | 'retry';

/**
 * Pipelined: records of one partition whose handlers may be in flight at once (started, outcome not
 * taken); a batch beyond that waits (fetching stops) until outcomes are taken. The journal's
 * largest group commit.
 */
const MAX_IN_FLIGHT = 5_000;

/** Pipelined: one partition's started handlers whose outcomes are not taken yet, in offset order. */
class PartitionFlight {
  readonly queue: { km: KafkaMessage; outcome: Promise<Outcome> }[] = [];
  /** The take loop is running. */
  taking = false;
  /** A record failed: nothing more is started until the partition is sought back to it. */
  failed = false;
  /** Of a previous generation (a rebalance since): outcomes are awaited but mark nothing. */
  stale = false;
  /** Batches waiting for room (MAX_IN_FLIGHT). */
  readonly spaceWaiters: (() => void)[] = [];
}

/** First and longest pause before a crashed consumer is replaced (doubling in between). */
const RELAUNCH_BASE_MS = 500;
const RELAUNCH_MAX_MS = 10_000;

/**
 * One consumer-group member on one topic, over a kafkajs consumer with `autoCommit: false` and
 * `eachBatch`:
 *
 * - partitions are processed concurrently (`partitionsConsumedConcurrently`), each in order;
 * - an offset is resolved only after its handler's promise resolved, or after its dead letter was
 *   acknowledged by the broker, and only resolved offsets are committed (OffsetCommitter, in the
 *   background, one request in flight; flushed before the member stops) — side effects are durable
 *   before the commit;
 * - a failed attempt pauses just that partition for the backoff and ends its batch; after resume
 *   kafkajs fetches again from the first unresolved offset, so the same record comes back with
 *   `attempt + 1` and nothing behind it overtakes it. The batch loop is never blocked by a
 *   backoff, so heartbeats and rebalances go on (a sleeping handler would stall every partition
 *   of the broker: kafkajs fetches again only after all batches of a fetch are done).
 */
export class KafkaSubscription implements Subscription {
  readonly group: string;
  readonly topic: string;
  private consumer: Consumer | undefined;
  /** Attempts of records that failed in this process, by `partition:offset`. */
  private readonly attempts = new Map<string, number>();
  private readonly resumeTimers = new Set<NodeJS.Timeout>();
  private closing: Promise<void> | undefined;
  /** A replacement consumer being started (see scheduleRelaunch); close() waits for it. */
  private relaunching: Promise<void> | undefined;
  private readonly committer: OffsetCommitter;
  private activeBatches = 0;
  /** Pipelined: records whose handlers were started and whose outcomes are not taken yet (all partitions). */
  private inFlight = 0;
  /** Pipelined: per partition, the outcomes not taken yet (see processPipelined). */
  private flights = new Map<number, PartitionFlight>();
  private readonly idleWaiters: (() => void)[] = [];
  /** Replay: eachBatch waits until the start positions are committed. */
  private startCommitted: Promise<void> = Promise.resolve();

  constructor(
    private readonly kafka: Kafka,
    private readonly config: ResolvedKafkaBusConfig,
    private readonly produce: Produce,
    private readonly log: BusLogger,
    private readonly opts: KafkaSubscriptionOptions,
    private readonly onClosed: (s: KafkaSubscription) => void,
    /** The commits of this group's subscriptions on the same bus (one request for all of them). */
    commits: GroupCommits,
  ) {
    this.group = opts.group;
    this.topic = opts.topic;
    this.committer = commits.member(opts.topic);
  }

  /** Connects, joins the group and resolves once partitions are assigned and positioned. */
  async start(): Promise<void> {
    await this.launch(true);
  }

  /**
   * Creates, connects and runs a kafkajs consumer. `first`: the subscription's start (start
   * positions are applied); later launches replace a consumer that crashed and resume from the
   * group's committed offsets.
   */
  private async launch(first: boolean): Promise<void> {
    const { config, opts } = this;
    const consumer = this.kafka.consumer({
      groupId: opts.group,
      sessionTimeout: config.sessionTimeoutMs,
      heartbeatInterval: config.heartbeatIntervalMs,
      maxWaitTimeInMs: config.maxWaitTimeMs,
      minBytes: config.fetchMinBytes,
      allowAutoTopicCreation: false,
      partitionAssigners: [subscriptionRoundRobin],
      retry: { initialRetryTime: 100, retries: 8 },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, (e) => {
      const { error, restart } = e.payload;
      this.log({ level: 'error', namespace: 'bus.kafka', message: 'consumer crashed', group: opts.group, topic: opts.topic, error: describeError(error), restart });
      // kafkajs gives up on an error it deems non-retriable (e.g. a TypeError inside its offset
      // bookkeeping when a rebalance lands mid-batch: "Cannot read properties of undefined (reading
      // '0')"): the consumer is then disconnected for good and the subscription would silently stop
      // consuming. Start a new consumer instead; it resumes from the committed offsets (records
      // acknowledged but not yet committed are delivered again: at-least-once, as after any crash).
      if (!restart && this.consumer === consumer) this.scheduleRelaunch(consumer);
    });
    consumer.on(consumer.events.GROUP_JOIN, (e) => this.onAssigned(e.payload.memberAssignment));

    let seeked = false;
    const seekedPartitions = new Set<number>();
    const starts = first ? opts.startOffsets : undefined;
    if (starts) {
      // Seek inside the join event: it fires synchronously before the first fetch, so no record
      // before the start position is ever fetched.
      consumer.on(consumer.events.GROUP_JOIN, (e) => {
        if (seeked) return;
        seeked = true;
        for (const p of e.payload.memberAssignment[opts.topic] ?? []) {
          if (starts[p] === undefined) continue;
          consumer.seek({ topic: opts.topic, partition: p, offset: starts[p] });
          seekedPartitions.add(p);
        }
      });
    }

    await consumer.connect();
    await consumer.subscribe({ topics: [opts.topic], fromBeginning: opts.fromBeginning });
    let releaseStart!: () => void;
    if (starts) this.startCommitted = new Promise<void>((r) => (releaseStart = r));
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: Math.max(1, opts.partitions),
      eachBatch: (p) => this.eachBatch(p),
    });
    // run() resolves after the group join. Commit the start positions so lag() and a restarted
    // member see them even for partitions where nothing gets consumed.
    if (starts) {
      try {
        const partitions = Object.entries(starts)
          .filter(([p]) => seekedPartitions.has(Number(p)))
          .map(([p, offset]) => ({ topic: opts.topic, partition: Number(p), offset }));
        if (partitions.length) await consumer.commitOffsets(partitions);
      } finally {
        releaseStart();
      }
    }
  }

  /** Replaces a crashed consumer after a short pause, retrying with backoff until it runs or the subscription closes. */
  private scheduleRelaunch(crashed: Consumer, attempt = 1): void {
    const delay = Math.min(RELAUNCH_BASE_MS * 2 ** (attempt - 1), RELAUNCH_MAX_MS);
    const t = setTimeout(() => {
      this.resumeTimers.delete(t);
      if (this.closing || this.consumer !== crashed) return;
      this.relaunching = (async () => {
        await crashed.disconnect().catch(() => undefined);
        if (this.closing) return;
        this.log({ level: 'warn', namespace: 'bus.kafka', message: 'restarting a crashed consumer', group: this.opts.group, topic: this.opts.topic, attempt });
        try {
          await this.launch(false);
        } catch (e) {
          this.log({ level: 'error', namespace: 'bus.kafka', message: 'consumer restart failed', group: this.opts.group, topic: this.opts.topic, error: describeError(e), attempt });
          const current = this.consumer;
          if (current && !this.closing) this.scheduleRelaunch(current, attempt + 1);
        }
      })().finally(() => (this.relaunching = undefined));
    }, delay);
    this.resumeTimers.add(t);
  }

  close(): Promise<void> {
    if (!this.closing) {
      this.closing = (async () => {
        for (const t of this.resumeTimers) clearTimeout(t);
        this.resumeTimers.clear();
        await this.relaunching; // a replacement being started: stop that one (never rejects)
        const consumer = this.consumer;
        if (consumer) {
          // Graceful: take no new batch, let the running ones finish, commit everything they
          // acknowledged, and only then leave the group — a clean stop redelivers nothing.
          try {
            consumer.pause([{ topic: this.topic }]);
          } catch {
            // not running (start failed): nothing in flight
          }
          await this.whenIdle();
          await this.committer.flush();
          await consumer.disconnect();
        }
        this.committer.release();
        this.onClosed(this);
      })();
    }
    return this.closing;
  }

  private onAssigned(assignment: Record<string, number[]>): void {
    const mine = new Set(assignment[this.opts.topic] ?? []);
    // A new generation fetches from the committed offsets: the outcomes still pending of the old
    // one are awaited (close waits for them) but mark nothing (their records come again).
    for (const f of this.flights.values()) f.stale = true;
    this.flights.clear();
    this.committer.keepOnly(mine);
    for (const k of this.attempts.keys()) if (!mine.has(Number(k.split(':')[0]))) this.attempts.delete(k);
  }

  /** Resolves when no batch is being processed and no pipelined handler's outcome is pending. */
  private whenIdle(): Promise<void> {
    return this.activeBatches === 0 && this.inFlight === 0 ? Promise.resolve() : new Promise((r) => this.idleWaiters.push(r));
  }

  private maybeIdle(): void {
    if (this.activeBatches === 0 && this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  private async eachBatch(p: EachBatchPayload): Promise<void> {
    this.activeBatches++;
    try {
      await this.processBatch(p);
    } finally {
      this.activeBatches--;
      this.maybeIdle();
    }
  }

  private async processBatch(p: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale, pause, commitOffsetsIfNecessary } = p;
    const { topic, partition } = batch;
    await this.startCommitted;
    this.committer.use(commitOffsetsIfNecessary);
    const beatEvery = Math.max(1, this.config.heartbeatIntervalMs >> 1);
    let lastBeat = Date.now();
    try {
      if (this.opts.pipelined) {
        await this.processPipelined(p);
        return;
      }
      // A handler that returns synchronously is not awaited, and the offsets it acknowledged are
      // resolved and marked once, before the next await or at the end of the batch: kafkajs reads
      // the resolved offset only after eachBatch, and isRunning/isStale can only change while this
      // loop awaits (a handler's promise, a dead letter, a heartbeat), so they are checked after one.
      let acked: string | undefined;
      const settle = () => {
        if (acked === undefined) return;
        resolveOffset(acked);
        this.committer.mark(partition, acked);
        acked = undefined;
      };
      let check = true;
      try {
        for (const km of batch.messages) {
          if (check) {
            if (!isRunning() || isStale()) break;
            check = false;
          }
          if (this.opts.endTime !== undefined && Number(km.timestamp) >= this.opts.endTime) {
            pause(); // end of the replay window for this partition: it stays paused
            break;
          }
          let outcome = this.process(topic, partition, km);
          if (typeof outcome !== 'string') {
            settle();
            outcome = await outcome;
            check = true;
          }
          if (outcome === 'retry') {
            this.pauseFor(pause, retryDelayMs((this.attempts.get(`${partition}:${km.offset}`) ?? 2) - 1, this.opts.retryBackoffMs));
            break;
          }
          acked = km.offset;
          const now = Date.now();
          if (now - lastBeat >= beatEvery) {
            lastBeat = now;
            settle();
            await heartbeat();
            check = true;
          }
        }
      } finally {
        settle();
      }
    } finally {
      // Stopping (close, or a rebalance revoking us): commit what was acknowledged before kafkajs
      // leaves the group, so a graceful stop redelivers nothing.
      if (!isRunning() || isStale()) await this.committer.flush();
    }
  }

  /**
   * `pipelined`: the handlers of the batch are started in offset order without waiting for the
   * previous one, and the batch ends there: kafkajs's fetch position moves past the started records
   * (resolveOffset) so the next fetch of the consumer goes out at once, instead of after the slowest
   * handler of the fetch (kafkajs fetches again only once every batch of a fetch is done, and a
   * journaled handler resolves only after its journal write, its outputs' acknowledgement and its
   * audit write: records arriving meanwhile — the next symbol's decision of the same event time —
   * waited for all of that before they were even fetched). The outcomes are taken in offset order
   * off the fetch loop ({@link PartitionFlight}): an offset is marked for commit only after its own
   * handler and all earlier ones of the partition resolved, so commit-after-handler holds. At the
   * first 'retry' the partition is paused, nothing after it is acknowledged, and once the handlers
   * started meanwhile settled and the backoff passed, the consumer seeks back to the failed record
   * and resumes: it and the records after it (whose handlers already ran) are delivered again.
   * At most {@link MAX_IN_FLIGHT} records of a partition are in flight: a batch beyond that waits.
   */
  private async processPipelined(p: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale, pause } = p;
    const { topic, partition } = batch;
    let flight = this.flights.get(partition);
    if (flight === undefined) this.flights.set(partition, (flight = new PartitionFlight()));
    let last: string | undefined;
    for (const km of batch.messages) {
      // A failed record waits for its retry (the partition is paused and will be sought back to it).
      if (flight.failed || !isRunning() || isStale()) break;
      if (this.opts.endTime !== undefined && Number(km.timestamp) >= this.opts.endTime) {
        pause(); // end of the replay window for this partition: it stays paused
        break;
      }
      const outcome = Promise.resolve(this.process(topic, partition, km));
      outcome.catch(() => undefined); // taken in order by take(); no unhandled rejection meanwhile
      flight.queue.push({ km, outcome });
      this.inFlight++;
      last = km.offset;
    }
    if (last !== undefined) resolveOffset(last);
    if (!flight.taking && flight.queue.length > 0) void this.take(topic, partition, flight);
    while (flight.queue.length > MAX_IN_FLIGHT) await new Promise<void>((r) => flight.spaceWaiters.push(r));
    await heartbeat();
  }

  /**
   * Takes a partition's outcomes in offset order as they settle: marks each acknowledged offset for
   * commit; at a 'retry' (or a rejected outcome: a dead letter that could not be written) pauses the
   * partition and, once every handler started after it settled and the backoff passed, seeks back
   * to the failed record and resumes.
   */
  private async take(topic: string, partition: number, flight: PartitionFlight): Promise<void> {
    flight.taking = true;
    try {
      while (flight.queue.length > 0) {
        const { km, outcome } = flight.queue[0]!;
        let result: Outcome;
        try {
          result = await outcome;
        } catch (e) {
          this.log({ level: 'error', namespace: 'bus.kafka', message: 'record not acknowledged; delivering it again', group: this.group, topic, partition, offset: km.offset, error: describeError(e) });
          result = 'retry';
        }
        if (result === 'retry' && !flight.stale) {
          flight.failed = true;
          const consumer = this.consumer;
          const resume = this.pausePartition(consumer, topic, partition);
          // The handlers started after it settle first (they run again on redelivery).
          for (const f of flight.queue) await f.outcome.catch(() => undefined);
          this.settleFlight(flight, flight.queue.length);
          const t = setTimeout(() => {
            this.resumeTimers.delete(t);
            if (this.flights.get(partition) === flight) this.flights.delete(partition);
            if (!this.closing && consumer === this.consumer && !flight.stale) {
              try {
                consumer?.seek({ topic, partition, offset: km.offset });
              } catch {
                // not running any more (closing, crashed): it resumes from the committed offsets
              }
            }
            resume();
          }, retryDelayMs((this.attempts.get(`${partition}:${km.offset}`) ?? 2) - 1, this.opts.retryBackoffMs));
          this.resumeTimers.add(t);
          return;
        }
        if (!flight.stale && result === 'acked') this.committer.mark(partition, km.offset);
        this.settleFlight(flight, 1);
      }
    } finally {
      flight.taking = false;
    }
  }

  /** Removes the first `n` outcomes of a flight: space for a waiting batch, and idle when none is left. */
  private settleFlight(flight: PartitionFlight, n: number): void {
    flight.queue.splice(0, n);
    this.inFlight -= n;
    if (flight.queue.length <= MAX_IN_FLIGHT) for (const w of flight.spaceWaiters.splice(0)) w();
    this.maybeIdle();
  }

  /** Pauses one partition of `consumer`; returns its resume (a no-op when it cannot). */
  private pausePartition(consumer: Consumer | undefined, topic: string, partition: number): () => void {
    try {
      consumer?.pause([{ topic, partitions: [partition] }]);
    } catch {
      return () => undefined;
    }
    return () => {
      try {
        if (!this.closing) consumer?.resume([{ topic, partitions: [partition] }]);
      } catch {
        // not running any more
      }
    };
  }

  private pauseFor(pause: () => () => void, ms: number): void {
    const resume = pause();
    const t = setTimeout(() => {
      this.resumeTimers.delete(t);
      resume();
    }, ms);
    this.resumeTimers.add(t);
  }

  /**
   * Decodes and hands one record to the handler. Synchronous when the handler is (no promise, no
   * microtask per record); a promise when the handler returns one or a dead letter is written.
   */
  private process(topic: string, partition: number, km: KafkaMessage): Outcome | Promise<Outcome> {
    const { contract, handler } = this.opts;
    const key = km.key ? km.key.toString('utf8') : null;
    const decoded = decode(contract, km.value);
    const headers = presentedHeaders(km.headers, decoded.ok ? decoded.value : undefined, topic);
    if (!decoded.ok) {
      return this.deadLetter({ topic, partition, km, key, headers, errorKind: decoded.errorKind, reason: decoded.reason, attempts: 1 }).then(() => 'acked' as const);
    }
    const retried = this.attempts.size > 0 && this.attempts.has(`${partition}:${km.offset}`);
    const attempt = retried ? this.attempts.get(`${partition}:${km.offset}`)! : 1;
    const msg: BusMessage<unknown> = { topic, partition, offset: km.offset, key, value: decoded.value, headers, timestamp: Number(km.timestamp), attempt };
    const fail = (e: unknown) => this.handlerFailed(e, { topic, partition, km, key, headers, attempt });
    let r: void | Promise<void>;
    try {
      r = handler(msg);
    } catch (e) {
      return fail(e);
    }
    if (r && typeof (r as Promise<void>).then === 'function') {
      return (r as Promise<void>).then(() => {
        if (retried) this.attempts.delete(`${partition}:${km.offset}`);
        return 'acked' as const;
      }, fail);
    }
    if (retried) this.attempts.delete(`${partition}:${km.offset}`);
    return 'acked';
  }

  /** A handler threw or rejected: retry later, or dead-letter it when it gives up. */
  private handlerFailed(e: unknown, d: { topic: string; partition: number; km: KafkaMessage; key: string | null; headers: MessageHeaders; attempt: number }): Outcome | Promise<Outcome> {
    const id = `${d.partition}:${d.km.offset}`;
    if (givesUp(e, d.attempt, this.opts.maxAttempts)) {
      this.attempts.delete(id);
      return this.deadLetter({ ...d, errorKind: 'handler', reason: `handler: ${describeError(e)}`, attempts: d.attempt }).then(() => 'acked' as const);
    }
    this.attempts.set(id, d.attempt + 1);
    return 'retry';
  }

  /** Writes the dead letter and waits for the broker's acknowledgement: only then is the offset resolved. */
  private async deadLetter(d: {
    topic: string;
    partition: number;
    km: KafkaMessage;
    key: string | null;
    headers: MessageHeaders;
    errorKind: DeadLetterInput['errorKind'];
    reason: string;
    attempts: number;
  }): Promise<void> {
    const record = deadLetterRecord({
      reason: d.reason,
      errorKind: d.errorKind,
      topic: d.topic,
      partition: d.partition,
      offset: d.km.offset,
      group: this.group,
      key: d.key,
      value: d.km.value,
      headers: d.headers,
      attempts: d.attempts,
      failedAt: Date.now(),
    });
    await this.produce.send(dlqTopicName(d.topic), [{ key: d.key, value: deadLetterBytes(record), headers: deadLetterHeaders(record) }]);
    this.log({ level: 'warn', namespace: 'bus.kafka', message: 'dead letter', topic: d.topic, partition: d.partition, offset: d.km.offset, group: this.group, reason: d.reason });
  }
}
