import type { Static, TObject } from '@sinclair/typebox';
import { InProcessBus, type Bus } from '@atp/bus';
import type { PipelineSpec } from '@atp/backtest';
import { systemClock, type Clock } from '@atp/core';
import { createLogger, createMetrics, memorySink } from '@atp/observability';
import { databaseName, loadConfig, startHost, type CommonConfig, type RunningHost, type ServiceDefinition } from '@atp/nest-kit';
import { MemoryStore, type Store } from '@atp/storage';
import { executionService } from '@atp/svc-execution';
import { pnlService } from '@atp/svc-pnl';
import { riskService } from '@atp/svc-risk';
import { strategyService } from '@atp/svc-strategy';

export const PIPELINE_SERVICES = [strategyService, riskService, executionService, pnlService] as unknown as readonly ServiceDefinition<never>[];

export interface EmbeddedPipeline {
  readonly bus: Bus;
  readonly host: RunningHost;
  readonly stores: ReadonlyMap<string, Store>;
  readonly logs: ReturnType<typeof memorySink>;
  /** Error-level log records so far (a core that failed on an input logs one). */
  errors(): Record<string, unknown>[];
  /** The provider instance of a service's handler class (e.g. PnlHandlers). */
  get<T>(cls: new (...args: never[]) => T): T;
  stop(): Promise<void>;
}

/**
 * The pipeline services wired in ONE process over one in-process bus, each with its own memory
 * store, as the embedded launcher runs them (ARCHITECTURE.md, "Modes"), configured by the pipeline
 * spec (`PIPELINE_SPEC`) under its run id. Pass `stores` to restart services on their old state.
 */
export async function startEmbeddedPipeline(
  spec: PipelineSpec,
  opts: { bus?: Bus; services?: readonly ServiceDefinition<never>[]; env?: Record<string, string>; stores?: Map<string, Store>; clock?: Clock } = {},
): Promise<EmbeddedPipeline> {
  const bus = opts.bus ?? new InProcessBus();
  const env: Record<string, string> = { BUS: 'in-process', STORE: 'memory', RUN_ID: spec.runId, PIPELINE_SPEC: JSON.stringify(spec), LOG_LEVEL: 'warn', SERVICE_PORT: '0', SERVICE_HOST: '127.0.0.1', ...opts.env };
  const logs = memorySink();
  const metrics = createMetrics({ defaultMetrics: false });
  const stores = opts.stores ?? new Map<string, Store>();
  const services = (opts.services ?? PIPELINE_SERVICES).map((def) => {
    const config = loadConfig(def.config as unknown as TObject, env, def.envPrefix) as Static<TObject> as unknown as CommonConfig;
    let store = stores.get(def.name);
    if (!store) stores.set(def.name, (store = new MemoryStore(databaseName(config, def.name))));
    const logger = createLogger({ service: def.name, level: config.LOG_LEVEL, sink: logs });
    return { definition: def, runtime: { name: def.name, version: def.version, config, bus, store, clock: opts.clock ?? systemClock, logger, metrics } };
  });
  const host = await startHost({
    name: 'pipeline',
    deployment: 'embedded',
    services,
    port: 0,
    host: '127.0.0.1',
    logger: createLogger({ service: 'pipeline', level: 'warn', sink: logs }),
    metrics,
    resources: opts.bus ? [] : [{ name: 'bus', close: () => bus.close() }],
    shutdownTimeoutMs: 30_000,
  });
  return {
    bus,
    host,
    stores,
    logs,
    errors: () => logs.records().filter((r) => r['level'] === 'error' || r['level'] === 'fatal'),
    get: <T>(cls: new (...args: never[]) => T) => host.app.get(cls, { strict: false }),
    stop: () => host.stop('test'),
  };
}
