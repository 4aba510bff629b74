import type { DynamicModule, ModuleMetadata, Provider, Type } from '@nestjs/common';
import { BusConsumer, HANDLER_CLASSES } from '../bus/bus-consumer';
import { BUS, CLOCK, LOGGER, METRICS, SERVICE_CONFIG, SERVICE_RUNTIME, STORE } from '../../tokens';
import type { ServiceRuntime } from './service-runtime';

export interface ServiceModuleMetadata {
  imports?: ModuleMetadata['imports'];
  controllers?: Type[];
  /** The service's providers; class providers are scanned for `@OnEvent` handlers. */
  providers?: Provider[];
  exports?: ModuleMetadata['exports'];
}

/**
 * The dynamic module of one service: its providers plus the runtime under the constant tokens
 * (BUS, STORE, CLOCK, SERVICE_CONFIG, LOGGER, METRICS, SERVICE_RUNTIME) and a `BusConsumer` that
 * subscribes its `@OnEvent` handlers. Providers are module-local, so nine services can share one
 * application and each still injects its own store, config and logger.
 */
export function serviceModule(moduleClass: Type, runtime: ServiceRuntime, meta: ServiceModuleMetadata = {}): DynamicModule {
  const providers = meta.providers ?? [];
  const handlerClasses = providers.flatMap((p) => (typeof p === 'function' ? [p] : 'useClass' in p && typeof p.provide === 'function' ? [p.provide as Type] : []));
  return {
    module: moduleClass,
    imports: meta.imports ?? [],
    controllers: meta.controllers ?? [],
    providers: [
      { provide: SERVICE_RUNTIME, useValue: runtime },
      { provide: SERVICE_CONFIG, useValue: runtime.config },
      { provide: BUS, useValue: runtime.bus },
      { provide: STORE, useValue: runtime.store },
      { provide: CLOCK, useValue: runtime.clock },
      { provide: LOGGER, useValue: runtime.logger },
      { provide: METRICS, useValue: runtime.metrics },
      { provide: HANDLER_CLASSES, useValue: handlerClasses },
      BusConsumer,
      ...providers,
    ],
    exports: meta.exports ?? [],
  };
}
