import { Module, type DynamicModule } from '@nestjs/common';
import { defineService, serviceModule, type ServiceRuntime } from '@atp/nest-kit';
import { version } from '../package.json';
import { mlInferenceConfig, type MlInferenceConfig } from './config';

/**
 * ml-inference: Scores stable feature vectors (features.v1) with the trained model and publishes signals.v1.
 * Its handlers are `@OnEvent` providers listed here; the runtime (bus, store, clock, logger,
 * config) comes from the host, so the same module runs standalone, embedded or in a test.
 */
@Module({})
export class MlInferenceModule {
  static register(runtime: ServiceRuntime<MlInferenceConfig>): DynamicModule {
    return serviceModule(MlInferenceModule, runtime, { providers: [] });
  }
}

export const mlInferenceService = defineService({
  name: 'ml-inference',
  version,
  config: mlInferenceConfig,
  envPrefix: 'ML_INFERENCE_',
  module: (runtime) => MlInferenceModule.register(runtime),
});
