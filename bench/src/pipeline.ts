/**
 * `npm run bench -- pipeline`: the trading pipeline (strategy, risk, execution, pnl) end to end.
 *
 *  1. candle-close -> order-submitted latency, p50/p99: the time from a candle's publication to
 *     execution's acknowledgement (order submitted to the paper venue) of the order decided on it,
 *     at 100 candles/s (free-running replay of 4 symbols, 25 event times/s, MA crossover 2/3 on
 *     synthetic bars so that many bars cross): embedded (one process, in-process bus; measured
 *     with the monotonic clock, from publishing the candle to receiving the acknowledgement;
 *     target p99 < 1 ms) and across the services as separate processes over Kafka on loopback
 *     (from publishing to the acknowledgement's creation time in execution; target p99 < 50 ms);
 *  2. lockstep replay of all recorded 1h candles of the four symbols (4 x 5,482) through all four
 *     services: embedded and over Kafka + FerretDB with separate processes (target < 120 s).
 *
 * The embedded latency is measured in PIPELINE_BENCH_EMBEDDED_RUNS runs (default 3), each through a
 * pipeline of its own after the same warm-up, and its percentiles pooled over all their orders (each
 * run's own in the p99 row's note). The embedded latency rows give the CPU time of the process per event time (process.cpuUsage over the
 * run: load-independent, unlike the latency on a shared machine), on Linux the CPU time of the event
 * loop's thread (where every service runs) from each candle's publication to its order's
 * acknowledgement (p50/p99: what the latency would be with a core to itself) and, of the orders at
 * or above p99, how many mostly waited for a core (that thread's run-queue wait) and how many of
 * those while V8's background threads of the process (concurrent compiles, GC helpers) ran; the
 * process's CPU time between the two (those threads included) and a "per hop" row (monotonic clock,
 * from the services' publish calls): candle published -> execution's bar-matched marker of T, -> the
 * strategy's last decision record of T, the later of those -> risk's approval -> execution's
 * acknowledgement -> the bench received it.
 *
 * The Kafka rows are followed by a "per hop" row (wall clock, from the events' tsInit): for the
 * latency runs candle published -> strategy's decision record -> risk's approval -> execution's
 * acknowledgement; for lockstep, per event time T, published -> execution's bar-matched marker of T
 * -> strategy's decision records of T -> risk's approval -> the driver saw the pipeline drained.
 * Each event time is one trip around exec (match T) -> strategy (decide T) -> risk -> exec (match
 * T+1 only once T's decisions are answered: the decision barrier): when that loop takes longer than
 * the gap between event times (40 ms at 100 candles/s), candles queue and latency grows with the run.
 *
 * Kafka parts need KAFKA_BROKERS and MONGO_URL (else infra/up.sh is run to start the local stack).
 * PIPELINE_BENCH_KAFKA_DAYS limits the Kafka lockstep replay to the first N days (default: all);
 * PIPELINE_BENCH_LOGS names a folder for the service processes' logs; PIPELINE_BENCH_ONLY runs only the
 * parts named (comma-separated: embedded-latency, embedded-lockstep, kafka-latency, kafka-lockstep, and
 * kafka-lockstep-synthetic, run only when named: lockstep over the latency rows' synthetic workload;
 * `PIPELINE_BENCH_ONLY=embedded-latency` is the quick one, ~2 min, no Kafka; PIPELINE_BENCH_EMBEDDED_RUNS=1 ~45 s); PIPELINE_BENCH_RATES the candle rates of the Kafka latency runs (default 100,20);
 * PIPELINE_BENCH_CANDLES the candles of a latency run (default 3,000); PIPELINE_BENCH_PROFILE=<dir> writes
 * a V8 CPU profile of each Kafka service process there, and of the measured embedded latency run (read it with bench/src/path-profile.cjs); PIPELINE_BENCH_TRACE=<file> writes the Kafka latency run's timeline
 * as JSON (per event time its publication and execution's bar-matched marker; per order published, marker, decided, approved,
 * acknowledged: wall clock), to place the slow orders on the run's timeline, and appends one JSON line per embedded latency run (warm-ups included:
 * the last lines are the measured runs) with each order's event time, latency and event loop CPU time, to tell slow event times (the same ones
 * in every run: their work) from slow moments (one run only: the machine); PIPELINE_BENCH_WARMUP the speed-up of the latency runs'
 * warm-up replays (embedded: each its own pipeline and run id, until V8's compiles settle, at most PIPELINE_BENCH_WARMUPS (default 6);
 * Kafka: the same processes, the event times before the measured ones; default 10; 0 = measure cold, without one). The Kafka rows give each process's CPU time per
 * event time (services, FerretDB and the broker, from /proc).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { backtestConfigFromSpec, runBacktest, syntheticSeries, parsePipelineSpec, SYNTHETIC_START, type PipelineSpec } from '@atp/backtest';
import { InProcessBus, KafkaBus, type Bus } from '@atp/bus';
import { ALL_TOPICS, TOPICS, topicName, type DecisionEvent, type OrderApprovedEvent, type OrderEvent } from '@atp/contracts';
import type { Timeframe } from '@atp/core';
import { recordedCandleSource, ReplayDriver, type CandleSource } from '@atp/svc-market-feed';
// The bench drives the pipeline with the harness of the pipeline tests (tests/ is not an Nx project).
/* eslint-disable @nx/enforce-module-boundaries */
import { KafkaPipeline } from '../../tests/pipeline/support/processes';
import { startEmbeddedPipeline } from '../../tests/pipeline/support/embedded';
import { collect } from '../../tests/pipeline/support/collect';
import { backtestRecords, canonical, firstDifference } from '../../tests/pipeline/support/compare';
import { dropRun } from '../../tests/pipeline/support/infra';
import { maCrossoverSpec, recordedSeries } from '../../tests/pipeline/support/spec';
/* eslint-enable @nx/enforce-module-boundaries */
import { printTable, type Cell } from './table';

const REPO = path.resolve(__dirname, '../..');
const RATE = 100; // candles per second
const LATENCY_CANDLES = Number(process.env.PIPELINE_BENCH_CANDLES ?? 3000);
const H = 3_600_000;

/**
 * A candle source of seeded synthetic bars, one seed per symbol (the latency runs need many crosses);
 * `start`: the first bar's open time (default syntheticSeries's).
 */
function syntheticSource(n: number, start?: number): CandleSource {
  return {
    async load(_exchange, symbol, _tf, from = -Infinity, to = Infinity) {
      const seed = [...symbol].reduce((a, ch) => a * 31 + ch.charCodeAt(0), 7) >>> 0;
      const s = syntheticSeries(n, seed, { symbol, vol: 0.02, ...(start !== undefined ? { start } : {}) });
      const out = [];
      for (let i = 0; i < s.openTime.length; i++) {
        if (s.openTime[i]! < from || s.openTime[i]! >= to) continue;
        out.push({ openTime: s.openTime[i]!, open: s.open[i]!, high: s.high[i]!, low: s.low[i]!, close: s.close[i]!, volume: s.volume[i]! });
      }
      return out;
    },
  };
}

function latencySpec(runId: string): PipelineSpec {
  return parsePipelineSpec({
    version: 1,
    runId,
    exchange: 'binance',
    timeframe: '1h',
    symbols: ['ADA/USDT', 'BTC/USDT', 'ETH/USDT', 'XRP/USDT'],
    initialCash: '100000',
    strategies: [{ id: 'fast', strategy: 'ma-crossover', params: { fast: 2, slow: 3 } }],
  });
}

/**
 * `bus` with `onPublish(topic, values)` called before every publish and publishBatch (the timing
 * probes of this bench); everything else is the bus itself.
 */
function tapped(bus: Bus, onPublish: (topic: string, values: readonly unknown[]) => void): Bus {
  const publishBatch: Bus['publishBatch'] = (c, values, o) => {
    onPublish(c.name, values);
    return bus.publishBatch(c, values, o);
  };
  const publish: Bus['publish'] = (c, value, o) => {
    onPublish(c.name, [value]);
    return bus.publish(c, value, o);
  };
  return new Proxy(bus, {
    get: (target, key) => {
      if (key === 'publishBatch') return publishBatch;
      if (key === 'publish') return publish;
      const v = Reflect.get(target, key) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/**
 * The embedded pipeline's bus as the services see it, noting (monotonic clock) when the services
 * publish, per event time T: execution's last bar-matched marker of T, the strategy's last decision
 * record of T, and per order its approval and its acknowledgement.
 */
class EmbeddedHops {
  private readonly markerAt = new Map<number, number>();
  private readonly decidedAt = new Map<number, number>();
  private readonly approvedAt = new Map<string, number>();
  private readonly ackedAt = new Map<string, number>();
  /**
   * What the taps saw, as (what, key, time) triples — 0: a bar-matched marker (its bar time), 1: an
   * acknowledgement (client order id), 2: a decision record (decision time), 3: an approval
   * (client order id) — made into the maps only when they are read (after the run): on the path, a
   * probe costs a clock read and a few pushes per publish, no map.
   */
  private readonly seen: (number | string)[] = [];
  private built = 0;

  get marker(): ReadonlyMap<number, number> {
    return this.build().markerAt;
  }

  get decided(): ReadonlyMap<number, number> {
    return this.build().decidedAt;
  }

  get approved(): ReadonlyMap<string, number> {
    return this.build().approvedAt;
  }

  get acked(): ReadonlyMap<string, number> {
    return this.build().ackedAt;
  }

  wrap(bus: Bus): Bus {
    const events = TOPICS.ordersEvents.name;
    const intents = TOPICS.ordersIntents.name;
    const approved = TOPICS.ordersApproved.name;
    const seen = this.seen;
    const note = (topic: string, values: readonly unknown[]) => {
      if (topic !== events && topic !== intents && topic !== approved) return;
      const at = performance.now();
      for (const v of values) {
        if (topic === events) {
          const e = v as OrderEvent;
          if (e.kind === 'bar-matched') seen.push(0, e.barTime, at);
          else if (e.kind === 'order' && e.status === 'acknowledged') seen.push(1, e.clientOrderId, at);
        } else if (topic === intents) seen.push(2, (v as DecisionEvent).decisionTime, at);
        else seen.push(3, (v as OrderApprovedEvent).clientOrderId, at);
      }
    };
    return tapped(bus, note);
  }

  /** The maps up to date with what the taps saw: per T execution's last bar-matched marker and the strategy's last decision record, per order its last approval and first acknowledgement. */
  private build(): this {
    const seen = this.seen;
    for (; this.built < seen.length; this.built += 3) {
      const what = seen[this.built] as number;
      const at = seen[this.built + 2] as number;
      if (what === 0) this.markerAt.set(seen[this.built + 1] as number, at);
      else if (what === 1) {
        const coid = seen[this.built + 1] as string;
        if (!this.ackedAt.has(coid)) this.ackedAt.set(coid, at);
      } else if (what === 2) this.decidedAt.set(seen[this.built + 1] as number, at);
      else this.approvedAt.set(seen[this.built + 1] as string, at);
    }
    return this;
  }
}

/** Decision time of a client order id (`o<time base36>-...`, core's clientOrderId). */
function decisionTimeOf(coid: string): number {
  return parseInt(coid.slice(1, coid.indexOf('-')), 36);
}

function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/**
 * Publishes synthetic candles at 100/s through the pipeline on `bus` and measures candle
 * publication -> order acknowledgement for every order.
 */
/** What one latency run measured: per order (`lat`, and embedded `pathCpu`/`mainPath`: its CPU from candle to acknowledgement, ms) and their percentiles. */
interface LatencyRun {
  windows: [number, number][];
  lat: number[];
  pathCpu: number[];
  mainPath: number[];
  pathCpuP50: number;
  pathCpuP99: number;
  mainCpu: { p50: number; p99: number; perEventTime: number } | undefined;
  orders: number;
  p50: number;
  p99: number;
  max: number;
  candles: number;
  hops: string;
  cpuMs: number;
  tail: Tail | undefined;
}

async function latency(bus: Bus, spec: PipelineSpec, clock: 'monotonic' | 'wall', rate = RATE, embedded?: EmbeddedHops): Promise<LatencyRun> {
  const now = clock === 'monotonic' ? () => performance.now() : () => Date.now();
  const published = new Map<number, number>();
  // Embedded: the process's CPU time (µs) at each publication and acknowledgement, for the CPU
  // spent from one to the other (what the latency would be on an idle core).
  const cpuAt = (): number => {
    const u = process.cpuUsage();
    return u.user + u.system;
  };
  const publishedCpu = new Map<number, number>();
  const ackCpu: number[] = [];
  // Embedded, on Linux: the same for the event loop's thread alone, with its wait for a core.
  const sched = clock === 'monotonic' ? threadSched() : undefined;
  const publishedSched = new Map<number, SchedStat>();
  const ackSched: SchedStat[] = [];
  const acks: { coid: string; at: number }[] = [];
  // Wall clock: execution's bar-matched marker of each event time (tsInit), for PIPELINE_BENCH_TRACE.
  const markerAt = new Map<number, number>();
  // From the end at subscribe time (`latest`): the measured run's records only, not a Kafka warm-up's
  // (thousands of records a reader from the start would decode, and the broker serve, as the run starts).
  const sub = await bus.subscribe({ contract: TOPICS.ordersEvents, group: `bench-acks-${spec.runId}`, runId: spec.runId, from: 'latest' }, (m) => {
    const e = m.value as OrderEvent;
    // Monotonic: when the acknowledgement reaches us (in-process: the same turn it was published);
    // wall: when execution created it (another process; millisecond clock).
    if (e.kind === 'order' && e.status === 'acknowledged' && (e.role === 'entry' || e.role === 'exit')) {
      acks.push({ coid: e.clientOrderId, at: clock === 'monotonic' ? now() : e.tsInit });
      if (sched) {
        // One read for both (each read is a few µs, in the latency of this event time's later orders).
        const s = sched.read();
        ackSched.push(s);
        ackCpu.push(s.processCpu);
      } else if (clock === 'monotonic') ackCpu.push(cpuAt());
      symbolOf.set(e.clientOrderId, e.symbol);
    } else if (e.kind === 'bar-matched' && clock === 'wall' && !markerAt.has(e.barTime)) markerAt.set(e.barTime, e.tsInit);
  });
  // Per hop (wall clock only: tsInit of the decision record and of the approval, by decision).
  const decidedAt = new Map<string, number>();
  const approvedAt = new Map<string, number>();
  const hopSubs =
    clock === 'wall'
      ? await Promise.all([
          bus.subscribe({ contract: TOPICS.ordersIntents, group: `bench-hops-d-${spec.runId}`, runId: spec.runId, from: 'latest' }, (m) => {
            const d = m.value as DecisionEvent;
            const k = `${d.symbol}|${d.decisionTime}`;
            if (!decidedAt.has(k)) decidedAt.set(k, d.tsInit);
          }),
          bus.subscribe({ contract: TOPICS.ordersApproved, group: `bench-hops-a-${spec.runId}`, runId: spec.runId, from: 'latest' }, (m) => {
            const a = m.value as OrderApprovedEvent;
            approvedAt.set(a.clientOrderId, a.tsInit);
          }),
        ])
      : [];
  const symbolOf = new Map<string, string>();
  // The bus as the replay driver sees it, noting when each event time's candles are published.
  const timed = tapped(bus, (_topic, values) => {
    const t = (values[0] as { tsEvent?: number } | undefined)?.tsEvent;
    if (t !== undefined) {
      // Read before the clock: the read (a few µs) stays out of the measured latency.
      const s = sched?.read();
      if (s) publishedSched.set(t, s);
      published.set(t, now());
      if (clock === 'monotonic') publishedCpu.set(t, s ? s.processCpu : cpuAt());
    }
  });
  const perTime = spec.symbols.length;
  const candles = Math.ceil(Math.min(LATENCY_CANDLES, rate * 30) / perTime);
  const driver = new ReplayDriver(timed, syntheticSource(candles), { runId: spec.runId, exchange: 'binance', symbols: spec.symbols, timeframe: '1h' as Timeframe, mode: 'free', speed: H / ((1000 * perTime) / rate), stallMs: 600_000 });
  // CPU time of this process per event time (load-independent; embedded: the whole pipeline's).
  const cpu0 = process.cpuUsage();
  const sched0 = sched?.read();
  await driver.run();
  // Let the last orders through: until the pipeline has drained (lag 0 on every pipeline topic, as
  // lockstep checks it) and so has our own acknowledgement reader. (Waiting for "no new
  // acknowledgement for a second" cut a saturated run short and left its slowest orders out.)
  await driver.drained();
  const ackGroup = `bench-acks-${spec.runId}`;
  const ackTopic = topicName(TOPICS.ordersEvents, spec.runId);
  const until = Date.now() + 120_000;
  while ((await bus.lag(ackGroup, [ackTopic])) > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  const cpu = process.cpuUsage(cpu0);
  const sched1 = sched?.read();
  sched?.close();
  await sub.close();
  for (const s of hopSubs) await s.close();
  const lat = acks.map((a) => a.at - published.get(decisionTimeOf(a.coid))!).filter((x) => Number.isFinite(x));
  // candle published -> decision record created (strategy) -> approval created (risk) -> acknowledgement created (execution).
  const hop = (f: (a: { coid: string; at: number }) => number) => {
    const xs = acks.map(f).filter((x) => Number.isFinite(x));
    const fmt = (x: number) => (clock === 'wall' ? String(x) : x.toFixed(3));
    return `p50 ${fmt(percentile(xs, 50))} p99 ${fmt(percentile(xs, 99))}`;
  };
  const hops =
    clock === 'wall'
      ? `candle->decision ${hop((a) => decidedAt.get(`${symbolOf.get(a.coid)}|${decisionTimeOf(a.coid)}`)! - published.get(decisionTimeOf(a.coid))!)}; decision->approval ${hop((a) => approvedAt.get(a.coid)! - decidedAt.get(`${symbolOf.get(a.coid)}|${decisionTimeOf(a.coid)}`)!)}; approval->ack ${hop((a) => a.at - approvedAt.get(a.coid)!)}`
      : embedded
        ? `candle->marker ${hop((a) => embedded.marker.get(decisionTimeOf(a.coid))! - published.get(decisionTimeOf(a.coid))!)}; candle->decisions ${hop((a) => embedded.decided.get(decisionTimeOf(a.coid))! - published.get(decisionTimeOf(a.coid))!)}; decisions->approval ${hop((a) => embedded.approved.get(a.coid)! - Math.max(embedded.decided.get(decisionTimeOf(a.coid))!, embedded.marker.get(decisionTimeOf(a.coid))!))}; approval->ack ${hop((a) => embedded.acked.get(a.coid)! - embedded.approved.get(a.coid)!)}; ack->received ${hop((a) => a.at - embedded.acked.get(a.coid)!)}`
        : '';
  if (process.env.PIPELINE_BENCH_TRACE && clock === 'wall') {
    const rows = acks.filter((a) => published.has(decisionTimeOf(a.coid))).map((a) => {
      const t = decisionTimeOf(a.coid);
      return { t, coid: a.coid, published: published.get(t), marker: markerAt.get(t), decided: decidedAt.get(`${symbolOf.get(a.coid)}|${t}`), approved: approvedAt.get(a.coid), acked: a.at };
    });
    fs.writeFileSync(process.env.PIPELINE_BENCH_TRACE, JSON.stringify({ published: [...published], markers: [...markerAt], rows }));
  }
  if (process.env.PIPELINE_BENCH_TRACE && clock === 'monotonic') {
    // Embedded: per order its event time, latency and the event loop's CPU time from candle to acknowledgement (ms), in acknowledgement order.
    const rows = acks.map((a, i) => {
      const t = decisionTimeOf(a.coid);
      return { t, coid: a.coid, symbol: symbolOf.get(a.coid), latency: a.at - published.get(t)!, cpu: ackSched[i] && publishedSched.get(t) ? ackSched[i]!.run - publishedSched.get(t)!.run : undefined };
    });
    fs.appendFileSync(process.env.PIPELINE_BENCH_TRACE, `${JSON.stringify({ rows })}\n`);
  }
  const pathCpu = ackCpu.map((c, i) => (c - publishedCpu.get(decisionTimeOf(acks[i]!.coid))!) / 1000).filter((x) => Number.isFinite(x));
  const mainPath = ackSched.map((s, i) => s.run - publishedSched.get(decisionTimeOf(acks[i]!.coid))!.run).filter((x) => Number.isFinite(x));
  const mainCpu = sched0 && sched1 ? { p50: percentile(mainPath, 50), p99: percentile(mainPath, 99), perEventTime: (sched1.run - sched0.run) / candles } : undefined;
  const p99 = percentile(lat, 99);
  const tail = clock === 'monotonic' ? descheduledTail({ acks, ackCpu, ackSched: sched ? ackSched : undefined }, { published, publishedCpu, publishedSched }, p99) : undefined;
  const windows = clock === 'monotonic' ? acks.map((a): [number, number] => [published.get(decisionTimeOf(a.coid))!, a.at]).filter(([a]) => a !== undefined) : [];
  return { windows, lat, pathCpu, mainPath, pathCpuP50: percentile(pathCpu, 50), pathCpuP99: percentile(pathCpu, 99), mainCpu, orders: lat.length, p50: percentile(lat, 50), p99, max: Math.max(...lat), candles: candles * perTime, hops, cpuMs: (cpu.user + cpu.system) / 1000 / candles, tail };
}

/** A thread's scheduler statistics so far, ms: time on a CPU, and time runnable but waiting for one (in a run queue); with the process's CPU time then (µs, as process.cpuUsage gives it). */
interface SchedStat {
  run: number;
  wait: number;
  processCpu: number;
}

/**
 * The calling thread's {@link SchedStat} (Linux: /proc/thread-self/schedstat, nanoseconds, read
 * through one open descriptor; a read costs a few µs), or undefined where it is not available.
 * Called on the event loop's thread, it tells the pipeline's own work (every service runs on that
 * thread) from what `process.cpuUsage` adds to it: V8's background threads (concurrent TurboFan
 * compiles, GC helpers), which may keep a core busy while the event loop waits for one.
 *
 * The kernel brings a running thread's CPU time in that file up to date only at scheduler events
 * (ticks, switches): read as is, it lags by up to a tick (measured: 0.3 ms median error over 0.3 ms
 * of work). `process.cpuUsage()` (getrusage of the process) updates the calling thread's on the
 * way, so each read makes that call first (then: 3 µs median error).
 */
function threadSched(): { read(): SchedStat; close(): void } | undefined {
  let fd: number;
  try {
    fd = fs.openSync('/proc/thread-self/schedstat', 'r');
  } catch {
    return undefined;
  }
  const buf = Buffer.alloc(128);
  const read = (): SchedStat => {
    const u = process.cpuUsage();
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    const f = buf.toString('latin1', 0, n).split(' ');
    return { run: Number(f[0]) / 1e6, wait: Number(f[1]) / 1e6, processCpu: u.user + u.system };
  };
  try {
    read();
  } catch {
    fs.closeSync(fd);
    return undefined;
  }
  return { read, close: () => fs.closeSync(fd) };
}

/** The embedded orders at or above the p99 latency, and what they waited for (see descheduledTail). */
interface Tail {
  orders: number;
  /** Of those, the ones that mostly waited for a core. */
  descheduled: number;
  /** Of the descheduled ones, those during which this process's other threads (V8's compiler and GC helpers) ran >= 0.5 ms. */
  ownThreads: number | undefined;
  /** Whether `descheduled` comes from the event loop thread's run-queue wait (Linux) or, elsewhere, from the process's CPU time. */
  basis: 'run queue' | 'process CPU';
  load: number;
}

/**
 * Of the embedded orders at or above the p99 latency, those whose latency was mostly waiting for a
 * core rather than the pipeline's work: on Linux, its event loop thread (where every service runs)
 * spent >= 40% of the time from the candle's publication to the acknowledgement runnable but not
 * running (its run-queue wait), and of those, the ones during which the process's other threads
 * (V8's concurrent compiler and GC helpers: the process's CPU time minus the thread's) ran >= 0.5
 * ms — a core this process kept busy itself. Elsewhere, the orders whose process got < 60% of a core
 * in that time (process CPU time over latency, which counts those background threads as the
 * pipeline's work). With the 1-minute load average at the end of the run, to read the p99 of a
 * run on a shared machine.
 */
function descheduledTail(
  at: { acks: readonly { coid: string; at: number }[]; ackCpu: readonly number[]; ackSched: readonly SchedStat[] | undefined },
  from: { published: ReadonlyMap<number, number>; publishedCpu: ReadonlyMap<number, number>; publishedSched: ReadonlyMap<number, SchedStat> },
  p99: number,
): Tail {
  let orders = 0;
  let descheduled = 0;
  let ownThreads = 0;
  for (let i = 0; i < at.acks.length; i++) {
    const t = decisionTimeOf(at.acks[i]!.coid);
    const ms = at.acks[i]!.at - from.published.get(t)!;
    if (!(ms >= p99)) continue;
    orders++;
    const processCpu = (at.ackCpu[i]! - from.publishedCpu.get(t)!) / 1000;
    const s0 = from.publishedSched.get(t);
    const s1 = at.ackSched?.[i];
    if (s0 === undefined || s1 === undefined) {
      if (processCpu < 0.6 * ms) descheduled++;
      continue;
    }
    if (s1.wait - s0.wait < 0.4 * ms) continue;
    descheduled++;
    if (processCpu - (s1.run - s0.run) >= 0.5) ownThreads++;
  }
  const bySched = at.ackSched !== undefined;
  return { orders, descheduled, ownThreads: bySched ? ownThreads : undefined, basis: bySched ? 'run queue' : 'process CPU', load: os.loadavg()[0]! };
}

/** The p99 row's note on the tail's orders: how many waited for a core (and behind whom). */
function tailNote(tail: Tail): string {
  if (tail.basis === 'process CPU') return `${tail.descheduled} of the ${tail.orders} orders at or above p99 got < 60% of a core (descheduled; load average ${tail.load.toFixed(2)})`;
  return `${tail.descheduled} of the ${tail.orders} orders at or above p99 waited for a core >= 40% of their latency (the event loop thread's run-queue wait; ${tail.ownThreads} of them while V8's background threads of this process ran >= 0.5 ms; load average ${tail.load.toFixed(2)})`;
}

/** PIPELINE_BENCH_WARMUP: the latency runs (embedded, and each Kafka one) are preceded by warm-up replays at this many times their rate (0: measured cold). */
const WARMUP_SPEEDUP = Number(process.env.PIPELINE_BENCH_WARMUP ?? 10);
/**
 * PIPELINE_BENCH_EMBEDDED_RUNS: measured embedded latency runs after the warm-up (default 3), each
 * through a pipeline of its own; the percentiles are pooled over all their orders. One run (~30 s)
 * is at the mercy of this machine's slow phases (the same code then runs 1.5-2x slower for seconds,
 * measured with a fixed workload outside the product); several make the p99 a figure of the
 * pipeline rather than of one half-minute. Each run's own p50/p99 are in the p99 row's note.
 */
const EMBEDDED_RUNS = Math.max(1, Number(process.env.PIPELINE_BENCH_EMBEDDED_RUNS ?? 3));
/** PIPELINE_BENCH_WARMUPS: at most this many warm-up replays, each through a pipeline of its own (default 6; see warmUpSettled). */
const WARMUPS = Number(process.env.PIPELINE_BENCH_WARMUPS ?? 6);

/**
 * Whether the warm-up replays so far brought V8's optimising compiles to their steady state: at
 * least two replays, and the last one's CPU on V8's other threads (concurrent compiles and GC
 * helpers; the GC's share is about the same every replay) fell by less than a quarter from the
 * replay before (measured: 982, 422, 199, 160 ms with 357, 131, 53, 31 optimising compiles; the
 * measured run then made 25 in 10x the time). Without the thread's schedstat (not Linux): three replays.
 */
function warmUpSettled(warm: readonly { otherThreadsMs: number | undefined }[]): boolean {
  const n = warm.length;
  if (n < 2) return false;
  const [a, b] = [warm[n - 2]!.otherThreadsMs, warm[n - 1]!.otherThreadsMs];
  if (a === undefined || b === undefined) return n >= 3;
  return b > 0.75 * a;
}

/**
 * One warm-up replay of the embedded latency run: the measured run's own procedure ({@link latency},
 * the same taps on the same kind of bus, the same synthetic candles) through a pipeline of its own
 * (another run id, bus and stores, stopped afterwards) in the same process, WARMUP_SPEEDUP times
 * faster, its figures discarded. The measured run should see the pipeline as a long-running service
 * runs it — its code optimised by V8 for the objects it meets — not the JIT warm-up of a fresh
 * process: a cold run's first few hundred event times run in the interpreter and baseline code
 * (~1.5x the CPU per order), and its optimising compiles take a core beside the event loop.
 *
 * Why the same procedure and several instances: code optimised on one pipeline instance deopts on
 * the next one where it meets objects of other shapes, and V8 recompiles it for both. With one
 * replay through a plain bus the measured run (whose services publish through the bench's tapping
 * proxy) still made ~125 optimising compiles and ~45 deopts; counted with --trace-opt/--trace-deopt
 * per replay, the compiles of successive instances were 123, 47, 28, 20 and levelled off, the
 * deopts 33, 12, 9, 3. So the warm-up replays, each on a new instance through the same taps, until
 * that activity settles ({@link warmUpSettled}); the measured run then sees what a service restarted
 * in a warm process would (the row's note gives each replay's CPU on V8's other threads).
 */
async function embeddedWarmUp(i: number): Promise<{ eventTimes: number; ms: number; otherThreadsMs: number | undefined }> {
  const spec = latencySpec(`bench-lat-warm${i}-${Date.now().toString(36)}`);
  const hops = new EmbeddedHops();
  const bus = new InProcessBus();
  const p = await startEmbeddedPipeline(spec, { bus: hops.wrap(bus) });
  const sched = threadSched();
  const s0 = sched?.read();
  const t0 = performance.now();
  try {
    const r = await latency(bus, spec, 'monotonic', WARMUP_SPEEDUP * RATE, hops);
    const s1 = sched?.read();
    // V8's background threads (concurrent compiles, GC helpers): the process's CPU time minus the event loop thread's.
    const otherThreadsMs = s0 && s1 ? (s1.processCpu - s0.processCpu) / 1000 - (s1.run - s0.run) : undefined;
    return { eventTimes: r.candles / spec.symbols.length, ms: performance.now() - t0, otherThreadsMs };
  } finally {
    sched?.close();
    await p.stop();
    await bus.close();
  }
}

/**
 * The Kafka latency run's warm-up, the counterpart of the embedded one's: the same synthetic candles
 * through the same service processes, WARMUP_SPEEDUP times faster, drained before the measured
 * replay starts, so that the measured run sees the services' code (kafkajs, the MongoDB driver, the
 * cores) optimised by V8 as long-running processes do, instead of their first seconds running in
 * the interpreter and baseline code. A service process serves one run id, so the warm-up is the
 * same run id with the candles moved to the event times just before the measured ones (the
 * measured candles, their rate and count are unchanged; the services carry the warm-up's state
 * into them, as a live service carries its history). Not counted in the CPU per event time.
 */
async function kafkaWarmUp(bus: Bus, spec: PipelineSpec, rate: number): Promise<{ eventTimes: number; ms: number }> {
  const perTime = spec.symbols.length;
  const candles = Math.ceil(Math.min(LATENCY_CANDLES, rate * 30) / perTime);
  const t0 = performance.now();
  const driver = new ReplayDriver(bus, syntheticSource(candles, SYNTHETIC_START - candles * H), { runId: spec.runId, exchange: 'binance', symbols: spec.symbols, timeframe: '1h' as Timeframe, mode: 'free', speed: (WARMUP_SPEEDUP * H) / ((1000 * perTime) / rate), stallMs: 600_000 });
  const stats = await driver.run();
  await driver.drained();
  return { eventTimes: stats.eventTimes, ms: performance.now() - t0 };
}

async function lockstep(bus: Bus, spec: PipelineSpec, pollMs: number, from?: number, to?: number, hops?: Hops, source: CandleSource = recordedCandleSource()) {
  const driver = new ReplayDriver(hops ? hops.timed(bus) : bus, source, {
    runId: spec.runId,
    exchange: 'binance',
    symbols: spec.symbols,
    timeframe: '1h',
    mode: 'lockstep',
    pollMs,
    stallMs: 600_000,
    from,
    to,
    onEventTime: hops ? (t) => void hops.drained.set(t, Date.now()) : undefined,
  });
  return driver.run();
}

/**
 * Where a lockstep event time T goes (wall clock, ms, median over the event times): candles
 * published -> execution's bar-matched marker of T created -> the strategy's decision records of T
 * -> risk's last outcome of T -> the lockstep driver saw every group drained.
 */
class Hops {
  readonly published = new Map<number, number>();
  readonly marker = new Map<number, number>();
  readonly decision = new Map<number, number>();
  readonly outcome = new Map<number, number>();
  readonly drained = new Map<number, number>();
  private subs: { close(): Promise<void> }[] = [];

  timed(bus: Bus): Bus {
    return tapped(bus, (_topic, values) => {
      const t = (values[0] as { tsEvent?: number } | undefined)?.tsEvent;
      if (t !== undefined) this.published.set(t, Date.now());
    });
  }

  async start(bus: Bus, runId: string): Promise<void> {
    const last = (m: Map<number, number>, t: number, at: number) => m.set(t, Math.max(m.get(t) ?? 0, at));
    this.subs = await Promise.all([
      bus.subscribe({ contract: TOPICS.ordersEvents, group: `bench-hops-e-${runId}`, runId }, (m) => {
        const e = m.value as OrderEvent;
        if (e.kind === 'bar-matched') last(this.marker, e.barTime, e.tsInit);
      }),
      bus.subscribe({ contract: TOPICS.ordersIntents, group: `bench-hops-d-${runId}`, runId }, (m) => {
        const d = m.value as DecisionEvent;
        last(this.decision, d.decisionTime, d.tsInit);
      }),
      bus.subscribe({ contract: TOPICS.ordersApproved, group: `bench-hops-a-${runId}`, runId }, (m) => {
        const a = m.value as OrderApprovedEvent;
        last(this.outcome, a.decisionTime, a.tsInit);
      }),
    ]);
  }

  /** Records of the run's topics these readers have not consumed yet. */
  async lag(bus: Bus, runId: string): Promise<number> {
    const lags = await Promise.all([
      bus.lag(`bench-hops-e-${runId}`, [topicName(TOPICS.ordersEvents, runId)]),
      bus.lag(`bench-hops-d-${runId}`, [topicName(TOPICS.ordersIntents, runId)]),
      bus.lag(`bench-hops-a-${runId}`, [topicName(TOPICS.ordersApproved, runId)]),
    ]);
    return lags.reduce((a, b) => a + b, 0);
  }

  async close(): Promise<void> {
    for (const s of this.subs) await s.close();
  }

  summary(): string {
    const med = (f: (t: number) => number | undefined) => {
      const xs = [...this.published.keys()].map(f).filter((x): x is number => x !== undefined && Number.isFinite(x));
      return percentile(xs, 50);
    };
    const at = (m: Map<number, number>) => (t: number) => m.get(t);
    // The marker of T is created when bar T is matched; decisions of T follow it; outcomes of T exist only when something was approved.
    return [
      `published->marker ${med((t) => at(this.marker)(t)! - this.published.get(t)!)}`,
      `marker->decisions ${med((t) => at(this.decision)(t)! - at(this.marker)(t)!)}`,
      `decisions->approval ${med((t) => at(this.outcome)(t)! - at(this.decision)(t)!)} (${this.outcome.size} event times with one)`,
      `decisions->drained ${med((t) => at(this.drained)(t)! - at(this.decision)(t)!)}`,
    ].join('; ');
  }
}

function infra(): { brokers: string[]; mongoUrl: string } | { why: string } {
  if (process.env.KAFKA_BROKERS && process.env.MONGO_URL) return { brokers: process.env.KAFKA_BROKERS.split(','), mongoUrl: process.env.MONGO_URL };
  try {
    console.log('KAFKA_BROKERS / MONGO_URL unset: starting the local stack with infra/up.sh ...');
    const out = execFileSync('bash', [path.join(REPO, 'infra', 'up.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 900_000 });
    const get = (k: string) => out.split('\n').find((l) => l.startsWith(`${k}=`))?.slice(k.length + 1);
    const brokers = get('KAFKA_BROKERS');
    const mongoUrl = get('MONGO_URL');
    if (!brokers || !mongoUrl) return { why: 'infra/up.sh printed no KAFKA_BROKERS / MONGO_URL' };
    process.env.KAFKA_BROKERS = brokers;
    process.env.MONGO_URL = mongoUrl;
    return { brokers: brokers.split(','), mongoUrl };
  } catch (e) {
    return { why: `infra/up.sh failed: ${(e as Error).message.split('\n')[0]}` };
  }
}

/** CPU time (user + system, ms) of a process so far, from /proc (Linux; NaN elsewhere). */
function procCpuMs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime + stime, in clock ticks of 10 ms
  } catch {
    return NaN;
  }
}

/** Pids of the local FerretDB and Kafka broker (processes named `ferretdb` / `java`), if visible in /proc. */
function infraPids(): { name: string; pid: number }[] {
  const out: { name: string; pid: number }[] = [];
  try {
    for (const d of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      try {
        const comm = fs.readFileSync(`/proc/${d}/comm`, 'utf8').trim();
        if (comm === 'ferretdb') out.push({ name: 'ferretdb', pid: Number(d) });
        else if (comm === 'java') out.push({ name: 'kafka', pid: Number(d) });
      } catch {
        // gone meanwhile
      }
    }
  } catch {
    // no /proc
  }
  return out;
}

/**
 * CPU time per service process (ms) since `cpuOf` was called: `done()` gives `name x.x` per event
 * time, then FerretDB's and the broker's (shared with whatever else uses them meanwhile).
 */
function cpuOf(p: KafkaPipeline): { done(eventTimes: number): string } {
  const procs = [...[...p.procs].map(([name, s]) => ({ name, pid: s.pid })), ...infraPids()];
  const at0 = procs.map((x) => procCpuMs(x.pid));
  return {
    done: (eventTimes) => {
      const per = procs.map((x, i) => ({ name: x.name, ms: (procCpuMs(x.pid) - at0[i]!) / eventTimes, service: p.procs.has(x.name) }));
      const total = per.filter((x) => x.service).reduce((a, x) => a + x.ms, 0);
      const show = (xs: typeof per) => xs.map((x) => `${x.name} ${x.ms.toFixed(1)}`).join(', ');
      return `${show(per.filter((x) => x.service))}: services ${total.toFixed(1)}; ${show(per.filter((x) => !x.service))} (shared)`;
    },
  };
}

/**
 * PIPELINE_BENCH_PROFILE=<dir>: the service processes preload cpu-profile.cjs (a V8 CPU profile each,
 * written to <dir> on exit) and are stopped with SIGTERM instead of SIGKILL.
 */
const PROFILE_DIR = process.env.PIPELINE_BENCH_PROFILE;

/**
 * The services' settings for the free-running (latency) runs: offsets committed at most every
 * 100 ms (KAFKA_COMMIT_INTERVAL_MS; PIPELINE_BENCH_COMMIT_INTERVAL_MS overrides it) instead of after
 * every handled batch — what lockstep needs for its drain check, and the lockstep runs keep it.
 */
const FREE_RUNNING_ENV = { KAFKA_COMMIT_INTERVAL_MS: process.env.PIPELINE_BENCH_COMMIT_INTERVAL_MS ?? '100' };

/** Fetch batching as the paper and live overlays deploy pnl with (k8s/components/free-running): 1 MiB or 100 ms. */
const BATCHED_FETCH = { fetchMinBytes: 1 << 20, maxWaitTimeMs: 100 } as const;

/**
 * pnl's extra settings in the free-running runs: nothing waits for it (reporting), so its consumers
 * take their records in batches of up to 100 ms (KAFKA_FETCH_MIN_BYTES with KAFKA_MAX_WAIT_TIME_MS,
 * as the paper and live k8s overlays and compose deploy it), not at every arrival: its CPU leaves the moments the services on
 * the path work. PIPELINE_BENCH_PNL_BATCH=0 runs it as the others.
 */
const FREE_RUNNING_PNL_ENV: Record<string, string> =
  process.env.PIPELINE_BENCH_PNL_BATCH === '0' ? {} : { KAFKA_FETCH_MIN_BYTES: String(BATCHED_FETCH.fetchMinBytes), KAFKA_MAX_WAIT_TIME_MS: String(BATCHED_FETCH.maxWaitTimeMs) };

async function kafkaRun<T>(prefix: string, spec: (runId: string) => PipelineSpec, body: (bus: Bus, spec: PipelineSpec, pipeline: KafkaPipeline) => Promise<T>, env: Record<string, string> = {}, pnlEnv: Record<string, string> = {}, batchedReaders = false): Promise<T> {
  const runId = `${prefix}-${Date.now().toString(36)}`;
  const mongoDb = `b${Date.now().toString(36).slice(-7)}`;
  const s = spec(runId);
  // The bench's own readers (collector, hop and acknowledgement subscribers) commit at most every
  // 500 ms: they are not part of the pipeline, and a commit per record batch would load the broker
  // the pipeline runs on (their lag is only read once, at the end).
  // `batchedReaders` (the latency runs, whose readers use the times the services stamped, not when a
  // record reaches the bench): they fetch in batches of up to 100 ms, as pnl does, instead of waking
  // the bench and the broker at every arrival on the cores the pipeline runs on.
  const fetch = batchedReaders ? BATCHED_FETCH : {};
  const bus = await KafkaBus.connect({ brokers: process.env.KAFKA_BROKERS!.split(','), clientId: `bench-${runId}`, logLevel: 'error', commitIntervalMs: 500, ...fetch });
  await bus.ensureTopics(ALL_TOPICS, runId);
  const procEnv = { ...env, ...(PROFILE_DIR ? { NODE_OPTIONS: `--require ${path.join(REPO, 'bench/src/cpu-profile.cjs')}`, CPU_PROFILE_DIR: path.resolve(PROFILE_DIR) } : {}) };
  const p = new KafkaPipeline(s, mongoDb, { strategy: procEnv, risk: procEnv, execution: procEnv, pnl: { ...procEnv, ...pnlEnv } }, process.env.PIPELINE_BENCH_LOGS);
  try {
    await p.start();
    return await body(bus, s, p);
  } finally {
    await (PROFILE_DIR ? p.stop() : p.kill());
    await bus.close();
    await dropRun(runId, mongoDb);
  }
}

/**
 * PIPELINE_BENCH_PROFILE: a V8 CPU profile of the measured embedded latency run (this process, 0.1 ms
 * sampling), written to <dir>/embedded-latency.cpuprofile with, under `pathWindows`, each order's
 * candle publication -> acknowledgement interval in the profile's clock (µs): what
 * bench/src/path-profile.cjs keeps of the samples to show where the event loop's time between a
 * candle and its order's acknowledgement goes (the single thread does only that, or delays it).
 */
async function startProfile(): Promise<{ stop(windows: readonly [number, number][]): Promise<string> }> {
  const inspector = await import('node:inspector');
  const session = new inspector.Session();
  session.connect();
  const post = <R>(method: string, params: object = {}) => new Promise<R>((resolve, reject) => session.post(method, params, (e, r) => (e ? reject(e) : resolve(r as R))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 100 });
  await post('Profiler.start');
  return {
    async stop(windows) {
      const { profile } = await post<{ profile: Record<string, unknown> }>('Profiler.stop');
      session.disconnect();
      // performance.now() (ms since the time origin) -> the profile's clock (µs of the monotonic clock, as process.hrtime).
      const offsetUs = Number(process.hrtime.bigint() / 1000n) - performance.now() * 1000;
      const file = path.join(path.resolve(PROFILE_DIR!), 'embedded-latency.cpuprofile');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify({ ...profile, pathWindows: windows.map(([a, b]) => [Math.round(a * 1000 + offsetUs), Math.round(b * 1000 + offsetUs)]) }));
      return file;
    },
  };
}

export async function run(): Promise<void> {
  const rows: Cell[][] = [];
  const note = (what: string, mode: string, value: Cell, unit: string, target: string, extra = '') => rows.push([what, mode, value, unit, target, extra]);

  const only = process.env.PIPELINE_BENCH_ONLY;
  const want = (part: string) => !only || only.split(',').includes(part);

  // 1. Latency, embedded.
  if (want('embedded-latency')) {
    const warm: Awaited<ReturnType<typeof embeddedWarmUp>>[] = [];
    while (WARMUP_SPEEDUP > 0 && warm.length < WARMUPS && !warmUpSettled(warm)) warm.push(await embeddedWarmUp(warm.length));
    const runs: LatencyRun[] = [];
    let profile: string | undefined;
    for (let i = 0; i < EMBEDDED_RUNS; i++) {
      const spec = latencySpec(`bench-lat-emb${i}-${Date.now().toString(36)}`);
      const hops = new EmbeddedHops();
      const bus = new InProcessBus();
      const p = await startEmbeddedPipeline(spec, { bus: hops.wrap(bus) });
      try {
        // The first measured run is the profiled one.
        const profiler = PROFILE_DIR && i === 0 ? await startProfile() : undefined;
        const r = await latency(bus, spec, 'monotonic', RATE, hops);
        if (profiler) profile = await profiler.stop(r.windows);
        runs.push(r);
      } finally {
        await p.stop();
        await bus.close();
      }
    }
    // Pooled: the percentiles over every measured run's orders (each run's own in the notes).
    const all = (f: (r: LatencyRun) => number[]) => runs.flatMap(f);
    const lat = all((r) => r.lat);
    const mainPath = all((r) => r.mainPath);
    const pathCpu = all((r) => r.pathCpu);
    const first = runs[0]!;
    const perRun = runs.map((r, i) => `run ${i + 1}: p50 ${r.p50.toFixed(2)}, p99 ${r.p99.toFixed(2)}, max ${r.max.toFixed(2)} ms, event loop CPU p99 ${r.mainCpu ? r.mainCpu.p99.toFixed(2) : 'n/a'} ms, ${r.cpuMs.toFixed(3)} ms CPU per event time${r.mainCpu ? ` (${r.mainCpu.perEventTime.toFixed(3)} on the event loop thread)` : ''}${r.tail ? `, ${tailNote(r.tail)}` : ''}`);
    note('candle-close -> order submitted p50', 'embedded', percentile(lat, 50), 'ms', '', `${lat.length} orders in ${runs.length} measured runs, each ${first.candles} candles of 4 symbols at ${RATE}/s through a pipeline of its own (another run id; the percentiles pooled over all their orders); ${warm.length ? `after ${warm.length} warm-up replays (until V8's compiles settled) of the same candles through the same taps, each a pipeline of its own (${warm[0]!.eventTimes} event times at ${WARMUP_SPEEDUP}x the rate, another run id; ${warm.map((w) => `${(w.ms / 1000).toFixed(1)} s${w.otherThreadsMs === undefined ? '' : `, ${w.otherThreadsMs.toFixed(0)} ms CPU of V8's other threads`}`).join('; ')})` : 'cold (no warm-up)'}`);
    note('candle-close -> order submitted p99', 'embedded', percentile(lat, 99), 'ms', '< 1 ms', `max ${Math.max(...lat).toFixed(2)} ms; ${perRun.join('; ')}`);
    if (first.mainCpu) note('  event loop CPU, candle to ack', 'embedded', percentile(mainPath, 50), 'ms', '', `p50 (p99 ${percentile(mainPath, 99).toFixed(2)} ms): the CPU time of the thread every service runs on, between the two (/proc/thread-self/schedstat; load-independent: the latency with a core to itself)`);
    note('  CPU from candle to acknowledgement', 'embedded', percentile(pathCpu, 50), 'ms', '', `p50 (p99 ${percentile(pathCpu, 99).toFixed(2)} ms): the process's CPU time between the two${first.mainCpu ? ", V8's background threads (concurrent compiles, GC helpers) included" : ' (load-independent)'}`);
    note('  per hop (ms)', 'embedded', null, '', '', runs.map((r, i) => `run ${i + 1}: ${r.hops}`).join('; '));
    if (profile) note('  CPU profile', 'embedded', null, '', '', `${profile} (the first measured run, 0.1 ms sampling: its figures are inflated by it); node bench/src/path-profile.cjs <it> for the event loop's work between candles and acknowledgements`);
  }

  // 2. Lockstep replay of all recorded 1h candles, embedded.
  if (want('embedded-lockstep')) {
    const spec = maCrossoverSpec(`bench-ls-emb-${Date.now().toString(36)}`);
    const p = await startEmbeddedPipeline(spec);
    try {
      const cpu0 = process.cpuUsage();
      const s = await lockstep(p.bus, spec, 0);
      const cpu = process.cpuUsage(cpu0);
      // CPU time per event time as well: on a loaded machine the wall time mostly measures the others.
      const cpuMs = (cpu.user + cpu.system) / 1000 / s.eventTimes;
      note('lockstep replay, 4 x 5,482 1h candles', 'embedded', s.wallMs / 1000, 's', '', `${s.eventTimes} event times, ${(s.wallMs / s.eventTimes).toFixed(2)} ms each (${cpuMs.toFixed(2)} ms CPU)`);
    } finally {
      await p.stop();
    }
  }

  const inf = want('kafka-latency') || want('kafka-lockstep') || want('kafka-lockstep-synthetic') ? infra() : { why: 'not asked for (PIPELINE_BENCH_ONLY)' };
  if ('why' in inf) {
    note('Kafka parts', 'kafka', null, '', '', inf.why);
  } else {
    // 3. Latency across the services as separate processes over Kafka.
    if (want('kafka-latency')) {
      // At 100 candles/s, and at 20/s to show the latency without queueing where 100/s saturates.
      for (const rate of (process.env.PIPELINE_BENCH_RATES ?? `${RATE},20`).split(',').map(Number)) {
        let cpu = '';
        let warm: { eventTimes: number; ms: number } | undefined;
        const r = await kafkaRun('bench-lat-k', latencySpec, async (bus, spec, pipeline) => {
          if (WARMUP_SPEEDUP > 0) warm = await kafkaWarmUp(bus, spec, rate);
          const cpu0 = cpuOf(pipeline);
          const out = await latency(bus, spec, 'wall', rate);
          cpu = cpu0.done(out.candles / spec.symbols.length);
          return out;
        }, FREE_RUNNING_ENV, FREE_RUNNING_PNL_ENV, process.env.PIPELINE_BENCH_READERS_BATCH !== '0');
        note('candle-close -> order submitted p50', 'kafka, 4 processes', r.p50, 'ms', '', `${r.orders} orders, ${r.candles} candles of 4 symbols at ${rate}/s; offsets committed every ${FREE_RUNNING_ENV.KAFKA_COMMIT_INTERVAL_MS} ms${FREE_RUNNING_PNL_ENV.KAFKA_FETCH_MIN_BYTES ? `, pnl fetching in batches of up to ${FREE_RUNNING_PNL_ENV.KAFKA_MAX_WAIT_TIME_MS} ms (as the paper and live overlays deploy it)` : ''}; ${warm ? `after a warm-up replay of the same candles through the same processes (${warm.eventTimes} event times just before the measured ones, at ${WARMUP_SPEEDUP}x the rate, ${(warm.ms / 1000).toFixed(1)} s)` : 'cold (no warm-up)'}`);
        note('candle-close -> order submitted p99', 'kafka, 4 processes', r.p99, 'ms', rate === RATE ? '< 50 ms' : '', `max ${r.max} ms`);
        note('  per hop (ms)', 'kafka, 4 processes', null, '', '', r.hops);
        note('  CPU per process (ms per event time)', 'kafka, 4 processes', null, '', '', cpu);
      }
    }

    // 3b. (Only when named in PIPELINE_BENCH_ONLY.) Lockstep over the latency runs' workload (the
    // synthetic bars and MA 2/3 of the latency rows: an order every ~0.65 event times, against ~0.13
    // in the recorded 1h replay): the CPU per event time of lockstep and free-running compared on
    // the same inputs.
    if (only?.split(',').includes('kafka-lockstep-synthetic')) {
      const perTime = 4;
      const n = Math.ceil(LATENCY_CANDLES / perTime);
      let cpu = '';
      const s = await kafkaRun('bench-ls-syn', latencySpec, async (bus, spec, pipeline) => {
        const cpu0 = cpuOf(pipeline);
        const stats = await lockstep(bus, spec, 2, undefined, undefined, undefined, syntheticSource(n));
        cpu = cpu0.done(stats.eventTimes);
        return stats;
      });
      note(`lockstep replay, latency workload (${s.candles} candles)`, 'kafka + ferretdb, 4 processes', s.wallMs / 1000, 's', '', `${s.eventTimes} event times, ${(s.wallMs / s.eventTimes).toFixed(1)} ms each, ${(s.polls / s.eventTimes).toFixed(2)} lag polls each`);
      note('  CPU per process (ms per event time)', 'kafka + ferretdb, 4 processes', null, '', '', cpu);
    }

    // 4. Lockstep replay over Kafka + FerretDB.
    if (want('kafka-lockstep')) {
      const days = process.env.PIPELINE_BENCH_KAFKA_DAYS ? Number(process.env.PIPELINE_BENCH_KAFKA_DAYS) : undefined;
      const from = Date.UTC(2020, 11, 1);
      const to = days !== undefined ? from + days * 24 * H : undefined;
      let hopSummary = '';
      // The full parity run (c): the same records and P&L as the backtester, checked after the timing.
      let cpu = '';
      const { stats: s, parity } = await kafkaRun('bench-ls-k', (id) => maCrossoverSpec(id), async (bus, spec, pipeline) => {
        const hops = new Hops();
        const cpu0 = cpuOf(pipeline);
        const stats = await lockstep(bus, spec, 2, days !== undefined ? from : undefined, to, hops);
        cpu = cpu0.done(stats.eventTimes);
        // The parity collector and the hop readers read the run's topics from the start once the
        // timed replay is over (the same records; the hops use the events' creation times), so
        // their consumers load neither the broker nor the CPU the pipeline runs on.
        const c = await collect(bus, spec.runId, `bench-collector-${spec.runId}`);
        await hops.start(bus, spec.runId);
        const bt = runBacktest(backtestConfigFromSpec(spec, { recordBarMatched: true }), recordedSeries(spec, days !== undefined ? from : -Infinity, to ?? Infinity));
        const until = Date.now() + 120_000;
        while (((await c.lag()) > 0 || (await hops.lag(bus, spec.runId)) > 0) && Date.now() < until) await new Promise((r) => setTimeout(r, 500));
        await hops.close();
        hopSummary = hops.summary();
        const diff = firstDifference(canonical(backtestRecords(bt)), canonical(c.data));
        await c.close();
        return { stats, parity: diff === undefined ? `identical to the backtester (${bt.fills.length} fills, ${bt.approved.length} orders, ${bt.decisions.reduce((n, d) => n + d.count, 0)} decision records)` : `DIFFERS: ${diff.slice(0, 300)}` };
      });
      const what = days !== undefined ? `first ${days} days (${s.candles} candles)` : '4 x 5,482 1h candles';
      note(`lockstep replay, ${what}`, 'kafka + ferretdb, 4 processes', s.wallMs / 1000, 's', days !== undefined ? '' : '< 120 s', `${s.eventTimes} event times, ${(s.wallMs / s.eventTimes).toFixed(1)} ms each, ${(s.polls / s.eventTimes).toFixed(2)} lag polls each`);
      note('  per hop (median ms)', 'kafka + ferretdb, 4 processes', null, '', '', hopSummary);
      note('  CPU per process (ms per event time)', 'kafka + ferretdb, 4 processes', null, '', '', cpu);
      note('parity of that replay', 'kafka + ferretdb, 4 processes', null, '', '', parity);
    }
  }
  printTable(['measure', 'mode', 'value', 'unit', 'target', 'notes'], rows);
}
