import { Module, type DynamicModule } from '@nestjs/common';
import { defineService, serviceModule, type ServiceRuntime } from '@atp/nest-kit';
import { version } from '../package.json';
import { pnlConfig, type PnlConfig } from './config';
import { PnlHandlers } from './pnl.handlers';

/**
 * pnl: Positions per strategy / symbol / account, realized and unrealized P&L, fees, the equity curve and metrics from fills.v1 and marks; publishes pnl.v1 per bar. Idempotent by fill id.
 * Its handlers are `@OnEvent` providers listed here; the runtime (bus, store, clock, logger,
 * config) comes from the host, so the same module runs standalone, embedded or in a test.
 */
@Module({})
export class PnlModule {
  static register(runtime: ServiceRuntime<PnlConfig>): DynamicModule {
    return serviceModule(PnlModule, runtime, { providers: [PnlHandlers] });
  }
}

export const pnlService = defineService({
  name: 'pnl',
  version,
  config: pnlConfig,
  envPrefix: 'PNL_',
  module: (runtime) => PnlModule.register(runtime),
});
