import { Module, type DynamicModule } from '@nestjs/common';
import { defineService, serviceModule, type ServiceRuntime } from '@atp/nest-kit';
import { version } from '../package.json';
import { featuresConfig, type FeaturesConfig } from './config';
import { FeaturesHandlers } from './features.handlers';

/**
 * features: Computes feature vectors (streaming indicators, bit-identical to the backtester) from md.candles.v1 and publishes features.v1.
 * Its handlers are `@OnEvent` providers listed here; the runtime (bus, store, clock, logger,
 * config) comes from the host, so the same module runs standalone, embedded or in a test.
 */
@Module({})
export class FeaturesModule {
  static register(runtime: ServiceRuntime<FeaturesConfig>): DynamicModule {
    return serviceModule(FeaturesModule, runtime, { providers: [FeaturesHandlers] });
  }
}

export const featuresService = defineService({
  name: 'features',
  version,
  config: featuresConfig,
  envPrefix: 'FEATURES_',
  module: (runtime) => FeaturesModule.register(runtime),
});
