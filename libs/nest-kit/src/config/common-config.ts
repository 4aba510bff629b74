import { createHash } from 'node:crypto';
import { Type, type Static, type TObject } from '@sinclair/typebox';
import { LOG_LEVEL_SETTINGS } from '@atp/observability';
import type { ConfigCheck } from './load-config';
import { defineConfig, type ConfigSpec } from './load-config';
import { Env } from './env-schema';

/** The explicit opt-in live trading needs in ATP_LIVE_CONFIRM: live orders spend real money. */
export const LIVE_CONFIRM_PHRASE = 'yes-i-understand';

/** Keys every service has. `port` is the service's default HTTP port. */
export function commonConfigProperties(defaults: { port: number }) {
  return {
    SERVICE_PORT: Env.port({ default: defaults.port, description: 'HTTP port for /health, /metrics (and the gateway API)' }),
    SERVICE_HOST: Env.string({ default: '0.0.0.0', description: 'interface the HTTP server binds' }),
    LOG_LEVEL: Env.oneOf(LOG_LEVEL_SETTINGS, { default: 'info' }),
    BUS: Env.oneOf(['in-process', 'kafka'] as const, { default: 'kafka', description: 'in-process (embedded, tests) or kafka' }),
    KAFKA_BROKERS: Type.Optional(Env.hostPorts({ description: 'Kafka bootstrap servers, required when BUS=kafka' })),
    KAFKA_PRODUCER_THREADS: Env.int({ default: 1, minimum: 1, maximum: 16, description: 'Kafka producers in worker threads (publishes routed by key): 2 for a producer-heavy service such as a free-running replay' }),
    KAFKA_PRODUCER_WORKER: Env.bool({ default: false, description: 'with one producer thread: produce from a worker thread (kafkajs record encoding off the service thread: throughput for a service publishing and consuming at high rates, at some publish latency); ignored with KAFKA_PRODUCER_THREADS >= 2' }),
    KAFKA_COMMIT_INTERVAL_MS: Env.int({ default: 0, minimum: 0, maximum: 60_000, description: 'least time between two offset commits of a Kafka consumer, ms: 0 (default) commits after every handled batch, as lockstep replay needs (it reads the committed offsets after every event time); ~100 for free-running and live (fewer commit requests, same delivery latency, more redelivery after a crash)' }),
    KAFKA_MAX_WAIT_TIME_MS: Env.int({ default: 250, minimum: 1, maximum: 60_000, description: 'longest a Kafka fetch waits for data (or for KAFKA_FETCH_MIN_BYTES), ms' }),
    KAFKA_FETCH_MIN_BYTES: Env.int({ default: 1, minimum: 1, maximum: 52_428_800, description: 'least data a Kafka fetch returns, bytes: 1 (default) as soon as anything arrived; raised (1048576, with KAFKA_MAX_WAIT_TIME_MS=100) for a service nothing waits for (pnl) in free-running and live deployments, so it takes its records in batches of up to that wait, off the moments the candle -> order path works; never in lockstep replay (each step would wait for it)' }),
    STORE: Env.oneOf(['memory', 'mongo'] as const, { default: 'mongo', description: 'memory (embedded, tests) or mongo' }),
    MONGO_URL: Type.Optional(Env.url(['mongodb', 'mongodb+srv'], { description: 'MongoDB connection string, required when STORE=mongo' })),
    MONGO_DB: Env.string({ default: 'atp', pattern: '^[A-Za-z0-9_-]{1,48}$', rule: 'a database name of 1-48 characters [A-Za-z0-9_-]' }),
    RUN_ID: Type.Optional(Env.string({ pattern: '^[A-Za-z0-9_-]{1,64}$', rule: 'a run id of 1-64 characters [A-Za-z0-9_-]', description: 'replay/backtest run: prefixes topics, names the database' })),
    TRADING_MODE: Env.oneOf(['paper', 'live'] as const, { default: 'paper', description: 'paper (simulated fills) or live (real orders)' }),
    ATP_LIVE_CONFIRM: Type.Optional(Env.string({ description: `must be "${LIVE_CONFIRM_PHRASE}" for TRADING_MODE=live` })),
    OTEL_EXPORTER_OTLP_ENDPOINT: Type.Optional(Env.url(['http', 'https'], { description: 'OTLP/HTTP collector; traces are exported only when set' })),
    STARTUP_TIMEOUT_MS: Env.int({ default: 10_000, minimum: 100, maximum: 300_000, description: 'how long start-up waits for Kafka and MongoDB' }),
    SHUTDOWN_TIMEOUT_MS: Env.int({ default: 10_000, minimum: 100, maximum: 300_000, description: 'how long shutdown waits for in-flight handlers' }),
  };
}

export type CommonProperties = ReturnType<typeof commonConfigProperties>;
export type CommonConfigSchema = TObject<CommonProperties>;
/** The common part of every service's configuration. */
export type CommonConfig = Readonly<{
  SERVICE_PORT: number;
  SERVICE_HOST: string;
  LOG_LEVEL: (typeof LOG_LEVEL_SETTINGS)[number];
  BUS: 'in-process' | 'kafka';
  KAFKA_BROKERS?: readonly string[];
  KAFKA_PRODUCER_THREADS: number;
  KAFKA_PRODUCER_WORKER: boolean;
  KAFKA_COMMIT_INTERVAL_MS: number;
  KAFKA_MAX_WAIT_TIME_MS: number;
  KAFKA_FETCH_MIN_BYTES: number;
  STORE: 'memory' | 'mongo';
  MONGO_URL?: string;
  MONGO_DB: string;
  RUN_ID?: string;
  TRADING_MODE: 'paper' | 'live';
  ATP_LIVE_CONFIRM?: string;
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  STARTUP_TIMEOUT_MS: number;
  SHUTDOWN_TIMEOUT_MS: number;
}>;

/** Cross-key rules of the common keys. */
export const commonChecks: readonly ConfigCheck<CommonConfig>[] = [
  (c, k) => (c.BUS === 'kafka' && !c.KAFKA_BROKERS?.length ? { key: k('KAFKA_BROKERS'), rule: 'is required when BUS=kafka and must be a comma-separated list of host:port' } : undefined),
  (c, k) => (c.STORE === 'mongo' && !c.MONGO_URL ? { key: k('MONGO_URL'), rule: 'is required when STORE=mongo and must be a mongodb:// URL' } : undefined),
  (c, k) =>
    c.TRADING_MODE === 'live' && c.ATP_LIVE_CONFIRM !== LIVE_CONFIRM_PHRASE
      ? { key: k('ATP_LIVE_CONFIRM'), rule: `must be "${LIVE_CONFIRM_PHRASE}" when TRADING_MODE=live (live trading places real orders)` }
      : undefined,
];

/**
 * A service's configuration spec: its schema (the common keys, with its default port, plus its own:
 * `Type.Object({ ...commonConfigProperties({ port }), OWN_KEY: Env.int(...) })`) and the common
 * cross-key rules plus its own.
 */
export function serviceConfig<S extends TObject>(schema: S, checks: readonly ConfigCheck<Static<S>>[] = []): ConfigSpec<S> {
  return defineConfig(schema, [...(commonChecks as unknown as readonly ConfigCheck<Static<S>>[]), ...checks]);
}

/**
 * The database of one service (each service owns its collections): `<MONGO_DB>_<service>`, and
 * `<MONGO_DB>_<service>_run_<RUN_ID>` for a replay run, so a run never mixes with paper or live
 * state. Names longer than MongoDB's 63 characters keep a readable head and a hash of the whole.
 */
export function databaseName(c: Pick<CommonConfig, 'MONGO_DB' | 'RUN_ID'>, service: string): string {
  const full = c.RUN_ID ? `${c.MONGO_DB}_${service}_run_${c.RUN_ID}` : `${c.MONGO_DB}_${service}`;
  if (full.length <= 63) return full;
  return `${full.slice(0, 54)}_${createHash('sha256').update(full).digest('hex').slice(0, 8)}`;
}
