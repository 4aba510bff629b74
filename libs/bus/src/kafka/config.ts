import type { BusLogger, BusLogLevel } from '../logging';

/**
 * Settings of the Kafka bus. The names in error messages are the environment variables a service
 * sets them with (`KAFKA_BROKERS`, ...), so a bad value at start-up names what to fix.
 */
export interface KafkaBusConfig {
  /** `host:port` of at least one broker (KAFKA_BROKERS, comma-separated). */
  brokers: readonly string[];
  /** Client id in broker logs and quotas (KAFKA_CLIENT_ID). */
  clientId: string;
  /** TCP connect timeout per broker, ms (KAFKA_CONNECTION_TIMEOUT_MS, default 3000). */
  connectionTimeoutMs?: number;
  /** Start-up gives up when no broker answered within this, ms (default 5000): fail fast, let the orchestrator restart. */
  connectDeadlineMs?: number;
  /** Request timeout, ms (default 30000). */
  requestTimeoutMs?: number;
  /** Replication factor of topics created by ensureTopics (KAFKA_REPLICATION_FACTOR, default 1: the local single broker). */
  replicationFactor?: number;
  /** Consumer session timeout, ms (default 10000; the broker's minimum is 6000). */
  sessionTimeoutMs?: number;
  /** Consumer heartbeat interval, ms (default 1000). */
  heartbeatIntervalMs?: number;
  /**
   * Longest a fetch waits for data, ms (default 250). Also the longest a paused partition waits past
   * its retry backoff, since kafkajs sleeps this long when every assigned partition is paused.
   */
  maxWaitTimeMs?: number;
  /**
   * Least data a fetch returns, bytes (KAFKA_FETCH_MIN_BYTES, default 1: as soon as anything is
   * there). Raised (e.g. 1048576) together with a short KAFKA_MAX_WAIT_TIME_MS (e.g. 100), the broker
   * holds each fetch until that much arrived or the wait is over: a consumer no other service waits
   * for (pnl: reporting) then takes its records in batches of up to that wait — a fetch, a wake-up
   * and a journal and store write per batch instead of per arrival — which keeps its CPU off the
   * moments the services on the candle -> order path work, at up to that much added delay of its
   * own outputs. Keep 1 for the services on the path, and for lockstep replay (it waits for every
   * service to consume each event time: a held fetch would add the wait to every step).
   */
  fetchMinBytes?: number;
  /**
   * Least time between two offset commits of a consumer, ms (KAFKA_COMMIT_INTERVAL_MS, default 0: a
   * commit goes out as soon as the previous one is answered, carrying every offset acknowledged
   * meanwhile). Raising it trades more redelivery after a crash, and a later lag of 0 for readers
   * of the group's offsets, for fewer commit requests; it adds nothing to delivery latency (the
   * next fetch starts from the acknowledged offsets, not the committed ones). Lockstep replay
   * reads the groups' committed offsets after every event time: keep 0 there. Free-running and
   * live: ~100 takes most commit requests off the broker and the services (one per consumer per
   * 100 ms instead of one per fetched batch).
   */
  commitIntervalMs?: number;
  /**
   * Producer threads (KAFKA_PRODUCER_THREADS, default 1). With N >= 2 publishes are encoded on the
   * calling thread and produced by N idempotent kafkajs producers in worker threads, routed by key
   * (per-key order kept): for throughput beyond one producer's encoding cost (~40k records/s here).
   */
  producerThreads?: number;
  /**
   * With one producer thread: produce from a worker thread instead of the calling one
   * (KAFKA_PRODUCER_WORKER=true, default false). Publishes are still validated and encoded on the
   * calling thread; kafkajs's record encoding — the largest per-message cost — moves to the worker,
   * so a process that publishes and consumes at high rates uses two cores for about the CPU of one
   * (two producer threads add a second producer's overhead). Costs some latency: publish -> handle
   * at 1k msgs/s p50 ~0.8 vs ~0.5 ms, p99 ~7 vs ~6 ms in the bus bench; the publish acknowledgement
   * alone p50 ~2 ms vs ~0.7 ms in a probe (as with producerThreads >= 2); off by default. Ignored
   * with producerThreads >= 2.
   */
  producerWorker?: boolean;
  /** Receives kafkajs's and the bus's log records (JSON-serialisable). Default: JSON lines on stderr. */
  logger?: BusLogger;
  /** Lowest level passed to the logger (default warn: kafkajs is chatty at info). */
  logLevel?: BusLogLevel;
}

export type ResolvedKafkaBusConfig = Required<Omit<KafkaBusConfig, 'logger'>> & { logger?: BusLogger };

/** A configuration value that cannot work; the message starts with the setting's name. */
export class KafkaConfigError extends Error {
  override name = 'KafkaConfigError';
  constructor(readonly setting: string, message: string) {
    super(`${setting}: ${message}`);
  }
}

function threads(v: number | undefined): number {
  const x = v ?? 1;
  if (!Number.isInteger(x) || x < 1 || x > 16) throw new KafkaConfigError('KAFKA_PRODUCER_THREADS', `${v} must be an integer from 1 to 16`);
  return x;
}

const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?):([0-9]{1,5})$/;

/** Validates and fills defaults; throws KafkaConfigError naming the setting. Returns a frozen copy. */
export function resolveKafkaConfig(c: KafkaBusConfig): ResolvedKafkaBusConfig {
  if (!Array.isArray(c.brokers) || c.brokers.length === 0) {
    throw new KafkaConfigError('KAFKA_BROKERS', 'no broker given; set host:port[,host:port...] (e.g. 127.0.0.1:19092)');
  }
  const brokers = c.brokers.map((b) => String(b).trim());
  for (const b of brokers) {
    const m = HOST_PORT.exec(b);
    const port = m ? Number(m[3]) : NaN;
    if (!m || port < 1 || port > 65535) throw new KafkaConfigError('KAFKA_BROKERS', `${JSON.stringify(b)} is not host:port`);
  }
  if (typeof c.clientId !== 'string' || !/^[A-Za-z0-9._-]{1,100}$/.test(c.clientId)) {
    throw new KafkaConfigError('KAFKA_CLIENT_ID', `${JSON.stringify(c.clientId)} must be 1-100 of [A-Za-z0-9._-]`);
  }
  const ms = (setting: string, v: number | undefined, dflt: number, min = 1) => {
    const x = v ?? dflt;
    if (!Number.isInteger(x) || x < min) throw new KafkaConfigError(setting, `${v} must be an integer >= ${min}`);
    return x;
  };
  return Object.freeze({
    brokers: Object.freeze(brokers),
    clientId: c.clientId,
    connectionTimeoutMs: ms('KAFKA_CONNECTION_TIMEOUT_MS', c.connectionTimeoutMs, 3_000),
    connectDeadlineMs: ms('KAFKA_CONNECT_DEADLINE_MS', c.connectDeadlineMs, 5_000),
    requestTimeoutMs: ms('KAFKA_REQUEST_TIMEOUT_MS', c.requestTimeoutMs, 30_000),
    replicationFactor: ms('KAFKA_REPLICATION_FACTOR', c.replicationFactor, 1),
    sessionTimeoutMs: ms('KAFKA_SESSION_TIMEOUT_MS', c.sessionTimeoutMs, 10_000, 1_000),
    heartbeatIntervalMs: ms('KAFKA_HEARTBEAT_INTERVAL_MS', c.heartbeatIntervalMs, 1_000),
    maxWaitTimeMs: ms('KAFKA_MAX_WAIT_TIME_MS', c.maxWaitTimeMs, 250),
    fetchMinBytes: ms('KAFKA_FETCH_MIN_BYTES', c.fetchMinBytes, 1),
    commitIntervalMs: ms('KAFKA_COMMIT_INTERVAL_MS', c.commitIntervalMs, 0, 0),
    producerThreads: threads(c.producerThreads),
    producerWorker: c.producerWorker ?? false,
    logger: c.logger,
    logLevel: c.logLevel ?? 'warn',
  });
}

/**
 * Reads the Kafka settings from an environment (pass `process.env`): KAFKA_BROKERS (required),
 * KAFKA_CLIENT_ID (default `fallbackClientId`), KAFKA_CONNECTION_TIMEOUT_MS, KAFKA_REPLICATION_FACTOR,
 * KAFKA_PRODUCER_THREADS, KAFKA_PRODUCER_WORKER (true/false), KAFKA_COMMIT_INTERVAL_MS, KAFKA_MAX_WAIT_TIME_MS,
 * KAFKA_FETCH_MIN_BYTES.
 * Throws KafkaConfigError naming the variable.
 */
export function kafkaConfigFromEnv(env: Record<string, string | undefined>, fallbackClientId: string): KafkaBusConfig {
  const raw = env.KAFKA_BROKERS?.trim();
  if (!raw) throw new KafkaConfigError('KAFKA_BROKERS', 'is not set; set host:port[,host:port...] (e.g. 127.0.0.1:19092)');
  const int = (name: string): number | undefined => {
    const v = env[name]?.trim();
    if (!v) return undefined;
    if (!/^[0-9]+$/.test(v)) throw new KafkaConfigError(name, `${JSON.stringify(v)} is not a whole number`);
    return Number(v);
  };
  const bool = (name: string): boolean | undefined => {
    const v = env[name]?.trim().toLowerCase();
    if (!v) return undefined;
    if (v !== 'true' && v !== 'false') throw new KafkaConfigError(name, `${JSON.stringify(env[name])} is not true or false`);
    return v === 'true';
  };
  return {
    brokers: raw.split(',').map((s) => s.trim()).filter(Boolean),
    clientId: env.KAFKA_CLIENT_ID?.trim() || fallbackClientId,
    connectionTimeoutMs: int('KAFKA_CONNECTION_TIMEOUT_MS'),
    replicationFactor: int('KAFKA_REPLICATION_FACTOR'),
    producerThreads: int('KAFKA_PRODUCER_THREADS'),
    producerWorker: bool('KAFKA_PRODUCER_WORKER'),
    commitIntervalMs: int('KAFKA_COMMIT_INTERVAL_MS'),
    maxWaitTimeMs: int('KAFKA_MAX_WAIT_TIME_MS'),
    fetchMinBytes: int('KAFKA_FETCH_MIN_BYTES'),
  };
}
