import type { DynamicModule, INestApplication } from '@nestjs/common';
import type { Static, TObject } from '@sinclair/typebox';
import type { Bus } from '@atp/bus';
import type { Clock } from '@atp/core';
import type { Logger, Metrics } from '@atp/observability';
import type { Store } from '@atp/storage';
import type { CommonConfig } from '../../config/common-config';
import type { ConfigSpec } from '../../config/load-config';

/**
 * What one service module gets from whoever hosts it (a standalone process, the embedded
 * launcher, a test): its identity, validated config and the ports. The host owns the bus and
 * store (creates, health-checks and closes them); the service only uses them.
 */
export interface ServiceRuntime<C extends CommonConfig = CommonConfig> {
  readonly name: string;
  readonly version: string;
  readonly config: C;
  readonly bus: Bus;
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/**
 * A service as a unit the hosts can run: identity, configuration spec and the dynamic module
 * built from a runtime. `main.ts` passes it to `bootstrapService`; the embedded launcher passes
 * all nine to `startHost`.
 */
export interface ServiceDefinition<S extends TObject = TObject> {
  /** Service name: logger `service` field, default consumer group, metrics label, e.g. `risk`. */
  readonly name: string;
  readonly version: string;
  readonly config: ConfigSpec<S>;
  /** Env prefix read first in the embedded launcher, e.g. `RISK_` (`RISK_LOG_LEVEL=debug`). */
  readonly envPrefix: string;
  /** The service's Nest module for this runtime. */
  module(runtime: ServiceRuntime<Static<S> & CommonConfig>): DynamicModule;
  /** Application-level set-up before listening (e.g. the gateway's WebSocket adapter, CORS). */
  configureApp?(app: INestApplication, runtime: ServiceRuntime<Static<S> & CommonConfig>): void;
}

export function defineService<S extends TObject>(def: ServiceDefinition<S>): ServiceDefinition<S> {
  if (!/^[a-z][a-z0-9-]*$/.test(def.name)) throw new Error(`bad service name ${JSON.stringify(def.name)}`);
  return Object.freeze(def);
}
