import type { Bus, BusMessage } from '@atp/bus';
import type { TopicContract } from '@atp/contracts';
import { systemClock, type Clock } from '@atp/core';
import { createLogger, createMetrics, memorySink } from '@atp/observability';
import { loadConfig, startHost, type RunningHost, type ServiceDefinition } from '@atp/nest-kit';
import { MemoryStore, type Store } from '@atp/storage';
import type { Static, TSchema } from '@sinclair/typebox';
import { version } from '../../package.json';
import { marketFeedConfig, type MarketFeedConfig } from '../config';
import { marketFeedService } from '../market-feed.module';
import { MarketFeedRunner } from '../market-feed.runner';

export interface FeedHost {
  readonly host: RunningHost;
  readonly runner: MarketFeedRunner;
  readonly store: Store;
  readonly config: MarketFeedConfig;
  readonly logs: ReturnType<typeof memorySink>;
  stop(): Promise<void>;
}

/**
 * market-feed's module on its own host (as main.ts runs it, minus the bus/store creation): config
 * from `env` over test defaults (HTTP port 0 on 127.0.0.1, memory store), on the given bus.
 */
export async function startFeedHost(bus: Bus, env: Record<string, string>, opts: { store?: Store; clock?: Clock } = {}): Promise<FeedHost> {
  const config = loadConfig(marketFeedConfig, { BUS: 'in-process', STORE: 'memory', SERVICE_PORT: '0', SERVICE_HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env }) as MarketFeedConfig;
  const logs = memorySink();
  const logger = createLogger({ service: 'market-feed', level: config.LOG_LEVEL, sink: logs });
  const metrics = createMetrics({ defaultMetrics: false });
  const store = opts.store ?? new MemoryStore('market_feed_test');
  const runtime = { name: 'market-feed', version, config, bus, store, clock: opts.clock ?? systemClock, logger, metrics };
  const host = await startHost({
    name: 'market-feed',
    deployment: 'standalone',
    services: [{ definition: marketFeedService as unknown as ServiceDefinition<never>, runtime }],
    port: 0,
    host: '127.0.0.1',
    logger,
    metrics,
    shutdownTimeoutMs: 20_000,
  });
  return { host, runner: host.app.get(MarketFeedRunner, { strict: false }), store, config, logs, stop: () => host.stop('test') };
}

/** Collects the values of a topic through a consumer group of its own. */
export async function collect<S extends TSchema>(bus: Bus, contract: TopicContract<S>, runId?: string, group = `test-${contract.name}`): Promise<{ values: Static<S>[]; messages: BusMessage<Static<S>>[]; close(): Promise<void> }> {
  const values: Static<S>[] = [];
  const messages: BusMessage<Static<S>>[] = [];
  const sub = await bus.subscribe({ contract, group, runId }, (m) => {
    values.push(m.value);
    messages.push(m);
  });
  return { values, messages, close: () => sub.close() };
}
