import { createBus, InProcessBus, type Bus, type BusLogger } from '@atp/bus';
import { DEFAULT_SERVER_SELECTION_TIMEOUT_MS, MemoryStore, MongoStore, type Store } from '@atp/storage';
import type { Logger } from '@atp/observability';
import { databaseName, type CommonConfig } from '../../config/common-config';

export interface InfrastructureContext {
  /** Service (or process) name: Kafka client id, store label. */
  readonly name: string;
  readonly logger: Logger;
}

/**
 * How a host turns configuration into the Bus and Store it owns: BUS=in-process|kafka,
 * STORE=memory|mongo. Creating does not prove the servers are reachable; the bootstrap checks
 * health before it starts the application.
 */
export interface Infrastructure {
  createBus(config: CommonConfig, ctx: InfrastructureContext): Promise<Bus>;
  createStore(config: CommonConfig, ctx: InfrastructureContext): Promise<Store>;
}

/** Bus log records into the service's JSON logger. */
export function busLogger(logger: Logger): BusLogger {
  return ({ level, message, ...fields }) => logger.log(level, message, fields);
}

export const defaultInfrastructure: Infrastructure = {
  async createBus(config, ctx) {
    switch (config.BUS) {
      case 'in-process':
        return new InProcessBus({ logger: busLogger(ctx.logger.child({ component: 'bus' })) });
      case 'kafka':
        // Connects and fails fast (KafkaUnavailableError naming KAFKA_BROKERS) a little before the
        // start-up deadline, so its more precise message wins.
        return createBus({
          kind: 'kafka',
          brokers: config.KAFKA_BROKERS ?? [],
          clientId: `atp-${ctx.name}`,
          producerThreads: config.KAFKA_PRODUCER_THREADS,
          producerWorker: config.KAFKA_PRODUCER_WORKER,
          commitIntervalMs: config.KAFKA_COMMIT_INTERVAL_MS,
          maxWaitTimeMs: config.KAFKA_MAX_WAIT_TIME_MS,
          fetchMinBytes: config.KAFKA_FETCH_MIN_BYTES,
          connectDeadlineMs: Math.max(500, config.STARTUP_TIMEOUT_MS - 500),
          logger: busLogger(ctx.logger.child({ component: 'bus' })),
          logLevel: 'warn',
        });
    }
  },
  async createStore(config, ctx) {
    switch (config.STORE) {
      case 'memory':
        return new MemoryStore(databaseName(config, ctx.name));
      case 'mongo':
        // Connects and pings; rejects naming MONGO_URL (credentials masked) when unusable.
        return MongoStore.connect({
          url: config.MONGO_URL ?? '',
          dbName: databaseName(config, ctx.name),
          appName: `atp-${ctx.name}`,
          serverSelectionTimeoutMS: Math.max(100, Math.min(DEFAULT_SERVER_SELECTION_TIMEOUT_MS, config.STARTUP_TIMEOUT_MS - 500)),
        });
    }
  },
};
