import * as fs from 'node:fs';
import { Command, Option } from 'commander';
import { Kafka, logLevel } from 'kafkajs';
import type { Static, TObject } from '@sinclair/typebox';
import { createBus, InProcessBus, type Bus } from '@atp/bus';
import { TOPICS, topicByName, topicName, type TopicContract } from '@atp/contracts';
import { systemClock } from '@atp/core';
import { resolveDataDir, type CandleDoc } from '@atp/market-data';
import { CANDLES } from '@atp/market-data-ccxt';
import { databaseName, loadConfig, startHost, ConfigError, type CommonConfig, type RunningHost, type ServiceDefinition } from '@atp/nest-kit';
import { createLogger, createMetrics } from '@atp/observability';
import { MemoryStore, type Store } from '@atp/storage';
import { PIPELINE_GROUPS, recordedCandleSource, repositoryCandleSource, ReplayDriver, type CandleSource, type ReplayStats } from '@atp/svc-market-feed';
import { CliError, EXIT, type CliIo } from '../io';
import { serviceByName } from '../services';
import { isoTime, openStore, parseDateOption, parseStoreSpec, parseSymbols, parseTimeframe, Progress, STORE_HELP, storeLabel } from './import';

const RUN_ID = /^[A-Za-z0-9_-]{1,64}$/;
const HOST_PORT = /^[A-Za-z0-9.-]+:[0-9]{1,5}$/;
/** The pipeline services `--bus in-process` hosts in this process (as the embedded launcher does). */
const PIPELINE = ['strategy', 'risk', 'execution', 'pnl'] as const;

interface ReplayOptions {
  runId: string;
  exchange: string;
  symbols?: string;
  timeframe: string;
  from?: string;
  to?: string;
  data?: string;
  store?: string;
  mongoUrl?: string;
  db?: string;
  lockstep?: boolean;
  speed?: string;
  asFastAsPossible?: boolean;
  bus: 'kafka' | 'in-process';
  brokers?: string;
  producerThreads?: string;
  topicRange?: string;
  sourceRunId?: string;
  stallMs: string;
  json?: boolean;
  progress: boolean;
}

/**
 * `replay`: a distributed backtest. Publishes stored (or recorded) candles of symbols and a time
 * range on md.candles.v1 under a run id with market-feed's replay driver — `--lockstep` (each
 * event time only after every pipeline group drained the previous one: deterministic),
 * `--speed N` (N x the data's pace) or `--as-fast-as-possible` — over Kafka (the pipeline runs as
 * its own processes under the same run id) or the in-process bus (this process hosts strategy,
 * risk, execution and pnl). `--topic-range` instead copies the records an existing topic holds
 * for a produce-time range into the run's topic.
 */
export function replayCommand(io: CliIo): Command {
  return new Command('replay')
    .description('Replay stored candles (or a range of an existing topic) into the pipeline under a run id: lockstep, N x speed or as fast as possible, over Kafka or in-process')
    .requiredOption('--run-id <id>', 'the run: topics run.<id>.<topic>, its own databases')
    .option('--symbols <list>', 'BASE/QUOTE symbols, comma-separated (candle replay)')
    .option('--timeframe <tf>', 'candle timeframe', '1h')
    .option('--exchange <id>', 'exchange of the stored candles', 'binance')
    .option('--from <date>', 'first open time (candles) or produce time (--topic-range): 2021-01-01, ISO 8601 or Unix ms')
    .option('--to <date>', 'end, exclusive (same forms)')
    .option('--data <dir>', 'candles from files in the recorded layout (default: DATA_DIR or ../shared/data)')
    .option('--store <store>', `candles from a store instead: ${STORE_HELP}`)
    .option('--mongo-url <url>', 'MongoDB connection string for --store mongo (default: $MONGO_URL)')
    .option('--db <name>', 'database for --store mongo (default: <MONGO_DB or atp>_market-feed)')
    .option('--lockstep', 'publish each event time after the pipeline drained the previous one (default)')
    .option('--speed <n>', 'free-running at n x the data\'s pace (3600: one hour of 1h bars per second)')
    .option('--as-fast-as-possible', 'free-running, no pacing')
    .addOption(new Option('--bus <bus>', 'kafka (the pipeline runs elsewhere) or in-process (hosted here)').choices(['kafka', 'in-process']).default('kafka'))
    .option('--brokers <host:port,...>', 'Kafka bootstrap servers (default: $KAFKA_BROKERS)')
    .option('--producer-threads <n>', 'Kafka producers in worker threads, 1-16 (default: $KAFKA_PRODUCER_THREADS or 1); 2 lifts free-running replay past one producer\'s ~40k candles/s')
    .option('--topic-range <topic>', 'copy the records of this topic (e.g. md.candles.v1) produced in [--from, --to) into the run (Kafka)')
    .option('--source-run-id <id>', 'with --topic-range: read run.<id>.<topic> instead of the live topic')
    .option('--stall-ms <ms>', 'lockstep gives up when the pipeline has not drained for this long', '120000')
    .option('--json', 'print the result as JSON')
    .option('--no-progress', 'no progress bar')
    .action(async (opts: ReplayOptions) => {
      if (!RUN_ID.test(opts.runId)) throw new CliError(`--run-id must be 1-64 characters of [A-Za-z0-9_-] (got "${opts.runId}")`, EXIT.usage);
      const modes = [opts.lockstep, opts.speed !== undefined, opts.asFastAsPossible].filter(Boolean).length;
      if (modes > 1) throw new CliError('give one of --lockstep, --speed <n>, --as-fast-as-possible', EXIT.usage);
      const speed = opts.speed !== undefined ? Number(opts.speed) : undefined;
      if (speed !== undefined && !(speed > 0)) throw new CliError(`--speed must be a number > 0 (got "${opts.speed}")`, EXIT.usage);
      const stallMs = Number(opts.stallMs);
      if (!Number.isInteger(stallMs) || stallMs < 100) throw new CliError(`--stall-ms must be an integer >= 100 (got "${opts.stallMs}")`, EXIT.usage);
      const from = opts.from !== undefined ? parseDateOption(opts.from, '--from') : undefined;
      const to = opts.to !== undefined ? parseDateOption(opts.to, '--to') : undefined;
      if (from !== undefined && to !== undefined && to <= from) throw new CliError('--to must be after --from', EXIT.usage);
      if (opts.topicRange !== undefined) return topicRange(io, opts, from, to);

      if (!opts.symbols) throw new CliError('--symbols is required (or --topic-range)', EXIT.usage);
      const symbols = parseSymbols(opts.symbols);
      const timeframe = parseTimeframe(opts.timeframe);
      if (opts.data !== undefined && opts.store !== undefined) throw new CliError('give --data or --store, not both', EXIT.usage);
      const storeSpec = opts.store !== undefined ? parseStoreSpec(opts.store, opts, io.env) : undefined;
      if (storeSpec?.kind === 'memory') throw new CliError('--store memory holds nothing to replay: use mongo or dir:PATH', EXIT.usage);
      const dataDir = opts.data ?? resolveDataDir();
      if (!storeSpec && !fs.existsSync(dataDir)) throw new CliError(`--data: no such directory ${dataDir}`);
      const mode = speed !== undefined || opts.asFastAsPossible ? 'free' : 'lockstep';

      const store: Store | undefined = storeSpec ? await openStore(storeSpec) : undefined;
      const source: CandleSource = store ? repositoryCandleSource(store.repository<CandleDoc>(CANDLES)) : recordedCandleSource(dataDir);
      const { bus, pipeline } = await openBus(io, opts);
      const observed = { intents: 0, approved: 0, rejected: 0, fills: 0, equity: null as string | null };
      const progress = new Progress(io, opts.progress);
      let stats: ReplayStats;
      try {
        // Every topic lockstep watches exists before the first lag poll (idempotent).
        await bus.ensureTopics([...new Set([TOPICS.mdCandles, ...PIPELINE_GROUPS.flatMap((g) => g.topics)])], opts.runId);
        if (pipeline) {
          await observe(bus, opts.runId, observed);
          await pipeline.start();
        }
        let bar: ReturnType<Progress['bar']> = null;
        const driver = new ReplayDriver(bus, source, {
          runId: opts.runId, exchange: opts.exchange, symbols, timeframe, from, to, mode, speed: speed ?? 'max', stallMs,
          pollMs: opts.bus === 'in-process' ? 0 : 2,
          onEventTime: (_t, i, total) => {
            bar ??= progress.bar(`replay ${opts.runId}`, total, 'event times');
            bar?.update(i + 1);
          },
        });
        try {
          stats = await driver.run();
        } catch (e) {
          throw new CliError(`replay ${opts.runId}: ${(e as Error).message}`);
        }
        if (stats.candles === 0) throw new CliError(`nothing to replay: no ${symbols.join(', ')} ${timeframe} candles${from !== undefined || to !== undefined ? ` in [${isoTime(from ?? null)}, ${isoTime(to ?? null)})` : ''} in ${store ? storeLabel(storeSpec!) : dataDir}`);
      } finally {
        progress.stop();
        await pipeline?.stop().catch(() => undefined);
        await bus.close();
        await store?.close();
      }
      const result = { runId: opts.runId, mode, speed: mode === 'free' ? (speed ?? 'max') : null, bus: opts.bus, source: store ? storeLabel(storeSpec!) : dataDir, ...stats, candlesPerSecond: Math.round(stats.candles / Math.max(stats.wallMs / 1000, 1e-3)), ...(pipeline ? { pipeline: observed } : {}) };
      if (opts.json) {
        io.out(`${JSON.stringify(result, null, 2)}\n`);
        return;
      }
      io.out(`replayed ${stats.candles} candles (${stats.eventTimes} event times) of ${symbols.join(', ')} ${timeframe} on ${topicName(TOPICS.mdCandles, opts.runId)} in ${(stats.wallMs / 1000).toFixed(1)} s (${result.candlesPerSecond} candles/s, ${mode}${mode === 'lockstep' ? `, ${stats.polls} lag polls, ${(stats.waitMs / 1000).toFixed(1)} s waiting for the pipeline` : `, speed ${speed ?? 'max'}`})\n`);
      if (pipeline) io.out(`pipeline (in-process): ${observed.intents} decision records, ${observed.approved} approved, ${observed.rejected} rejected, ${observed.fills} fills${observed.equity !== null ? `, equity ${observed.equity}` : ''}\n`);
    });
}

async function openBus(io: CliIo, opts: ReplayOptions): Promise<{ bus: Bus; pipeline: { start(): Promise<void>; stop(): Promise<void> } | null }> {
  if (opts.bus === 'in-process') {
    const bus = new InProcessBus();
    return { bus, pipeline: inProcessPipeline(io, bus, opts.runId) };
  }
  const raw = opts.brokers ?? io.env['KAFKA_BROKERS'];
  if (!raw?.trim()) throw new CliError('no Kafka brokers: pass --brokers host:port[,host:port] or set KAFKA_BROKERS (or use --bus in-process)', EXIT.usage);
  const brokers = raw.split(',').map((b) => b.trim()).filter(Boolean);
  const bad = brokers.find((b) => !HOST_PORT.test(b));
  if (bad !== undefined) throw new CliError(`--brokers / KAFKA_BROKERS must be a comma-separated list of host:port (got "${bad}")`, EXIT.usage);
  const threadsRaw = (opts.producerThreads ?? io.env['KAFKA_PRODUCER_THREADS'] ?? '1').trim();
  const producerThreads = Number(threadsRaw);
  if (!/^[0-9]+$/.test(threadsRaw) || producerThreads < 1 || producerThreads > 16) throw new CliError(`--producer-threads / KAFKA_PRODUCER_THREADS must be a whole number from 1 to 16 (got "${threadsRaw}")`, EXIT.usage);
  try {
    return { bus: await createBus({ kind: 'kafka', brokers, clientId: 'atp-cli-replay', connectDeadlineMs: 15_000, logger: () => undefined, logLevel: 'error', producerThreads }), pipeline: null };
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

/** strategy, risk, execution and pnl in this process on `bus`, each with its own memory store, under the run id. */
function inProcessPipeline(io: CliIo, bus: Bus, runId: string): { start(): Promise<void>; stop(): Promise<void> } {
  let host: RunningHost | undefined;
  return {
    async start() {
      const env = { ...io.env, BUS: 'in-process', STORE: 'memory', RUN_ID: runId, SERVICE_PORT: '0', SERVICE_HOST: '127.0.0.1', LOG_LEVEL: io.env['LOG_LEVEL'] ?? 'warn' };
      const metrics = createMetrics({ defaultMetrics: false });
      const logger = createLogger({ service: 'cli-replay', level: 'warn', sink: (line) => io.err(`${line}\n`) });
      const services = PIPELINE.map((name) => {
        const def = serviceByName(name) as ServiceDefinition<never>;
        let config: CommonConfig;
        try {
          config = loadConfig(def.config as unknown as TObject, env, def.envPrefix) as Static<TObject> as unknown as CommonConfig;
        } catch (e) {
          if (e instanceof ConfigError) throw new CliError(`${name}: ${e.message}`);
          throw e;
        }
        const svcLogger = createLogger({ service: name, level: config.LOG_LEVEL, sink: (line) => io.err(`${line}\n`) });
        return { definition: def, runtime: { name, version: def.version, config, bus, store: new MemoryStore(databaseName(config, name)), clock: systemClock, logger: svcLogger, metrics } };
      });
      host = await startHost({ name: 'cli-replay', deployment: 'embedded', services, port: 0, host: '127.0.0.1', logger, metrics, shutdownTimeoutMs: 30_000 });
    },
    async stop() {
      await host?.stop('replay done');
    },
  };
}

/** Counts what the in-process pipeline produced (a group of its own on the run's topics). */
async function observe(bus: Bus, runId: string, o: { intents: number; approved: number; rejected: number; fills: number; equity: string | null }): Promise<void> {
  const group = 'cli-replay-observer';
  await bus.subscribe({ contract: TOPICS.ordersIntents, group, runId }, () => void o.intents++);
  await bus.subscribe({ contract: TOPICS.ordersApproved, group, runId }, () => void o.approved++);
  await bus.subscribe({ contract: TOPICS.ordersRejected, group, runId }, () => void o.rejected++);
  await bus.subscribe({ contract: TOPICS.fills, group, runId }, () => void o.fills++);
  await bus.subscribe({ contract: TOPICS.pnl, group, runId }, (m) => {
    o.equity = (m.value as { equity?: string }).equity ?? o.equity;
  });
}

/** `--topic-range`: copies the records `topic` got in [from, to) (produce time) into run.<id>.<topic>, keys and order kept. */
async function topicRange(io: CliIo, opts: ReplayOptions, from: number | undefined, to: number | undefined): Promise<void> {
  if (opts.bus !== 'kafka') throw new CliError('--topic-range reads a Kafka topic: use --bus kafka', EXIT.usage);
  if (opts.symbols || opts.store || opts.data) throw new CliError('--topic-range copies a topic: --symbols, --store and --data do not apply', EXIT.usage);
  if (opts.sourceRunId !== undefined && !RUN_ID.test(opts.sourceRunId)) throw new CliError(`--source-run-id must be 1-64 characters of [A-Za-z0-9_-] (got "${opts.sourceRunId}")`, EXIT.usage);
  if (opts.sourceRunId === opts.runId) throw new CliError('--source-run-id and --run-id must differ', EXIT.usage);
  const contract = topicByName(opts.topicRange!) as TopicContract | undefined;
  if (!contract) throw new CliError(`--topic-range: unknown topic "${opts.topicRange}" (see \`atp topics list\`)`, EXIT.usage);
  const { bus } = await openBus(io, opts);
  const source = topicName(contract, opts.sourceRunId);
  const brokers = (opts.brokers ?? io.env['KAFKA_BROKERS'])!.split(',').map((b) => b.trim()).filter(Boolean);
  const admin = new Kafka({ clientId: 'atp-cli-replay-admin', brokers, logLevel: logLevel.NOTHING }).admin();
  let copied = 0;
  const t0 = Date.now();
  try {
    await admin.connect();
    if (!(await admin.listTopics()).includes(source)) throw new CliError(`topic ${source} does not exist`);
    // What [from, to) holds: per partition, the first offset at/after `from` up to the first at/after `to`.
    const marks = await admin.fetchTopicOffsets(source);
    const starts = from !== undefined ? await admin.fetchTopicOffsetsByTimestamp(source, from) : marks.map((m) => ({ partition: m.partition, offset: m.low }));
    const ends = to !== undefined ? await admin.fetchTopicOffsetsByTimestamp(source, to) : marks.map((m) => ({ partition: m.partition, offset: m.high }));
    const high = new Map(marks.map((m) => [m.partition, BigInt(m.high)]));
    const off = (x: string, p: number) => (BigInt(x) < 0n ? high.get(p)! : BigInt(x));
    let expected = 0n;
    for (const s of starts) {
      const e = ends.find((x) => x.partition === s.partition)!;
      const d = off(e.offset, s.partition) - off(s.offset, s.partition);
      if (d > 0n) expected += d;
    }
    await bus.ensureTopics([contract], opts.runId);
    const sub = await bus.replay(
      { contract, group: `atp-cli-replay-${opts.runId}-${Date.now().toString(36)}`, runId: opts.sourceRunId, ...(from !== undefined ? { fromTime: from } : { fromOffsets: Object.fromEntries(starts.map((s) => [s.partition, s.offset])) }), ...(to !== undefined ? { toTime: to } : {}) },
      async (m) => {
        await bus.publish(contract, m.value as never, { runId: opts.runId, headers: m.headers });
        copied++;
      },
    );
    const deadline = Date.now() + Number(opts.stallMs);
    let last = -1;
    let lastChange = Date.now();
    while (BigInt(copied) < expected) {
      if (copied !== last) {
        last = copied;
        lastChange = Date.now();
      } else if (Date.now() - lastChange > Number(opts.stallMs) || Date.now() > deadline + 3_600_000) {
        await sub.close();
        throw new CliError(`--topic-range: copied ${copied} of ${expected} records, then nothing for ${opts.stallMs} ms`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    await sub.close();
  } finally {
    await admin.disconnect().catch(() => undefined);
    await bus.close();
  }
  const result = { runId: opts.runId, source, target: topicName(contract, opts.runId), from: from ?? null, to: to ?? null, records: copied, wallMs: Date.now() - t0 };
  if (opts.json) io.out(`${JSON.stringify(result, null, 2)}\n`);
  else io.out(`copied ${copied} records of ${source}${from !== undefined || to !== undefined ? ` produced in [${isoTime(from ?? null)}, ${isoTime(to ?? null)})` : ''} to ${result.target} in ${(result.wallMs / 1000).toFixed(1)} s\n`);
}
