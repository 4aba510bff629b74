import { Module, type DynamicModule } from '@nestjs/common';
import { defineService, serviceModule, type ServiceRuntime } from '@atp/nest-kit';
import { version } from '../package.json';
import { executionConfig, type ExecutionConfig } from './config';
import { ExecutionHandlers } from './execution.handlers';
import { LiveExecutionHandlers } from './execution.live';

/**
 * execution: Executes approved orders (paper exchange, or the venue through ccxt with GATEWAY=ccxt), arms brackets, handles order commands; publishes orders.events.v1 and fills.v1. Idempotent by client order id.
 * Its handlers are `@OnEvent` providers listed here; the runtime (bus, store, clock, logger,
 * config) comes from the host, so the same module runs standalone, embedded or in a test.
 */
@Module({})
export class ExecutionModule {
  static register(runtime: ServiceRuntime<ExecutionConfig>): DynamicModule {
    // GATEWAY=ccxt (live): the venue through ccxt instead of the journaled paper exchange.
    return serviceModule(ExecutionModule, runtime, { providers: [runtime.config.GATEWAY === 'ccxt' ? LiveExecutionHandlers : ExecutionHandlers] });
  }
}

export const executionService = defineService({
  name: 'execution',
  version,
  config: executionConfig,
  envPrefix: 'EXECUTION_',
  module: (runtime) => ExecutionModule.register(runtime),
});
