import { Module, type DynamicModule } from '@nestjs/common';
import { defineService, serviceModule, type ServiceRuntime } from '@atp/nest-kit';
import { version } from '../package.json';
import { otcQuotesConfig, type OtcQuotesConfig } from './config';

/**
 * otc-quotes: Requests firm quotes from liquidity providers (RFQ) and publishes them on otc.quotes.v1 for the execution router.
 * Its handlers are `@OnEvent` providers listed here; the runtime (bus, store, clock, logger,
 * config) comes from the host, so the same module runs standalone, embedded or in a test.
 */
@Module({})
export class OtcQuotesModule {
  static register(runtime: ServiceRuntime<OtcQuotesConfig>): DynamicModule {
    return serviceModule(OtcQuotesModule, runtime, { providers: [] });
  }
}

export const otcQuotesService = defineService({
  name: 'otc-quotes',
  version,
  config: otcQuotesConfig,
  envPrefix: 'OTC_QUOTES_',
  module: (runtime) => OtcQuotesModule.register(runtime),
});
