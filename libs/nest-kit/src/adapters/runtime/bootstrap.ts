import type { Static, TObject } from '@sinclair/typebox';
import type { Bus } from '@atp/bus';
import { systemClock, type Clock } from '@atp/core';
import { createLogger, createMetrics, recordServiceInfo, redactUrlCredentials, setupTracing, type LogSink, type Logger } from '@atp/observability';
import type { Store } from '@atp/storage';
import type { CommonConfig } from '../../config/common-config';
import { loadConfig, type EnvSource } from '../../config/load-config';
import { exitOnSignals } from '../host/signals';
import { startHost, withDeadline, type OwnedResource, type RunningHost } from '../host/start-host';
import { defaultInfrastructure, type Infrastructure } from './infrastructure';
import type { ServiceDefinition, ServiceRuntime } from './service-runtime';

import { StartupError } from './startup-error';

export { StartupError };

export interface BootstrapOptions {
  /** Default `process.env`. */
  env?: EnvSource;
  /** Exit on SIGINT/SIGTERM after a graceful stop (main.ts); default false (tests stop the host). */
  handleSignals?: boolean;
  /** How bus and store are created from config (default: in-process/Kafka bus, memory/Mongo store). */
  infrastructure?: Infrastructure;
  /** Where log lines go (default stdout). */
  logSink?: LogSink;
  clock?: Clock;
}

/**
 * Starts one service as its own process (`main.ts`): loads and validates its config (throws
 * ConfigError naming the bad keys), sets up logging, metrics and tracing, creates the bus and
 * store from config (Kafka + Mongo in a deployment), waits until both answer (throws StartupError
 * naming KAFKA_BROKERS or MONGO_URL after STARTUP_TIMEOUT_MS), then serves the service module with
 * /health and /metrics on SERVICE_PORT.
 */
export async function bootstrapService<S extends TObject>(def: ServiceDefinition<S>, opts: BootstrapOptions = {}): Promise<RunningHost> {
  const config = loadConfig(def.config, opts.env ?? process.env) as Readonly<Static<S>> & CommonConfig;
  const logger = createLogger({ service: def.name, level: config.LOG_LEVEL, sink: opts.logSink });
  const tracing = setupTracing({ serviceName: def.name, serviceVersion: def.version, otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  const metrics = createMetrics();
  recordServiceInfo(metrics, { service: def.name, version: def.version, mode: config.TRADING_MODE });
  const infra = opts.infrastructure ?? defaultInfrastructure;
  const t0 = Date.now();
  logger.info('starting', { version: def.version, bus: config.BUS, store: config.STORE, mode: config.TRADING_MODE, runId: config.RUN_ID });

  const resources: OwnedResource[] = [];
  try {
    const [bus, store] = await connect(config, infra, def.name, logger, resources);
    const runtime: ServiceRuntime<Static<S> & CommonConfig> = { name: def.name, version: def.version, config, bus, store, clock: opts.clock ?? systemClock, logger, metrics };
    const host = await startHost({
      name: def.name,
      deployment: 'standalone',
      services: [{ definition: def as unknown as ServiceDefinition<never>, runtime }],
      port: config.SERVICE_PORT,
      host: config.SERVICE_HOST,
      logger,
      metrics,
      resources: [...resources, { name: 'tracing', close: () => tracing.shutdown() }],
      shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    });
    logger.info('ready', { url: host.url, startupMs: Date.now() - t0 });
    if (opts.handleSignals) exitOnSignals(host, logger);
    return host;
  } catch (e) {
    for (const r of resources.reverse()) await withDeadline(r.close(), 2_000, 'close timed out').catch(() => undefined);
    await tracing.shutdown().catch(() => undefined);
    throw e;
  }
}

/**
 * Creates the bus and the store and waits until both report healthy, so a wrong broker list or
 * database URL stops start-up with a message naming the setting instead of a crash loop later.
 */
export async function connect(config: CommonConfig, infra: Infrastructure, name: string, logger: Logger, owned: OwnedResource[]): Promise<[Bus, Store]> {
  const deadline = Date.now() + config.STARTUP_TIMEOUT_MS;
  const busSetting = config.BUS === 'kafka' ? `Kafka at KAFKA_BROKERS=${config.KAFKA_BROKERS?.join(',')}` : 'the in-process bus';
  const storeSetting = config.STORE === 'mongo' ? `MongoDB at MONGO_URL=${redactUrlCredentials(config.MONGO_URL ?? '')}` : 'the memory store';
  const busKey = config.BUS === 'kafka' ? 'KAFKA_BROKERS' : 'BUS';
  const storeKey = config.STORE === 'mongo' ? 'MONGO_URL' : 'STORE';

  // Both at once (one deadline); when both fail, one message names both settings.
  const [bus, store] = await Promise.allSettled([
    reach(busSetting, busKey, deadline, () => infra.createBus(config, { name, logger }), owned, 'bus'),
    reach(storeSetting, storeKey, deadline, () => infra.createStore(config, { name, logger }), owned, 'store'),
  ]);
  if (bus.status === 'rejected' || store.status === 'rejected') {
    const reasons = [bus, store].flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
    throw new StartupError(`Start-up failed: ${reasons.join('; ')}`);
  }
  return [bus.value, store.value];
}

async function reach<T extends { health(): Promise<{ ok: boolean; detail?: string }>; close(): Promise<void> }>(
  what: string,
  settingKey: string,
  deadline: number,
  create: () => Promise<T>,
  owned: OwnedResource[],
  resourceName: string,
): Promise<T> {
  let last = 'no answer';
  // Adapters' errors already name the setting (KAFKA_BROKERS=..., MONGO_URL ...): keep them as they are.
  const fail = () => {
    const detail = redactUrlCredentials(last);
    return new StartupError(detail.includes(settingKey) ? detail : `cannot reach ${what} (${detail}); check ${settingKey} and that the server is up`);
  };
  let created: T;
  try {
    created = await withDeadline(create(), Math.max(1, deadline - Date.now()), 'timed out connecting');
  } catch (e) {
    last = (e as Error).message;
    throw fail();
  }
  owned.push({ name: resourceName, close: () => created.close() });
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) throw fail();
    try {
      const h = await withDeadline(created.health(), left, 'timed out');
      if (h.ok) return created;
      last = h.detail ?? 'not healthy';
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, Math.min(250, Math.max(0, deadline - Date.now()))));
  }
}
