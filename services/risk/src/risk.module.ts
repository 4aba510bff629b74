import { Module, type DynamicModule } from '@nestjs/common';
import { defineService, serviceModule, type ServiceRuntime } from '@atp/nest-kit';
import { version } from '../package.json';
import { riskConfig, type RiskConfig } from './config';
import { RiskHandlers } from './risk.handlers';

/**
 * risk: Sizes and checks intents (decideRisk, the backtester's risk step) behind the per-event-time barrier, keeps its own projection of positions and equity, obeys risk.commands.v1, trips the kill switch; publishes orders.approved.v1 / orders.rejected.v1 / risk.alerts.v1.
 * Its handlers are `@OnEvent` providers listed here; the runtime (bus, store, clock, logger,
 * config) comes from the host, so the same module runs standalone, embedded or in a test.
 */
@Module({})
export class RiskModule {
  static register(runtime: ServiceRuntime<RiskConfig>): DynamicModule {
    return serviceModule(RiskModule, runtime, { providers: [RiskHandlers] });
  }
}

export const riskService = defineService({
  name: 'risk',
  version,
  config: riskConfig,
  envPrefix: 'RISK_',
  module: (runtime) => RiskModule.register(runtime),
});
