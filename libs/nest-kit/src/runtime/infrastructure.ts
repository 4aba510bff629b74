import { InProcessBus, type Bus, type BusLogger } from '@atp/bus';
import { MemoryStore, type Store } from '@atp/storage';
import type { Logger } from '@atp/observability';
import { databaseName, type CommonConfig } from '../config/common-config';

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
        throw new Error('BUS=kafka: the Kafka bus is not available yet');
    }
  },
  async createStore(config, ctx) {
    switch (config.STORE) {
      case 'memory':
        return new MemoryStore(`${ctx.name}:${databaseName(config)}`);
      case 'mongo':
        throw new Error('STORE=mongo: the Mongo store is not available yet');
    }
  },
};
