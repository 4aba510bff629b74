// Test support (not exported from index): the features service over an in-process bus and a
// memory store, the recorded candles as md.candles.v1 events, and the backtester's own feature
// computation (`FeatureComputer`) for the same candles as the reference.
import type { Static, TObject } from '@sinclair/typebox';
import { InProcessBus, type Bus } from '@atp/bus';
import { deadLetterTopic } from '@atp/bus';
import { mdCandlesV1, TOPICS, type CandleEvent, type DeadLetter, type FeatureVectorEvent } from '@atp/contracts';
import { systemClock, timeframeMs, type Timeframe } from '@atp/core';
import { featureSet } from '@atp/indicators';
import { toCandleEvent } from '@atp/market-data';
import { databaseName, loadConfig, startHost, type CommonConfig, type RunningHost, type ServiceDefinition } from '@atp/nest-kit';
import { createLogger, createMetrics, memorySink, type Metrics } from '@atp/observability';
import { MemoryStore, type Store } from '@atp/storage';
import { FeatureComputer, FeatureLayout } from '@atp/strategies';
import { loadRecordedOhlcv } from '@atp/testing';
import { FeaturesHandlers } from './features.handlers';
import { featuresService } from './features.module';

/** Recorded Binance spot candles (../shared/data/binance-spot) as closed md.candles.v1 events. */
export function recordedCandles(base: string, timeframe: Timeframe, n = Infinity): CandleEvent[] {
  const rows = loadRecordedOhlcv(base, timeframe);
  return rows.slice(0, Math.min(n, rows.length)).map((r) =>
    toCandleEvent({ exchange: 'binance', symbol: `${base}/USDT`, timeframe }, { openTime: r[0]!, open: r[1]!, high: r[2]!, low: r[3]!, close: r[4]!, volume: r[5]! }, { closed: true, tsInit: 0, source: 'test' }),
  );
}

/** What the backtester computes for a set over these candles: values (NaN = warm-up), stable and gap flags per bar. */
export function backtesterFeatures(setName: string, candles: readonly CandleEvent[]): { columns: readonly string[]; rows: { openTime: number; values: Float64Array; stable: boolean; gapBefore: boolean }[] } {
  const fc = new FeatureComputer(new FeatureLayout(featureSet(setName).specs));
  const rows: { openTime: number; values: Float64Array; stable: boolean; gapBefore: boolean }[] = [];
  let prev = -1;
  let n = 0;
  for (const c of candles) {
    const tf = timeframeMs(c.timeframe);
    n++;
    // The engine's gap rule: barCount > 1 && openTime - prevOpen > tf.
    const gap = n > 1 && c.openTime - prev > tf;
    fc.update({ openTime: c.openTime, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume }, gap);
    rows.push({ openTime: c.openTime, values: Float64Array.from(fc.values), stable: fc.stable, gapBefore: fc.gapBefore });
    prev = c.openTime;
  }
  return { columns: fc.layout.columns, rows };
}

export interface FeaturesHarness {
  readonly bus: Bus;
  readonly host: RunningHost;
  readonly store: Store;
  readonly metrics: Metrics;
  readonly logs: ReturnType<typeof memorySink>;
  readonly handlers: FeaturesHandlers;
  stop(): Promise<void>;
}

/** The features service in this process over `bus` (default: a new in-process bus) and `store` (default: a new memory store). */
export async function startFeatures(opts: { runId: string; env?: Record<string, string>; bus?: Bus; store?: Store }): Promise<FeaturesHarness> {
  const bus = opts.bus ?? new InProcessBus();
  const env: Record<string, string> = { BUS: 'in-process', STORE: 'memory', RUN_ID: opts.runId, LOG_LEVEL: 'info', SERVICE_PORT: '0', SERVICE_HOST: '127.0.0.1', ...opts.env };
  const def = featuresService as unknown as ServiceDefinition<never>;
  const config = loadConfig(def.config as unknown as TObject, env, def.envPrefix) as Static<TObject> as unknown as CommonConfig;
  const store = opts.store ?? new MemoryStore(databaseName(config, def.name));
  const logs = memorySink();
  const metrics = createMetrics({ defaultMetrics: false });
  const logger = createLogger({ service: def.name, level: config.LOG_LEVEL, sink: logs });
  const host = await startHost({
    name: 'features-test',
    deployment: 'embedded',
    services: [{ definition: def, runtime: { name: def.name, version: def.version, config, bus, store, clock: systemClock, logger, metrics } }],
    port: 0,
    host: '127.0.0.1',
    logger,
    metrics,
    resources: [],
    shutdownTimeoutMs: 30_000,
  });
  return { bus, host, store, metrics, logs, handlers: host.app.get(FeaturesHandlers, { strict: false }), stop: () => host.stop('test') };
}

/** Collects features.v1 vectors (by event id: a re-published vector replaces itself) and md.candles.v1 dead letters. */
export async function collectOutputs(bus: Bus, runId: string) {
  const vectors = new Map<string, FeatureVectorEvent>();
  let published = 0;
  const dead: DeadLetter[] = [];
  const subs = [
    await bus.subscribe({ contract: TOPICS.features, group: 'test-collect', runId }, (m) => {
      published++;
      vectors.set(m.value.eventId, m.value);
    }),
    await bus.subscribe({ contract: deadLetterTopic(mdCandlesV1), group: 'test-dlq', runId }, (m) => void dead.push(m.value)),
  ];
  return {
    vectors,
    dead,
    published: () => published,
    /** Vectors of one set in open-time order. */
    ordered: (set: string) => [...vectors.values()].filter((v) => v.featureSet === set).sort((a, b) => a.openTime - b.openTime),
    close: () => Promise.all(subs.map((s) => s.close())),
  };
}

/** Value of a Prometheus counter series (0 when absent). */
export async function counterValue(metrics: Metrics, name: string, labels: Record<string, string>): Promise<number> {
  const m = metrics.registry.getSingleMetric(`atp_${name}`);
  if (!m) return 0;
  const { values } = await m.get();
  const v = values.find((x) => Object.entries(labels).every(([k, l]) => x.labels[k] === l));
  return v?.value ?? 0;
}
