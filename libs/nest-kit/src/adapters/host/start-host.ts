import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import { NestLoggerAdapter, type Logger, type Metrics } from '@atp/observability';
import { HealthModule } from '../health/health.module';
import { MetricsModule } from '../metrics/metrics.module';
import type { ServiceDefinition, ServiceRuntime } from '../runtime/service-runtime';
import { StartupError } from '../runtime/startup-error';
import { HostContext, type Deployment, type HealthReport } from './host-context';

/** Something the host closes at the end, after the application (bus, stores, tracing). */
export interface OwnedResource {
  readonly name: string;
  close(): Promise<void>;
}

export interface HostedService {
  // The definition's config type is erased here: each runtime was built from its own definition.
  readonly definition: ServiceDefinition<never>;
  readonly runtime: ServiceRuntime;
}

export interface HostOptions {
  /** Process name for logs: the service name, or `embedded`. */
  name: string;
  deployment: Deployment;
  services: readonly HostedService[];
  port: number;
  host?: string;
  /** The process logger (Nest's own messages go here). */
  logger: Logger;
  /** The process registry served on /metrics. */
  metrics: Metrics;
  /** Closed in order after the application: typically bus, then stores, then tracing. */
  resources?: readonly OwnedResource[];
  shutdownTimeoutMs: number;
  /** The setting the port comes from, named when it is taken (default SERVICE_PORT). */
  portSetting?: string;
}

export interface RunningHost {
  readonly app: INestApplication;
  readonly context: HostContext;
  readonly port: number;
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  report(): Promise<HealthReport>;
  /**
   * Graceful stop: readiness turns 503, bus consumers stop after their in-flight handlers, Nest's
   * shutdown hooks run and the HTTP server closes, then the owned resources close.
   * Idempotent. Throws when it takes longer than `shutdownTimeoutMs`.
   */
  stop(reason?: string): Promise<void>;
}

@Module({})
class HostModule {}

/**
 * Runs service modules in one Nest application with /health and /metrics: one module for a
 * standalone service, all nine for the embedded launcher. Throws (after closing what it opened)
 * when a module fails to initialise or the port is taken.
 */
export async function startHost(opts: HostOptions): Promise<RunningHost> {
  const context = new HostContext(opts.name, opts.deployment, opts.services.map((s) => s.runtime));
  const root = {
    module: HostModule,
    imports: [HealthModule.forRoot(context), MetricsModule.forRoot(opts.metrics), ...opts.services.map((s) => s.definition.module(s.runtime as never))],
  };
  const resources = opts.resources ?? [];
  let app: INestApplication | undefined;
  try {
    app = await NestFactory.create(root, { logger: new NestLoggerAdapter(opts.logger), abortOnError: false, bufferLogs: false });
    for (const s of opts.services) s.definition.configureApp?.(app, s.runtime as never);
    await app.listen(opts.port, opts.host ?? '0.0.0.0');
  } catch (e) {
    await app?.close().catch(() => undefined);
    await closeAll(resources, opts.logger);
    if ((e as NodeJS.ErrnoException)?.code === 'EADDRINUSE') {
      throw new StartupError(`Start-up failed: ${opts.portSetting ?? 'SERVICE_PORT'}=${opts.port} is already in use on ${opts.host ?? '0.0.0.0'} (another process listens there)`);
    }
    throw e;
  }
  const started = app;
  const address = started.getHttpServer().address() as AddressInfo;
  const bound = opts.host && opts.host !== '0.0.0.0' && opts.host !== '::' ? opts.host : '127.0.0.1';
  context.phase = 'running';

  let stopping: Promise<void> | undefined;
  const stop = (reason = 'stop'): Promise<void> => {
    if (!stopping) {
      stopping = withDeadline(
        (async () => {
          opts.logger.info('stopping', { reason });
          context.phase = 'stopping';
          await context.stopConsumers();
          await started.close();
          await closeAll(resources, opts.logger);
          context.phase = 'stopped';
          opts.logger.info('stopped', { reason });
        })(),
        opts.shutdownTimeoutMs,
        `shutdown did not finish within ${opts.shutdownTimeoutMs} ms (SHUTDOWN_TIMEOUT_MS)`,
      );
    }
    return stopping;
  };

  return { app: started, context, port: address.port, url: `http://${bound}:${address.port}`, report: () => context.report(), stop };
}

async function closeAll(resources: readonly OwnedResource[], logger: Logger): Promise<void> {
  for (const r of resources) {
    try {
      await r.close();
    } catch (e) {
      logger.warn('closing failed', { resource: r.name, err: e });
    }
  }
}

export async function withDeadline<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
