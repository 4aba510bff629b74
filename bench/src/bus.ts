/**
 * Bus bench: the in-process bus and the Kafka bus side by side on real `md.candles.v1` values
 * (Binance 5m candles of BTC, ETH, XRP, ADA from DATA_DIR, ../shared/data), with plain kafkajs
 * (same broker, same bytes and headers, no bus layer) as the named baseline of the Kafka rows.
 *
 * - throughput: N candles through publishBatch; produce only, consume a backlog (fresh group), and
 *   end to end with the consumer running while publishing (msgs/s from the first publish to the
 *   last handled message; each publishBatch awaited before the next, and with 3 calls in flight as
 *   a replay or a feed publishes), plus the process CPU time per message (this machine is shared:
 *   CPU time is steadier than wall time); for the single producer, the 2-thread producer pool and
 *   the producer in a worker thread;
 * - latency: publish -> handle per message, p50/p99: back to back (in-process) and paced at
 *   1k msgs/s, one publish call per message (the target row is the default single producer; the
 *   producer-thread rows show what those throughput settings cost in latency).
 *
 * Targets: Kafka p99 < 10 ms at 1k msgs/s; >= 50k msgs/s. Timing: performance.now() only.
 * Kafka: KAFKA_BROKERS, else infra/up.sh is run to start the local broker, else "not measured".
 *
 * Run: `npm run bench -- bus` or `node -r ./tools/register.cjs bench/src/bus-main.ts`
 * (BUS_BENCH_N=messages for the throughput rows, default 100000).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { buildHeaders, encode, mdCandlesV1, topicName, type CandleEvent } from '@atp/contracts';
import { InProcessBus, KafkaBus, runIdOfTopic, wireHeaders, type Bus, type BusMessage } from '@atp/bus';
import { Kafka, logLevel, Partitioners, type Message, type Producer } from 'kafkajs';
import { printTable, type Cell } from './table';

const REPO = path.resolve(__dirname, '../..');
const DATA_DIR = process.env.DATA_DIR ?? path.resolve(REPO, '../shared/data');
const FIVE_MIN = 300_000;
const PACED_RATE = 1000;

/** Real candles, interleaved across the four symbols as a live feed delivers them. */
function loadCandles(limit: number): CandleEvent[] {
  const bases = ['BTC', 'ETH', 'XRP', 'ADA'];
  const series = bases.map((b) => JSON.parse(readFileSync(path.join(DATA_DIR, 'binance-spot', `${b}_USDT-5m.json`), 'utf8')) as number[][]);
  const out: CandleEvent[] = [];
  for (let i = 0; out.length < limit; i++) {
    let any = false;
    for (let s = 0; s < series.length && out.length < limit; s++) {
      const row = series[s][i];
      if (!row) continue;
      any = true;
      const [openTime, open, high, low, close, volume] = row;
      out.push({
        eventId: `binance:${bases[s]}/USDT:5m:${openTime}`,
        tsEvent: openTime + FIVE_MIN,
        tsInit: openTime + FIVE_MIN,
        source: 'bench',
        exchange: 'binance',
        symbol: `${bases[s]}/USDT`,
        timeframe: '5m',
        openTime,
        open,
        high,
        low,
        close,
        volume,
        closed: true,
      });
    }
    if (!any) break;
  }
  return out;
}

interface Row {
  bus: string;
  test: string;
  messages: number;
  msgsPerSec?: number;
  cpuUsPerMsg?: number;
  p50?: number;
  p99?: number;
  /** The comparable baseline row (same test) for the ratio column. */
  baselineOf?: string;
  note?: string;
}

const uniq = () => `bench${Date.now().toString(36)}${process.pid.toString(36)}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Wall and process CPU time of `fn`, CPU in µs. */
async function measure(fn: () => Promise<void>): Promise<{ secs: number; cpuUs: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const c = process.cpuUsage(c0);
  return { secs: (performance.now() - t0) / 1000, cpuUs: c.user + c.system };
}

function percentiles(lat: number[]): { p50: number; p99: number } {
  const s = Float64Array.from(lat).sort();
  const at = (p: number) => (s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN);
  return { p50: at(50), p99: at(99) };
}

/** A counter that resolves when it reaches `n`, remembering when. */
function countTo(n: number) {
  let count = 0;
  let doneAt = 0;
  let done!: () => void;
  const reached = new Promise<void>((r) => (done = r));
  return {
    reached,
    get doneAt() {
      return doneAt;
    },
    tick() {
      if (++count === n) {
        doneAt = performance.now();
        done();
      }
    },
  };
}

/** Publishes `total` messages at `rate`/s, one call each, checking the schedule every millisecond. */
async function paced(rate: number, total: number, publishOne: (i: number) => Promise<void>, first = 0): Promise<void> {
  const start = performance.now();
  const pending: Promise<void>[] = [];
  let i = 0;
  while (i < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
    while (i < due) pending.push(publishOne(first + i++));
    await sleep(1);
  }
  await Promise.all(pending);
}

// ---------------------------------------------------------------- the Bus (either implementation)

async function busThroughputEndToEnd(bus: Bus, label: string, candles: CandleEvent[], chunk: number, asyncHandler: boolean, inFlight = 1): Promise<Row> {
  const runId = uniq();
  await bus.ensureTopics([mdCandlesV1], runId);
  const counter = countTo(candles.length);
  const onMessage = () => counter.tick();
  const sub = await bus.subscribe({ contract: mdCandlesV1, group: 'bench-e2e', runId }, asyncHandler ? async () => onMessage() : onMessage);
  const t0 = performance.now();
  const { cpuUs } = await measure(async () => {
    // up to `inFlight` publishBatch calls outstanding (1: each awaited before the next)
    const pending: Promise<void>[] = [];
    for (let i = 0; i < candles.length; i += chunk) {
      pending.push(bus.publishBatch(mdCandlesV1, candles.slice(i, i + chunk), { runId }));
      if (pending.length >= inFlight) await pending.shift();
    }
    await Promise.all(pending);
    await counter.reached;
  });
  await sub.close();
  return {
    bus: label,
    test: `end to end, publishBatch x${chunk}${inFlight > 1 ? `, ${inFlight} in flight` : ''}, ${asyncHandler ? 'async' : 'sync'} handler`,
    messages: candles.length,
    msgsPerSec: candles.length / ((counter.doneAt - t0) / 1000),
    cpuUsPerMsg: cpuUs / candles.length,
  };
}

async function busProduce(bus: Bus, label: string, candles: CandleEvent[], chunk: number, runId: string): Promise<Row> {
  await bus.ensureTopics([mdCandlesV1], runId);
  const { secs, cpuUs } = await measure(async () => {
    for (let i = 0; i < candles.length; i += chunk) await bus.publishBatch(mdCandlesV1, candles.slice(i, i + chunk), { runId });
  });
  return { bus: label, test: `produce only, publishBatch x${chunk}`, messages: candles.length, msgsPerSec: candles.length / secs, cpuUsPerMsg: cpuUs / candles.length, baselineOf: 'produce' };
}

/** Produce only, with up to `inFlight` publishBatch calls outstanding (how a replay or a feed publishes). */
async function busProduceInFlight(bus: Bus, label: string, candles: CandleEvent[], chunk: number, inFlight: number, runId: string): Promise<Row> {
  await bus.ensureTopics([mdCandlesV1], runId);
  const { secs, cpuUs } = await measure(async () => {
    const pending: Promise<void>[] = [];
    for (let i = 0; i < candles.length; i += chunk) {
      pending.push(bus.publishBatch(mdCandlesV1, candles.slice(i, i + chunk), { runId }));
      if (pending.length >= inFlight) await pending.shift();
    }
    await Promise.all(pending);
  });
  return { bus: label, test: `produce only, publishBatch x${chunk}, ${inFlight} in flight`, messages: candles.length, msgsPerSec: candles.length / secs, cpuUsPerMsg: cpuUs / candles.length };
}

async function busConsumeBacklog(bus: Bus, label: string, n: number, runId: string): Promise<Row> {
  const counter = countTo(n);
  let subscribed = 0;
  const { cpuUs } = await measure(async () => {
    const sub = await bus.subscribe({ contract: mdCandlesV1, group: `bench-backlog-${uniq()}`, runId }, () => counter.tick());
    subscribed = performance.now();
    await counter.reached;
    await sub.close();
  });
  return { bus: label, test: 'consume a backlog (fresh group), sync handler', messages: n, msgsPerSec: n / ((counter.doneAt - subscribed) / 1000), cpuUsPerMsg: cpuUs / n, baselineOf: 'consume' };
}

async function busLatency(bus: Bus, label: string, candles: CandleEvent[], opts: { rate?: number; seconds?: number; warmupSeconds?: number; count?: number }): Promise<Row> {
  const runId = uniq();
  await bus.ensureTopics([mdCandlesV1], runId);
  const sentAt = new Map<string, number>();
  const lat: number[] = [];
  let measuring = false;
  let received = 0;
  const sub = await bus.subscribe({ contract: mdCandlesV1, group: 'bench-lat', runId }, (m: BusMessage<CandleEvent>) => {
    const t = sentAt.get(m.value.eventId);
    if (t !== undefined && measuring) lat.push(performance.now() - t);
    sentAt.delete(m.value.eventId);
    received++;
  });
  const publishOne = (i: number) => {
    const base = candles[i % candles.length];
    const c = { ...base, eventId: `${base.eventId}#${i}` };
    sentAt.set(c.eventId, performance.now());
    return bus.publish(mdCandlesV1, c, { runId });
  };
  let sent = 0;
  // This process's own event-loop delay while measuring: on the shared machine a starved process
  // (delay p99 of tens of ms) cannot show a latency below it, whatever the bus does.
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  if (opts.rate === undefined) {
    for (let i = 0; i < 1000; i++) await publishOne(sent++); // warm-up
    measuring = true;
    loopDelay.enable();
    for (let i = 0; i < (opts.count ?? 10_000); i++) await publishOne(sent++);
  } else {
    const warm = Math.round(opts.rate * (opts.warmupSeconds ?? 1));
    await paced(opts.rate, warm, publishOne, sent);
    sent += warm;
    measuring = true;
    loopDelay.enable();
    const total = Math.round(opts.rate * (opts.seconds ?? 10));
    await paced(opts.rate, total, publishOne, sent);
    sent += total;
  }
  loopDelay.disable();
  const deadline = performance.now() + 30_000;
  while (received < sent && performance.now() < deadline) await sleep(5);
  await sub.close();
  const loop = `event-loop delay p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms, load ${os.loadavg()[0]!.toFixed(1)}`;
  return {
    bus: label,
    test: opts.rate === undefined ? 'latency, back to back' : `latency, paced ${opts.rate} msgs/s for ${opts.seconds ?? 10} s`,
    messages: lat.length,
    ...percentiles(lat),
    baselineOf: opts.rate === undefined ? undefined : 'latency',
    note: received < sent ? `${sent - received} not received within 30 s; ${loop}` : loop,
  };
}

// ---------------------------------------------------------------- plain kafkajs, the baseline

/** The same records the bus writes: encoded value, key, and the contract headers as on the wire (wireHeaders). */
function rawMessages(candles: CandleEvent[], topic: string): Message[] {
  return candles.map((c) => ({
    key: mdCandlesV1.key(c),
    value: encode(mdCandlesV1, c),
    headers: wireHeaders(buildHeaders({ schemaVersion: 1, eventTime: c.tsEvent, eventId: c.eventId, runId: runIdOfTopic(topic) }), c.eventId, topic),
  }));
}


async function kafkajsLatency(kafka: Kafka, producer: Producer, topic: string, candles: CandleEvent[], label: string, how: string): Promise<Row> {
  const sentAt = new Map<string, number>();
  const lat: number[] = [];
  let measuring = false;
  let received = 0;
  const consumer = kafka.consumer({ groupId: `bench-lat-${uniq()}`, maxWaitTimeInMs: 250 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: mdCandlesV1.partitions,
    eachMessage: async ({ message }) => {
      const id = (JSON.parse(message.value!.toString()) as CandleEvent).eventId;
      const t = sentAt.get(id);
      if (t !== undefined && measuring) lat.push(performance.now() - t);
      sentAt.delete(id);
      received++;
    },
  });
  const publishOne = async (i: number) => {
    const base = candles[i % candles.length];
    const [m] = rawMessages([{ ...base, eventId: `${base.eventId}#${i}` }], topic);
    sentAt.set(`${base.eventId}#${i}`, performance.now());
    await producer.send({ topic, acks: -1, messages: [m] });
  };
  await paced(PACED_RATE, PACED_RATE * 2, publishOne, 0);
  measuring = true;
  await paced(PACED_RATE, PACED_RATE * 10, publishOne, PACED_RATE * 2);
  const deadline = performance.now() + 30_000;
  while (received < PACED_RATE * 12 && performance.now() < deadline) await sleep(5);
  await consumer.disconnect();
  return { bus: label, test: `latency, paced ${PACED_RATE} msgs/s for 10 s`, messages: lat.length, ...percentiles(lat), baselineOf: how.startsWith('idempotent') ? 'latency' : undefined, note: `${how}; eachMessage, autoCommit` };
}

async function kafkajsBaseline(brokers: string[], candles: CandleEvent[], chunk: number): Promise<Row[]> {
  const label = 'kafkajs (baseline)';
  const kafka = new Kafka({ clientId: 'bench-kafkajs', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner, retry: { retries: Number.MAX_SAFE_INTEGER } });
  await producer.connect();
  const rows: Row[] = [];
  const newTopic = async () => {
    const topic = topicName(mdCandlesV1, uniq());
    await admin.createTopics({ topics: [{ topic, numPartitions: mdCandlesV1.partitions }], waitForLeaders: false });
    // leaders ready when ListOffsets answers (a fresh broker may say "not the leader" for a moment)
    for (let i = 0; ; i++) {
      try {
        await admin.fetchTopicOffsets(topic);
        return topic;
      } catch (e) {
        if (i >= 20) throw e;
        await sleep(100);
      }
    }
  };
  try {
    // latency: producer.send per message, consumer eachMessage with autoCommit; with the bus's
    // producer settings (idempotent: one request in flight) and without (kafkajs's floor)
    for (const idempotent of [true, false]) {
      const p = idempotent ? producer : kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
      if (!idempotent) await p.connect();
      rows.push(await kafkajsLatency(kafka, p, await newTopic(), candles, label, idempotent ? 'idempotent send per message' : 'plain (not idempotent) send per message'));
      if (!idempotent) await p.disconnect();
    }
    // throughput: sendBatch, then a fresh group drains the backlog
    {
      const topic = await newTopic();
      const msgs = rawMessages(candles, topic);
      const { secs, cpuUs } = await measure(async () => {
        for (let i = 0; i < msgs.length; i += chunk) await producer.sendBatch({ topicMessages: [{ topic, messages: msgs.slice(i, i + chunk) }], acks: -1 });
      });
      rows.push({ bus: label, test: `produce only, sendBatch x${chunk}`, messages: msgs.length, msgsPerSec: msgs.length / secs, cpuUsPerMsg: cpuUs / msgs.length, baselineOf: 'produce' });

      const counter = countTo(msgs.length);
      const consumer = kafka.consumer({ groupId: `bench-backlog-${uniq()}`, maxWaitTimeInMs: 250 });
      let started = 0;
      const { cpuUs: cCpu } = await measure(async () => {
        await consumer.connect();
        await consumer.subscribe({ topics: [topic], fromBeginning: true });
        await consumer.run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          partitionsConsumedConcurrently: mdCandlesV1.partitions,
          eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary }) => {
            for (const m of batch.messages) {
              JSON.parse(m.value!.toString()); // the least a consumer does with a value
              resolveOffset(m.offset);
              counter.tick();
            }
            await commitOffsetsIfNecessary({ topics: [{ topic, partitions: [{ partition: batch.partition, offset: (BigInt(batch.lastOffset()) + 1n).toString() }] }] });
            await heartbeat();
          },
        });
        started = performance.now();
        await counter.reached;
        await consumer.disconnect();
      });
      rows.push({ bus: label, test: 'consume a backlog (fresh group), JSON.parse only', messages: msgs.length, msgsPerSec: msgs.length / ((counter.doneAt - started) / 1000), cpuUsPerMsg: cCpu / msgs.length, baselineOf: 'consume' });
    }
  } finally {
    await producer.disconnect();
    await admin.disconnect();
  }
  return rows;
}

/** KAFKA_BROKERS, or the broker infra/up.sh starts (it prints KAFKA_BROKERS=...), or why not. */
function kafkaBrokers(): { brokers?: string[]; why?: string } {
  const env = process.env.KAFKA_BROKERS?.trim();
  if (env) return { brokers: env.split(',').map((s) => s.trim()).filter(Boolean) };
  const up = path.join(REPO, 'infra', 'up.sh');
  if (!existsSync(up)) return { why: 'KAFKA_BROKERS is unset and infra/up.sh is missing: Kafka not measured' };
  try {
    console.log('KAFKA_BROKERS is unset: starting the local stack with infra/up.sh ...');
    const out = execFileSync(up, [], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 600_000 });
    const line = out.split('\n').find((l) => l.startsWith('KAFKA_BROKERS='));
    if (line) return { brokers: line.slice('KAFKA_BROKERS='.length).split(',') };
    return { why: 'infra/up.sh printed no KAFKA_BROKERS: Kafka not measured' };
  } catch (e) {
    return { why: `infra/up.sh failed (${(e as Error).message.split('\n')[0]}): Kafka not measured` };
  }
}

const POOL_LABEL = 'kafka, 2 producer threads';
const WORKER_LABEL = 'kafka, producer in a worker';

export async function run(): Promise<void> {
  const n = Number(process.env.BUS_BENCH_N ?? 100_000);
  const candles = loadCandles(n);
  const bytes = encode(mdCandlesV1, candles[0]).length;
  console.log(`messages: real md.candles.v1 values (Binance 5m BTC/ETH/XRP/ADA), ${bytes} bytes of JSON each plus the contract headers (in-process: 5; Kafka wire: schema-version and event-time, ~40 bytes), 6 partitions, keys exchange:symbol`);
  console.log(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} (shared: wall-clock rows vary with it)\n`);
  const rows: Row[] = [];

  {
    const bus = new InProcessBus();
    rows.push(await busThroughputEndToEnd(bus, 'in-process', candles, 1000, false));
    rows.push(await busThroughputEndToEnd(bus, 'in-process', candles, 1000, true));
    rows.push(await busLatency(bus, 'in-process', candles, { count: 50_000 }));
    rows.push(await busLatency(bus, 'in-process', candles, { rate: PACED_RATE, seconds: 5 }));
    await bus.close();
  }

  const k = kafkaBrokers();
  if (!k.brokers) {
    console.log(k.why);
    rows.push({ bus: 'kafka', test: 'not measured', messages: 0, note: k.why });
  } else {
    const bus = await KafkaBus.connect({ brokers: k.brokers, clientId: 'bench-bus' });
    try {
      rows.push(await busLatency(bus, 'kafka', candles, { rate: PACED_RATE, seconds: 10, warmupSeconds: 2 }));
      const runId = uniq();
      rows.push(await busProduce(bus, 'kafka', candles, 2000, runId));
      rows.push(await busProduceInFlight(bus, 'kafka', candles, 2000, 3, uniq()));
      rows.push(await busConsumeBacklog(bus, 'kafka', candles.length, runId));
      rows.push(await busThroughputEndToEnd(bus, 'kafka', candles, 2000, false));
      rows.push(await busThroughputEndToEnd(bus, 'kafka', candles, 2000, false, 3));
    } finally {
      await bus.close();
    }
    // The producer pool (KAFKA_PRODUCER_THREADS=2): encoded here, produced by two kafkajs producers
    // in worker threads (CPU time below is the whole process's, workers included).
    const pool = await KafkaBus.connect({ brokers: k.brokers, clientId: 'bench-bus-pool', producerThreads: 2 });
    try {
      rows.push(await busProduce(pool, POOL_LABEL, candles, 2000, uniq()));
      rows.push(await busProduceInFlight(pool, POOL_LABEL, candles, 2000, 3, uniq()));
      rows.push(await busThroughputEndToEnd(pool, POOL_LABEL, candles, 2000, false));
      rows.push(await busThroughputEndToEnd(pool, POOL_LABEL, candles, 2000, false, 3));
      rows.push(await busLatency(pool, POOL_LABEL, candles, { rate: PACED_RATE, seconds: 10, warmupSeconds: 2 })); // the threads' cost in publish latency
    } finally {
      await pool.close();
    }
    // The one producer in a worker thread (KAFKA_PRODUCER_WORKER=true): encoded here, kafkajs's
    // record encoding on a second thread (CPU time below is the whole process's, worker included).
    const worker = await KafkaBus.connect({ brokers: k.brokers, clientId: 'bench-bus-worker', producerWorker: true });
    try {
      rows.push(await busProduce(worker, WORKER_LABEL, candles, 2000, uniq()));
      rows.push(await busThroughputEndToEnd(worker, WORKER_LABEL, candles, 2000, false));
      rows.push(await busThroughputEndToEnd(worker, WORKER_LABEL, candles, 2000, false, 3));
      rows.push(await busLatency(worker, WORKER_LABEL, candles, { rate: PACED_RATE, seconds: 10, warmupSeconds: 2 })); // the threads' cost in publish latency
    } finally {
      await worker.close();
    }
    rows.push(...(await kafkajsBaseline(k.brokers, candles, 2000)));
  }

  const baseline = (r: Row) => rows.find((b) => b.bus.startsWith('kafkajs') && b.baselineOf === r.baselineOf);
  const cells: Cell[][] = rows.map((r) => {
    const b = (r.bus === 'kafka' || r.bus === POOL_LABEL || r.bus === WORKER_LABEL) && r.baselineOf ? baseline(r) : undefined;
    const ratio = !b
      ? ''
      : r.msgsPerSec !== undefined && b.msgsPerSec
        ? `${(r.msgsPerSec / b.msgsPerSec).toFixed(2)}x rate`
        : r.p99 !== undefined && b.p99
          ? r.p99 <= b.p99
            ? `p99 ${(b.p99 / r.p99).toFixed(1)}x lower`
            : `p99 ${(r.p99 / b.p99).toFixed(1)}x higher`
          : '';
    return [r.bus, r.test, r.messages, r.msgsPerSec, r.cpuUsPerMsg, r.p50, r.p99, ratio, r.note ?? ''];
  });
  printTable(['bus', 'test', 'messages', 'msgs/s', 'CPU µs/msg', 'p50 ms', 'p99 ms', 'vs kafkajs', 'note'], cells, { digits: 3 });
  const kLat = rows.find((r) => r.bus === 'kafka' && r.baselineOf === 'latency');
  const kTput = rows.filter((r) => (r.bus === 'kafka' || r.bus === POOL_LABEL || r.bus === WORKER_LABEL) && r.msgsPerSec !== undefined);
  if (kLat?.p99 !== undefined) console.log(`\ntarget Kafka p99 < 10 ms at ${PACED_RATE} msgs/s: ${kLat.p99 < 10 ? 'met' : 'NOT met'} (${kLat.p99.toFixed(2)} ms)`);
  const which = (r: Row) => (r.bus === POOL_LABEL ? 'Kafka (2 producer threads)' : r.bus === WORKER_LABEL ? 'Kafka (producer in a worker)' : 'Kafka');
  for (const r of kTput) console.log(`target >= 50k msgs/s, ${which(r)} ${r.test}: ${r.msgsPerSec! >= 50_000 ? 'met' : 'NOT met'} (${r.msgsPerSec!.toFixed(0)} msgs/s)`);
}
