/**
 * Features service bench: throughput of the features service (the real Nest module, its bus
 * handler, the in-process bus and a memory store) for default-v1 on the recorded Binance BTC/USDT
 * 5m candles (../shared/data/binance-spot, 65,741 bars): candles published -> vectors received, in
 * wall time and in this process's CPU time (the machine is shared). Next to it, the parts: the
 * service's core alone (`FeaturesCore.apply`: indicators + vector building + event id), the snapshot
 * saved after every bar (state + memory-store write), and the backtester's `FeatureComputer` (the
 * same indicator code without vectors or ids): the floor.
 */
import type { Static, TObject } from '@sinclair/typebox';
import { InProcessBus } from '@atp/bus';
import { TOPICS, type CandleEvent } from '@atp/contracts';
import { systemClock } from '@atp/core';
import { featureSet } from '@atp/indicators';
import { toCandleEvent } from '@atp/market-data';
import { databaseName, loadConfig, startHost, type CommonConfig, type ServiceDefinition } from '@atp/nest-kit';
import { createLogger, createMetrics, memorySink } from '@atp/observability';
import { MemoryStore } from '@atp/storage';
import { FeatureComputer, FeatureLayout } from '@atp/strategies';
import { FeaturesCore, featuresService, SNAPSHOT_PREFIX, streamKey } from '@atp/svc-features';
import { loadRecordedOhlcv } from '@atp/testing';
import { printTable } from './table';

const RUN_ID = 'bench-features';

function candles(): CandleEvent[] {
  return loadRecordedOhlcv('BTC', '5m').map((r) =>
    toCandleEvent({ exchange: 'binance', symbol: 'BTC/USDT', timeframe: '5m' }, { openTime: r[0]!, open: r[1]!, high: r[2]!, low: r[3]!, close: r[4]!, volume: r[5]! }, { closed: true, tsInit: 0, source: 'bench' }),
  );
}

function cpuMs(t0: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
}

async function serviceRun(cs: CandleEvent[]): Promise<{ wallMs: number; cpuMs: number; vectors: number }> {
  const bus = new InProcessBus();
  const def = featuresService as unknown as ServiceDefinition<never>;
  const env = { BUS: 'in-process', STORE: 'memory', RUN_ID, LOG_LEVEL: 'warn', SERVICE_PORT: '0', SERVICE_HOST: '127.0.0.1', FEATURE_SETS: 'default-v1' };
  const config = loadConfig(def.config as unknown as TObject, env, def.envPrefix) as Static<TObject> as unknown as CommonConfig;
  const metrics = createMetrics({ defaultMetrics: false });
  const logger = createLogger({ service: def.name, level: 'warn', sink: memorySink() });
  const host = await startHost({
    name: 'bench',
    deployment: 'embedded',
    services: [{ definition: def, runtime: { name: def.name, version: def.version, config, bus, store: new MemoryStore(databaseName(config, def.name)), clock: systemClock, logger, metrics } }],
    port: 0,
    host: '127.0.0.1',
    logger,
    metrics,
    resources: [{ name: 'bus', close: () => bus.close() }],
    shutdownTimeoutMs: 30_000,
  });
  let vectors = 0;
  let done!: () => void;
  const all = new Promise<void>((r) => (done = r));
  const sub = await bus.subscribe({ contract: TOPICS.features, group: 'bench-collect', runId: RUN_ID }, () => {
    if (++vectors === cs.length) done();
  });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < cs.length; i += 5000) await bus.publishBatch(TOPICS.mdCandles, cs.slice(i, i + 5000), { runId: RUN_ID });
  await all;
  const res = { wallMs: performance.now() - t0, cpuMs: cpuMs(c0), vectors };
  await sub.close();
  await host.stop('bench');
  return res;
}

export async function run(): Promise<void> {
  const cs = candles();
  const n = cs.length;
  const set = featureSet('default-v1');

  // the floor: the backtester's feature computation (same indicators, a Float64Array per bar)
  let c0 = process.cpuUsage();
  let t0 = performance.now();
  const fc = new FeatureComputer(new FeatureLayout(set.specs));
  for (const c of cs) fc.update(c, false);
  const floor = { wallMs: performance.now() - t0, cpuMs: cpuMs(c0) };

  // the service's core alone: indicators + vector objects + deterministic event ids
  const core = new FeaturesCore([set], systemClock);
  core.load(cs[0]!, null);
  c0 = process.cpuUsage();
  t0 = performance.now();
  for (const c of cs) core.apply(c);
  const coreOnly = { wallMs: performance.now() - t0, cpuMs: cpuMs(c0) };

  // the snapshot after every bar: state (20 indicators) + memory-store write
  const snaps = new MemoryStore('bench').snapshots(SNAPSHOT_PREFIX);
  const key = streamKey(cs[0]!);
  const m = 10_000;
  c0 = process.cpuUsage();
  t0 = performance.now();
  for (let i = 0; i < m; i++) await snaps.save({ _id: key, version: 1, position: String(i), state: core.state(key), savedAt: 0 });
  const snap = { wallMs: ((performance.now() - t0) * n) / m, cpuMs: (cpuMs(c0) * n) / m };
  const bytes = JSON.stringify(core.state(key)).length;

  const svc = await serviceRun(cs);
  if (svc.vectors !== n) throw new Error(`expected ${n} vectors, got ${svc.vectors}`);

  const row = (name: string, r: { wallMs: number; cpuMs: number }) => [name, n, r.wallMs / 1000, r.cpuMs / 1000, Math.round(n / (r.wallMs / 1000)), Math.round(n / (r.cpuMs / 1000)), (r.cpuMs * 1000) / n];
  console.log(`\nfeatures: default-v1 (${set.specs.length} indicators, ${fc.layout.columns.length} columns) on recorded BTC/USDT 5m, ${n} candles; snapshot ${bytes} bytes of JSON`);
  printTable(
    ['what', 'candles', 'wall s', 'CPU s', 'candles/s (wall)', 'candles/s (CPU)', 'CPU us/candle'],
    [
      row('features service, in-process bus + memory store (candles -> vectors)', svc),
      row('  part: FeaturesCore.apply (indicators + vector + event id)', coreOnly),
      row('  part: snapshot after each bar (getState + memory-store save)', snap),
      row('floor: backtester FeatureComputer.update (same indicators)', floor),
    ],
  );
  console.log(`service: ${Math.round(svc.vectors / (svc.wallMs / 1000))} vectors/s (one default-v1 vector per candle)`);
}
