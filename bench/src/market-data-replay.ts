/**
 * Replay throughput for bench/src/market-data.ts: stored candles published free-running (as fast
 * as possible) on md.candles.v1 through Kafka by market-feed's replay driver, under a fresh run id.
 * Kafka: KAFKA_BROKERS, else a private broker this bench starts with infra/kafka/start.sh (and
 * stops). The run's topics are deleted afterwards.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { createBus } from '@atp/bus';
import { TOPICS, topicName } from '@atp/contracts';
import type { Timeframe } from '@atp/core';
import { fromCandleDoc, type CandleDoc } from '@atp/market-data';
import { ReplayDriver, type CandleSource } from '@atp/svc-market-feed';

const ROOT = path.resolve(__dirname, '../..');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function kafkaForBench(): Promise<{ brokers: string[]; note: string; stop: () => void }> {
  const env = process.env.KAFKA_BROKERS;
  if (env) return { brokers: env.split(',').map((b) => b.trim()).filter(Boolean), note: 'KAFKA_BROKERS', stop: () => undefined };
  const runDir = mkdtempSync(path.join(tmpdir(), 'md-bench-kafka-'));
  const [port, controller] = [await freePort(), await freePort()];
  const e = { ...process.env, ATP_RUN_DIR: runDir, KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(controller) };
  const r = spawnSync('bash', [path.join(ROOT, 'infra/kafka/start.sh')], { env: e, encoding: 'utf8', timeout: 900_000 });
  if (r.status !== 0) throw new Error(`could not start Kafka for the bench: ${r.stderr}`);
  return {
    brokers: [`127.0.0.1:${port}`],
    note: `private Kafka on port ${port}`,
    stop: () => {
      spawnSync('bash', [path.join(ROOT, 'infra/kafka/stop.sh')], { env: e, encoding: 'utf8', timeout: 120_000 });
      rmSync(runDir, { recursive: true, force: true });
    },
  };
}

export interface ReplayBenchResult {
  candles: number;
  eventTimes: number;
  /** The replay driver, free-running at speed `max`. */
  seconds: number;
  /**
   * The same events published by this bench with up to 4,096 event times in flight (the produce
   * queue coalesces them into large requests, FIFO so per-key order holds): the bus's ceiling.
   */
  pipelinedSeconds: number;
  /** The same events in publishBatch calls of 5,000 candles (consecutive event times together). */
  chunkedSeconds: number;
  note: string;
}

/**
 * Publishes `docs` (one or more series of one timeframe) free-running through Kafka; wall-clock
 * rate. `producerThreads` >= 2: the bus's producer pool (KAFKA_PRODUCER_THREADS).
 */
export async function benchReplay(docs: readonly CandleDoc[], timeframe: Timeframe, producerThreads = 1): Promise<ReplayBenchResult> {
  const k = await kafkaForBench();
  const runId = `bench-md-${process.pid}-${Date.now().toString(36)}`;
  const bus = await createBus({ kind: 'kafka', brokers: k.brokers, clientId: 'bench-md-replay', logger: () => undefined, logLevel: 'error', producerThreads });
  try {
    await bus.ensureTopics([TOPICS.mdCandles], runId);
    const bySymbol = new Map<string, CandleDoc[]>();
    for (const d of docs) {
      let l = bySymbol.get(d.symbol);
      if (!l) bySymbol.set(d.symbol, (l = []));
      l.push(d);
    }
    const source: CandleSource = { load: async (_e, symbol) => (bySymbol.get(symbol) ?? []).map(fromCandleDoc) };
    // Warm-up (JIT of the bus, kafkajs and the producer threads; connections): the same replay
    // under a scratch run id, not timed.
    await bus.ensureTopics([TOPICS.mdCandles], `${runId}-w`);
    await new ReplayDriver(bus, source, { runId: `${runId}-w`, exchange: docs[0]!.exchange, symbols: [...bySymbol.keys()], timeframe, mode: 'free', speed: 'max' }).run();
    const driver = new ReplayDriver(bus, source, { runId, exchange: docs[0]!.exchange, symbols: [...bySymbol.keys()], timeframe, mode: 'free', speed: 'max' });
    const stats = await driver.run();
    const times = await new ReplayDriver(bus, source, { runId: `${runId}-p`, exchange: docs[0]!.exchange, symbols: [...bySymbol.keys()], timeframe, mode: 'free' }).eventTimes();
    await bus.ensureTopics([TOPICS.mdCandles], `${runId}-p`);
    const t0 = performance.now();
    let inFlight: Promise<void>[] = [];
    for (const { candles } of times) {
      inFlight.push(bus.publishBatch(TOPICS.mdCandles, candles, { runId: `${runId}-p` }));
      if (inFlight.length >= 4096) {
        await Promise.all(inFlight);
        inFlight = [];
      }
    }
    await Promise.all(inFlight);
    const pipelinedSeconds = (performance.now() - t0) / 1000;
    await bus.ensureTopics([TOPICS.mdCandles], `${runId}-c`);
    const all = times.flatMap((t) => t.candles);
    const t1 = performance.now();
    for (let i = 0; i < all.length; i += 5000) await bus.publishBatch(TOPICS.mdCandles, all.slice(i, i + 5000), { runId: `${runId}-c` });
    const chunkedSeconds = (performance.now() - t1) / 1000;
    return { candles: stats.candles, eventTimes: stats.eventTimes, seconds: stats.wallMs / 1000, pipelinedSeconds, chunkedSeconds, note: k.note };
  } finally {
    await bus.close();
    const admin = new Kafka({ clientId: 'bench-md-cleanup', brokers: k.brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const names = [runId, `${runId}-w`, `${runId}-p`, `${runId}-c`].map((r) => topicName(TOPICS.mdCandles, r));
    await admin.deleteTopics({ topics: [...names, ...names.map((n) => `${n}.dlq`)] }).catch(() => undefined);
    await admin.disconnect();
    k.stop();
  }
}
