import type { Static, TSchema } from '@sinclair/typebox';
import type { MessageHeaders, TopicContract } from '@atp/contracts';

/**
 * The Bus port (ARCHITECTURE.md, "Data flow"): the only way services talk. Two implementations
 * with the same delivery semantics — the in-process bus (embedded default) and Kafka (kafkajs):
 *
 * - **Per-key ordering**: messages with the same key go to the same partition and reach a consumer
 *   group's handler in publish order; different keys may interleave.
 * - **At-least-once**: a message is acknowledged (its offset committed) only after the handler's
 *   promise resolves, i.e. after its side effect is durable. A handler may see a message again
 *   (after a crash or a retry) and must be idempotent (upsert by event id / client order id).
 * - **Retries**: a handler that throws is retried with exponential backoff up to `maxAttempts`;
 *   a {@link PermanentError} skips the retries. Then the message goes to the dead-letter topic.
 * - **Dead letters**: a message that does not decode or violates the contract's schema, or whose
 *   handler gave up, is written to `<topic>.dlq` as a `DeadLetter` record (reason, original bytes,
 *   source topic/partition/offset, group) and its offset is committed: the next message is
 *   processed, nothing is lost, and no service crash-loops on one bad message.
 * - **Replay**: a fresh consumer group reads a topic from an offset per partition or from a
 *   (produce) time; Kafka's record timestamp is the produce time, event time travels in the value.
 */
export interface Bus {
  /** Validates (throws ContractViolationError on a bad value: a producer bug) and publishes. */
  publish<S extends TSchema>(contract: TopicContract<S>, value: Static<S>, opts?: PublishOptions): Promise<void>;
  /** Publishes many values in one batch, preserving order per key. */
  publishBatch<S extends TSchema>(contract: TopicContract<S>, values: readonly Static<S>[], opts?: PublishOptions): Promise<void>;
  /** Publishes raw bytes to a physical topic without validation (tools, tests, bridges). */
  publishRaw(topic: string, messages: readonly RawMessage[]): Promise<void>;
  /** Starts a consumer group on a contract's topic; resolves once the consumer is running. */
  subscribe<S extends TSchema>(opts: SubscribeOptions<S>, handler: Handler<Static<S>>): Promise<Subscription>;
  /** Reads a topic range into a fresh consumer group, from positions or from a produce time. */
  replay<S extends TSchema>(opts: ReplayOptions<S>, handler: Handler<Static<S>>): Promise<Subscription>;
  /**
   * Messages not yet acknowledged by `group` on the given physical topics (0 = drained). Lockstep
   * replay polls this across every pipeline group before it publishes the next event time.
   */
  lag(group: string, topics: readonly string[]): Promise<number>;
  /**
   * Optional (Kafka): lockstep's drain check for several groups in one pass. Reads the watermarks of
   * all their topics once (or takes `before`, the `after` of the previous pass), then every group's
   * committed offsets, then the watermarks again (`after`). `lags[i]`: group i's lag against the
   * first watermarks; `produced`: a high watermark moved during the pass (something was published
   * meanwhile). The same answer as lag() per group between two reads of a probe group's lag, with
   * each topic's watermarks asked for once instead of once per group.
   *
   * `previous`: the last pass over the same groups (`before` is then its `after`): a group that had
   * lag 0 in it, none of whose topics' high watermarks moved since that pass's first read, still
   * has lag 0 (committed offsets only advance) — its offsets are not asked for again.
   */
  lagPass?(groups: readonly LagQuery[], before?: Watermarks, previous?: LagPass): Promise<LagPass>;
  /** Ensures topics (and their `.dlq`) exist with the contract's partitions and retention. */
  ensureTopics(contracts: readonly TopicContract[], runId?: string): Promise<void>;
  /** Readiness: false when the broker is unreachable. */
  health(): Promise<HealthStatus>;
  /** Stops every subscription (finishing in-flight handlers) and disconnects. */
  close(): Promise<void>;
}

export interface HealthStatus {
  ok: boolean;
  detail?: string;
}

export interface PublishOptions {
  /** Physical topic = `run.<runId>.<topic>` (see topicName). */
  runId?: string;
  /** W3C traceparent to propagate; defaults to the active OpenTelemetry context where available. */
  traceparent?: string;
  /** Extra headers. */
  headers?: MessageHeaders;
}

export interface RawMessage {
  key: string | null;
  value: Buffer | null;
  headers?: MessageHeaders;
}

/** One delivered message, decoded and validated. */
export interface BusMessage<T> {
  /** Physical topic. */
  topic: string;
  partition: number;
  /** Position in the partition, as a decimal string (Kafka offsets are int64). */
  offset: string;
  key: string | null;
  value: T;
  headers: MessageHeaders;
  /** Record timestamp = produce time, Unix ms. Event time is `value.tsEvent`. */
  timestamp: number;
  /** 1 on first delivery, more on redelivery after a handler failure in this process. */
  attempt: number;
}

/** Resolving acknowledges the message; throwing asks for a retry (or DLQ, see PermanentError). */
export type Handler<T> = (msg: BusMessage<T>) => Promise<void> | void;

export interface SubscribeOptions<S extends TSchema> {
  contract: TopicContract<S>;
  /** Consumer group id: every group gets every message; members of a group share partitions. */
  group: string;
  runId?: string;
  /** Where a group with no committed position starts: earliest (default) or latest. */
  from?: 'earliest' | 'latest';
  /** Handler attempts before dead-lettering (default 5). */
  maxAttempts?: number;
  /** First retry delay, doubled each attempt (default 100 ms, capped at 5 s). */
  retryBackoffMs?: number;
  /**
   * Pipelined delivery (default false). The Kafka bus then calls the handler for every record of a
   * fetched batch of one partition in offset order WITHOUT awaiting the previous call, fetches on
   * without waiting for those calls (at most 5,000 records of a partition in flight), and
   * acknowledges (commits) each offset only after its own and every earlier handler of the
   * partition resolved. For handlers that keep their effects in order themselves and batch them
   * (e.g. a journal with group commit): one partition's N records then cost one round of side
   * effects instead of N sequential ones. Delivery order per key and commit-after-handler hold;
   * when a handler fails, the records after it (whose handlers already ran) are delivered again
   * after the retried one, so handlers must be idempotent. The in-process bus does the same within
   * a partition's retained records.
   */
  pipelined?: boolean;
  /**
   * Off the latency path (default false): a subscriber whose work no other service waits for
   * (e.g. P&L reporting). The in-process bus, where every service of the process shares one
   * thread, delivers such a group's records on a later turn of the event loop (`setImmediate`)
   * instead of a microtask of the publishing job, so that the subscribers on the path (candle ->
   * decision -> approval -> order) run first; the same records in the same order, acknowledged
   * the same way. The Kafka bus ignores it (a service there has its process to itself).
   */
  background?: boolean;
}

export interface ReplayOptions<S extends TSchema> extends Omit<SubscribeOptions<S>, 'from'> {
  /** Start positions per partition (offsets as strings)... */
  fromOffsets?: Record<number, string>;
  /** ...or the first record produced at or after this time (Unix ms). */
  fromTime?: number;
  /** Stop delivering records produced after this time / past these offsets (exclusive end). */
  toTime?: number;
}

export interface Subscription {
  readonly group: string;
  readonly topic: string;
  /** Stops consuming after in-flight handlers finish; committed positions are kept. */
  close(): Promise<void>;
}

/** Throw from a handler when retrying cannot help (e.g. a business rule violation): straight to DLQ. */
export class PermanentError extends Error {
  override name = 'PermanentError';
}

/** A consumer group and the physical topics whose lag it is asked for. */
export interface LagQuery {
  readonly group: string;
  readonly topics: readonly string[];
}

/** Low and high watermark per partition, by physical topic (a topic that does not exist is absent). */
export type Watermarks = ReadonlyMap<string, readonly { readonly partition: number; readonly low: bigint; readonly high: bigint }[]>;

export interface LagPass {
  readonly lags: number[];
  readonly produced: boolean;
  /** The watermarks the lags are measured against (`before`, or the pass's first read). */
  readonly first: Watermarks;
  readonly after: Watermarks;
  /** Groups whose committed offsets were read in this pass (the others were known to be drained). */
  readonly asked: number;
}
