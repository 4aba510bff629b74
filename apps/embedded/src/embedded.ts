import type { Static, TObject } from '@sinclair/typebox';
import { InProcessBus } from '@atp/bus';
import { systemClock } from '@atp/core';
import { createLogger, createMetrics, recordServiceInfo, setupTracing, type LogSink, type Logger } from '@atp/observability';
import {
  busLogger, ConfigError, defaultInfrastructure, loadConfig, startHost,
  type CommonConfig, type ConfigIssue, type EnvSource, type HostedService, type OwnedResource, type RunningHost, type ServiceDefinition,
} from '@atp/nest-kit';
import { ALL_SERVICES } from './services';

export interface EmbeddedOptions {
  env?: EnvSource;
  logSink?: LogSink;
  services?: readonly ServiceDefinition<never>[];
}

/** Keys the embedded mode decides itself, whatever the environment says. */
const FORCED = { BUS: 'in-process', STORE: 'memory' } as const;

/**
 * The embedded mode's own defaults per service, used where neither `<PREFIX>KEY` nor `KEY` is set:
 * market-feed replays the recorded candles of DATA_DIR in lockstep with the pipeline, paced at 100
 * event times per second, so the dashboard shows signals, orders, fills and P&L at once.
 */
export const EMBEDDED_DEFAULTS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'market-feed': { FEED_SOURCE: 'replay', REPLAY_MODE: 'lockstep', REPLAY_RATE: '100' },
};

/**
 * Every service module in ONE Nest application over one in-process bus, each with its own memory
 * store (namespace), its own config (`<PREFIX>KEY` first, then `KEY`), its own logger; one
 * /metrics registry and one HTTP port: the gateway's (GATEWAY_SERVICE_PORT or SERVICE_PORT,
 * default 8080). Throws ConfigError with ONE message covering every service.
 */
export type EmbeddedHost = RunningHost & { readonly logger: Logger };

export async function startEmbedded(opts: EmbeddedOptions = {}): Promise<EmbeddedHost> {
  const env = opts.env ?? process.env;
  const defs = opts.services ?? ALL_SERVICES;
  const configs = loadAll(defs, env);
  const gateway = configs.find((c) => c.def.name === 'gateway') ?? configs[configs.length - 1]!;
  const processLogger = createLogger({ service: 'embedded', level: gateway.config.LOG_LEVEL, sink: opts.logSink });
  const tracing = setupTracing({ serviceName: 'atp-embedded', otlpEndpoint: gateway.config.OTEL_EXPORTER_OTLP_ENDPOINT });
  const metrics = createMetrics();
  const bus = new InProcessBus({ logger: busLogger(processLogger.child({ component: 'bus' })) });

  const services: HostedService[] = [];
  const stores: OwnedResource[] = [];
  for (const { def, config } of configs) {
    const logger = createLogger({ service: def.name, level: config.LOG_LEVEL, sink: opts.logSink });
    const store = await defaultInfrastructure.createStore(config, { name: def.name, logger });
    stores.push({ name: `store:${def.name}`, close: () => store.close() });
    recordServiceInfo(metrics, { service: def.name, version: def.version, mode: config.TRADING_MODE });
    services.push({ definition: def, runtime: { name: def.name, version: def.version, config, bus, store, clock: systemClock, logger, metrics } });
  }

  processLogger.info('starting', { services: defs.map((d) => d.name), bus: 'in-process', store: 'memory', mode: gateway.config.TRADING_MODE });
  const host = await startHost({
    name: 'embedded',
    deployment: 'embedded',
    services,
    port: gateway.config.SERVICE_PORT,
    host: gateway.config.SERVICE_HOST,
    logger: processLogger,
    metrics,
    resources: [{ name: 'bus', close: () => bus.close() }, ...stores, { name: 'tracing', close: () => tracing.shutdown() }],
    shutdownTimeoutMs: Math.max(...configs.map((c) => c.config.SHUTDOWN_TIMEOUT_MS)),
    portSetting: env['GATEWAY_SERVICE_PORT']?.trim() ? 'GATEWAY_SERVICE_PORT' : 'SERVICE_PORT',
  });
  return Object.assign(host, { logger: processLogger });
}

function loadAll(defs: readonly ServiceDefinition<never>[], env: EnvSource): { def: ServiceDefinition<never>; config: CommonConfig }[] {
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  const out: { def: ServiceDefinition<never>; config: CommonConfig }[] = [];
  for (const def of defs) {
    const own: Record<string, string | undefined> = { ...env, ...FORCED };
    for (const [k, v] of Object.entries(EMBEDDED_DEFAULTS[def.name] ?? {})) {
      if (!env[`${def.envPrefix}${k}`]?.trim() && !env[k]?.trim()) own[k] = v;
    }
    for (const k of Object.keys(FORCED)) delete own[`${def.envPrefix}${k}`];
    try {
      out.push({ def, config: loadConfig(def.config as unknown as TObject, own, def.envPrefix) as Static<TObject> as unknown as CommonConfig });
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      // A bad shared key (LOG_LEVEL=loud) is reported once, not once per service.
      for (const i of e.issues) {
        const id = `${i.key}|${i.rule}`;
        if (!seen.has(id)) issues.push(i);
        seen.add(id);
      }
    }
  }
  if (issues.length) throw new ConfigError(issues);
  return out;
}
