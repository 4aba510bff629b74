import { Module, type DynamicModule } from '@nestjs/common';
import { defineService, serviceModule, type ServiceRuntime } from '@atp/nest-kit';
import { version } from '../package.json';
import { strategyConfig, type StrategyConfig } from './config';
import { StrategyHandlers } from './strategy.handlers';

/**
 * strategy: Runs the configured strategies on joined candles, features and signals; emits one decision record per (strategy, symbol, bar) on orders.intents.v1.
 * Its handlers are `@OnEvent` providers listed here; the runtime (bus, store, clock, logger,
 * config) comes from the host, so the same module runs standalone, embedded or in a test.
 */
@Module({})
export class StrategyModule {
  static register(runtime: ServiceRuntime<StrategyConfig>): DynamicModule {
    return serviceModule(StrategyModule, runtime, { providers: [StrategyHandlers] });
  }
}

export const strategyService = defineService({
  name: 'strategy',
  version,
  config: strategyConfig,
  envPrefix: 'STRATEGY_',
  module: (runtime) => StrategyModule.register(runtime),
});
