import { Module, type DynamicModule } from '@nestjs/common';
import { defineService, serviceModule, type ServiceRuntime } from '@atp/nest-kit';
import { version } from '../package.json';
import { riskConfig, type RiskConfig } from './config';

/**
 * risk: Sizes and checks order intents (pre-trade limits, kill switch) and approves or rejects them (orders.approved.v1 / orders.rejected.v1); monitors stops.
 * Its handlers are `@OnEvent` providers listed here; the runtime (bus, store, clock, logger,
 * config) comes from the host, so the same module runs standalone, embedded or in a test.
 */
@Module({})
export class RiskModule {
  static register(runtime: ServiceRuntime<RiskConfig>): DynamicModule {
    return serviceModule(RiskModule, runtime, { providers: [] });
  }
}

export const riskService = defineService({
  name: 'risk',
  version,
  config: riskConfig,
  envPrefix: 'RISK_',
  module: (runtime) => RiskModule.register(runtime),
});
