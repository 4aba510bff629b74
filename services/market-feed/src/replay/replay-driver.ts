import type { Bus, LagPass, Watermarks } from '@atp/bus';
import { barCloseTime, type Timeframe } from '@atp/core';
import { groupName, TOPICS, type CandleEvent } from '@atp/contracts';
import { toCandleEvent } from '@atp/market-data';
import type { CandleSource } from './candle-source';
import { PIPELINE_GROUPS, pipelineTopics, type PipelineGroup } from './pipeline-groups';

/** Free-running at max speed: candles per publishBatch call, and calls outstanding at a time. */
const FREE_CHUNK_CANDLES = 4_000;
const FREE_CHUNKS_IN_FLIGHT = 3;

/** A consumer group that never consumes: its lag on a topic is the number of records in it. */
export const LOCKSTEP_PROBE_GROUP = '__lockstep-probe';

export interface ReplayOptions {
  /** Prefixes the topics (`run.<runId>.md.candles.v1`); the pipeline runs under the same run id. */
  readonly runId: string;
  readonly exchange: string;
  readonly symbols: readonly string[];
  readonly timeframe: Timeframe;
  /** Open-time range [from, to) of the bars replayed (default: everything the source has). */
  readonly from?: number;
  readonly to?: number;
  /**
   * `lockstep`: all candles of event time T, then wait until every pipeline group has lag 0 on
   * every topic it consumes, then T+1 — a deterministic distributed backtest.
   * `free`: publish at `speed` x the data's pace (event-time gaps scaled), or as fast as possible
   * when `speed` is `max` — for throughput.
   */
  readonly mode: 'lockstep' | 'free';
  readonly speed?: number | 'max';
  /** The groups lockstep waits on (default: strategy, risk, execution, pnl). */
  readonly groups?: readonly PipelineGroup[];
  /** Delay between lag polls, ms (default 2; 0 = next event-loop turn, for the in-process bus). */
  readonly pollMs?: number;
  /** Lockstep gives up when the pipeline has not drained for this long, ms (default 120 s). */
  readonly stallMs?: number;
  /** Local creation time of the candle events (default Date.now). */
  readonly now?: () => number;
  /** Called after event time T drained (lockstep) or was published (free), with its index. */
  readonly onEventTime?: (t: number, index: number, total: number) => void | Promise<void>;
}

export interface ReplayStats {
  readonly eventTimes: number;
  readonly candles: number;
  readonly wallMs: number;
  /** Lockstep: lag polls in all, and the time spent waiting for the pipeline to drain. */
  readonly polls: number;
  readonly waitMs: number;
}

/**
 * The replay driver of market-feed: publishes stored or recorded candles of a symbol list and time
 * range on md.candles.v1 under a run id, in lockstep or free-running (see {@link ReplayOptions}).
 * Candle events are market-data's (`toCandleEvent`), so their ids are the ones the backtester
 * records as the causes of its decisions. Works on any Bus: in-process (embedded) or Kafka.
 *
 * Lockstep's drain check is race-free: a pass reads every group's lag on its topics between two
 * reads of the probe group's lag (the records in all pipeline topics); it counts as drained only
 * if every group had lag 0 AND nothing was produced during the pass (a handler acknowledges its
 * input only after publishing its outputs, so a handler still running keeps its input's lag
 * above 0).
 */
export class ReplayDriver {
  private readonly groups: readonly { group: string; topics: string[] }[];
  private readonly allTopics: string[];

  constructor(
    private readonly bus: Bus,
    private readonly source: CandleSource,
    private readonly opts: ReplayOptions,
  ) {
    const groups = opts.groups ?? PIPELINE_GROUPS;
    this.groups = groups.map((g) => ({ group: groupName(g.group, opts.runId), topics: pipelineTopics([g], opts.runId) }));
    this.allTopics = pipelineTopics(groups, opts.runId);
  }

  /** The candle events of the replay grouped by event time, ascending (symbols sorted within T). */
  async eventTimes(): Promise<{ time: number; candles: CandleEvent[] }[]> {
    const { exchange, timeframe } = this.opts;
    const byTime = new Map<number, CandleEvent[]>();
    const now = this.opts.now ?? Date.now;
    for (const symbol of [...this.opts.symbols].sort()) {
      const bars = await this.source.load(exchange, symbol, timeframe, this.opts.from, this.opts.to);
      for (const c of bars) {
        const t = barCloseTime(c.openTime, timeframe);
        let list = byTime.get(t);
        if (!list) byTime.set(t, (list = []));
        list.push(toCandleEvent({ exchange, symbol, timeframe }, c, { closed: true, tsInit: now(), source: 'replay' }));
      }
    }
    return [...byTime.entries()].sort(([a], [b]) => a - b).map(([time, candles]) => ({ time, candles }));
  }

  async run(): Promise<ReplayStats> {
    const times = await this.eventTimes();
    const t0 = Date.now();
    if (this.opts.mode === 'free' && (this.opts.speed ?? 'max') === 'max') return this.runFreeMax(times, t0);
    let polls = 0;
    let waitMs = 0;
    let candles = 0;
    const speed = this.opts.speed ?? 'max';
    for (let i = 0; i < times.length; i++) {
      const { time, candles: batch } = times[i]!;
      if (this.opts.mode === 'free' && speed !== 'max' && i > 0) {
        const due = t0 + (time - times[0]!.time) / speed;
        const wait = due - Date.now();
        if (wait > 0) await sleep(wait);
      }
      await this.bus.publishBatch(TOPICS.mdCandles, batch, { runId: this.opts.runId });
      candles += batch.length;
      if (this.opts.mode === 'lockstep') {
        const w0 = Date.now();
        polls += await this.drained();
        waitMs += Date.now() - w0;
      }
      await this.opts.onEventTime?.(time, i, times.length);
    }
    return { eventTimes: times.length, candles, wallMs: Date.now() - t0, polls, waitMs };
  }

  /**
   * Free-running at `max`: consecutive event times go out together in publishBatch calls of about
   * {@link FREE_CHUNK_CANDLES} candles (in event-time order, so per-key order holds), with up to
   * {@link FREE_CHUNKS_IN_FLIGHT} calls outstanding so the bus always has the next request ready
   * (its produce queue keeps them FIFO). One awaited publish per event time would cost a broker
   * round trip per 4 candles. `onEventTime` is called, in order, once the chunk holding T was
   * acknowledged; a failed publish rejects run() (nothing after it is published).
   */
  private async runFreeMax(times: readonly { time: number; candles: CandleEvent[] }[], t0: number): Promise<ReplayStats> {
    const runId = this.opts.runId;
    const inFlight: { done: Promise<void>; from: number; to: number }[] = [];
    let candles = 0;
    const settle = async () => {
      const c = inFlight.shift()!;
      await c.done;
      for (let k = c.from; k < c.to; k++) await this.opts.onEventTime?.(times[k]!.time, k, times.length);
    };
    for (let i = 0; i < times.length; ) {
      const from = i;
      const batch: CandleEvent[] = [];
      while (i < times.length && (batch.length === 0 || batch.length + times[i]!.candles.length <= FREE_CHUNK_CANDLES)) batch.push(...times[i++]!.candles);
      const done = this.bus.publishBatch(TOPICS.mdCandles, batch, { runId });
      done.catch(() => undefined); // awaited in settle(); no unhandled rejection meanwhile
      inFlight.push({ done, from, to: i });
      candles += batch.length;
      if (inFlight.length >= FREE_CHUNKS_IN_FLIGHT) await settle();
    }
    while (inFlight.length > 0) await settle();
    return { eventTimes: times.length, candles, wallMs: Date.now() - t0, polls: 0, waitMs: 0 };
  }

  /** Moving average of the drain time, ms: the first poll waits half of it (fewer wasted polls). */
  private drainEwma = 0;

  /**
   * Waits until the pipeline drained what was published; returns the number of polls. Throws after
   * `stallMs`. Each pass reads every group's lag (in parallel) and then the probe; the pass counts
   * when all lags are 0 and the probe equals the previous pass's probe (read just before the lags),
   * i.e. nothing was produced while the lags were read.
   */
  async drained(): Promise<number> {
    const pollMs = this.opts.pollMs ?? 2;
    const stallMs = this.opts.stallMs ?? 120_000;
    const t0 = Date.now();
    const deadline = t0 + stallMs;
    if (this.bus.lagPass) return this.drainedByPasses(t0, deadline, pollMs, stallMs);
    let before = await this.bus.lag(LOCKSTEP_PROBE_GROUP, this.allTopics);
    const settle = Math.min(this.drainEwma / 2, 1_000) - (Date.now() - t0);
    if (pollMs > 0 && settle > 1) await sleep(settle);
    for (let polls = 1; ; polls++) {
      const lags = await Promise.all(this.groups.map((g) => this.bus.lag(g.group, g.topics)));
      const after = await this.bus.lag(LOCKSTEP_PROBE_GROUP, this.allTopics);
      if (after === before && lags.every((l) => l === 0)) {
        const ms = Date.now() - t0;
        this.drainEwma = this.drainEwma === 0 ? ms : 0.8 * this.drainEwma + 0.2 * ms;
        return polls;
      }
      if (Date.now() > deadline) {
        const detail = this.groups.map((g, k) => `${g.group}=${lags[k]}`).join(', ');
        throw new Error(`lockstep replay ${this.opts.runId}: the pipeline has not drained for ${stallMs} ms (lag ${detail})`);
      }
      before = after;
      await (pollMs > 0 ? sleep(pollMs) : new Promise((r) => setImmediate(r)));
    }
  }

  /**
   * drained() over a bus with lagPass (Kafka): one pass reads each topic's watermarks once, every
   * group's committed offsets, then the watermarks again (the next pass's first read). Drained:
   * every lag 0 and no high watermark moved during the pass — the same check as the probe group's
   * lag read before and after the groups' lags, with about a third of the broker requests. A later
   * pass does not ask again for the offsets of a group that was drained in the previous one when
   * none of its topics got records since (it is still drained; see Bus.lagPass's `previous`).
   */
  private async drainedByPasses(t0: number, deadline: number, pollMs: number, stallMs: number): Promise<number> {
    const settle = Math.min(this.drainEwma / 2, 1_000);
    if (pollMs > 0 && settle > 1) await sleep(settle);
    let before: Watermarks | undefined;
    let previous: LagPass | undefined;
    for (let polls = 1; ; polls++) {
      const pass = await this.bus.lagPass!(this.groups, before, previous);
      if (!pass.produced && pass.lags.every((l) => l === 0)) {
        const ms = Date.now() - t0;
        this.drainEwma = this.drainEwma === 0 ? ms : 0.8 * this.drainEwma + 0.2 * ms;
        return polls;
      }
      if (Date.now() > deadline) {
        const detail = this.groups.map((g, k) => `${g.group}=${pass.lags[k]}`).join(', ');
        throw new Error(`lockstep replay ${this.opts.runId}: the pipeline has not drained for ${stallMs} ms (lag ${detail})`);
      }
      before = pass.after;
      previous = pass;
      await (pollMs > 0 ? sleep(pollMs) : new Promise((r) => setImmediate(r)));
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
