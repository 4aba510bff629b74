import { specMarkets, specSymbols, strategyInstances, type PipelineSpec } from '@atp/backtest';
import { timeframeMs, type Clock, type Timeframe } from '@atp/core';
import type { CandleEvent, DecisionEvent, FillEvent, OrderApprovedEvent, OrderCommandEvent, OrderEvent, OrderRejectedEvent } from '@atp/contracts';
import { PaperExchange, submitOrderFromApproval, type GatewayResult } from '@atp/execution';
import type { JournalCore } from '@atp/nest-kit';

/** What the execution core produces: fills and order events to publish, and submissions to record. */
export type ExecutionOutput =
  | { readonly kind: 'fill'; readonly fill: FillEvent }
  | { readonly kind: 'order'; readonly event: OrderEvent }
  /** The venue accepted a new client order id (recorded in `execution_submissions`, never published). */
  | { readonly kind: 'submitted'; readonly clientOrderId: string; readonly decisionTime: number };

/** Journal input kinds of the execution core. */
export const EXEC_INPUT = {
  candle: 'candle',
  approval: 'approval',
  command: 'command',
  shutdown: 'shutdown',
  /** A strategy decision record (orders.intents.v1): the decision barrier's evidence. */
  decision: 'decision',
  /** A rejection (orders.rejected.v1): risk's answer to an intent, like an approval. */
  rejection: 'rejection',
  /** The adapter's timeout: match the held candles of `symbol` without waiting any longer. */
  release: 'release',
} as const;

export interface ExecutionCoreOptions {
  /**
   * The decision barrier: before matching bar T+1 of a symbol, wait until risk is done with event
   * time T — every decision of T, of every symbol, answered (each strategy's decision record of T
   * is in, and each intent of T has its approval or rejection) — exactly as the backtester decides
   * and submits all of T's orders before it matches anything of T+1.
   * Candles that arrive earlier (a burst of closed bars) are held, in order, until then or until
   * a `release` input (the adapter's timeout: strategy or risk down; stops must still fire).
   * Default false (the core alone matches every candle at once).
   */
  readonly decisionBarrier?: boolean;
  readonly source?: string;
}

/**
 * Per symbol: the decision barrier's view of one event time T. Arrays without repeats rather than
 * Sets: a symbol has a few strategies and intents per T, and two Sets per (symbol, T) cost more
 * to make than a few compares.
 */
interface DecisionsAt {
  /** Strategy ids whose decision record of T is in. */
  readonly strategies: string[];
  /** Decision ids of the intents of T. */
  readonly intents: string[];
}

interface BarrierState {
  readonly symbol: string;
  /** Strategy instance ids deciding on this symbol. */
  readonly expected: readonly string[];
  readonly decisions: Map<number, DecisionsAt>;
  /** Candles held until risk is done with the event time of the previous bar, in event-time order. */
  readonly held: CandleEvent[];
  /** Event times of the candles received (held or matched), and the latest. */
  readonly seen: Set<number>;
  latestSeen: number;
  /** Released by timeout and no decision record since: candles are not held. */
  bypass: boolean;
  /** The symbol's last matched bar (its `lastBar` entry), -Infinity before the first. */
  last: number;
}

/**
 * Execution's deterministic core: the order state machine behind the ExchangeGateway port, here
 * the paper exchange of `@atp/execution` (the backtester's), configured from the pipeline spec.
 *
 * - a closed candle of bar T matches the working orders of its instrument against T: fills, order
 *   transitions, then T's `bar-matched` marker (ARCHITECTURE.md step 1); a candle at or before the
 *   last matched bar of its instrument is ignored;
 * - an approval is submitted (idempotent by client order id: the journal never applies one twice,
 *   the venue answers a known id with `duplicate`); matching is by event time, so an order decided
 *   at T fills on the first bar after T, and a late approval is matched at once against the recent
 *   bars the venue keeps;
 * - commands cancel one order or all (optionally of one symbol / strategy); `shutdown` cancels all;
 * - with the decision barrier (the service's default), bar T+1 of a symbol is matched only once risk
 *   has answered every decision of T (ARCHITECTURE.md steps 4 of T, then 1 of T+1): a burst of
 *   closed bars (a catch-up after a reconnect) is held, not matched ahead of T's approvals, so the
 *   `bar-matched` marker of T+1 counts the fills of the orders decided at T, as in the backtester.
 *   The adapter releases held candles after a timeout (strategy or risk down: stops still fire).
 */
export class ExecutionCore implements JournalCore<ExecutionOutput> {
  readonly venue: PaperExchange;
  private readonly symbols: ReadonlySet<string>;
  private readonly lastBar = new Map<string, number>();
  private readonly barrier: Map<string, BarrierState> | undefined;
  /**
   * The barrier's states in the map's (the spec's symbol) order: drain and riskDoneWith walk them
   * at every input, an array walk where a Map iterator (and its entry pairs) cost more than the
   * checks themselves.
   */
  private readonly barrierList: BarrierState[] = [];
  /**
   * The event time riskDoneWith last found done, NaN for none: nothing makes it undone but a new
   * intent (onDecision) or pruning what it read (prune), which forget it. drain asks the same T for every
   * symbol holding a candle, and again after each one matched.
   */
  private doneWith = NaN;
  /** Length of a bar of the run's timeframe, ms: a wanted candle's event time is its open time + this. */
  private readonly tfMs: number;
  /** Decision ids risk answered (approved or rejected), with their decision time (pruned as bars pass). */
  private readonly answered = new Map<string, number>();
  private pruneAt = 4096;
  /** Barrier state before this event time is forgotten (every symbol matched a bar at or after it). */
  private prunedBefore = -Infinity;

  constructor(
    readonly spec: PipelineSpec,
    clock: Clock,
    opts: ExecutionCoreOptions = {},
  ) {
    const source = opts.source ?? 'execution';
    const quote = spec.quoteCurrency ?? 'USDT';
    this.symbols = new Set(specSymbols(spec));
    this.tfMs = timeframeMs(spec.timeframe);
    if (opts.decisionBarrier) {
      const instances = strategyInstances(spec);
      this.barrierList = [...this.symbols].map((s) => ({
        symbol: s,
        expected: instances.filter((i) => i.symbols.includes(s)).map((i) => i.id),
        decisions: new Map(),
        held: [],
        seen: new Set(),
        latestSeen: -Infinity,
        bypass: false,
        last: -Infinity,
      }));
      this.barrier = new Map(this.barrierList.map((b) => [b.symbol, b]));
    }
    this.venue = new PaperExchange({
      exchange: spec.exchange,
      runId: spec.runId,
      clock,
      markets: specMarkets(spec),
      fillModel: spec.execution?.fillModel,
      balances: { [quote]: spec.initialCash },
      source,
    });
  }

  /** True for a candle this core matches: closed, of the run's exchange, symbols and timeframe. */
  wants(c: CandleEvent): boolean {
    return c.closed && c.exchange === this.spec.exchange && c.timeframe === this.spec.timeframe && this.symbols.has(c.symbol);
  }

  apply(kind: string, input: unknown, replaying: boolean): ExecutionOutput[] {
    switch (kind) {
      case EXEC_INPUT.candle:
        return this.onCandle(input as CandleEvent);
      case EXEC_INPUT.approval:
        return this.onApproval(input as OrderApprovedEvent, replaying);
      case EXEC_INPUT.command:
        return this.onCommand(input as OrderCommandEvent);
      case EXEC_INPUT.shutdown:
        return this.outputs(this.venue.cancelAllNow({}, 'service shutdown (ON_SHUTDOWN=cancel)'));
      case EXEC_INPUT.decision:
        return this.onDecision(input as DecisionEvent);
      case EXEC_INPUT.rejection:
        return this.onAnswer(input as OrderRejectedEvent, []);
      case EXEC_INPUT.release:
        return this.onRelease((input as { symbol: string }).symbol);
      default:
        throw new Error(`execution: unknown input kind ${kind}`);
    }
  }

  /**
   * JournalCore.waits: with the decision barrier, a candle of a symbol that already has held bars,
   * or whose previous bar risk is not done with, would only be held too (it is matched once the
   * decisions or answers come); the journal may write it with them.
   */
  waits(kind: string, input: unknown): boolean {
    if (kind !== EXEC_INPUT.candle || !this.barrier) return false;
    const c = input as CandleEvent;
    if (!this.wants(c)) return false;
    const b = this.barrier.get(c.symbol);
    if (!b || b.bypass) return false;
    if (b.held.length > 0) return true;
    const prev = this.lastBar.get(c.symbol);
    return prev !== undefined && !this.riskDoneWith(prev);
  }

  /** Held candles per symbol (oldest first): what the barrier waits on; empty without the barrier. */
  held(): { symbol: string; since: number; count: number }[] {
    const out: { symbol: string; since: number; count: number }[] = [];
    if (!this.barrier) return out;
    for (const [symbol, b] of this.barrier) if (b.held.length) out.push({ symbol, since: b.held[0]!.openTime, count: b.held.length });
    return out;
  }

  private onCandle(c: CandleEvent): ExecutionOutput[] {
    if (!this.wants(c)) return [];
    const b = this.barrier?.get(c.symbol);
    if (!b) return this.match(c, undefined, []);
    const t = c.openTime + this.tfMs; // barCloseTime: a wanted candle is of the run's timeframe
    if (t <= b.latestSeen) return [];
    b.held.push(c);
    b.seen.add(t);
    b.latestSeen = t;
    return this.drain([]);
  }

  /**
   * Matches held candles as far as the barrier allows: bar T+1 of a symbol once risk is done with
   * T — every symbol's decisions of T answered (risk decides T for all symbols together, in
   * (strategy, symbol) order, before anything of T+1 may fill), a symbol without a bar at T
   * (a gap: a later candle of it is in) having none.
   */
  private drain(out: ExecutionOutput[]): ExecutionOutput[] {
    const list = this.barrierList;
    let matched = false;
    // riskDoneWith answers for T alone while this runs (matching changes nothing it reads): the
    // symbols holding candles after the same T (a burst) ask it once
    let notDone = NaN;
    for (let progress = true; progress; ) {
      progress = false;
      for (let i = 0; i < list.length; i++) {
        const b = list[i]!;
        if (!b.held.length) continue;
        const prev = b.last;
        if (!b.bypass && prev !== -Infinity && (prev === notDone || !this.riskDoneWith(prev))) {
          notDone = prev;
          continue;
        }
        this.match(b.held.shift()!, b, out);
        progress = matched = true;
      }
    }
    // (only a match moves a last bar, what pruning goes by)
    if (matched) this.prune();
    return out;
  }

  /** True when risk has answered every decision of event time T, of every symbol. */
  private riskDoneWith(t: number): boolean {
    if (t === this.doneWith) return true;
    const list = this.barrierList;
    for (let i = 0; i < list.length; i++) {
      const b = list[i]!;
      if (!b.seen.has(t)) {
        if (b.latestSeen > t) continue; // no bar at T: a gap of this symbol
        return false; // its bar of T has not come yet
      }
      if (b.expected.length === 0) continue;
      const d = b.decisions.get(t);
      if (!d || d.strategies.length < b.expected.length) return false;
      for (let k = 0; k < d.intents.length; k++) if (!this.answered.has(d.intents[k]!)) return false;
    }
    this.doneWith = t;
    return true;
  }

  /** True for a decision record the barrier waits for (a strategy of the run deciding on one of its symbols). */
  wantsDecision(d: DecisionEvent): boolean {
    const b = this.barrier?.get(d.symbol);
    return !!b && d.exchange === this.spec.exchange && d.timeframe === this.spec.timeframe && d.runId === this.spec.runId && b.expected.includes(d.strategyId);
  }

  private onDecision(d: DecisionEvent): ExecutionOutput[] {
    const b = this.barrier?.get(d.symbol);
    if (!b || !this.wantsDecision(d)) return [];
    if (d.decisionTime < this.prunedBefore) return []; // every symbol is past it
    b.bypass = false; // the strategy is alive: hold candles again
    let at = b.decisions.get(d.decisionTime);
    if (!at) b.decisions.set(d.decisionTime, (at = { strategies: [], intents: [] }));
    if (!at.strategies.includes(d.strategyId)) at.strategies.push(d.strategyId);
    if (d.kind === 'intent' && !at.intents.includes(d.decisionId)) {
      at.intents.push(d.decisionId);
      this.doneWith = NaN; // an intent to answer: T may not be done any more
    }
    return this.drain([]);
  }

  /** Risk answered a decision (approval or rejection): the barrier may open. */
  private onAnswer(a: { decisionId: string; decisionTime: number; exchange: string; runId: string }, out: ExecutionOutput[]): ExecutionOutput[] {
    if (!this.barrier || a.exchange !== this.spec.exchange || a.runId !== this.spec.runId) return out;
    if (a.decisionTime >= this.prunedBefore) this.answered.set(a.decisionId, a.decisionTime);
    return this.drain(out);
  }

  private onRelease(symbol: string): ExecutionOutput[] {
    const b = this.barrier?.get(symbol);
    if (!b || b.held.length === 0) return [];
    b.bypass = true;
    return this.drain([]);
  }

  /** Forgets what no barrier check can ask any more: event times before every symbol's last matched bar. */
  private prune(): void {
    let oldest = Infinity;
    const list = this.barrierList; // (the barrier's symbols are this.symbols)
    for (let i = 0; i < list.length; i++) oldest = Math.min(oldest, list[i]!.last);
    if (oldest <= this.prunedBefore) return;
    this.prunedBefore = oldest;
    // (what is forgotten below is of times before `oldest`: doneWith holds unless it is one of them,
    // or an answer it counted, recorded at another time than its decision's, goes)
    if (this.doneWith < oldest) this.doneWith = NaN;
    for (const b of list) {
      for (const t of b.decisions.keys()) if (t < oldest) b.decisions.delete(t);
      for (const t of b.seen) if (t < oldest) b.seen.delete(t);
    }
    if (this.answered.size >= this.pruneAt) {
      this.doneWith = NaN;
      for (const [id, t] of this.answered) if (t < oldest) this.answered.delete(id);
      this.pruneAt = Math.max(4096, 2 * this.answered.size);
    }
  }

  /**
   * Matches a wanted candle (`b`: its barrier state, if any) and appends its fills, order events
   * and marker to `out`: the venue's onBar, without its bar and result objects.
   */
  private match(c: CandleEvent, b: BarrierState | undefined, out: ExecutionOutput[]): ExecutionOutput[] {
    const t = c.openTime + this.tfMs; // barCloseTime: a wanted candle is of the run's timeframe
    if (t <= (this.lastBar.get(c.symbol) ?? -Infinity)) return out;
    this.lastBar.set(c.symbol, t);
    if (b) b.last = t;
    const v = this.venue;
    const n = v.matchBar(c.symbol, t, c.open, c.high, c.low, c.close, c.volume);
    for (const f of v.takeFills()) out.push({ kind: 'fill', fill: f });
    for (const e of v.takeEvents()) out.push({ kind: 'order', event: e });
    out.push({ kind: 'order', event: v.barMatched(c.symbol, c.timeframe as Timeframe, t, n) });
    return out;
  }

  private onApproval(a: OrderApprovedEvent, replaying: boolean): ExecutionOutput[] {
    if (a.runId !== this.spec.runId) throw new Error(`execution: approval ${a.clientOrderId} of run ${a.runId}, this is run ${this.spec.runId}`);
    // (submitAndTake: submitNow's effects without the order snapshot; a new order has at least
    // its acknowledged or rejected event, a duplicate none)
    const r = this.venue.submitAndTake(submitOrderFromApproval(a));
    if (r.events.length === 0) return [];
    const out = this.outputs(r);
    if (!replaying) out.push({ kind: 'submitted', clientOrderId: a.clientOrderId, decisionTime: a.decisionTime });
    return this.barrier ? this.onAnswer(a, out) : out;
  }

  private onCommand(c: OrderCommandEvent): ExecutionOutput[] {
    if (c.exchange !== undefined && c.exchange !== this.spec.exchange) return [];
    const reason = `${c.reason} (${c.actor})`;
    if (c.kind === 'cancel') return c.clientOrderId ? this.outputs(this.venue.cancelNow(c.clientOrderId, reason)) : [];
    return this.outputs(this.venue.cancelAllNow({ ...(c.symbol ? { symbol: c.symbol } : {}), ...(c.strategyId ? { strategyId: c.strategyId } : {}) }, reason));
  }

  private outputs(r: Pick<GatewayResult, 'fills' | 'events'>): ExecutionOutput[] {
    const out: ExecutionOutput[] = [];
    for (const f of r.fills) out.push({ kind: 'fill', fill: f });
    for (const e of r.events) out.push({ kind: 'order', event: e });
    return out;
  }
}
